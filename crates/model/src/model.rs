//! The trained model: forest, calibration, decision threshold, feature names and importances,
//! saved as versioned JSON.

use crate::booster::TrainParams;
use crate::calibration::Platt;
use crate::error::{ModelError, Result};
use crate::graph::{self, Graph, GraphMemory};
use crate::tree::Forest;
use serde::{Deserialize, Serialize};

/// Written into every model file; a file with another value is refused.
pub const FORMAT: &str = "fanzha-gbm";
/// Bumped whenever the meaning of a field changes.
pub const FORMAT_VERSION: u32 = 1;

/// Figures of the training run, kept with the model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainSummary {
    pub n_rows: usize,
    pub n_positive: usize,
    pub n_validation: usize,
    pub trees: usize,
    pub best_round: usize,
    pub validation_auc: Option<f64>,
    pub validation_macro_f1: Option<f64>,
    pub validation_logloss: Option<f64>,
}

/// A binary scoring model (1 = fraud).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub format_version: u32,
    /// Every input the forest reads, in order (base features, then graph features).
    pub feature_names: Vec<String>,
    pub forest: Forest,
    pub calibration: Platt,
    /// Calibrated probability at or above which a row is labelled fraud; chosen on the
    /// validation rows to maximise macro-F1.
    pub threshold: f32,
    /// Total split gain per feature (same order as `feature_names`).
    pub importance_gain: Vec<f64>,
    pub params: TrainParams,
    pub summary: TrainSummary,
    /// Present when trained with a graph: what scoring needs to rebuild the graph features.
    pub graph: Option<GraphMemory>,
}

impl Model {
    /// Calibrated fraud probability of one row of `feature_names().len()` values (NaN =
    /// missing). Allocates nothing; extra values are ignored and absent trailing ones read as
    /// missing, so it never panics.
    #[inline]
    pub fn predict_proba(&self, features: &[f32]) -> f32 {
        self.calibration.apply(self.raw_score(features))
    }

    /// Log-odds before calibration.
    #[inline]
    pub fn raw_score(&self, features: &[f32]) -> f32 {
        let f = &self.forest;
        let mut s = f.base_score;
        for &root in &f.roots {
            let mut i = root as usize;
            loop {
                let n = &f.nodes[i];
                if n.is_leaf() {
                    s += n.value;
                    break;
                }
                let v = features
                    .get(n.feature as usize)
                    .copied()
                    .unwrap_or(f32::NAN);
                let left = if v.is_nan() {
                    n.default_left
                } else {
                    v <= n.threshold
                };
                i = if left { n.left } else { n.right } as usize;
            }
        }
        s
    }

    /// 0/1 label at the model's threshold.
    pub fn predict_label(&self, features: &[f32]) -> bool {
        self.predict_proba(features) >= self.threshold
    }

    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Names of the columns a data file must provide (graph features are derived).
    pub fn base_feature_names(&self) -> &[String] {
        match &self.graph {
            Some(g) => &self.feature_names[..g.n_base],
            None => &self.feature_names,
        }
    }

    /// Features sorted by gain, largest first, with each one's share of the total.
    pub fn importances(&self) -> Vec<(String, f64)> {
        let total: f64 = self.importance_gain.iter().sum();
        let mut v: Vec<(String, f64)> = self
            .feature_names
            .iter()
            .zip(&self.importance_gain)
            .map(|(n, g)| (n.clone(), if total > 0.0 { g / total } else { 0.0 }))
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    }

    /// Scores a table of base features (row-major, `base_feature_names().len()` per row),
    /// adding graph features when the model was trained with a graph.
    pub fn predict_table(
        &self,
        base: &[f32],
        ids: &[String],
        graph: Option<&Graph>,
    ) -> Result<Vec<f32>> {
        let k = self.base_feature_names().len();
        if base.len() != ids.len() * k {
            return Err(ModelError::Data(format!(
                "{} values for {} rows of {} features",
                base.len(),
                ids.len(),
                k
            )));
        }
        match (&self.graph, graph) {
            (None, _) => Ok(base.chunks(k).map(|r| self.predict_proba(r)).collect()),
            (Some(_), None) => Err(ModelError::Data(
                "this model was trained with a graph: pass the edges file (--graph)".into(),
            )),
            (Some(mem), Some(g)) => {
                let gf = graph::features_for_scoring(g, mem, ids);
                let w = graph::n_features(mem.n_base, &mem.params);
                let mut row = vec![0f32; k + w];
                Ok((0..ids.len())
                    .map(|i| {
                        row[..k].copy_from_slice(&base[i * k..(i + 1) * k]);
                        row[k..].copy_from_slice(&gf[i * w..(i + 1) * w]);
                        self.predict_proba(&row)
                    })
                    .collect())
            }
        }
    }

    /// The model as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model always serialises")
    }

    /// Reads a model from JSON, refusing other formats, versions and inconsistent files.
    pub fn from_json(text: &str) -> Result<Model> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let h: Header = serde_json::from_str(text)
            .map_err(|e| ModelError::Invalid(format!("not a model file: {e}")))?;
        if h.format.as_deref() != Some(FORMAT) {
            return Err(ModelError::Invalid(format!(
                "format is {:?}, expected {FORMAT:?}",
                h.format
            )));
        }
        if h.format_version != Some(FORMAT_VERSION) {
            return Err(ModelError::Invalid(format!(
                "format version {:?}, this fanzha reads version {FORMAT_VERSION}",
                h.format_version
            )));
        }
        let m: Model = serde_json::from_str(text)
            .map_err(|e| ModelError::Invalid(format!("damaged model file: {e}")))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<()> {
        let n = self.feature_names.len();
        self.forest.check(n).map_err(ModelError::Invalid)?;
        if self.importance_gain.len() != n {
            return Err(ModelError::Invalid(
                "importances do not match features".into(),
            ));
        }
        if !(self.calibration.a.is_finite() && self.calibration.b.is_finite()) {
            return Err(ModelError::Invalid("calibration is not finite".into()));
        }
        if let Some(g) = &self.graph {
            if g.n_base + graph::n_features(g.n_base, &g.params) != n
                || g.labels.len() != g.ids.len()
                || g.features.len() != g.ids.len() * g.n_base
            {
                return Err(ModelError::Invalid(
                    "graph memory does not match features".into(),
                ));
            }
        }
        Ok(())
    }
}
