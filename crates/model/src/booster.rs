//! The boosting loop for binary log-loss: gradients, bagging, column sampling, early stopping.

use crate::binning::BinnedMatrix;
use crate::dataset::Dataset;
use crate::grow::{grow_tree, GrowParams};
use crate::rng::SplitMix64;
use crate::tree::Forest;
use serde::{Deserialize, Serialize};

/// How the two classes are weighted in the loss.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row counts once (times its own weight).
    None,
    /// Positives weigh `n_negative / n_positive`, so both classes count the same in total.
    Balanced,
    /// Positives weigh this much.
    Positive(f32),
}

/// Every knob of training; the defaults suit tabular data of thousands to millions of rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainParams {
    /// Upper bound on boosting rounds (early stopping usually ends sooner).
    pub n_rounds: usize,
    pub learning_rate: f64,
    pub max_leaves: usize,
    /// 0 = no limit.
    pub max_depth: usize,
    /// Minimum hessian sum in a child.
    pub min_child_weight: f64,
    pub min_data_in_leaf: u32,
    pub lambda_l2: f64,
    pub min_split_gain: f64,
    /// Share of rows drawn (without replacement) for each tree.
    pub subsample: f64,
    /// Share of features offered to each tree.
    pub colsample: f64,
    pub max_bins: usize,
    /// Stop when validation log-loss has not improved for this many rounds.
    pub early_stopping_rounds: usize,
    /// Share of rows held out (stratified) for early stopping, calibration and the threshold.
    pub validation_fraction: f64,
    pub class_weight: ClassWeight,
    /// After early stopping, train again on all rows for the same number of rounds (scaled by
    /// the larger row count); calibration and threshold stay those found on validation.
    pub refit: bool,
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            n_rounds: 2000,
            learning_rate: 0.05,
            max_leaves: 31,
            max_depth: 0,
            min_child_weight: 1e-3,
            min_data_in_leaf: 20,
            lambda_l2: 1.0,
            min_split_gain: 0.0,
            subsample: 0.8,
            colsample: 0.8,
            max_bins: 255,
            early_stopping_rounds: 100,
            validation_fraction: 0.2,
            class_weight: ClassWeight::None,
            refit: true,
            seed: 42,
        }
    }
}

impl TrainParams {
    pub fn grow_params(&self) -> GrowParams {
        GrowParams {
            max_leaves: self.max_leaves,
            max_depth: self.max_depth,
            min_child_weight: self.min_child_weight,
            min_data_in_leaf: self.min_data_in_leaf,
            lambda_l2: self.lambda_l2,
            min_split_gain: self.min_split_gain,
            learning_rate: self.learning_rate,
        }
    }

    /// Checks ranges so that training cannot loop, divide by zero or index out of bounds.
    pub fn validate(&self) -> Result<(), String> {
        let unit = |x: f64| x > 0.0 && x <= 1.0;
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err("learning_rate must be > 0".into());
        }
        if !unit(self.subsample) || !unit(self.colsample) {
            return Err("subsample and colsample must be in (0, 1]".into());
        }
        if !(0.0..0.9).contains(&self.validation_fraction) {
            return Err("validation_fraction must be in [0, 0.9)".into());
        }
        if !(2..=256).contains(&self.max_bins) {
            return Err("max_bins must be in 2..=256".into());
        }
        if self.max_leaves < 2 || self.n_rounds == 0 {
            return Err("max_leaves must be >= 2 and n_rounds >= 1".into());
        }
        if self.lambda_l2 < 0.0 || self.min_child_weight < 0.0 || self.min_split_gain < 0.0 {
            return Err("lambda_l2, min_child_weight and min_split_gain must be >= 0".into());
        }
        if let ClassWeight::Positive(w) = self.class_weight {
            if !(w > 0.0 && w.is_finite()) {
                return Err("the positive class weight must be > 0".into());
            }
        }
        Ok(())
    }
}

/// Result of one boosting run.
pub struct Boosted {
    pub forest: Forest,
    /// Rounds kept (the best validation round, or all rounds without validation).
    pub best_rounds: usize,
    /// Gain credited to each feature by the kept trees.
    pub gain: Vec<f64>,
    pub best_valid_logloss: Option<f64>,
}

