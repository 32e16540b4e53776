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

/// Feature hash → row and idf. Hand-written open addressing instead of a general hash map: the
/// keys are already uniform 64-bit hashes, so the slot is the key's top bits and no hashing is
/// needed; this lookup is the hottest loop of classification. A slot holds the idf next to the
/// row (16 bytes either way), so a known n-gram costs one cache miss here, not two.
#[derive(Clone, Debug, Default)]
struct RowIndex {
    slots: Vec<Slot>,
    shift: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    key: u64,
    /// Row + 1; 0 marks an empty slot.
    row: u32,
    idf: f32,
}

impl RowIndex {
    fn build(keys: &[u64], idf: &[f32]) -> RowIndex {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        let mut slots = vec![Slot::default(); cap];
        let shift = 64 - cap.trailing_zeros();
        let mask = cap - 1;
        for (row, (&key, &idf)) in keys.iter().zip(idf).enumerate() {
            let mut i = (key >> shift) as usize;
            while slots[i].row != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = Slot {
                key,
                row: row as u32 + 1,
                idf,
            };
        }
        RowIndex { slots, shift }
    }

    /// Hints that `k` will be looked up soon.
    #[inline(always)]
    fn prefetch(&self, k: u64) {
        if !self.slots.is_empty() {
            fanzha_core::prefetch::slot(&self.slots, (k >> self.shift) as usize);
        }
    }

    /// Row and idf of a feature hash.
    #[inline]
    fn get(&self, k: u64) -> Option<(u32, f32)> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (k >> self.shift) as usize;
        loop {
            let s = self.slots[i];
            if s.row == 0 {
                return None;
            }
            if s.key == k {
                return Some((s.row - 1, s.idf));
            }
            i = (i + 1) & mask;
        }
    }
}

/// How many lookups ahead the index and weight rows are prefetched.
const PREFETCH_AHEAD: usize = 12;

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
        self.index = RowIndex::build(&self.keys, &self.idf);
    }

    /// The model without the features whose weights are all at most `below` in magnitude for
    /// every class (they barely move any margin; dropping them shrinks the file and the lookup
    /// tables that classification touches). The remaining features keep their idf, so the
    /// TF-IDF norm of a text is taken over fewer features.
    pub fn pruned(self, below: f32) -> Model {
        if below <= 0.0 {
            return self;
        }
        let k = self.classes.len();
        let mut keys = Vec::with_capacity(self.keys.len());
        let mut idf = Vec::with_capacity(self.keys.len());
        let mut weights = Vec::with_capacity(self.weights.len());
        for (f, row) in self.weights.chunks_exact(k).enumerate() {
            if row.iter().all(|w| w.abs() <= below) {
                continue;
            }
            keys.push(self.keys[f]);
            idf.push(self.idf[f]);
            weights.extend_from_slice(row);
        }
        let mut m = Model {
            keys,
            idf,
            weights,
            index: RowIndex::default(),
            ..self
        };
        m.build_index();
        m
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
            if let Some(ahead) = e.features.get(at + PREFETCH_AHEAD) {
                self.index.prefetch(ahead.hash);
            }
            if let Some((row, idf)) = self.index.get(f.hash) {
                let v = (1.0 + (f.count as f32).ln()) * idf;
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
        self.index.get(hash).map(|(row, _)| row)
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
        // The idf of each found occurrence, by its index in `terms`.
        let mut idf_at = vec![0.0f32; terms.len()];
        for (i, t) in terms.iter().enumerate() {
            if let Some(ahead) = terms.get(i + PREFETCH_AHEAD) {
                self.index.prefetch(ahead.hash);
            }
            if let Some((row, idf)) = self.index.get(t.hash) {
                // The row's weights are read by `margins` right after; ask for them now.
                fanzha_core::prefetch::slot(&self.weights, row as usize * self.classes.len());
                found.push((u64::from(row) << 32) | i as u64);
                idf_at[i] = idf;
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
            let v = (1.0 + (count as f32).ln()) * idf_at[at as usize];
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
        for (j, a) in active.iter().enumerate() {
            if let Some(ahead) = active.get(j + PREFETCH_AHEAD) {
                fanzha_core::prefetch::slot(&self.weights, ahead.row as usize * k);
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn model(keys: Vec<u64>, weights: Vec<f32>) -> Model {
        let n = keys.len();
        Model::new(
            FeatureConfig::default(),
            vec![FraudType::FakeLoan, FraudType::Normal],
            keys,
            (0..n).map(|i| 1.0 + i as f32).collect(),
            weights,
            vec![0.0, 0.0],
            3.0,
            ModelInfo::default(),
        )
        .unwrap()
    }

    #[test]
    fn pruning_drops_rows_small_for_every_class_and_keeps_the_rest_findable() {
        let m = model(
            vec![11, 22, 33, 44],
            vec![0.5, 0.0, 0.001, -0.002, 0.0, -0.3, 0.004, 0.004],
        );
        let p = m.pruned(0.005);
        assert_eq!(p.keys, vec![11, 33]);
        assert_eq!(p.idf, vec![1.0, 3.0]);
        assert_eq!(p.weights, vec![0.5, 0.0, 0.0, -0.3]);
        assert_eq!(p.row_of(33), Some(1));
        assert_eq!(p.row_of(22), None);
        assert_eq!(p.row_of(44), None);
        assert_eq!(p.clone().pruned(0.0).keys, p.keys);
    }

    #[test]
    fn vectorized_terms_carry_the_idf_of_their_row() {
        let m = model(vec![7, 9], vec![1.0, 0.0, 0.0, 1.0]);
        let term = |hash| crate::features::Term {
            hash,
            start: 0,
            end: 0,
        };
        let (mut found, mut active) = (Vec::new(), Vec::new());
        // 9 twice (tf 2, idf 2), 7 once (idf 1), 5 unknown.
        m.vectorize_terms(
            &[term(9), term(5), term(7), term(9)],
            &mut found,
            &mut active,
        );
        assert_eq!(active.len(), 2);
        let v9 = (1.0 + 2f32.ln()) * 2.0;
        let norm = (1.0 + v9 * v9).sqrt();
        assert_eq!(active[0].row, 0);
        assert!((active[0].value - 1.0 / norm).abs() < 1e-6);
        assert_eq!(active[1].row, 1);
        assert!((active[1].value - v9 / norm).abs() < 1e-6);
        let margins = m.margins(&active);
        assert!((margins[1] - v9 / norm).abs() < 1e-6);
    }
}
