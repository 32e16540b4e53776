//! Evaluation: stratified k-fold assignment, per-class and macro F1, cross-validation.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::classify::Classifier;
use crate::error::TextError;
use crate::features::Extracted;
use crate::fraud_type::FraudType;
use crate::model::ModelInfo;
use crate::train::{train_extracted, TrainOptions};

/// Assigns each item a fold in `0..k` so that every class is spread evenly over the folds.
pub fn stratified_folds(
    labels: &[FraudType],
    k: usize,
    seed: u64,
) -> Result<Vec<usize>, TextError> {
    if k < 2 {
        return Err(TextError::BadFolds {
            folds: k,
            reason: "need at least 2".into(),
        });
    }
    let mut by_class: BTreeMap<FraudType, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_class.entry(*l).or_default().push(i);
    }
    if let Some((t, v)) = by_class.iter().find(|(_, v)| v.len() < k) {
        return Err(TextError::BadFolds {
            folds: k,
            reason: format!("type {t} has only {} texts", v.len()),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0usize; labels.len()];
    // Continue the round-robin across classes so fold sizes stay within one of each other.
    let mut next = 0usize;
    for items in by_class.values_mut() {
        items.shuffle(&mut rng);
        for &i in items.iter() {
            fold[i] = next % k;
            next += 1;
        }
    }
    Ok(fold)
}

/// Precision, recall and F1 of one class.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Per-class scores over the classes present in `truth` or `predicted`, and their macro-F1.
pub fn f1_scores(
    truth: &[FraudType],
    predicted: &[FraudType],
) -> (f64, BTreeMap<FraudType, ClassScore>) {
    let mut classes: Vec<FraudType> = truth.iter().chain(predicted).copied().collect();
    classes.sort();
    classes.dedup();
    let mut out = BTreeMap::new();
    for c in &classes {
        let tp = truth
            .iter()
            .zip(predicted)
            .filter(|(t, p)| *t == c && *p == c)
            .count() as f64;
        let support = truth.iter().filter(|t| *t == c).count();
        let predicted_n = predicted.iter().filter(|p| *p == c).count() as f64;
        let precision = if predicted_n > 0.0 {
            tp / predicted_n
        } else {
            0.0
        };
        let recall = if support > 0 {
            tp / support as f64
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        out.insert(
            *c,
            ClassScore {
                precision,
                recall,
                f1,
                support,
            },
        );
    }
    let macro_f1 = if out.is_empty() {
        0.0
    } else {
        out.values().map(|s| s.f1).sum::<f64>() / out.len() as f64
    };
    (macro_f1, out)
}

/// Scores of predictions against known labels, macro-F1 taken over the types present in
/// `truth` only (a model may know types a data set lacks; predicting them still costs recall
/// and precision of the true types).
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub texts: usize,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub per_class: BTreeMap<FraudType, ClassScore>,
}

/// Evaluates predictions (see [`Evaluation`]).
pub fn score_against(truth: &[FraudType], predicted: &[FraudType]) -> Evaluation {
    let (_, mut per_class) = f1_scores(truth, predicted);
    per_class.retain(|_, s| s.support > 0);
    let macro_f1 = if per_class.is_empty() {
        0.0
    } else {
        per_class.values().map(|s| s.f1).sum::<f64>() / per_class.len() as f64
    };
    let accuracy = truth.iter().zip(predicted).filter(|(a, b)| a == b).count() as f64
        / truth.len().max(1) as f64;
    Evaluation {
        texts: truth.len(),
        macro_f1,
        accuracy,
        per_class,
    }
}

/// Result of k-fold cross-validation.
#[derive(Clone, Debug, Serialize)]
pub struct CvReport {
    pub folds: usize,
    pub texts: usize,
    pub macro_f1_per_fold: Vec<f64>,
    pub macro_f1_mean: f64,
    /// Sample standard deviation over folds (n − 1).
    pub macro_f1_sd: f64,
    pub accuracy: f64,
    /// Scores over all out-of-fold predictions pooled.
    pub per_class: BTreeMap<FraudType, ClassScore>,
    /// Out-of-fold prediction for every input text.
    #[serde(skip)]
    pub predictions: Vec<FraudType>,
}

/// Cross-validates training with `opts` over the given fold assignment.
pub fn cross_validate(
    docs: &[Extracted],
    labels: &[FraudType],
    fold: &[usize],
    opts: &TrainOptions,
) -> Result<CvReport, TextError> {
    let k = fold.iter().copied().max().map_or(0, |m| m + 1);
    let mut predictions = vec![FraudType::Normal; labels.len()];
    let mut per_fold = Vec::with_capacity(k);
    for f in 0..k {
        let (train_idx, test_idx): (Vec<usize>, Vec<usize>) =
            (0..labels.len()).partition(|&i| fold[i] != f);
        let tr_docs: Vec<Extracted> = train_idx.iter().map(|&i| docs[i].clone()).collect();
        let tr_labels: Vec<FraudType> = train_idx.iter().map(|&i| labels[i]).collect();
        let model = train_extracted(&tr_docs, &tr_labels, opts, ModelInfo::default())?;
        let clf = Classifier::new(model);
        let mut truth = Vec::with_capacity(test_idx.len());
        let mut pred = Vec::with_capacity(test_idx.len());
        for &i in &test_idx {
            let p = clf.classify_extracted(&docs[i]).fraud_type;
            predictions[i] = p;
            truth.push(labels[i]);
            pred.push(p);
        }
        per_fold.push(f1_scores(&truth, &pred).0);
    }
    let (_, per_class) = f1_scores(labels, &predictions);
    let mean = per_fold.iter().sum::<f64>() / k.max(1) as f64;
    let sd = if k > 1 {
        (per_fold.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1) as f64).sqrt()
    } else {
        0.0
    };
    let accuracy = labels
        .iter()
        .zip(&predictions)
        .filter(|(a, b)| a == b)
        .count() as f64
        / labels.len().max(1) as f64;
    Ok(CvReport {
        folds: k,
        texts: labels.len(),
        macro_f1_per_fold: per_fold,
        macro_f1_mean: mean,
        macro_f1_sd: sd,
        accuracy,
        per_class,
        predictions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use FraudType::*;

    #[test]
    fn folds_are_stratified_and_balanced() {
        let labels: Vec<FraudType> = (0..100)
            .map(|i| if i % 4 == 0 { FakeLoan } else { Normal })
            .collect();
        let fold = stratified_folds(&labels, 5, 1).unwrap();
        for f in 0..5 {
            let loans = (0..100)
                .filter(|&i| fold[i] == f && labels[i] == FakeLoan)
                .count();
            let all = fold.iter().filter(|&&x| x == f).count();
            assert_eq!(loans, 5);
            assert_eq!(all, 20);
        }
    }

    #[test]
    fn too_few_texts_per_class_for_the_folds_is_an_error() {
        let labels = vec![FakeLoan, Normal, Normal, Normal];
        assert!(matches!(
            stratified_folds(&labels, 2, 1),
            Err(TextError::BadFolds { .. })
        ));
    }

    #[test]
    fn f1_matches_hand_computation() {
        let truth = [FakeLoan, FakeLoan, Normal, Normal];
        let pred = [FakeLoan, Normal, Normal, Normal];
        let (m, per) = f1_scores(&truth, &pred);
        // loan: p=1, r=.5, f1=2/3; normal: p=2/3, r=1, f1=.8
        assert!((per[&FakeLoan].f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((per[&Normal].f1 - 0.8).abs() < 1e-9);
        assert!((m - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-9);
    }
}
