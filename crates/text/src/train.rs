//! Training: TF-IDF over hashed n-grams, then one-vs-rest linear SVMs (L2-regularised,
//! squared hinge loss) solved by dual coordinate descent (Hsieh et al. 2008, the LIBLINEAR
//! solver behind scikit-learn's `LinearSVC`).
//!
//! Hand-written rather than bound to LIBLINEAR: the solver is 40 lines, keeps the crate pure
//! Rust, and works directly on our sparse rows.

use ahash::AHashMap;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::TextError;
use crate::features::{Extracted, FeatureConfig};
use crate::fraud_type::FraudType;
use crate::model::{Model, ModelInfo};

/// Knobs of training. The defaults are the ones measured in docs/text.md.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub features: FeatureConfig,
    /// SVM cost (inverse regularisation strength).
    pub c: f32,
    /// Weight each class's examples inversely to its frequency.
    pub balanced: bool,
    /// Ignore n-grams seen in fewer texts than this.
    pub min_df: u32,
    pub max_epochs: u32,
    /// Stop when the projected-gradient spread falls below this.
    pub tol: f32,
    /// Drop features whose weights are all at most this in magnitude: a model trained on
    /// 15k research texts keeps 48% of its n-grams at 1e-2, classifies faster and scores the
    /// same cross-validated macro-F1 (docs/text.md).
    pub prune_below: f32,
    pub score_scale: f32,
    pub seed: u64,
    /// Scale features per class by their naive-Bayes log-count ratio before the SVM (NB-SVM,
    /// Wang & Manning 2012); the ratios are folded into the stored weights.
    pub nb_scaling: bool,
    /// Exponent applied to the log-count ratios (1: plain NB-SVM; larger values regularise
    /// uninformative n-grams more strongly).
    pub nb_power: f32,
    /// Add-α smoothing of the presence counts behind the ratios.
    pub nb_alpha: f32,
    /// Use the hinge loss (L1-loss SVM) instead of the squared hinge.
    pub hinge: bool,
    /// Which linear learner(s) produce the weights.
    pub learner: Learner,
}

/// The learner behind a model. All three give one linear model over the same features, so
/// classification costs the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Learner {
    /// One-vs-rest squared-hinge SVMs with per-class NB scaling.
    OneVsRest,
    /// One joint multi-class SVM (Crammer–Singer); NB scaling then uses, per feature, the
    /// largest log-count ratio over the classes.
    CrammerSinger,
    /// The mean of both models' weights and biases (an ensemble folded into one weight
    /// matrix); measured best in docs/text.md.
    Average,
}

impl std::str::FromStr for Learner {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "ovr" => Ok(Learner::OneVsRest),
            "cs" => Ok(Learner::CrammerSinger),
            "average" => Ok(Learner::Average),
            _ => Err(format!("unknown learner {s:?} (ovr, cs, average)")),
        }
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureConfig::default(),
            c: 0.5,
            balanced: true,
            min_df: 1,
            max_epochs: 300,
            tol: 0.01,
            prune_below: 1e-2,
            score_scale: 3.0,
            seed: 20_261_123,
            nb_scaling: true,
            nb_power: 1.0,
            nb_alpha: 1.0,
            hinge: false,
            learner: Learner::Average,
        }
    }
}

/// Sparse rows (CSR) of L2-normalised TF-IDF vectors.
pub(crate) struct Rows {
    pub(crate) ptr: Vec<usize>,
    pub(crate) idx: Vec<u32>,
    pub(crate) val: Vec<f32>,
}

impl Rows {
    pub(crate) fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.ptr[i], self.ptr[i + 1]);
        (&self.idx[a..b], &self.val[a..b])
    }
}

/// Trains a model on labelled texts.
pub fn train(
    texts: &[&str],
    labels: &[FraudType],
    opts: &TrainOptions,
    info: ModelInfo,
) -> Result<Model, TextError> {
    let extracted: Vec<Extracted> = texts.par_iter().map(|t| opts.features.extract(t)).collect();
    train_extracted(&extracted, labels, opts, info)
}

