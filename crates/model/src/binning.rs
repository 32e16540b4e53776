//! Quantile binning: each feature's values map to at most `max_bins - 1` value bins plus bin 0,
//! which holds the missing values (NaN). Trees then split on bin indices, which makes histogram
//! construction a pass over `u8`s.

use serde::{Deserialize, Serialize};

/// Bin 0 holds missing values; value bins are `1..=bounds.len() + 1`.
pub const MISSING_BIN: u8 = 0;

/// The cut points of one feature. A value `v` falls in bin `1 + #{b in bounds : b < v}`, so a
/// split "bins `1..=t` go left" is the same as the rule `v <= bounds[t - 1]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureBins {
    pub bounds: Vec<f32>,
}

impl FeatureBins {
    /// Cut points for `values` (missing values are skipped). With few distinct values each gets
    /// its own bin, cut at the midpoint; otherwise cuts sit at evenly spaced quantiles.
    pub fn fit(values: &[f32], max_bins: usize) -> FeatureBins {
        let max_value_bins = max_bins.clamp(2, 256) - 1;
        // infinities still bin (into the first or last bin) but never become cut points
        let mut v: Vec<f32> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let mut distinct: Vec<(f32, usize)> = Vec::new();
        for x in v.iter().copied() {
            match distinct.last_mut() {
                Some((last, n)) if *last == x => *n += 1,
                _ => distinct.push((x, 1)),
            }
        }
        let mut bounds = Vec::new();
        if distinct.len() <= max_value_bins {
            for w in distinct.windows(2) {
                bounds.push(midpoint(w[0].0, w[1].0));
            }
        } else {
            // Walk the distinct values, closing a bin once it holds its share of the rows.
            let total = v.len() as f64;
            let per_bin = total / max_value_bins as f64;
            let mut acc = 0usize;
            let mut next_cut = per_bin;
            for w in distinct.windows(2) {
                acc += w[0].1;
                if acc as f64 >= next_cut && bounds.len() + 1 < max_value_bins {
                    bounds.push(midpoint(w[0].0, w[1].0));
                    while next_cut <= acc as f64 {
                        next_cut += per_bin;
                    }
                }
            }
        }
        FeatureBins { bounds }
    }

    /// The bin of one value.
    #[inline]
    pub fn bin(&self, x: f32) -> u8 {
        if x.is_nan() {
            MISSING_BIN
        } else {
            (1 + self.bounds.partition_point(|&b| b < x)) as u8
        }
    }

    /// Number of bins including the missing bin.
    pub fn n_bins(&self) -> usize {
        self.bounds.len() + 2
    }
}

/// A cut between two neighbouring distinct values that keeps `lo` left and `hi` right even
/// when their midpoint rounds onto `hi` in `f32`.
fn midpoint(lo: f32, hi: f32) -> f32 {
    let m = ((lo as f64 + hi as f64) / 2.0) as f32;
    if m >= hi || !m.is_finite() {
        lo
    } else {
        m
    }
}

/// All features of a dataset binned, row-major (`bins[r * n_features + f]`).
pub struct BinnedMatrix {
    pub bins: Vec<u8>,
    pub n_features: usize,
    pub features: Vec<FeatureBins>,
    /// Start of each feature's bins in a flat histogram; last entry is the total.
    pub offsets: Vec<usize>,
}

impl BinnedMatrix {
    /// Fits the cut points on `features` (row-major) and bins every value.
    pub fn build(features: &[f32], n_features: usize, max_bins: usize) -> BinnedMatrix {
        let n_rows = features.len().checked_div(n_features).unwrap_or(0);
        let mut column = Vec::with_capacity(n_rows);
        let mut fitted = Vec::with_capacity(n_features);
        for f in 0..n_features {
            column.clear();
            column.extend((0..n_rows).map(|r| features[r * n_features + f]));
            fitted.push(FeatureBins::fit(&column, max_bins));
        }
        let mut bins = vec![0u8; n_rows * n_features];
        for r in 0..n_rows {
            for (f, fb) in fitted.iter().enumerate() {
                bins[r * n_features + f] = fb.bin(features[r * n_features + f]);
            }
        }
        let mut offsets = Vec::with_capacity(n_features + 1);
        let mut acc = 0;
        for fb in &fitted {
            offsets.push(acc);
            acc += fb.n_bins();
        }
        offsets.push(acc);
        BinnedMatrix {
            bins,
            n_features,
            features: fitted,
            offsets,
        }
    }

    pub fn total_bins(&self) -> usize {
        *self.offsets.last().unwrap_or(&0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_nan_goes_to_bin_zero() {
        let fb = FeatureBins::fit(&[1.0, 2.0, 2.0, 5.0, f32::NAN], 255);
        assert_eq!(fb.bounds, vec![1.5, 3.5]);
        assert_eq!(fb.bin(f32::NAN), MISSING_BIN);
        assert_eq!(fb.bin(1.0), 1);
        assert_eq!(fb.bin(2.0), 2);
        assert_eq!(fb.bin(5.0), 3);
        assert_eq!(fb.bin(-100.0), 1);
        assert_eq!(fb.bin(100.0), 3);
        assert_eq!(fb.n_bins(), 4);
    }

    #[test]
    fn many_values_are_cut_at_quantiles_within_the_bin_budget() {
        let values: Vec<f32> = (0..10_000).map(|i| i as f32).collect();
        let fb = FeatureBins::fit(&values, 5);
        assert_eq!(fb.bounds.len(), 3, "{:?}", fb.bounds);
        // quartiles of 0..10000
        let mut counts = [0usize; 5];
        for &v in &values {
            counts[fb.bin(v) as usize] += 1;
        }
        assert_eq!(counts[0], 0);
        for c in &counts[1..] {
            assert!((2400..=2600).contains(c), "{counts:?}");
        }
    }

    #[test]
    fn bin_order_matches_threshold_rule() {
        let values: Vec<f32> = (0..1000).map(|i| ((i * 37) % 101) as f32 * 0.5).collect();
        let fb = FeatureBins::fit(&values, 16);
        for &v in &values {
            let b = fb.bin(v) as usize;
            for t in 1..=fb.bounds.len() {
                assert_eq!(b <= t, v <= fb.bounds[t - 1]);
            }
        }
    }

    #[test]
    fn adjacent_floats_stay_in_separate_bins() {
        let lo = 1.0f32;
        let hi = f32::from_bits(lo.to_bits() + 1);
        let fb = FeatureBins::fit(&[lo, hi], 255);
        assert_ne!(fb.bin(lo), fb.bin(hi));
    }

    #[test]
    fn matrix_offsets_cover_every_feature() {
        let m = BinnedMatrix::build(&[1.0, 0.0, 2.0, 0.0, 3.0, 1.0], 2, 255);
        assert_eq!(m.offsets, vec![0, 4, 7]);
        assert_eq!(m.bins, vec![1, 1, 2, 1, 3, 2]);
    }
}
