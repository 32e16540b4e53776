//! A trained linear model over hashed n-gram features, its file format and its scoring.
//!
//! File format: the 8-byte magic `FZTXTMDL`, a little-endian `u32` format version, then the
//! model as postcard inside a gzip stream. Anything else is rejected with `model_invalid`.

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;

use crate::error::TextError;
use crate::features::{Extracted, FeatureConfig};
use crate::fraud_type::FraudType;

const MAGIC: &[u8; 8] = b"FZTXTMDL";
const FORMAT_VERSION: u32 = 1;
/// Refuse to inflate models beyond this size (a corrupt or hostile file must not eat memory).
const MAX_INFLATED: u64 = 2 << 30;

/// Where a model came from; shown by `fanzha text` commands, never used for scoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// What it was trained on (a file name or `synthetic corpus`).
    pub trained_on: String,
    pub texts: u64,
    /// Digest of the synthetic corpus it was trained on, if any (keeps the shipped model in
    /// step with the generator).
    pub corpus_digest: Option<u64>,
}

/// Linear scores `bias[c] + Σ x_f · weights[f][c]` over TF-IDF features `x` (sublinear tf,
/// smooth idf, L2-normalised over the features the model knows).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Model {
    pub config: FeatureConfig,
    pub classes: Vec<FraudType>,
    /// Feature hashes, one per row of `weights`.
    pub keys: Vec<u64>,
    pub idf: Vec<f32>,
    /// Row-major: `keys.len()` rows × `classes.len()` columns.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    /// Scores are `softmax(score_scale · margins)`.
    pub score_scale: f32,
    pub info: ModelInfo,
    #[serde(skip)]
    index: RowIndex,
}

/// Feature hash → row. Hand-written open addressing instead of a general hash map: the keys are
/// already uniform 64-bit hashes, so the slot is the key's top bits and no hashing is needed;
/// this lookup is the hottest loop of classification.
#[derive(Clone, Debug, Default)]
struct RowIndex {
    /// `(key, row + 1)`; row 0 marks an empty slot.
    slots: Vec<(u64, u32)>,
    shift: u32,
}

impl RowIndex {
    fn build(keys: &[u64]) -> RowIndex {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![(0u64, 0u32); cap];
        let shift = 64 - cap.trailing_zeros();
        let mask = cap - 1;
        for (row, &k) in keys.iter().enumerate() {
            let mut i = (k >> shift) as usize;
            while slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (k, row as u32 + 1);
        }
        RowIndex { slots, shift }
    }

    #[inline]
    fn get(&self, k: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (k >> self.shift) as usize;
        loop {
            let (key, row) = self.slots[i];
            if row == 0 {
                return None;
            }
            if key == k {
                return Some(row - 1);
            }
            i = (i + 1) & mask;
        }
    }
}

/// One feature of a scored text: its row in the model and TF-IDF value.
#[derive(Clone, Copy, Debug)]
pub struct Active {
    pub row: u32,
    pub value: f32,
    /// Position of the feature in [`Extracted::features`].
    pub at: u32,
}

