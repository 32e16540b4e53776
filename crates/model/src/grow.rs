//! Growing one regression tree on gradient histograms (second-order, leaf-wise).
//!
//! Hand-written rather than bound to a C++ library: histograms over `u8` bins, the subtraction
//! trick (a child's histogram is built for the smaller child only; the larger one is the parent
//! minus it) and a learned direction for missing values are all this crate needs, and keeping
//! them in Rust keeps the build free of native dependencies and the results reproducible.

use crate::binning::{BinnedMatrix, MISSING_BIN};
use crate::tree::Node;

/// Sums of gradient, hessian and rows of one histogram bin (or of a node).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    pub g: f64,
    pub h: f64,
    pub n: u32,
}

impl Stats {
    #[inline]
    fn add(&mut self, o: &Stats) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }
    #[inline]
    fn sub(&self, o: &Stats) -> Stats {
        Stats {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

/// Limits and regularisation of one tree.
#[derive(Clone, Debug)]
pub struct GrowParams {
    pub max_leaves: usize,
    /// 0 = no limit.
    pub max_depth: usize,
    pub min_child_weight: f64,
    pub min_data_in_leaf: u32,
    pub lambda_l2: f64,
    pub min_split_gain: f64,
    pub learning_rate: f64,
}

/// The best split of one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    pub feature: usize,
    /// Value bins `1..=bin` go left.
    pub bin: usize,
    pub default_left: bool,
    pub gain: f64,
    pub left: Stats,
    pub right: Stats,
}

#[inline]
fn score(s: &Stats, lambda: f64) -> f64 {
    s.g * s.g / (s.h + lambda)
}

/// Histogram of the rows `rows` over all features' bins.
pub fn build_histogram(
    m: &BinnedMatrix,
    rows: &[u32],
    grad: &[f32],
    hess: &[f32],
    hist: &mut [Stats],
) {
    hist.iter_mut().for_each(|s| *s = Stats::default());
    let nf = m.n_features;
    for &r in rows {
        let r = r as usize;
        let g = grad[r] as f64;
        let h = hess[r] as f64;
        let bins = &m.bins[r * nf..(r + 1) * nf];
        for (f, &b) in bins.iter().enumerate() {
            // SAFETY-free indexing: offsets[f] + b < offsets[f + 1] by construction of the bins.
            let s = &mut hist[m.offsets[f] + b as usize];
            s.g += g;
            s.h += h;
            s.n += 1;
        }
    }
}

/// Best split over the allowed features, or `None` when no split passes the limits.
pub fn find_best_split(
    m: &BinnedMatrix,
    hist: &[Stats],
    total: &Stats,
    allowed: &[bool],
    p: &GrowParams,
) -> Option<Split> {
    let parent = score(total, p.lambda_l2);
    let mut best: Option<Split> = None;
    for f in 0..m.n_features {
        if !allowed[f] {
            continue;
        }
        let h = &hist[m.offsets[f]..m.offsets[f + 1]];
        let missing = h[MISSING_BIN as usize];
        let mut acc = Stats::default();
        // thresholds: value bins 1..=t left, t ranges over bins that leave a value bin right
        for (t, bin) in h.iter().enumerate().take(h.len().saturating_sub(1)).skip(1) {
            acc.add(bin);
            let directions: &[bool] = if missing.n > 0 {
                &[false, true]
            } else {
                &[false]
            };
            for &miss_left in directions {
                let mut left = acc;
                if miss_left {
                    left.add(&missing);
                }
                let right = total.sub(&left);
                if left.n < p.min_data_in_leaf
                    || right.n < p.min_data_in_leaf
                    || left.h < p.min_child_weight
                    || right.h < p.min_child_weight
                {
                    continue;
                }
                let gain = score(&left, p.lambda_l2) + score(&right, p.lambda_l2) - parent;
                if gain > p.min_split_gain && best.is_none_or(|b| gain > b.gain) {
                    // with no missing values seen, unseen missing values follow the larger side
                    let default_left = if missing.n > 0 {
                        miss_left
                    } else {
                        left.h >= right.h
                    };
                    best = Some(Split {
                        feature: f,
                        bin: t,
                        default_left,
                        gain,
                        left,
                        right,
                    });
                }
            }
        }
    }
    best
}

/// Leaf output: the Newton step `-G / (H + λ)`, shrunk by the learning rate.
pub fn leaf_value(s: &Stats, p: &GrowParams) -> f32 {
    (-s.g / (s.h + p.lambda_l2) * p.learning_rate) as f32
}

struct Leaf {
    node: usize,
    rows: Vec<u32>,
    hist: Vec<Stats>,
    depth: usize,
    split: Option<Split>,
}

/// One grown tree: nodes (root at 0) and the split gain credited to each feature.
pub struct GrownTree {
    pub nodes: Vec<Node>,
    pub gains: Vec<(usize, f64)>,
}

/// Grows a tree leaf-wise: always splits the leaf whose best split gains most, until
/// `max_leaves` or no split passes the limits.
pub fn grow_tree(
    m: &BinnedMatrix,
    rows: Vec<u32>,
    grad: &[f32],
    hess: &[f32],
    allowed: &[bool],
    p: &GrowParams,
) -> GrownTree {
    let mut hist = vec![Stats::default(); m.total_bins()];
    build_histogram(m, &rows, grad, hess, &mut hist);
    let mut total = Stats::default();
    // every row sits in exactly one bin of feature 0
    for s in &hist[m.offsets[0]..m.offsets[1]] {
        total.add(s);
    }
    let mut nodes = vec![Node::leaf(leaf_value(&total, p))];
    let mut gains = Vec::new();
    let can_split = |depth: usize, n: u32| {
        (p.max_depth == 0 || depth < p.max_depth) && n >= 2 * p.min_data_in_leaf.max(1)
    };
    let split = if can_split(0, total.n) {
        find_best_split(m, &hist, &total, allowed, p)
    } else {
        None
    };
    let mut leaves = vec![Leaf {
        node: 0,
        rows,
        hist,
        depth: 0,
        split,
    }];
    let mut n_leaves = 1;
    while n_leaves < p.max_leaves.max(2) {
        let Some(pick) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.split.map(|s| (i, s.gain)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
        else {
            break;
        };
        let leaf = leaves.swap_remove(pick);
        let s = leaf.split.expect("picked leaves have a split");
        let nf = m.n_features;
        let (mut lrows, mut rrows) = (Vec::new(), Vec::new());
        for &r in &leaf.rows {
            let b = m.bins[r as usize * nf + s.feature];
            let left = if b == MISSING_BIN {
                s.default_left
            } else {
                (b as usize) <= s.bin
            };
            if left {
                lrows.push(r)
            } else {
                rrows.push(r)
            }
        }
        let li = nodes.len();
        nodes.push(Node::leaf(leaf_value(&s.left, p)));
        nodes.push(Node::leaf(leaf_value(&s.right, p)));
        nodes[leaf.node] = Node {
            feature: s.feature as u32,
            threshold: m.features[s.feature].bounds[s.bin - 1],
            left: li as u32,
            right: li as u32 + 1,
            default_left: s.default_left,
            value: 0.0,
        };
        gains.push((s.feature, s.gain));
        n_leaves += 1;

        // histogram of the smaller child by a pass over its rows, the other by subtraction
        let mut small = vec![Stats::default(); m.total_bins()];
        let left_smaller = lrows.len() <= rrows.len();
        build_histogram(
            m,
            if left_smaller { &lrows } else { &rrows },
            grad,
            hess,
            &mut small,
        );
        let mut large = leaf.hist;
        for (l, sm) in large.iter_mut().zip(&small) {
            *l = l.sub(sm);
        }
        let (lhist, rhist) = if left_smaller {
            (small, large)
        } else {
            (large, small)
        };
        let depth = leaf.depth + 1;
        for (node, rows, hist, total) in
            [(li, lrows, lhist, s.left), (li + 1, rrows, rhist, s.right)]
        {
            let split = if can_split(depth, total.n) {
                find_best_split(m, &hist, &total, allowed, p)
            } else {
                None
            };
            leaves.push(Leaf {
                node,
                rows,
                hist,
                depth,
                split,
            });
        }
    }
    GrownTree { nodes, gains }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> GrowParams {
        GrowParams {
            max_leaves: 31,
            max_depth: 0,
            min_child_weight: 0.0,
            min_data_in_leaf: 1,
            lambda_l2: 0.0,
            min_split_gain: 0.0,
            learning_rate: 1.0,
        }
    }

    #[test]
    fn finds_the_known_best_split_on_tiny_data() {
        // feature 0 is noise, feature 1 separates rows {0,1,2} (g=-1) from {3,4,5} (g=+1)
        let x = [
            5.0, 1.0, //
            1.0, 2.0, //
            3.0, 3.0, //
            2.0, 10.0, //
            6.0, 11.0, //
            4.0, 12.0,
        ];
        let m = BinnedMatrix::build(&x, 2, 255);
        let grad = [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0];
        let hess = [1.0; 6];
        let rows: Vec<u32> = (0..6).collect();
        let mut hist = vec![Stats::default(); m.total_bins()];
        build_histogram(&m, &rows, &grad, &hess, &mut hist);
        let total = Stats {
            g: 0.0,
            h: 6.0,
            n: 6,
        };
        let s = find_best_split(&m, &hist, &total, &[true, true], &params()).unwrap();
        assert_eq!(s.feature, 1);
        assert_eq!(m.features[1].bounds[s.bin - 1], 6.5);
        // gain = 3²/3 + 3²/3 - 0 = 6
        assert!((s.gain - 6.0).abs() < 1e-12);
        assert_eq!(
            s.left,
            Stats {
                g: -3.0,
                h: 3.0,
                n: 3
            }
        );
    }

    #[test]
    fn learns_where_missing_values_go() {
        // missing rows carry positive gradients like the high values: they must go right
        let x = [1.0, 2.0, 3.0, 10.0, 11.0, f32::NAN, f32::NAN];
        let m = BinnedMatrix::build(&x, 1, 255);
        let grad = [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0];
        let hess = [1.0; 7];
        let rows: Vec<u32> = (0..7).collect();
        let mut hist = vec![Stats::default(); m.total_bins()];
        build_histogram(&m, &rows, &grad, &hess, &mut hist);
        let total = Stats {
            g: 1.0,
            h: 7.0,
            n: 7,
        };
        let s = find_best_split(&m, &hist, &total, &[true], &params()).unwrap();
        assert!(!s.default_left);
        assert_eq!(s.bin, 3);
        assert_eq!(s.right.n, 4);
    }

    #[test]
    fn min_child_weight_and_disallowed_features_block_splits() {
        let x = [1.0, 2.0];
        let m = BinnedMatrix::build(&x, 1, 255);
        let mut hist = vec![Stats::default(); m.total_bins()];
        build_histogram(&m, &[0, 1], &[-1.0, 1.0], &[1.0, 1.0], &mut hist);
        let total = Stats {
            g: 0.0,
            h: 2.0,
            n: 2,
        };
        let mut p = params();
        assert!(find_best_split(&m, &hist, &total, &[false], &p).is_none());
        p.min_child_weight = 1.5;
        assert!(find_best_split(&m, &hist, &total, &[true], &p).is_none());
    }

    #[test]
    fn grown_tree_fits_a_step_exactly() {
        let x: Vec<f32> = (0..20).map(|i| i as f32).collect();
        let m = BinnedMatrix::build(&x, 1, 255);
        let grad: Vec<f32> = (0..20).map(|i| if i < 8 { -2.0 } else { 2.0 }).collect();
        let hess = vec![1.0; 20];
        let t = grow_tree(&m, (0..20).collect(), &grad, &hess, &[true], &params());
        let mut f = crate::tree::Forest::default();
        f.push_tree(&t.nodes);
        assert_eq!(f.raw_score(&[3.0]), 2.0);
        assert_eq!(f.raw_score(&[15.0]), -2.0);
        assert_eq!(t.gains[0].0, 0);
    }
}