#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Row weights including the class weight.
pub fn effective_weights(d: &Dataset, cw: ClassWeight) -> Vec<f32> {
    let pos_w = match cw {
        ClassWeight::None => 1.0,
        ClassWeight::Positive(w) => w,
        ClassWeight::Balanced => {
            let (mut wp, mut wn) = (0.0f64, 0.0f64);
            for (y, w) in d.labels.iter().zip(&d.weights) {
                if *y == 1.0 {
                    wp += *w as f64
                } else {
                    wn += *w as f64
                }
            }
            if wp > 0.0 {
                (wn / wp) as f32
            } else {
                1.0
            }
        }
    };
    d.labels
        .iter()
        .zip(&d.weights)
        .map(|(y, w)| if *y == 1.0 { w * pos_w } else { *w })
        .collect()
}

fn logloss(raw: &[f32], y: &[f32]) -> f64 {
    let mut s = 0.0;
    for (r, y) in raw.iter().zip(y) {
        let p = (sigmoid(*r) as f64).clamp(1e-12, 1.0 - 1e-12);
        s -= if *y == 1.0 { p.ln() } else { (1.0 - p).ln() };
    }
    s / raw.len().max(1) as f64
}

/// Boosts `rounds` trees on `train`; with `valid`, keeps the round of lowest validation log-loss
/// and stops after `early_stopping_rounds` rounds without improvement.
pub fn boost(train: &Dataset, valid: Option<&Dataset>, rounds: usize, p: &TrainParams) -> Boosted {
    let n = train.n_rows();
    let nf = train.n_features;
    let m = BinnedMatrix::build(&train.features, nf, p.max_bins);
    let w = effective_weights(train, p.class_weight);
    let (mut wp, mut wsum) = (0.0f64, 0.0f64);
    for (y, w) in train.labels.iter().zip(&w) {
        wp += (*y * *w) as f64;
        wsum += *w as f64;
    }
    let prior = (wp / wsum.max(1e-12)).clamp(1e-6, 1.0 - 1e-6);
    let base = (prior / (1.0 - prior)).ln() as f32;
    let mut forest = Forest {
        base_score: base,
        ..Forest::default()
    };
    let gp = p.grow_params();
    let mut rng = SplitMix64::new(p.seed);
    let mut raw = vec![base; n];
    let mut grad = vec![0f32; n];
    let mut hess = vec![0f32; n];
    let mut valid_raw = valid.map(|v| vec![base; v.n_rows()]);
    let mut best = (f64::INFINITY, 0usize);
    let mut per_tree_gains: Vec<Vec<(usize, f64)>> = Vec::new();
    let n_cols = ((nf as f64 * p.colsample).ceil() as usize).clamp(1, nf);
    let mut cols: Vec<usize> = (0..nf).collect();
    for round in 0..rounds {
        for i in 0..n {
            let pr = sigmoid(raw[i]);
            grad[i] = (pr - train.labels[i]) * w[i];
            hess[i] = (pr * (1.0 - pr)).max(1e-6) * w[i];
        }
        let rows: Vec<u32> = if p.subsample < 1.0 {
            (0..n as u32)
                .filter(|_| rng.next_f64() < p.subsample)
                .collect()
        } else {
            (0..n as u32).collect()
        };
        let mut allowed = vec![true; nf];
        if n_cols < nf {
            rng.shuffle(&mut cols);
            allowed.iter_mut().for_each(|a| *a = false);
            for &c in &cols[..n_cols] {
                allowed[c] = true;
            }
        }
        let tree = grow_tree(&m, rows, &grad, &hess, &allowed, &gp);
        forest.push_tree(&tree.nodes);
        per_tree_gains.push(tree.gains);
        let root = *forest.roots.last().expect("a tree was pushed");
        for (i, r) in raw.iter_mut().enumerate() {
            *r += forest.tree_value(root, train.row(i));
        }
        if let (Some(v), Some(vr)) = (valid, valid_raw.as_mut()) {
            for (i, r) in vr.iter_mut().enumerate() {
                *r += forest.tree_value(root, v.row(i));
            }
            let ll = logloss(vr, &v.labels);
            if ll < best.0 {
                best = (ll, round + 1);
            } else if round + 1 - best.1 >= p.early_stopping_rounds.max(1) {
                break;
            }
        }
    }
    let best_rounds = if valid.is_some() {
        best.1.max(1)
    } else {
        forest.n_trees()
    };
    forest.truncate(best_rounds);
    let mut gain = vec![0.0; nf];
    for tree in per_tree_gains.iter().take(best_rounds) {
        for &(f, g) in tree {
            gain[f] += g;
        }
    }
    Boosted {
        forest,
        best_rounds,
        gain,
        best_valid_logloss: valid.map(|_| best.0),
    }
}