impl Model {
    /// Assembles a model and builds its lookup index; checks that the parts fit together.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: FeatureConfig,
        classes: Vec<FraudType>,
        keys: Vec<u64>,
        idf: Vec<f32>,
        weights: Vec<f32>,
        bias: Vec<f32>,
        score_scale: f32,
        info: ModelInfo,
    ) -> Result<Model, TextError> {
        let mut m = Model {
            config,
            classes,
            keys,
            idf,
            weights,
            bias,
            score_scale,
            info,
            index: RowIndex::default(),
        };
        m.validate()?;
        m.build_index();
        Ok(m)
    }

    fn validate(&self) -> Result<(), TextError> {
        let bad = |reason: String| Err(TextError::ModelInvalid { reason });
        let k = self.classes.len();
        if k < 2 {
            return bad(format!("{k} classes; a model needs at least 2"));
        }
        let mut seen = self.classes.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != k {
            return bad("a class appears twice".into());
        }
        if self.idf.len() != self.keys.len()
            || self.weights.len() != self.keys.len() * k
            || self.bias.len() != k
        {
            return bad(format!(
                "inconsistent sizes: {} keys, {} idf, {} weights, {} biases for {k} classes",
                self.keys.len(),
                self.idf.len(),
                self.weights.len(),
                self.bias.len()
            ));
        }
        let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
        if !finite(&self.idf) || !finite(&self.weights) || !finite(&self.bias) {
            return bad("non-finite numbers".into());
        }
        if !(self.score_scale.is_finite() && self.score_scale > 0.0) {
            return bad("score scale must be positive".into());
        }
        if self.config.char_max < self.config.char_min && self.config.char_max != 0 {
            return bad("character n-gram range is empty".into());
        }
        Ok(())
    }

    fn build_index(&mut self) {
        self.index = RowIndex::build(&self.keys);
    }

    /// Number of features the model knows.
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// TF-IDF vector of an extracted text over the model's features.
    pub fn vectorize(&self, e: &Extracted, out: &mut Vec<Active>) {
        out.clear();
        let mut norm = 0.0f32;
        for (at, f) in e.features.iter().enumerate() {
            if let Some(row) = self.index.get(f.hash) {
                let v = (1.0 + (f.count as f32).ln()) * self.idf[row as usize];
                norm += v * v;
                out.push(Active {
                    row,
                    value: v,
                    at: at as u32,
                });
            }
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for a in out.iter_mut() {
                a.value *= inv;
            }
        }
    }

    /// Row of a feature hash, if the model knows it.
    #[inline]
    pub fn row_of(&self, hash: u64) -> Option<u32> {
        self.index.get(hash)
    }

    /// TF-IDF vector straight from a text's n-gram occurrences (the fast path of
    /// classification: unknown n-grams are dropped before anything is sorted). `found` is
    /// scratch space; `active[i].at` indexes `terms`.
    pub fn vectorize_terms(
        &self,
        terms: &[crate::features::Term],
        found: &mut Vec<u64>,
        out: &mut Vec<Active>,
    ) {
        found.clear();
        out.clear();
        for (i, t) in terms.iter().enumerate() {
            if let Some(row) = self.index.get(t.hash) {
                found.push((u64::from(row) << 32) | i as u64);
            }
        }
        found.sort_unstable();
        let mut norm = 0.0f32;
        let mut j = 0;
        while j < found.len() {
            let row = (found[j] >> 32) as u32;
            let at = found[j] as u32;
            let mut count = 0u32;
            while j < found.len() && (found[j] >> 32) as u32 == row {
                count += 1;
                j += 1;
            }
            let v = (1.0 + (count as f32).ln()) * self.idf[row as usize];
            norm += v * v;
            out.push(Active { row, value: v, at });
        }
        if norm > 0.0 {
            let inv = 1.0 / norm.sqrt();
            for a in out.iter_mut() {
                a.value *= inv;
            }
        }
    }

    /// Margins per class (same order as `classes`).
    pub fn margins(&self, active: &[Active]) -> Vec<f32> {
        let k = self.classes.len();
        let mut m = self.bias.clone();
        for a in active {
            let row = &self.weights[a.row as usize * k..(a.row as usize + 1) * k];
            for (mc, w) in m.iter_mut().zip(row) {
                *mc += a.value * w;
            }
        }
        m
    }

    /// Weight of one feature row for one class column.
    pub fn weight(&self, row: u32, class: usize) -> f32 {
        self.weights[row as usize * self.classes.len() + class]
    }

    /// Writes the model to `path` (see the module doc for the format).
    pub fn save(&self, path: &Path) -> Result<(), TextError> {
        let unwritable = |source| TextError::FileUnwritable {
            path: path.to_path_buf(),
            source,
        };
        let bytes = self.to_bytes().map_err(unwritable)?;
        std::fs::write(path, bytes).map_err(unwritable)
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, std::io::Error> {
        let body = postcard::to_stdvec(self).map_err(std::io::Error::other)?;
        let mut out = Vec::with_capacity(body.len() / 2);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let mut gz = GzEncoder::new(out, flate2::Compression::best());
        gz.write_all(&body)?;
        gz.finish()
    }

    /// Reads a model written by [`Model::save`].
    pub fn load(path: &Path) -> Result<Model, TextError> {
        let bytes = std::fs::read(path).map_err(|source| TextError::FileUnreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Model::from_bytes(&bytes)
    }

    /// Parses model file bytes; every defect is a [`TextError::ModelInvalid`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, TextError> {
        let bad = |reason: String| TextError::ModelInvalid { reason };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("missing FZTXTMDL header".into()));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {version}, this build reads {FORMAT_VERSION}"
            )));
        }
        let mut body = Vec::new();
        GzDecoder::new(&bytes[12..])
            .take(MAX_INFLATED)
            .read_to_end(&mut body)
            .map_err(|e| bad(format!("corrupt compressed body: {e}")))?;
        let mut m: Model =
            postcard::from_bytes(&body).map_err(|e| bad(format!("corrupt body: {e}")))?;
        m.validate()?;
        m.build_index();
        Ok(m)
    }
}
