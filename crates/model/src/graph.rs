//! Graph features over a relation between ids (a call graph among numbers, accounts that
//! transfer to each other, …): degree, aggregates of the neighbours' features, and label
//! features — known-fraud neighbours and a label-propagation score.
//!
//! Label features only ever see the labels they are given: training computes them for each
//! row from the labels of *other* folds (out-of-fold), scoring from the training labels kept in
//! the model, with the rows being scored left unlabelled.

use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// An undirected graph in compressed adjacency form; self-loops and duplicate edges dropped.
#[derive(Debug, Default)]
pub struct Graph {
    index: HashMap<String, u32>,
    offsets: Vec<usize>,
    adj: Vec<u32>,
}

impl Graph {
    /// Builds the graph from `(a, b)` id pairs; each pair links both ways.
    pub fn from_edges<I, S>(edges: I) -> Graph
    where
        I: IntoIterator<Item = (S, S)>,
        S: AsRef<str>,
    {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut id = |s: &str| -> u32 {
            let s = s.trim();
            if let Some(&i) = index.get(s) {
                return i;
            }
            let i = index.len() as u32;
            index.insert(s.to_string(), i);
            i
        };
        for (a, b) in edges {
            let (a, b) = (id(a.as_ref()), id(b.as_ref()));
            if a != b {
                pairs.push((a, b));
                pairs.push((b, a));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let n = index.len();
        let mut offsets = vec![0usize; n + 1];
        for &(a, _) in &pairs {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let adj = pairs.into_iter().map(|(_, b)| b).collect();
        Graph {
            index,
            offsets,
            adj,
        }
    }

    pub fn n_nodes(&self) -> usize {
        self.index.len()
    }

    /// Number of undirected edges.
    pub fn n_edges(&self) -> usize {
        self.adj.len() / 2
    }

    pub fn node(&self, id: &str) -> Option<u32> {
        self.index.get(id.trim()).copied()
    }

    pub fn neighbours(&self, node: u32) -> &[u32] {
        &self.adj[self.offsets[node as usize]..self.offsets[node as usize + 1]]
    }
}

/// How graph features are made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphParams {
    /// Folds for out-of-fold label features on the training rows.
    pub inner_folds: usize,
    /// Steps of label propagation.
    pub propagation_steps: usize,
    /// Add the mean and max of each feature over the neighbours.
    pub neighbour_aggregates: bool,
}

impl Default for GraphParams {
    fn default() -> Self {
        GraphParams {
            inner_folds: 10,
            propagation_steps: 10,
            neighbour_aggregates: true,
        }
    }
}

/// What the model keeps from training to make graph features at scoring time: the training
/// rows' ids, labels and base features. A model file with a graph memory is therefore as
/// sensitive as its training data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphMemory {
    pub params: GraphParams,
    pub n_base: usize,
    pub ids: Vec<String>,
    pub labels: Vec<f32>,
    /// Row-major, `n_base` per id; missing values are written as JSON `null`.
    #[serde(with = "nan_as_null")]
    pub features: Vec<f32>,
}

/// JSON has no NaN: missing feature values travel as `null`.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let opt: Vec<Option<f32>> = v.iter().map(|x| x.is_finite().then_some(*x)).collect();
        opt.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let opt: Vec<Option<f32>> = Vec::deserialize(d)?;
        Ok(opt.into_iter().map(|x| x.unwrap_or(f32::NAN)).collect())
    }
}

const LABEL_FEATURES: [&str; 4] = [
    "graph_labelled_neighbours",
    "graph_fraud_neighbours",
    "graph_fraud_share",
    "graph_label_propagation",
];

/// Names of the graph features appended after `base` features, in order.
pub fn feature_names(base: &[String], p: &GraphParams) -> Vec<String> {
    let mut names = vec!["graph_degree".to_string()];
    names.extend(LABEL_FEATURES.iter().map(|s| s.to_string()));
    if p.neighbour_aggregates {
        names.extend(base.iter().map(|b| format!("graph_mean_{b}")));
        names.extend(base.iter().map(|b| format!("graph_max_{b}")));
    }
    names
}

pub fn n_features(n_base: usize, p: &GraphParams) -> usize {
    1 + LABEL_FEATURES.len()
        + if p.neighbour_aggregates {
            2 * n_base
        } else {
            0
        }
}

/// Per graph node: index of its row in the memory, if any.
fn memory_rows(graph: &Graph, mem_ids: &[String]) -> Vec<Option<u32>> {
    let mut rows = vec![None; graph.n_nodes()];
    for (i, id) in mem_ids.iter().enumerate() {
        if let Some(n) = graph.node(id) {
            rows[n as usize] = Some(i as u32);
        }
    }
    rows
}

