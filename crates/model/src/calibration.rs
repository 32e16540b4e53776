//! Platt scaling: `p = σ(a · raw + b)` fitted on validation rows.
//!
//! Chosen over isotonic regression because it is strictly increasing (ranking, and so AUC,
//! is unchanged and no two scores collapse into a tie) and it has two parameters, which stay
//! stable on validation sets of a few hundred rows where isotonic steps overfit.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f64,
    pub b: f64,
}

impl Default for Platt {
    fn default() -> Self {
        Platt { a: 1.0, b: 0.0 }
    }
}

impl Platt {
    #[inline]
    pub fn apply(&self, raw: f32) -> f32 {
        let z = self.a * raw as f64 + self.b;
        (1.0 / (1.0 + (-z).exp())) as f32
    }

    /// Newton's method on the log-loss with Platt's smoothed targets
    /// (`(n₊ + 1) / (n₊ + 2)` and `1 / (n₋ + 2)`), which keeps `a` finite on separable data.
    /// Falls back to the identity when the fit does not give an increasing map.
    pub fn fit(raw: &[f32], labels: &[f32]) -> Platt {
        let n_pos = labels.iter().filter(|&&y| y == 1.0).count() as f64;
        let n_neg = labels.len() as f64 - n_pos;
        if n_pos == 0.0 || n_neg == 0.0 {
            return Platt::default();
        }
        let hi = (n_pos + 1.0) / (n_pos + 2.0);
        let lo = 1.0 / (n_neg + 2.0);
        let (mut a, mut b) = (1.0f64, 0.0f64);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
            for (&x, &y) in raw.iter().zip(labels) {
                let x = x as f64;
                let t = if y == 1.0 { hi } else { lo };
                let p = 1.0 / (1.0 + (-(a * x + b)).exp());
                let d = p - t;
                let w = (p * (1.0 - p)).max(1e-12);
                ga += d * x;
                gb += d;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-10 && db.abs() < 1e-10 {
                break;
            }
        }
        if a > 0.0 && a.is_finite() && b.is_finite() {
            Platt { a, b }
        } else {
            Platt::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_scaling() {
        // labels drawn deterministically with P(y=1) = σ(2x - 1)
        let mut raw = Vec::new();
        let mut y = Vec::new();
        for i in 0..4000 {
            let x = (i % 200) as f32 / 50.0 - 2.0;
            let p = 1.0 / (1.0 + (-(2.0 * x as f64 - 1.0)).exp());
            let u = ((i as u64 * 2654435761) % 1000) as f64 / 1000.0;
            raw.push(x);
            y.push(if u < p { 1.0 } else { 0.0 });
        }
        let c = Platt::fit(&raw, &y);
        assert!((c.a - 2.0).abs() < 0.3, "{c:?}");
        assert!((c.b + 1.0).abs() < 0.3, "{c:?}");
    }

    #[test]
    fn one_class_gives_identity_and_output_is_a_probability() {
        assert_eq!(Platt::fit(&[1.0, 2.0], &[1.0, 1.0]), Platt::default());
        let c = Platt::fit(&[-3.0, -1.0, 1.0, 3.0], &[0.0, 0.0, 1.0, 1.0]);
        assert!(c.a > 0.0);
        for x in [-1e30f32, -5.0, 0.0, 5.0, 1e30] {
            let p = c.apply(x);
            assert!((0.0..=1.0).contains(&p));
        }
        assert!(c.apply(1.0) > c.apply(-1.0));
    }
}