/// Trains on texts whose features are already extracted (cross-validation extracts once).
pub fn train_extracted(
    docs: &[Extracted],
    labels: &[FraudType],
    opts: &TrainOptions,
    info: ModelInfo,
) -> Result<Model, TextError> {
    let mut classes: Vec<FraudType> = labels.to_vec();
    classes.sort();
    classes.dedup();
    if docs.len() < 2 || classes.len() < 2 || docs.len() != labels.len() {
        return Err(TextError::TrainingSetTooSmall {
            texts: docs.len(),
            types: classes.len(),
            need: 2,
        });
    }
    // Vocabulary and document frequencies.
    let mut df: AHashMap<u64, u32> = AHashMap::new();
    for d in docs {
        for f in &d.features {
            *df.entry(f.hash).or_insert(0) += 1;
        }
    }
    let mut keys: Vec<u64> = df
        .iter()
        .filter(|(_, &n)| n >= opts.min_df)
        .map(|(&h, _)| h)
        .collect();
    keys.sort_unstable();
    let n_docs = docs.len() as f32;
    let idf: Vec<f32> = keys
        .iter()
        .map(|h| ((1.0 + n_docs) / (1.0 + df[h] as f32)).ln() + 1.0)
        .collect();
    let index: AHashMap<u64, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, &h)| (h, i as u32))
        .collect();
    drop(df);

    let mut rows = Rows {
        ptr: vec![0],
        idx: Vec::new(),
        val: Vec::new(),
    };
    for d in docs {
        let start = rows.idx.len();
        for f in &d.features {
            if let Some(&i) = index.get(&f.hash) {
                rows.idx.push(i);
                rows.val
                    .push((1.0 + (f.count as f32).ln()) * idf[i as usize]);
            }
        }
        let norm = rows.val[start..].iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            rows.val[start..].iter_mut().for_each(|v| *v /= norm);
        }
        rows.ptr.push(rows.idx.len());
    }

    let class_of: Vec<usize> = labels
        .iter()
        .map(|l| classes.binary_search(l).unwrap_or(0))
        .collect();
    let mut per_class = vec![0usize; classes.len()];
    for &c in &class_of {
        per_class[c] += 1;
    }
    let cost: Vec<f32> = per_class
        .iter()
        .map(|&n| {
            if opts.balanced {
                opts.c * docs.len() as f32 / (classes.len() as f32 * n.max(1) as f32)
            } else {
                opts.c
            }
        })
        .collect();

    let d = keys.len();
    let k = classes.len();
    let crammer_singer = || {
        let scale = if opts.nb_scaling {
            shared_nb_scale(&rows, d, &class_of, k, opts)
        } else {
            vec![1.0; d]
        };
        let ci: Vec<f32> = class_of.iter().map(|&m| cost[m]).collect();
        crate::crammer_singer::train(
            &rows,
            d,
            k,
            &class_of,
            &ci,
            &scale,
            opts.max_epochs,
            opts.tol.max(0.1),
            opts.seed,
        )
    };
    let solved: Vec<(Vec<f32>, f32)> = match opts.learner {
        Learner::OneVsRest => one_vs_rest(&rows, d, &class_of, k, &cost, opts),
        Learner::CrammerSinger => crammer_singer(),
        Learner::Average => {
            let (ovr, cs) = rayon::join(
                || one_vs_rest(&rows, d, &class_of, k, &cost, opts),
                crammer_singer,
            );
            ovr.into_iter()
                .zip(cs)
                .map(|((wa, ba), (wb, bb))| {
                    let w = wa.iter().zip(&wb).map(|(a, b)| 0.5 * (a + b)).collect();
                    (w, 0.5 * (ba + bb))
                })
                .collect()
        }
    };

    // Transpose to feature-major rows, dropping features that matter to no class.
    let mut out_keys = Vec::with_capacity(d);
    let mut out_idf = Vec::with_capacity(d);
    let mut weights = Vec::with_capacity(d * k);
    for f in 0..d {
        let row: Vec<f32> = solved.iter().map(|(w, _)| w[f]).collect();
        if row.iter().all(|w| w.abs() <= opts.prune_below) {
            continue;
        }
        out_keys.push(keys[f]);
        out_idf.push(idf[f]);
        weights.extend_from_slice(&row);
    }
    let bias = solved.iter().map(|(_, b)| *b).collect();
    Model::new(
        opts.features.clone(),
        classes,
        out_keys,
        out_idf,
        weights,
        bias,
        opts.score_scale,
        ModelInfo {
            texts: docs.len() as u64,
            ..info
        },
    )
}