/// Label propagation: known nodes stay at their label, the others take the mean of their
/// neighbours each step, starting from the prior.
fn propagate(graph: &Graph, known: &[f32], steps: usize) -> Vec<f32> {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for &y in known.iter().filter(|y| !y.is_nan()) {
        sum += y as f64;
        n += 1;
    }
    let prior = if n == 0 { 0.5 } else { (sum / n as f64) as f32 };
    let mut s: Vec<f32> = known
        .iter()
        .map(|&y| if y.is_nan() { prior } else { y })
        .collect();
    let mut next = s.clone();
    for _ in 0..steps {
        for v in 0..graph.n_nodes() {
            if !known[v].is_nan() {
                continue;
            }
            let nb = graph.neighbours(v as u32);
            if nb.is_empty() {
                continue;
            }
            let t: f32 = nb.iter().map(|&w| s[w as usize]).sum();
            next[v] = t / nb.len() as f32;
        }
        std::mem::swap(&mut s, &mut next);
    }
    s
}

/// Writes the label features of `node` given per-node labels (NaN = unknown) and propagation.
fn label_features(graph: &Graph, node: u32, known: &[f32], prop: &[f32], out: &mut [f32]) {
    let (mut lab, mut fraud) = (0u32, 0u32);
    for &w in graph.neighbours(node) {
        let y = known[w as usize];
        if !y.is_nan() {
            lab += 1;
            if y == 1.0 {
                fraud += 1;
            }
        }
    }
    out[0] = lab as f32;
    out[1] = fraud as f32;
    out[2] = if lab == 0 {
        f32::NAN
    } else {
        fraud as f32 / lab as f32
    };
    out[3] = prop[node as usize];
}

/// Degree and neighbour aggregates over the neighbours that have a memory row.
fn structural_features(
    graph: &Graph,
    node: u32,
    mem_rows: &[Option<u32>],
    mem: &GraphMemory,
    out: &mut [f32],
) {
    let nb = graph.neighbours(node);
    out[0] = nb.len() as f32;
    if !mem.params.neighbour_aggregates {
        return;
    }
    let k = mem.n_base;
    let base = 1 + LABEL_FEATURES.len();
    let (means, maxes) = out[base..base + 2 * k].split_at_mut(k);
    let mut counts = vec![0u32; k];
    means.iter_mut().for_each(|m| *m = 0.0);
    maxes.iter_mut().for_each(|m| *m = f32::NAN);
    for &w in nb {
        let Some(r) = mem_rows[w as usize] else {
            continue;
        };
        let row = &mem.features[r as usize * k..(r as usize + 1) * k];
        for f in 0..k {
            let x = row[f];
            if x.is_nan() {
                continue;
            }
            counts[f] += 1;
            means[f] += x;
            if maxes[f].is_nan() || x > maxes[f] {
                maxes[f] = x;
            }
        }
    }
    for f in 0..k {
        means[f] = if counts[f] == 0 {
            f32::NAN
        } else {
            means[f] / counts[f] as f32
        };
    }
}

/// Graph features (row-major, [`n_features`] per row) for rows that are *not* in the memory's
/// labels: label features use every memory label, with the scored ids left unlabelled.
pub fn features_for_scoring(graph: &Graph, mem: &GraphMemory, ids: &[String]) -> Vec<f32> {
    let width = n_features(mem.n_base, &mem.params);
    let mem_rows = memory_rows(graph, &mem.ids);
    let mut known = vec![f32::NAN; graph.n_nodes()];
    for (n, r) in mem_rows.iter().enumerate() {
        if let Some(r) = r {
            known[n] = mem.labels[*r as usize];
        }
    }
    let nodes: Vec<Option<u32>> = ids.iter().map(|id| graph.node(id)).collect();
    for n in nodes.iter().flatten() {
        known[*n as usize] = f32::NAN;
    }
    let prop = propagate(graph, &known, mem.params.propagation_steps);
    let mut out = vec![f32::NAN; ids.len() * width];
    for (i, node) in nodes.iter().enumerate() {
        let row = &mut out[i * width..(i + 1) * width];
        fill_row(graph, *node, &mem_rows, mem, &known, &prop, row);
    }
    out
}

fn fill_row(
    graph: &Graph,
    node: Option<u32>,
    mem_rows: &[Option<u32>],
    mem: &GraphMemory,
    known: &[f32],
    prop: &[f32],
    row: &mut [f32],
) {
    match node {
        Some(n) => {
            structural_features(graph, n, mem_rows, mem, row);
            label_features(graph, n, known, prop, &mut row[1..1 + LABEL_FEATURES.len()]);
        }
        // an id with no edge: degree 0, nothing known about neighbours
        None => {
            row.iter_mut().for_each(|x| *x = f32::NAN);
            row[0] = 0.0;
            row[1] = 0.0;
            row[2] = 0.0;
        }
    }
}

