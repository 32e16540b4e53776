//! Cross-validated macro-F1 and model size for several pruning thresholds, from one training
//! per fold (`Model::pruned` applied to the unpruned fold model); used to choose the default of
//! `TrainOptions::prune_below` in docs/text.md.
//! `cargo run --release -p fanzha-text --example cv_prune -- FILE.csv.gz [THRESHOLD ...]`
use fanzha_text::{
    dataset, eval, features::Extracted, model::ModelInfo, train::train_extracted, Classifier,
    FraudType, TrainOptions,
};
use rayon::prelude::*;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = dataset::read_labelled(Path::new(&args[1]), Some("id"), "text", "label").unwrap();
    let mut thresholds: Vec<f32> = args[2..].iter().map(|a| a.parse().unwrap()).collect();
    if thresholds.is_empty() {
        thresholds = vec![0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
    }
    let labels: Vec<FraudType> = rows.iter().map(|r| r.label).collect();
    let opts = TrainOptions {
        prune_below: 0.0,
        ..TrainOptions::default()
    };
    let docs: Vec<Extracted> = rows
        .par_iter()
        .map(|r| opts.features.extract(&r.text))
        .collect();
    let fold = eval::stratified_folds(&labels, 5, 20_261_123).unwrap();
    let mut f1 = vec![Vec::new(); thresholds.len()];
    let mut features = vec![0usize; thresholds.len()];
    for f in 0..5 {
        let (tr, te): (Vec<usize>, Vec<usize>) = (0..labels.len()).partition(|&i| fold[i] != f);
        let tr_docs: Vec<Extracted> = tr.iter().map(|&i| docs[i].clone()).collect();
        let tr_labels: Vec<FraudType> = tr.iter().map(|&i| labels[i]).collect();
        let full = train_extracted(&tr_docs, &tr_labels, &opts, ModelInfo::default()).unwrap();
        for (t, &below) in thresholds.iter().enumerate() {
            let clf = Classifier::new(full.clone().pruned(below));
            features[t] += clf.model().n_features();
            let truth: Vec<FraudType> = te.iter().map(|&i| labels[i]).collect();
            let pred: Vec<FraudType> = te
                .iter()
                .map(|&i| clf.classify_extracted(&docs[i]).fraud_type)
                .collect();
            f1[t].push(eval::f1_scores(&truth, &pred).0);
        }
    }
    for (t, below) in thresholds.iter().enumerate() {
        let v = &f1[t];
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        let folds: Vec<String> = v.iter().map(|x| format!("{x:.4}")).collect();
        println!(
            "prune_below {below:e}: macro-F1 {mean:.4} ± {sd:.4} [{}], {} features per fold model",
            folds.join(" "),
            features[t] / 5
        );
    }
}
