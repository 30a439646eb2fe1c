#!/usr/bin/env python3
"""Summarise hyper-cleaning runs of one method that ran as separate processes (one results.json per seed, from
`mobl experiment hyper-cleaning --seeds 1 --first-seed S ...`), and the model-selection rules measured on their
curves (runs[].curve: the selection and test accuracy of every scored iterate and running average):

  selected      what the command reports: the best selection score among iterates and averages
  iterates      the best selection score among the iterates y_k only (no averaged model)
  averages      the best selection score among the running averages only
  last          the last scored iterate (no model selection)
  patience P    the iterates only, stopped after P scorings without a better selection score (early stopping)

Writes the summary (mean and sample standard deviation over seeds, in percent) as JSON, with the runs' curves in the
shape of a results.json (settings.datasets, runs[].curve, paper), so that `mobl report --curves` draws it. A run stopped before it
wrote its results.json can be given by its console log instead (FILE.log: the "k = ... (iterate|average):" lines,
which carry the same curve; the macro-F1 of the selected model is then not known).
  scripts/hyper-cleaning-summary.py [--until K] OUT.json RESULTS.json|CONSOLE.log [...]
(--until K: only the points of iterations up to K, so that runs stopped at different iterations compare alike.)
"""
import json
import re
import statistics
import sys

LINE = re.compile(r"k = (\d+) \((iterate|average)\): selection accuracy \[([^\]]*)\], test \[([^\]]*)\]")


def from_log(path, seed):
    """A run as results.json would hold it, from its console log: the curve only."""
    curve = []
    for line in open(path):
        m = LINE.search(line)
        if m:
            curve.append({"iteration": int(m.group(1)), "model": m.group(2),
                          "selectionAccuracy": [float(v) for v in m.group(3).split(",")],
                          "testAccuracy": [float(v) for v in m.group(4).split(",")]})
    return {"seed": seed, "method": re.search(r"\n  (\S+) \(K = ", open(path).read()).group(1), "curve": curve,
            "fromLog": path}


def mean_std(values):
    return {"mean": statistics.mean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def best(points):
    chosen = None
    for p in points:
        score = statistics.mean(p["selectionAccuracy"])
        if chosen is None or score > statistics.mean(chosen["selectionAccuracy"]):
            chosen = p
    return chosen


def patience(points, wait):
    iterates = [p for p in points if p["model"] == "iterate"]
    chosen, stale = None, 0
    for p in iterates:
        if chosen is None or statistics.mean(p["selectionAccuracy"]) > statistics.mean(chosen["selectionAccuracy"]):
            chosen, stale = p, 0
        else:
            stale += 1
            if stale >= wait:
                break
    return chosen


def main():
    args = sys.argv[1:]
    until = None
    if args[0] == "--until":
        until, args = int(args[1]), args[2:]
    out, files = args[0], args[1:]
    runs = []
    for f in files:
        if f.endswith(".log"):
            seed = int(re.search(r"--first-seed (\d+)", open(f).read() + " --first-seed " + str(len(runs))).group(1))
            runs.append(from_log(f, seed))
        else:
            runs.extend(json.load(open(f))["runs"])
    datasets = ["mnist", "fashion-mnist"]
    if until is not None:
        for r in runs:
            kept = [p for p in r["curve"] if p["iteration"] <= until]
            if len(kept) < len(r["curve"]):
                r["curve"] = kept
                for d in datasets:
                    r.pop(d, None)  # the reported scores may come from a later point
    
    rules = {
        "selected": lambda c: best(c),
        "iterates": lambda c: best([p for p in c if p["model"] == "iterate"]),
        "averages": lambda c: best([p for p in c if p["model"] == "average"]),
        "last": lambda c: [p for p in c if p["model"] == "iterate"][-1],
        "patience 5": lambda c: patience(c, 5),
        "patience 10": lambda c: patience(c, 10),
    }
    summary = {"files": files, "seeds": [r["seed"] for r in runs], "method": runs[0]["method"],
               "lastIteration": [r["curve"][-1]["iteration"] for r in runs], "until": until, "rules": {},
               "settings": {"datasets": datasets},
               "paper": {"mnist": {"forum": {"accuracy": 90.81, "macroF1": 90.81}, "moml": {"accuracy": 88.64, "macroF1": 88.61}},
                         "fashion-mnist": {"forum": {"accuracy": 82.07, "macroF1": 81.72},
                                           "moml": {"accuracy": 80.64, "macroF1": 80.60}}},
               "runs": runs}
    for name, rule in rules.items():
        chosen = [rule(r["curve"]) for r in runs]
        if any(c is None for c in chosen):
            continue
        entry = {"iterations": [c["iteration"] for c in chosen]}
        for i, d in enumerate(datasets):
            entry[d] = {"accuracy": mean_std([100 * c["testAccuracy"][i] for c in chosen])}
        summary["rules"][name] = entry
    complete = all(d in r for r in runs for d in datasets)
    for i, d in enumerate(datasets):
        if complete:
            summary["rules"]["selected"][d]["macroF1"] = mean_std([r[d]["macroF1"] for r in runs])
            summary["rules"]["selected"][d]["accuracyAsReported"] = mean_std([r[d]["accuracy"] for r in runs])
    json.dump(summary, open(out, "w"), indent=2)
    for name, entry in summary["rules"].items():
        cells = [f"{d} {entry[d]['accuracy']['mean']:.2f} ± {entry[d]['accuracy']['std']:.2f}" for d in datasets]
        print(f"{name:12s} " + "  ".join(cells) + f"  (k = {entry['iterations']})")
    for d in datasets if complete else []:
        f1 = summary["rules"]["selected"][d]["macroF1"]
        print(f"selected macro-F1 {d}: {f1['mean']:.2f} ± {f1['std']:.2f}")
    print("wrote", out)


if __name__ == "__main__":
    main()