/// One-vs-rest SVMs, one per class, solved in parallel; NB scaling per class if enabled.
fn one_vs_rest(
    rows: &Rows,
    d: usize,
    class_of: &[usize],
    k: usize,
    cost: &[f32],
    opts: &TrainOptions,
) -> Vec<(Vec<f32>, f32)> {
    (0..k)
        .into_par_iter()
        .map(|c| {
            let y: Vec<f32> = class_of
                .iter()
                .map(|&k| if k == c { 1.0 } else { -1.0 })
                .collect();
            let ci: Vec<f32> = class_of.iter().map(|&k| cost[k]).collect();
            let r = if opts.nb_scaling {
                nb_ratios(rows, d, &y, opts.nb_alpha, opts.nb_power)
            } else {
                vec![1.0; d]
            };
            let (mut w, b) = svm_dual_cd(rows, d, &y, &ci, &r, opts, opts.seed ^ c as u64);
            w.iter_mut().zip(&r).for_each(|(w, r)| *w *= r);
            (w, b)
        })
        .collect()
}

/// Per-feature scale shared by all classes: the largest per-class NB log-count ratio.
fn shared_nb_scale(
    rows: &Rows,
    d: usize,
    class_of: &[usize],
    k: usize,
    opts: &TrainOptions,
) -> Vec<f32> {
    let mut scale = vec![0.0f32; d];
    for c in 0..k {
        let y: Vec<f32> = class_of
            .iter()
            .map(|&m| if m == c { 1.0 } else { -1.0 })
            .collect();
        let r = nb_ratios(rows, d, &y, opts.nb_alpha, opts.nb_power);
        scale.iter_mut().zip(&r).for_each(|(s, r)| *s = s.max(*r));
    }
    scale
}

/// Naive-Bayes log-count ratios `log((p/‖p‖₁)/(q/‖q‖₁))` with add-one smoothing, from feature
/// presence in positive (`p`) and negative (`q`) texts.
fn nb_ratios(rows: &Rows, d: usize, y: &[f32], alpha: f32, power: f32) -> Vec<f32> {
    let mut p = vec![alpha; d];
    let mut q = vec![alpha; d];
    for (i, &yi) in y.iter().enumerate() {
        let (idx, _) = rows.row(i);
        let side = if yi > 0.0 { &mut p } else { &mut q };
        for &j in idx {
            side[j as usize] += 1.0;
        }
    }
    let (sp, sq): (f32, f32) = (p.iter().sum(), q.iter().sum());
    p.iter()
        .zip(&q)
        .map(|(a, b)| ((a / sp) / (b / sq)).ln().abs().max(0.05).powf(power))
        .collect()
}

/// Dual coordinate descent for `min ½‖w‖² + Σ Cᵢ max(0, 1 − yᵢ wᵀxᵢ)²` with a bias feature of
/// value 1 (regularised, as in LIBLINEAR). Returns `(w, b)`.
fn svm_dual_cd(
    rows: &Rows,
    d: usize,
    y: &[f32],
    cost: &[f32],
    scale: &[f32],
    opts: &TrainOptions,
    seed: u64,
) -> (Vec<f32>, f32) {
    let n = y.len();
    let mut w = vec![0.0f32; d];
    let mut b = 0.0f32;
    let mut alpha = vec![0.0f32; n];
    // Squared hinge: no upper bound, diagonal 1/(2C); hinge: upper bound C, no diagonal.
    let diag: Vec<f32> = cost
        .iter()
        .map(|c| if opts.hinge { 0.0 } else { 0.5 / c })
        .collect();
    let upper: Vec<f32> = cost
        .iter()
        .map(|&c| if opts.hinge { c } else { f32::INFINITY })
        .collect();
    let qd: Vec<f32> = (0..n)
        .map(|i| {
            let (idx, v) = rows.row(i);
            let sq: f32 = idx
                .iter()
                .zip(v)
                .map(|(&j, x)| (x * scale[j as usize]).powi(2))
                .sum();
            diag[i] + sq + 1.0
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..opts.max_epochs {
        order.shuffle(&mut rng);
        let (mut pg_max, mut pg_min) = (f32::NEG_INFINITY, f32::INFINITY);
        for &i in &order {
            let (idx, val) = rows.row(i);
            let mut dot = b;
            for (&j, &x) in idx.iter().zip(val) {
                dot += w[j as usize] * x * scale[j as usize];
            }
            let g = y[i] * dot - 1.0 + diag[i] * alpha[i];
            let pg = if alpha[i] == 0.0 {
                g.min(0.0)
            } else if alpha[i] >= upper[i] {
                g.max(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).clamp(0.0, upper[i]);
                let step = (alpha[i] - old) * y[i];
                for (&j, &x) in idx.iter().zip(val) {
                    w[j as usize] += step * x * scale[j as usize];
                }
                b += step;
            }
        }
        if pg_max - pg_min < opts.tol {
            break;
        }
    }
    (w, b)
}
