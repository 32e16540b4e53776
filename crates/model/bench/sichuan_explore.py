#!/usr/bin/env python3
"""Recipes tried on the Sichuan telecom-fraud users beyond `fanzha model cv` (docs/model.md,
"Sichuan", "What else was tried"): derived ratio features, transductive graph features, a
threshold from inner out-of-fold predictions, other learners and blends, and the macro-F1 an
oracle threshold would give (an upper bound, not a result).

Same outer folds as fanzha (`fanzha model cv --folds-out FOLDS`). No information from an outer
fold's labels reaches its models or its threshold, except in the column marked "oracle".

    fanzha model cv --data $D/train.csv.gz --id user_id --label label --folds 5 --folds-out /tmp/folds.csv
    python3 crates/model/bench/sichuan_explore.py --dir $D --folds /tmp/folds.csv [--slow]

`--slow` adds extra trees, random forest and kNN (several CPU minutes); `--other-gbms` adds
XGBoost and CatBoost in the same recipe (pip install xgboost catboost). Research/evaluation
data: nothing derived from it is written anywhere.
"""
import argparse
import itertools
import time
import warnings

import lightgbm as lgb
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer

from sichuan_reference import best_macro_f1_threshold as best_thr

warnings.filterwarnings("ignore")
LGB = dict(n_estimators=3000, learning_rate=0.05, num_leaves=31, min_child_samples=20,
           subsample=0.8, subsample_freq=1, colsample_bytree=0.8, reg_lambda=1.0,
           random_state=42, n_jobs=1, verbose=-1)
LGB_TUNED = dict(LGB, learning_rate=0.02, num_leaves=15, colsample_bytree=0.5,
                 min_child_samples=30)


def sdiv(a, b):
    with np.errstate(all="ignore"):
        r = np.asarray(a, float) / np.asarray(b, float)
    r[~np.isfinite(r)] = np.nan
    return r


def ratios(d):
    """Per-day, per-counterpart and per-spend rates the 55 columns do not state directly."""
    dur = d.phone2oppo_sum_mean * d.opposite_unique
    return pd.DataFrame({
        "uniq_per_call": sdiv(d.opposite_unique, d.opposite_count),
        "sms_uniq_per_sms": sdiv(d.sms_nunique, d.sms_count),
        "calls_per_day": sdiv(d.opposite_count, d.voc_day_nunique),
        "out_per_day": sdiv(d.voccalltype1, d.voc_day_nunique),
        "sms_per_day": sdiv(d.sms_count, d.day_nunique),
        "calls_per_month": sdiv(d.opposite_count, d.month_ids),
        "calls_per_arpu": sdiv(d.opposite_count, d.arpu_sum),
        "flow_per_arpu": sdiv(d.flow_sum, d.arpu_sum),
        "imei_per_out": sdiv(d.imeis, d.voccalltype1),
        "hourmode_share": sdiv(d.voc_hour_mode_count, d.opposite_count),
        "daymode_share": sdiv(d.voc_day_mode_count, d.opposite_count),
        "sms_hourmode_share": sdiv(d.hour_mode_count, d.sms_count),
        "sms_sent": d.sms_count - d.calltype_2,
        "sms_per_call": sdiv(d.sms_count, d.opposite_count),
        "uniq_per_day": sdiv(d.opposite_unique, d.voc_day_nunique),
        "dur_total": dur,
        "dur_per_call": sdiv(dur, d.opposite_count),
        "city_per_uniq": sdiv(d.city_name_call, d.opposite_unique),
        "arpu_range": d.arpu_max - d.arpu_min,
        "arpu_months": sdiv(d.arpu_sum, d.arpu_mean),
    }, index=d.index)


