//! Stratified k-fold cross-validation of the whole training recipe (graph features included),
//! each fold scored exactly as `predict` would score unseen rows.

use crate::booster::TrainParams;
use crate::dataset::Dataset;
use crate::error::{ModelError, Result};
use crate::graph::{stratified_folds, Graph, GraphParams};
use crate::metrics::{pr_auc, roc_auc, Confusion};
use crate::train::{train, train_with_graph};
use serde::Serialize;

/// Figures of one fold's held-out rows.
#[derive(Clone, Debug, Serialize)]
pub struct FoldMetrics {
    pub fold: usize,
    pub rows: usize,
    pub auc: f64,
    pub pr_auc: f64,
    pub macro_f1: f64,
    pub f1_fraud: f64,
    pub confusion: Confusion,
    pub trees: usize,
}

/// Mean and sample standard deviation of one figure over folds.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct MeanSd {
    pub mean: f64,
    pub sd: f64,
}

impl MeanSd {
    pub fn of(v: &[f64]) -> MeanSd {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n.max(1.0);
        let var = if v.len() > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        MeanSd {
            mean,
            sd: var.sqrt(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CvReport {
    pub folds: Vec<FoldMetrics>,
    pub auc: MeanSd,
    pub pr_auc: MeanSd,
    pub macro_f1: MeanSd,
    pub f1_fraud: MeanSd,
    /// AUC of all out-of-fold scores pooled.
    pub pooled_auc: f64,
    /// Fold of each row.
    #[serde(skip)]
    pub assignment: Vec<usize>,
    /// Out-of-fold probability of each row.
    #[serde(skip)]
    pub oof: Vec<f32>,
    /// Out-of-fold label of each row at its fold model's threshold.
    #[serde(skip)]
    pub oof_label: Vec<bool>,
}

/// Runs `k`-fold CV; with `graph`, `ids` name the rows in it. `assignment` fixes the folds
/// (e.g. to compare with another tool); otherwise they are stratified from `seed`.
pub fn cross_validate(
    data: &Dataset,
    ids: &[String],
    graph: Option<(&Graph, &GraphParams)>,
    params: &TrainParams,
    k: usize,
    assignment: Option<Vec<usize>>,
) -> Result<CvReport> {
    data.validate()?;
    if k < 2 {
        return Err(ModelError::Data(
            "cross-validation needs at least 2 folds".into(),
        ));
    }
    let assignment = match assignment {
        Some(a) if a.len() == data.n_rows() && a.iter().all(|&f| f < k) => a,
        Some(_) => {
            return Err(ModelError::Data(
                "fold assignment does not match the rows".into(),
            ))
        }
        None => stratified_folds(&data.labels, k, params.seed),
    };
    let mut oof = vec![f32::NAN; data.n_rows()];
    let mut oof_label = vec![false; data.n_rows()];
    let mut folds = Vec::new();
    for f in 0..k {
        let tr: Vec<usize> = (0..data.n_rows()).filter(|&i| assignment[i] != f).collect();
        let te: Vec<usize> = (0..data.n_rows()).filter(|&i| assignment[i] == f).collect();
        let (dtr, dte) = (data.subset(&tr), data.subset(&te));
        let id_tr: Vec<String> = tr.iter().map(|&i| ids[i].clone()).collect();
        let id_te: Vec<String> = te.iter().map(|&i| ids[i].clone()).collect();
        let model = match graph {
            Some((g, gp)) => train_with_graph(&dtr, &id_tr, g, params, gp)?,
            None => train(&dtr, params)?,
        };
        let p = model.predict_table(&dte.features, &id_te, graph.map(|(g, _)| g))?;
        let pred: Vec<f32> = p
            .iter()
            .map(|&x| (x >= model.threshold) as u8 as f32)
            .collect();
        let c = Confusion::from_labels(&pred, &dte.labels);
        folds.push(FoldMetrics {
            fold: f,
            rows: te.len(),
            auc: roc_auc(&p, &dte.labels).unwrap_or(f64::NAN),
            pr_auc: pr_auc(&p, &dte.labels).unwrap_or(f64::NAN),
            macro_f1: c.macro_f1(),
            f1_fraud: c.f1_positive(),
            confusion: c,
            trees: model.forest.n_trees(),
        });
        for (j, &i) in te.iter().enumerate() {
            oof[i] = p[j];
            oof_label[i] = pred[j] == 1.0;
        }
    }
    let col = |g: fn(&FoldMetrics) -> f64| MeanSd::of(&folds.iter().map(g).collect::<Vec<_>>());
    Ok(CvReport {
        auc: col(|m| m.auc),
        pr_auc: col(|m| m.pr_auc),
        macro_f1: col(|m| m.macro_f1),
        f1_fraud: col(|m| m.f1_fraud),
        pooled_auc: roc_auc(&oof, &data.labels).unwrap_or(f64::NAN),
        folds,
        assignment,
        oof,
        oof_label,
    })
}
