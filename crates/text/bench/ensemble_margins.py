#!/usr/bin/env python3
"""Macro-F1 of a weighted sum of out-of-fold margins, per fold, on identical folds.

Usage: ensemble_margins.py MARGINS.csv[:WEIGHT] [MARGINS.csv[:WEIGHT] ...]

Each file is written by `cargo run --release -p fanzha-text --example cv_margins -- DATA OUT.csv
[options]` (columns: fold, label, one margin per type). Standard library only.
"""
import csv
import math
import sys


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0][2:], [int(r[0]) for r in rows[1:]], [r[1] for r in rows[1:]], [
        [float(x) for x in r[2:]] for r in rows[1:]
    ]


def macro_f1(truth, pred, classes):
    scores = []
    for c in classes:
        tp = sum(1 for t, p in zip(truth, pred) if t == c and p == c)
        n_pred = sum(1 for p in pred if p == c)
        n_true = sum(1 for t in truth if t == c)
        if n_true == 0 and n_pred == 0:
            continue
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    specs = []
    for arg in sys.argv[1:]:
        path, _, weight = arg.partition(":")
        specs.append((load(path), float(weight) if weight else 1.0))
    classes, fold, labels, _ = specs[0][0]
    total = [[0.0] * len(classes) for _ in labels]
    for (cls, _, lab, margins), w in specs:
        if cls != classes or lab != labels:
            sys.exit("margin files disagree on types or rows")
        for i, row in enumerate(margins):
            for j, v in enumerate(row):
                total[i][j] += w * v
    pred = [classes[max(range(len(classes)), key=lambda j: t[j])] for t in total]
    folds = sorted(set(fold))
    per = []
    for f in folds:
        idx = [i for i, g in enumerate(fold) if g == f]
        per.append(macro_f1([labels[i] for i in idx], [pred[i] for i in idx], classes))
    mean = sum(per) / len(per)
    sd = math.sqrt(sum((x - mean) ** 2 for x in per) / max(len(per) - 1, 1))
    acc = sum(p == t for p, t in zip(pred, labels)) / len(labels)
    print(f"macro-F1 {mean:.4f} ± {sd:.4f}  accuracy {acc:.4f}  folds "
          + " ".join(f"{x:.4f}" for x in per))


if __name__ == "__main__":
    main()