/// Graph features of the memory's own rows for training. Label features of a row come from
/// the labels of the other `inner_folds - 1` folds only (stratified, seeded), so a row never
/// sees its own label, not even through a propagation cycle.
pub fn features_for_training(graph: &Graph, mem: &GraphMemory, seed: u64) -> Vec<f32> {
    let width = n_features(mem.n_base, &mem.params);
    let mem_rows = memory_rows(graph, &mem.ids);
    let nodes: Vec<Option<u32>> = mem.ids.iter().map(|id| graph.node(id)).collect();
    let folds = stratified_folds(&mem.labels, mem.params.inner_folds.max(2), seed);
    let mut out = vec![f32::NAN; mem.ids.len() * width];
    for k in 0..mem.params.inner_folds.max(2) {
        let mut known = vec![f32::NAN; graph.n_nodes()];
        for (i, n) in nodes.iter().enumerate() {
            if let Some(n) = n {
                if folds[i] != k {
                    known[*n as usize] = mem.labels[i];
                }
            }
        }
        let prop = propagate(graph, &known, mem.params.propagation_steps);
        for (i, node) in nodes.iter().enumerate() {
            if folds[i] == k {
                let row = &mut out[i * width..(i + 1) * width];
                fill_row(graph, *node, &mem_rows, mem, &known, &prop, row);
            }
        }
    }
    out
}

/// Assigns each row a fold in `0..k` so that every fold gets the same share of each class.
pub fn stratified_folds(labels: &[f32], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let mut folds = vec![0usize; labels.len()];
    let mut start = 0;
    for class in [0.0f32, 1.0] {
        let mut idx: Vec<usize> = (0..labels.len())
            .filter(|&i| (labels[i] == 1.0) == (class == 1.0))
            .collect();
        rng.shuffle(&mut idx);
        // continue the round-robin across classes so fold sizes differ by at most one
        let len = idx.len();
        for (j, i) in idx.into_iter().enumerate() {
            folds[i] = (start + j) % k.max(1);
        }
        start = (start + len) % k.max(1);
    }
    folds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(ids: &[&str], labels: &[f32], feats: &[f32]) -> GraphMemory {
        GraphMemory {
            params: GraphParams::default(),
            n_base: 1,
            ids: ids.iter().map(|s| s.to_string()).collect(),
            labels: labels.to_vec(),
            features: feats.to_vec(),
        }
    }

    #[test]
    fn graph_is_undirected_without_loops_or_duplicates() {
        let g = Graph::from_edges([("a", "b"), ("b", "a"), ("a", "a"), ("b", "c")]);
        assert_eq!(g.n_nodes(), 3);
        assert_eq!(g.n_edges(), 2);
        let b = g.node("b").unwrap();
        assert_eq!(g.neighbours(b).len(), 2);
    }

    #[test]
    fn scoring_features_count_known_fraud_neighbours_and_aggregate_features() {
        // q is linked to a (fraud, x=1), b (normal, x=3) and u (unlabelled, not in memory)
        let g = Graph::from_edges([("q", "a"), ("q", "b"), ("q", "u")]);
        let m = mem(&["a", "b"], &[1.0, 0.0], &[1.0, 3.0]);
        let f = features_for_scoring(&g, &m, &["q".to_string(), "zz".to_string()]);
        let w = n_features(1, &m.params);
        assert_eq!(w, 7);
        assert_eq!(&f[0..4], &[3.0, 2.0, 1.0, 0.5]);
        assert_eq!(f[5], 2.0); // mean of 1 and 3
        assert_eq!(f[6], 3.0); // max
                               // q's propagation: mean of a=1, b=0 and u (which only knows q)
        assert!(f[4] > 0.3 && f[4] < 0.7, "{}", f[4]);
        // an id without edges
        assert_eq!(f[w], 0.0);
        assert!(f[w + 3].is_nan());
    }

    #[test]
    fn training_features_never_see_the_rows_own_label() {
        // a 2-node graph: each row's only neighbour is the other; with its own label hidden a
        // row still sees the neighbour's; flipping a row's own label must not change its row
        let g = Graph::from_edges([("a", "b")]);
        let mut m = mem(&["a", "b"], &[1.0, 0.0], &[0.0, 0.0]);
        m.params.inner_folds = 2;
        let f1 = features_for_training(&g, &m, 1);
        m.labels[0] = 0.0;
        let f2 = features_for_training(&g, &m, 1);
        let w = n_features(1, &m.params);
        assert_eq!(&f1[0..w], &f2[0..w]);
    }

    #[test]
    fn stratified_folds_balance_classes() {
        let labels: Vec<f32> = (0..100).map(|i| (i % 4 == 0) as u8 as f32).collect();
        let folds = stratified_folds(&labels, 5, 3);
        for k in 0..5 {
            let rows: Vec<usize> = (0..100).filter(|&i| folds[i] == k).collect();
            assert_eq!(rows.len(), 20);
            assert_eq!(rows.iter().filter(|&&i| labels[i] == 1.0).count(), 5);
        }
    }
}
