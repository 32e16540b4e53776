//! Dividing a whole number among parties by weight so the parts add up exactly: the largest
//! remainder method (Hamilton's). A county hands its year's outreach target to its townships
//! "根据发案形势和人口基数" — by cases and population — and the targets it sets must sum to
//! its own. Written here because no maintained crate does this small integer job.

/// `total` split by `weights`: each part is the floor of its exact share, and what is left goes
/// one by one to the largest fractional remainders (ties to the earlier party). Negative or
/// non-finite weights count as 0; when every weight is 0 the parts are as equal as they can
/// be. A negative `total` gives zeros.
pub fn apportion(total: i64, weights: &[f64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let total = total.max(0);
    let clean: Vec<f64> = weights
        .iter()
        .map(|w| if w.is_finite() && *w > 0.0 { *w } else { 0.0 })
        .collect();
    let sum: f64 = clean.iter().sum();
    let shares: Vec<f64> = if sum > 0.0 {
        clean.iter().map(|w| total as f64 * w / sum).collect()
    } else {
        vec![total as f64 / clean.len() as f64; clean.len()]
    };
    let mut parts: Vec<i64> = shares.iter().map(|s| s.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = shares[a] - shares[a].floor();
        let rb = shares[b] - shares[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    // Float rounding can leave the floors a unit above or below the total: settle it here.
    let mut i = 0;
    while left > 0 {
        parts[order[i % order.len()]] += 1;
        left -= 1;
        i += 1;
    }
    while left < 0 {
        if let Some(p) = parts.iter_mut().rev().find(|p| **p > 0) {
            *p -= 1;
        }
        left += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn remainders_go_to_the_largest_fractions() {
        // Exact shares 33.3, 33.3, 33.3: one each to the first... by tie, the earliest.
        assert_eq!(apportion(100, &[1.0, 1.0, 1.0]), [34, 33, 33]);
        // 60 × (0.5, 0.3, 0.2) is exact.
        assert_eq!(apportion(60, &[5.0, 3.0, 2.0]), [30, 18, 12]);
        // 10 × (0.45, 0.35, 0.2) = 4.5, 3.5, 2: the two halves go by order.
        assert_eq!(apportion(10, &[0.45, 0.35, 0.2]), [5, 3, 2]);
        assert_eq!(apportion(7, &[0.0, 0.0]), [4, 3]);
        assert_eq!(apportion(5, &[f64::NAN, -1.0, 2.0]), [0, 0, 5]);
        assert_eq!(apportion(-3, &[1.0]), [0]);
        assert!(apportion(9, &[]).is_empty());
    }

    proptest! {
        #[test]
        fn parts_add_up_and_stay_within_a_unit_of_the_exact_share(
            total in 0i64..1_000_000,
            weights in proptest::collection::vec(0.0f64..1_000.0, 1..40),
        ) {
            let parts = apportion(total, &weights);
            prop_assert_eq!(parts.len(), weights.len());
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let sum: f64 = weights.iter().sum();
            for (p, w) in parts.iter().zip(&weights) {
                prop_assert!(*p >= 0);
                let exact = if sum > 0.0 { total as f64 * w / sum } else { total as f64 / weights.len() as f64 };
                prop_assert!((*p as f64 - exact).abs() < 1.0 + 1e-6, "{} vs {}", p, exact);
            }
        }
    }
}
