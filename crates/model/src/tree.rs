//! The trained ensemble in flattened arrays: every node of every tree in one `Vec<Node>`, trees
//! addressed by their root index. Scoring walks plain indices, allocates nothing and touches
//! one small struct per level.

use serde::{Deserialize, Serialize};

/// One node. A leaf has `feature == LEAF`; its output is `value`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub feature: u32,
    /// Go left when `x <= threshold`.
    pub threshold: f32,
    pub left: u32,
    pub right: u32,
    /// Where missing values (NaN) go.
    pub default_left: bool,
    /// Leaf output (already scaled by the learning rate); 0 for inner nodes.
    pub value: f32,
}

pub const LEAF: u32 = u32::MAX;

impl Node {
    pub fn leaf(value: f32) -> Node {
        Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            default_left: false,
            value,
        }
    }

    #[inline]
    pub fn is_leaf(&self) -> bool {
        self.feature == LEAF
    }
}

/// A boosted ensemble: raw score = `base_score + Σ tree(x)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    pub nodes: Vec<Node>,
    pub roots: Vec<u32>,
    pub base_score: f32,
}

impl Forest {
    /// Appends a tree given with node indices local to it (root at 0).
    pub fn push_tree(&mut self, tree: &[Node]) {
        let base = self.nodes.len() as u32;
        self.roots.push(base);
        for n in tree {
            let mut n = *n;
            if !n.is_leaf() {
                n.left += base;
                n.right += base;
            }
            self.nodes.push(n);
        }
    }

    /// Keeps only the first `n` trees.
    pub fn truncate(&mut self, n: usize) {
        if n < self.roots.len() {
            let end = self.roots[n] as usize;
            self.roots.truncate(n);
            self.nodes.truncate(end);
        }
    }

    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }

    /// Output of one tree.
    #[inline]
    pub fn tree_value(&self, root: u32, x: &[f32]) -> f32 {
        let mut i = root as usize;
        loop {
            let n = &self.nodes[i];
            if n.is_leaf() {
                return n.value;
            }
            let v = x[n.feature as usize];
            let go_left = if v.is_nan() {
                n.default_left
            } else {
                v <= n.threshold
            };
            i = if go_left { n.left } else { n.right } as usize;
        }
    }

    /// The raw (log-odds) score of one row.
    #[inline]
    pub fn raw_score(&self, x: &[f32]) -> f32 {
        let mut s = self.base_score;
        for &r in &self.roots {
            s += self.tree_value(r, x);
        }
        s
    }

    /// Checks that every index points inside the arrays and no tree loops, so scoring a loaded
    /// model can never panic or hang.
    pub fn check(&self, n_features: usize) -> Result<(), String> {
        let n = self.nodes.len();
        for (k, &root) in self.roots.iter().enumerate() {
            let end = self.roots.get(k + 1).map(|&e| e as usize).unwrap_or(n);
            if root as usize >= end || end > n {
                return Err(format!("tree {k} has a bad root index"));
            }
            for (i, node) in self.nodes[root as usize..end].iter().enumerate() {
                let i = i + root as usize;
                if node.is_leaf() {
                    if !node.value.is_finite() {
                        return Err(format!("node {i} has a non-finite value"));
                    }
                    continue;
                }
                if node.feature as usize >= n_features {
                    return Err(format!(
                        "node {i} uses feature {} of {n_features}",
                        node.feature
                    ));
                }
                // children always come after their parent inside the same tree: no cycles
                for c in [node.left as usize, node.right as usize] {
                    if c <= i || c >= end {
                        return Err(format!("node {i} has a bad child index {c}"));
                    }
                }
            }
        }
        if !self.base_score.is_finite() {
            return Err("base score is not finite".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stump(feature: u32, threshold: f32, default_left: bool) -> Vec<Node> {
        vec![
            Node {
                feature,
                threshold,
                left: 1,
                right: 2,
                default_left,
                value: 0.0,
            },
            Node::leaf(-1.0),
            Node::leaf(1.0),
        ]
    }

    #[test]
    fn rows_follow_threshold_and_missing_direction() {
        let mut f = Forest::default();
        f.push_tree(&stump(0, 0.5, true));
        f.push_tree(&stump(1, 10.0, false));
        assert_eq!(f.raw_score(&[0.0, 20.0]), 0.0);
        assert_eq!(f.raw_score(&[0.5, 10.0]), -2.0);
        assert_eq!(f.raw_score(&[f32::NAN, f32::NAN]), 0.0);
        assert_eq!(f.raw_score(&[1.0, 0.0]), 0.0);
        assert!(f.check(2).is_ok());
        assert!(f.check(1).is_err());
    }

    #[test]
    fn check_rejects_cycles() {
        let mut f = Forest::default();
        let mut t = stump(0, 0.5, true);
        t[0].left = 0;
        f.push_tree(&t);
        assert!(f.check(1).is_err());
    }
}