def fmt(name, r):
    r = np.array(r)
    return (f"{name:44s} AUC {r[:, 0].mean():.4f}  macro-F1 {r[:, 1].mean():.4f} ± "
            f"{r[:, 1].std(ddof=1):.4f}  [{' '.join(f'{x:.4f}' for x in r[:, 1])}]"
            + (f"  oracle {r[:, 2].mean():.4f}" if r.shape[1] > 2 else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="folder with train/test_features/edges .csv.gz")
    ap.add_argument("--folds", required=True, help="id,fold from fanzha model cv --folds-out")
    ap.add_argument("--slow", action="store_true")
    ap.add_argument("--inner-seed", type=int, default=42)
    ap.add_argument("--other-gbms", action="store_true",
                    help="also XGBoost and CatBoost in fanzha's recipe (pip install xgboost catboost)")
    a = ap.parse_args()
    tr = pd.read_csv(f"{a.dir}/train.csv.gz")
    te = pd.read_csv(f"{a.dir}/test_features.csv.gz")
    ed = pd.read_csv(f"{a.dir}/edges.csv.gz")
    tr = tr.merge(pd.read_csv(a.folds).rename(columns={"id": "user_id"}), on="user_id")
    y, fold, ntr = tr.label.to_numpy(), tr.fold.to_numpy(), len(tr)
    base = [c for c in te.columns if c != "user_id"]
    allx = pd.concat([tr[["user_id"] + base], te[["user_id"] + base]], ignore_index=True)
    n = len(allx)
    pos = {u: i for i, u in enumerate(allx.user_id)}
    s, d = ed.iloc[:, 0].map(pos).to_numpy(), ed.iloc[:, 1].map(pos).to_numpy()
    adj = sp.coo_matrix((np.ones(2 * len(s)), (np.r_[s, d], np.r_[d, s])), shape=(n, n)).tocsr()
    deg = np.asarray(adj.sum(1)).ravel()
    xall = allx[base].to_numpy(np.float32)
    xb, xr = xall[:ntr], np.c_[xall, ratios(allx).to_numpy(np.float32)][:ntr]
    # transductive graph columns over all users (test users' features, never their labels)
    two_hop = np.asarray(((adj @ adj) > 0).sum(1)).ravel()
    mask = ~np.isnan(xall)
    nbr_mean = sdiv(adj @ np.nan_to_num(xall), adj @ mask.astype(float))
    x_deg = np.c_[xall, deg, two_hop, sdiv(adj @ deg, deg)][:ntr]
    x_nbr = np.c_[x_deg[:, :], nbr_mean[:ntr]]
    outer = [(np.where(fold != k)[0], np.where(fold == k)[0]) for k in sorted(set(fold))]

    def lgb_fit(p, xa, ya, xv, yv):
        stop = 100 if p["learning_rate"] >= 0.03 else 250
        return lgb.LGBMClassifier(**p).fit(xa, ya, eval_set=[(xv, yv)],
                                           callbacks=[lgb.early_stopping(stop, verbose=False)])

    def val_recipe(x_of, p=LGB, fitter=None):
        """fanzha's recipe: 20% validation for early stopping and the threshold."""
        r = []
        for tri, tei in outer:
            x = x_of(tri, tei)
            fit, val = train_test_split(tri, test_size=0.2, stratify=y[tri], random_state=42)
            m = (fitter or (lambda *xy: lgb_fit(p, *xy)))(x[fit], y[fit], x[val], y[val])
            t = best_thr(m.predict_proba(x[val])[:, 1], y[val])
            pt = m.predict_proba(x[tei])[:, 1]
            r.append((roc_auc_score(y[tei], pt), f1_score(y[tei], pt >= t, average="macro")))
        return r

    t0 = time.process_time()
    print("== fanzha's recipe (validation split), LightGBM")
    print(fmt("55 features", val_recipe(lambda tri, tei: xb)))
    print(fmt("+ 20 ratio features", val_recipe(lambda tri, tei: xr)))
    if a.other_gbms:
        import catboost as cb
        import xgboost as xgb

        def xgb_fit(xa, ya, xv, yv):
            return xgb.XGBClassifier(
                n_estimators=3000, learning_rate=0.05, max_depth=6, subsample=0.8,
                colsample_bytree=0.8, tree_method="hist", n_jobs=1, early_stopping_rounds=100,
                eval_metric="logloss", random_state=42).fit(xa, ya, eval_set=[(xv, yv)],
                                                            verbose=False)

        def cb_fit(xa, ya, xv, yv):
            return cb.CatBoostClassifier(
                iterations=3000, learning_rate=0.05, depth=6, random_seed=42, verbose=0,
                thread_count=1, od_type="Iter", od_wait=200, allow_writing_files=False).fit(
                    xa, ya, eval_set=(xv, yv), use_best_model=True)

        print(fmt(f"XGBoost {xgb.__version__}, depth 6", val_recipe(lambda tri, tei: xb, fitter=xgb_fit)))
        print(fmt(f"CatBoost {cb.__version__}, depth 6", val_recipe(lambda tri, tei: xb, fitter=cb_fit)))
    print(fmt("+ degree, 2-hop count, mean neighbour degree", val_recipe(lambda tri, tei: x_deg)))
    print(fmt("+ those + neighbour means of all 55 (all users)",
              val_recipe(lambda tri, tei: x_nbr)))

    def label_cols(known, rows):
        lab = np.zeros(n)
        kn = np.zeros(n)
        lab[known], kn[known] = y[known], 1
        k1, f1 = adj @ kn, adj @ lab
        return np.c_[sdiv(f1, k1), k1 / len(known) * ntr, sdiv(adj @ f1, adj @ k1)][rows]

    def with_labels(tri, tei):
        f = np.zeros((ntr, 3))
        for i, o in StratifiedKFold(5, shuffle=True, random_state=7).split(tri, y[tri]):
            f[tri[o]] = label_cols(tri[i], tri[o])  # training rows: other inner folds' labels
        f[tei] = label_cols(tri, tei)
        return np.c_[xb, f, deg[:ntr]]
    print(fmt("+ out-of-fold fraud share 1-/2-hop, degree", val_recipe(with_labels)))

    def stage1_scores(tri, tei):
        s1, others = np.zeros(n), np.setdiff1d(np.arange(n), tri)
        for i, o in StratifiedKFold(5, shuffle=True, random_state=7).split(tri, y[tri]):
            m = lgb.LGBMClassifier(**dict(LGB, n_estimators=100)).fit(xall[tri[i]], y[tri[i]])
            s1[tri[o]] = m.predict_proba(xall[tri[o]])[:, 1]
            s1[others] += m.predict_proba(xall[others])[:, 1] / 5
        mx = np.array([s1[adj.indices[adj.indptr[i]:adj.indptr[i + 1]]].max() if deg[i] else np.nan
                       for i in range(n)])
        return np.c_[xall, sdiv(adj @ s1, deg), mx, deg][:ntr]
    print(fmt("+ neighbour mean/max of a first model's score", val_recipe(stage1_scores)))

    # inner 5-fold cross-fitting: out-of-fold scores of the training part give the threshold,
    # the 5 inner models' mean scores the held-out fold
    def filled(x):
        return np.c_[np.nan_to_num(x, nan=-1.0), np.isnan(x[:, [0, 4, 30, 50]])]

    def sk(make, prep):
        def fit(xa, ya, xv, yv):
            m = make().fit(prep(xa), ya)
            return lambda x: m.predict_proba(prep(x))[:, 1]
        return fit

    def lg(p):
        def fit(xa, ya, xv, yv):
            m = lgb_fit(p, xa, ya, xv, yv)
            return lambda x: m.predict_proba(x)[:, 1]
        return fit
    learners = {
        "lgb": (lg(LGB), xb), "lgb+ratios": (lg(LGB), xr), "lgb tuned+ratios": (lg(LGB_TUNED), xr),
        "lgb tuned+ratios balanced": (lg(dict(LGB_TUNED, class_weight="balanced")), xr),
        "logistic (quantile ranks)+ratios": (sk(lambda: make_pipeline(
            QuantileTransformer(n_quantiles=200), LogisticRegression(max_iter=2000)), filled), xr),
    }
    if a.slow:
        learners["extra trees+ratios"] = (sk(lambda: ExtraTreesClassifier(
            500, min_samples_leaf=2, max_features=0.5, random_state=0), filled), xr)
        learners["random forest+ratios"] = (sk(lambda: RandomForestClassifier(
            500, min_samples_leaf=2, max_features=0.3, random_state=0), filled), xr)
        learners["kNN (quantile ranks)"] = (sk(lambda: make_pipeline(
            QuantileTransformer(n_quantiles=200), KNeighborsClassifier(25, weights="distance")),
            lambda x: np.nan_to_num(x, nan=-1.0)), xb)
    cache = {}
    for name, (fit, x) in learners.items():
        cache[name] = []
        for tri, tei in outer:
            oof, pt = np.zeros(len(tri)), np.zeros(len(tei))
            for i, o in StratifiedKFold(5, shuffle=True, random_state=a.inner_seed).split(tri, y[tri]):
                f = fit(x[tri[i]], y[tri[i]], x[tri[o]], y[tri[o]])
                oof[o] = f(x[tri[o]])
                pt += f(x[tei]) / 5
            cache[name].append((oof, pt))

    def score(names, rank):
        r = []
        for k, (tri, tei) in enumerate(outer):
            oof, pt = 0, 0
            for nm in names:
                o, p = cache[nm][k]
                if rank:  # position among the training part's out-of-fold scores
                    so = np.sort(o)
                    o, p = np.searchsorted(so, o, "right") / len(o), np.searchsorted(so, p, "right") / len(o)
                oof, pt = oof + o / len(names), pt + p / len(names)
            t = best_thr(oof, y[tri])
            r.append((roc_auc_score(y[tei], pt), f1_score(y[tei], pt >= t, average="macro"),
                      f1_score(y[tei], pt >= best_thr(pt, y[tei]), average="macro")))
        return r
    print("== inner 5-fold cross-fitting, threshold on the out-of-fold scores, 5-model bag")
    for nm in learners:
        print(fmt(nm, score([nm], False)))
    print("== blends (mean of probabilities / of out-of-fold ranks)")
    for combo in itertools.combinations(learners, 2):
        for rank in (False, True):
            print(fmt(("rank " if rank else "mean ") + " + ".join(combo), score(combo, rank)))
    print(f"{time.process_time() - t0:.0f} s CPU")


if __name__ == "__main__":
    main()
