#!/usr/bin/env python3
"""Top-2 re-ranking by pairwise specialists, evaluated on out-of-fold margins.

Usage: rerank_pairs.py MARGINS.csv PAIRS.csv

MARGINS.csv comes from the `cv_margins` example, PAIRS.csv from `cv_pairs` (column `a|b`: the
margin of a model trained on types a and b only). For each text the two types with the largest
margins are re-decided by `margin_a − margin_b + λ · pair(a, b)`; macro-F1 is printed for a
range of λ (λ = 0 is the plain model). Standard library only.
"""
import math
import sys

from ensemble_margins import load, macro_f1


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    classes, fold, labels, margins = load(sys.argv[1])
    pair_cols, _, labels2, pair_margins = load(sys.argv[2])
    if labels != labels2:
        sys.exit("files disagree on rows")
    column = {}
    for j, name in enumerate(pair_cols):
        a, b = name.split("|")
        column[(a, b)] = (j, 1.0)
        column[(b, a)] = (j, -1.0)
    folds = sorted(set(fold))
    for lam in [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4]:
        pred = []
        for m, pm in zip(margins, pair_margins):
            order = sorted(range(len(classes)), key=lambda j: -m[j])
            a, b = classes[order[0]], classes[order[1]]
            j, sign = column[(a, b)]
            d = m[order[0]] - m[order[1]] + lam * sign * pm[j]
            pred.append(a if d >= 0 else b)
        per = []
        for f in folds:
            idx = [i for i, g in enumerate(fold) if g == f]
            per.append(macro_f1([labels[i] for i in idx], [pred[i] for i in idx], classes))
        mean = sum(per) / len(per)
        sd = math.sqrt(sum((x - mean) ** 2 for x in per) / max(len(per) - 1, 1))
        print(f"lambda {lam}: macro-F1 {mean:.4f} ± {sd:.4f}  folds " + " ".join(f"{x:.4f}" for x in per))


if __name__ == "__main__":
    main()
