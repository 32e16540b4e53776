#!/usr/bin/env python3
"""Reference for `fanzha text cv`: scikit-learn TF-IDF (jieba word 1-2 grams + char 1-3 grams,
sublinear tf) + LinearSVC(C=1), evaluated on exactly the folds fanzha used.

Usage: reference_svm.py DATA.csv.gz FOLDS.csv [--text-col text] [--label-col label]
FOLDS.csv is written by `fanzha text cv --folds-out` (columns row,fold; row = 0-based data row).
Prints a table and, last, one JSON object.
"""
import argparse
import json
import statistics
import sys
import time

import jieba
import numpy as np
import pandas as pd
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

jieba.setLogLevel(60)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("folds")
    ap.add_argument("--text-col", default="text")
    ap.add_argument("--label-col", default="label")
    a = ap.parse_args()
    df = pd.read_csv(a.data, dtype=str, keep_default_na=False)
    folds = pd.read_csv(a.folds)["fold"].to_numpy()
    if len(folds) != len(df):
        sys.exit(f"folds file has {len(folds)} rows, data has {len(df)}")
    texts = df[a.text_col].tolist()
    y = df[a.label_col].to_numpy()
    t0 = time.perf_counter()
    words = [" ".join(jieba.lcut(t)) for t in texts]
    scores, t_fit = [], 0.0
    pooled = np.empty(len(y), dtype=object)
    for f in sorted(set(folds)):
        tr, te = folds != f, folds == f
        wv = TfidfVectorizer(analyzer="word", token_pattern=r"(?u)\S+", ngram_range=(1, 2),
                             sublinear_tf=True)
        cv = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        xw = [w for w, m in zip(words, tr) if m]
        xc = [t for t, m in zip(texts, tr) if m]
        x_tr = hstack([wv.fit_transform(xw), cv.fit_transform(xc)]).tocsr()
        x_te = hstack([
            wv.transform([w for w, m in zip(words, te) if m]),
            cv.transform([t for t, m in zip(texts, te) if m]),
        ]).tocsr()
        clf = LinearSVC(C=1.0).fit(x_tr, y[tr])
        p = clf.predict(x_te)
        pooled[te] = p
        scores.append(f1_score(y[te], p, average="macro"))
    elapsed = time.perf_counter() - t0
    labels = sorted(set(y))
    per_class = f1_score(y, pooled, labels=labels, average=None)
    mean, sd = statistics.mean(scores), statistics.stdev(scores)
    print("reference: TF-IDF(jieba words 1-2 + chars 1-3, sublinear) + LinearSVC(C=1)")
    print(f"macro_f1_mean  {mean:.4f}")
    print(f"macro_f1_sd    {sd:.4f}")
    for l, s in zip(labels, per_class):
        print(f"f1.{l}  {s:.4f}")
    print(f"seconds        {elapsed:.1f}")
    print(json.dumps({
        "model": "sklearn TfidfVectorizer(word 1-2 jieba + char 1-3) + LinearSVC(C=1)",
        "folds": len(scores),
        "macro_f1_per_fold": scores,
        "macro_f1_mean": mean,
        "macro_f1_sd": sd,
        "per_class_f1": {l: float(s) for l, s in zip(labels, per_class)},
        "seconds": elapsed,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
