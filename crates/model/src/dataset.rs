//! The in-memory training set: row-major `f32` features (NaN = missing), 0/1 labels, weights.

use crate::error::{ModelError, Result};

/// A labelled table of numeric features, ready for training.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Row-major: row `r` is `features[r * n_features..(r + 1) * n_features]`. NaN is missing.
    pub features: Vec<f32>,
    pub n_features: usize,
    /// 1.0 = fraud (positive), 0.0 = normal.
    pub labels: Vec<f32>,
    /// Per-row weights (1.0 when all rows count the same).
    pub weights: Vec<f32>,
    pub feature_names: Vec<String>,
}

impl Dataset {
    /// Builds a dataset with unit weights; checks shapes and labels.
    pub fn new(
        features: Vec<f32>,
        n_features: usize,
        labels: Vec<f32>,
        feature_names: Vec<String>,
    ) -> Result<Self> {
        let weights = vec![1.0; labels.len()];
        let d = Dataset {
            features,
            n_features,
            labels,
            weights,
            feature_names,
        };
        d.validate()?;
        Ok(d)
    }

    pub fn n_rows(&self) -> usize {
        self.labels.len()
    }

    pub fn row(&self, r: usize) -> &[f32] {
        &self.features[r * self.n_features..(r + 1) * self.n_features]
    }

    /// Shape and label checks shared by every entry point.
    pub fn validate(&self) -> Result<()> {
        if self.n_features == 0 {
            return Err(ModelError::Data("no feature columns".into()));
        }
        if self.features.len() != self.n_rows() * self.n_features {
            return Err(ModelError::Data(format!(
                "{} feature values for {} rows of {} features",
                self.features.len(),
                self.n_rows(),
                self.n_features
            )));
        }
        if self.weights.len() != self.n_rows() {
            return Err(ModelError::Data(format!(
                "{} weights for {} rows",
                self.weights.len(),
                self.n_rows()
            )));
        }
        if self.feature_names.len() != self.n_features {
            return Err(ModelError::Data(format!(
                "{} feature names for {} features",
                self.feature_names.len(),
                self.n_features
            )));
        }
        if let Some(r) = self.labels.iter().position(|&y| y != 0.0 && y != 1.0) {
            return Err(ModelError::Data(format!(
                "row {}: label is not 0 or 1",
                r + 1
            )));
        }
        if let Some(r) = self
            .weights
            .iter()
            .position(|&w| !(w.is_finite() && w >= 0.0))
        {
            return Err(ModelError::Data(format!(
                "row {}: weight is not a finite non-negative number",
                r + 1
            )));
        }
        Ok(())
    }

    /// The rows at `idx`, in that order.
    pub fn subset(&self, idx: &[usize]) -> Dataset {
        let mut features = Vec::with_capacity(idx.len() * self.n_features);
        for &r in idx {
            features.extend_from_slice(self.row(r));
        }
        Dataset {
            features,
            n_features: self.n_features,
            labels: idx.iter().map(|&r| self.labels[r]).collect(),
            weights: idx.iter().map(|&r| self.weights[r]).collect(),
            feature_names: self.feature_names.clone(),
        }
    }

    /// Number of positive rows.
    pub fn n_positive(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1.0).count()
    }
}
