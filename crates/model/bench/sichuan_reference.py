#!/usr/bin/env python3
"""LightGBM reference for `fanzha model cv` on the Sichuan telecom-fraud users.

Same folds as fanzha (read from `fanzha model cv --folds-out FOLDS`), same recipe: a stratified
20% validation split of each training part for early stopping and for the macro-F1 threshold,
then AUC / PR-AUC / macro-F1 / F1 of the fraud class on the held-out fold.

    fanzha model cv --data $D/train.csv.gz --id user_id --label label --folds 5 --folds-out /tmp/folds.csv
    python3 crates/model/bench/sichuan_reference.py --data $D/train.csv.gz --folds /tmp/folds.csv

Research/evaluation data: nothing derived from it is written anywhere.
"""
import argparse
import subprocess
import sys
import time


def ensure(pkg, module=None):
    try:
        __import__(module or pkg)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", pkg])


for p, m in [("lightgbm", None), ("scikit-learn", "sklearn"), ("pandas", None)]:
    ensure(p, m)

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


def best_macro_f1_threshold(p, y):
    """The cut (fraud when p >= cut) with the highest macro-F1, by one sweep over sorted scores."""
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    n_pos, n_neg = ys.sum(), len(ys) - ys.sum()
    fn, tn = n_pos - tp, n_neg - fp
    f1_pos = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    f1_neg = 2 * tn / np.maximum(2 * tn + fn + fp, 1)
    macro = (f1_pos + f1_neg) / 2
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]  # a cut can only fall between distinct scores
    macro[~last_of_tie] = -1
    return ps[int(np.argmax(macro))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--folds", required=True, help="id,fold file from fanzha model cv --folds-out")
    ap.add_argument("--id", default="user_id")
    ap.add_argument("--label", default="label")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    df = pd.read_csv(a.data)
    folds = pd.read_csv(a.folds).rename(columns={"id": a.id})
    df = df.merge(folds, on=a.id, how="inner")
    feats = [c for c in df.columns if c not in (a.id, a.label, "fold")]
    X, y = df[feats].to_numpy(np.float32), df[a.label].to_numpy()
    rows = []
    started = time.time()
    for k in sorted(df.fold.unique()):
        tr, te = np.where(df.fold != k)[0], np.where(df.fold == k)[0]
        fit, val = train_test_split(tr, test_size=0.2, stratify=y[tr], random_state=a.seed)
        model = lgb.LGBMClassifier(
            n_estimators=2000, learning_rate=0.05, num_leaves=31, min_child_samples=20,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0,
            random_state=a.seed, n_jobs=1, verbose=-1,
        )
        model.fit(X[fit], y[fit], eval_set=[(X[val], y[val])], eval_metric="binary_logloss",
                  callbacks=[lgb.early_stopping(100, verbose=False)])
        t = best_macro_f1_threshold(model.predict_proba(X[val])[:, 1], y[val])
        p = model.predict_proba(X[te])[:, 1]
        yhat = (p >= t).astype(int)
        rows.append(dict(
            auc=roc_auc_score(y[te], p), pr_auc=average_precision_score(y[te], p),
            macro_f1=f1_score(y[te], yhat, average="macro"), f1_fraud=f1_score(y[te], yhat),
        ))
    r = pd.DataFrame(rows)
    print(f"LightGBM {lgb.__version__}, {len(rows)} folds, {time.time() - started:.1f} s")
    for c in r.columns:
        print(f"  {c:9s} {r[c].mean():.4f} ± {r[c].std(ddof=1):.4f}")


if __name__ == "__main__":
    main()
