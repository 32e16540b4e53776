//! Evaluation metrics for binary scores: ROC-AUC, PR-AUC (average precision), confusion
//! matrix, F1 per class and macro-F1, and the threshold that maximises macro-F1.

use serde::{Deserialize, Serialize};

/// Indices sorted by score, highest first (NaN scores last).
fn order_desc(scores: &[f32]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (scores[a], scores[b]);
        match (x.is_nan(), y.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => y.total_cmp(&x),
        }
    });
    idx
}

/// Area under the ROC curve; tied scores count one half. `None` without both classes.
pub fn roc_auc(scores: &[f32], labels: &[f32]) -> Option<f64> {
    let idx = order_desc(scores);
    let (mut pos_above, mut area) = (0.0f64, 0.0f64);
    let (n_pos, n_neg) = class_counts(labels);
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        let (mut p, mut n) = (0.0, 0.0);
        while j < idx.len() && same(scores[idx[j]], scores[idx[i]]) {
            if labels[idx[j]] == 1.0 {
                p += 1.0
            } else {
                n += 1.0
            }
            j += 1;
        }
        // each negative in the group is beaten by all positives above and half of the tied ones
        area += n * (pos_above + p / 2.0);
        pos_above += p;
        i = j;
    }
    Some(area / (n_pos as f64 * n_neg as f64))
}

fn same(a: f32, b: f32) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn class_counts(labels: &[f32]) -> (usize, usize) {
    let p = labels.iter().filter(|&&y| y == 1.0).count();
    (p, labels.len() - p)
}

/// Average precision: Σ (recallₖ − recallₖ₋₁) · precisionₖ over distinct score thresholds.
pub fn pr_auc(scores: &[f32], labels: &[f32]) -> Option<f64> {
    let (n_pos, _) = class_counts(labels);
    if n_pos == 0 {
        return None;
    }
    let idx = order_desc(scores);
    let (mut tp, mut fp, mut prev_recall, mut ap) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && same(scores[idx[j]], scores[idx[i]]) {
            if labels[idx[j]] == 1.0 {
                tp += 1.0
            } else {
                fp += 1.0
            }
            j += 1;
        }
        let recall = tp / n_pos as f64;
        ap += (recall - prev_recall) * tp / (tp + fp);
        prev_recall = recall;
        i = j;
    }
    Some(ap)
}

/// Counts of a 0/1 prediction against 0/1 truth (1 = fraud).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Confusion {
    pub fn from_labels(predicted: &[f32], truth: &[f32]) -> Confusion {
        let mut c = Confusion::default();
        for (p, t) in predicted.iter().zip(truth) {
            match (*p == 1.0, *t == 1.0) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// F1 of the fraud class (0 when it is never predicted nor present).
    pub fn f1_positive(&self) -> f64 {
        f1(self.tp, self.fp, self.fn_)
    }

    /// F1 of the normal class.
    pub fn f1_negative(&self) -> f64 {
        f1(self.tn, self.fn_, self.fp)
    }

    /// Unweighted mean of both classes' F1.
    pub fn macro_f1(&self) -> f64 {
        (self.f1_positive() + self.f1_negative()) / 2.0
    }

    pub fn accuracy(&self) -> f64 {
        let n = self.tp + self.fp + self.tn + self.fn_;
        if n == 0 {
            0.0
        } else {
            (self.tp + self.tn) as f64 / n as f64
        }
    }
}

fn f1(tp: u64, fp: u64, fn_: u64) -> f64 {
    let d = 2 * tp + fp + fn_;
    if d == 0 {
        0.0
    } else {
        2.0 * tp as f64 / d as f64
    }
}

/// The score cut (predict fraud when `score >= cut`) that maximises macro-F1 on these rows;
/// cuts sit halfway between neighbouring distinct scores.
pub fn best_macro_f1_threshold(scores: &[f32], labels: &[f32]) -> (f32, f64) {
    let idx = order_desc(scores);
    let (n_pos, n_neg) = class_counts(labels);
    // start with everything predicted normal
    let mut c = Confusion {
        tp: 0,
        fp: 0,
        tn: n_neg as u64,
        fn_: n_pos as u64,
    };
    let first = idx.first().map(|&i| scores[i]).unwrap_or(0.5);
    let mut best = (next_up(first), c.macro_f1());
    let mut i = 0;
    while i < idx.len() {
        let s = scores[idx[i]];
        if s.is_nan() {
            break;
        }
        let mut j = i;
        while j < idx.len() && same(scores[idx[j]], s) {
            if labels[idx[j]] == 1.0 {
                c.tp += 1;
                c.fn_ -= 1;
            } else {
                c.fp += 1;
                c.tn -= 1;
            }
            j += 1;
        }
        let m = c.macro_f1();
        if m > best.1 {
            // any cut in (next, s] gives this confusion; take the midpoint when it is exact
            let cut = match idx.get(j).map(|&k| scores[k]) {
                Some(next) if !next.is_nan() => {
                    let mid = ((s as f64 + next as f64) / 2.0) as f32;
                    if mid > next && mid <= s {
                        mid
                    } else {
                        s
                    }
                }
                _ => s,
            };
            best = (cut, m);
        }
        i = j;
    }
    best
}

fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        f32::INFINITY
    } else {
        x + x.abs().max(1.0) * 1e-6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_computed_value_with_ties() {
        // pairs (pos, neg): scores pos {0.9, 0.4, 0.4}, neg {0.4, 0.1}
        // pos 0.9 beats both (2), pos 0.4 ties neg 0.4 (0.5) and beats 0.1 (1), twice → 5 / 6
        let s = [0.9, 0.4, 0.4, 0.4, 0.1];
        let y = [1.0, 1.0, 1.0, 0.0, 0.0];
        assert!((roc_auc(&s, &y).unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(roc_auc(&s, &[1.0; 5]), None);
        assert_eq!(roc_auc(&[0.1, 0.9], &[0.0, 1.0]), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.1], &[0.0, 1.0]), Some(0.0));
    }

    #[test]
    fn average_precision_matches_hand_computed_value() {
        // ranked: 1 (P=1, R=.5), 0, 1 (P=2/3, R=1) → AP = .5·1 + .5·2/3 = 5/6
        let s = [0.9, 0.8, 0.7, 0.1];
        let y = [1.0, 0.0, 1.0, 0.0];
        assert!((pr_auc(&s, &y).unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(pr_auc(&s, &[0.0; 4]), None);
    }

    #[test]
    fn f1_and_macro_f1_match_hand_computed_values() {
        let pred = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let truth = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
        let c = Confusion::from_labels(&pred, &truth);
        assert_eq!(
            c,
            Confusion {
                tp: 2,
                fp: 1,
                tn: 2,
                fn_: 1
            }
        );
        // F1+ = 4/6, F1- = 4/6
        assert!((c.f1_positive() - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.f1_negative() - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.macro_f1() - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.accuracy() - 4.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn threshold_separates_separable_scores() {
        let s = [0.1, 0.2, 0.3, 0.7, 0.8];
        let y = [0.0, 0.0, 0.0, 1.0, 1.0];
        let (cut, m) = best_macro_f1_threshold(&s, &y);
        assert_eq!(m, 1.0);
        assert!(cut > 0.3 && cut <= 0.7, "{cut}");
        let pred: Vec<f32> = s.iter().map(|&x| (x >= cut) as u8 as f32).collect();
        assert_eq!(pred, y);
    }
}
