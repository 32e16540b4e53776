//! Classifying one text: the fraud type, a confidence and the terms that decided it.

use serde::Serialize;
use std::path::Path;

use crate::error::TextError;
use crate::features::Extracted;
use crate::fraud_type::FraudType;
use crate::model::{Active, Model};

/// How many deciding terms a prediction lists.
pub const TOP_TERMS: usize = 5;

/// An n-gram of the text and how much it pushed the score of the predicted type.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TermContribution {
    pub term: String,
    pub weight: f32,
}

/// The outcome of classifying one text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prediction {
    pub fraud_type: FraudType,
    /// Confidence in `fraud_type`, in (0, 1]: the softmax of the scaled class margins (a ranking
    /// signal, not a calibrated probability).
    pub score: f32,
    /// The n-grams with the largest positive contribution to `fraud_type`, largest first.
    pub top_terms: Vec<TermContribution>,
}

/// The fraud-type classifier: a trained [`Model`] plus segmentation.
#[derive(Clone, Debug)]
pub struct Classifier {
    model: Model,
}

impl Classifier {
    pub fn new(model: Model) -> Self {
        Classifier { model }
    }

    /// Loads a model file written by `fanzha text train`.
    pub fn load(path: &Path) -> Result<Self, TextError> {
        Ok(Classifier::new(Model::load(path)?))
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Classifies one text. Never panics: empty, huge or garbled input gets the type the model
    /// leans to without evidence (usually `normal`) and no terms.
    pub fn classify(&self, text: &str) -> Prediction {
        let m = &self.model;
        let normalized = crate::tokenize::normalize(text, m.config.fold_digits);
        let mut terms = Vec::with_capacity(normalized.len() * 2);
        m.config.terms(&normalized, &mut terms);
        let (mut found, mut active) = (Vec::new(), Vec::new());
        m.vectorize_terms(&terms, &mut found, &mut active);
        self.decide(&active, |at| {
            let t = &terms[at as usize];
            normalized
                .get(t.start as usize..t.end as usize)
                .unwrap_or("")
        })
    }

    /// Margins per class of the model, in the order of `model().classes` (for ensembles and
    /// evaluation).
    pub fn margins(&self, text: &str) -> Vec<f32> {
        let e = self.model.config.extract(text);
        let mut active = Vec::new();
        self.model.vectorize(&e, &mut active);
        self.model.margins(&active)
    }

    /// Classifies a text whose features were extracted with this model's configuration.
    pub fn classify_extracted(&self, e: &Extracted) -> Prediction {
        let mut active = Vec::new();
        self.predict(e, &mut active)
    }

    fn predict(&self, e: &Extracted, active: &mut Vec<Active>) -> Prediction {
        self.model.vectorize(e, active);
        self.decide(active, |at| e.surface(&e.features[at as usize]))
    }

    /// The winning type, its score and deciding terms; `surface` gives the text of a feature
    /// occurrence.
    fn decide<'t>(&self, active: &[Active], surface: impl Fn(u32) -> &'t str) -> Prediction {
        let m = &self.model;
        let margins = m.margins(active);
        let (best, score) = softmax_argmax(&margins, m.score_scale);
        // Positive contributions in the order of `active`; the strongest few are picked without
        // sorting them all (ties keep the order of `active`, as a stable sort would).
        let mut contribs: Vec<(f32, u32)> = active
            .iter()
            .enumerate()
            .map(|(i, a)| (a.value * m.weight(a.row, best), i as u32))
            .filter(|(w, _)| *w > 0.0)
            .collect();
        let stronger = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let mut top_terms: Vec<TermContribution> = Vec::with_capacity(TOP_TERMS);
        // A few candidates per listed term suffice unless many share a surface; then all.
        let mut sorted = 0;
        for candidates in [TOP_TERMS * 4, usize::MAX] {
            let candidates = candidates.min(contribs.len());
            if candidates <= sorted {
                break;
            }
            if candidates < contribs.len() {
                contribs.select_nth_unstable_by(candidates, stronger);
            }
            contribs[..candidates].sort_unstable_by(stronger);
            top_terms.clear();
            for &(w, i) in &contribs[..candidates] {
                if top_terms.len() == TOP_TERMS {
                    break;
                }
                let s = readable(surface(active[i as usize].at));
                // A term a reader learns from: more than one character, not punctuation or
                // folded digits, and not a piece of a stronger term already listed (佣金 makes
                // 佣 and 佣金， say nothing more).
                if s.chars().count() < 2
                    || !s.chars().any(char::is_alphabetic)
                    || top_terms
                        .iter()
                        .any(|t| t.term.contains(s) || s.contains(t.term.as_str()))
                {
                    continue;
                }
                top_terms.push(TermContribution {
                    term: s.to_string(),
                    weight: w,
                });
            }
            if top_terms.len() == TOP_TERMS {
                break;
            }
            sorted = candidates;
        }
        Prediction {
            fraud_type: m.classes[best],
            score,
            top_terms,
        }
    }
}

/// An n-gram's surface without the punctuation and spaces at its ends.
fn readable(surface: &str) -> &str {
    surface.trim_matches(|c: char| {
        c.is_whitespace()
            || c.is_ascii_punctuation()
            || matches!(
                c,
                '，' | '。'
                    | '！'
                    | '？'
                    | '、'
                    | '：'
                    | '；'
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '（'
                    | '）'
                    | '《'
                    | '》'
                    | '【'
                    | '】'
                    | '…'
                    | '—'
                    | '·'
            )
    })
}

/// Index of the largest margin and its softmax probability under `scale`.
fn softmax_argmax(margins: &[f32], scale: f32) -> (usize, f32) {
    let mut best = 0;
    for (i, m) in margins.iter().enumerate() {
        if *m > margins[best] {
            best = i;
        }
    }
    let top = margins.get(best).copied().unwrap_or(0.0);
    let sum: f32 = margins.iter().map(|m| ((m - top) * scale).exp()).sum();
    (best, if sum > 0.0 { 1.0 / sum } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_of_equal_margins_is_uniform() {
        let (i, p) = softmax_argmax(&[0.5, 0.5, 0.5, 0.5], 3.0);
        assert_eq!(i, 0);
        assert!((p - 0.25).abs() < 1e-6);
    }

    #[test]
    fn softmax_prefers_the_largest_margin() {
        let (i, p) = softmax_argmax(&[-1.0, 1.0, -0.5], 3.0);
        assert_eq!(i, 1);
        assert!(p > 0.9 && p <= 1.0);
    }
}
