//! Writes out-of-fold margins of pairwise specialists: for every pair of types, a model trained
//! only on the texts of those two types, scored on every held-out text (`margin(a) − margin(b)`
//! in column `a|b`). Used to evaluate top-2 re-ranking on identical folds.
//! `cargo run --release -p fanzha-text --example cv_pairs -- DATA OUT.csv [word_max=N]
//! [char_max=N] [c=F] [learner=ovr|cs|average]` (default learner: ovr)
use fanzha_text::{dataset, eval, features::Extracted, model::ModelInfo, train, TrainOptions};
use rayon::prelude::*;
use std::fmt::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = dataset::read_labelled(Path::new(&args[1]), Some("id"), "text", "label").unwrap();
    let labels: Vec<_> = rows.iter().map(|r| r.label).collect();
    let mut opts = TrainOptions {
        learner: fanzha_text::Learner::OneVsRest,
        ..TrainOptions::default()
    };
    let get = |k: &str| args.iter().find_map(|a| a.strip_prefix(k));
    if let Some(v) = get("word_max=") {
        opts.features.word_max = v.parse().unwrap();
    }
    if let Some(v) = get("char_max=") {
        opts.features.char_max = v.parse().unwrap();
    }
    if let Some(v) = get("c=") {
        opts.c = v.parse().unwrap();
    }
    if let Some(v) = get("learner=") {
        opts.learner = v.parse().unwrap();
    }
    let docs: Vec<Extracted> = rows
        .par_iter()
        .map(|r| opts.features.extract(&r.text))
        .collect();
    let fold = eval::stratified_folds(&labels, 5, 20_261_123).unwrap();
    let mut classes = labels.clone();
    classes.sort();
    classes.dedup();
    let pairs: Vec<(usize, usize)> = (0..classes.len())
        .flat_map(|a| (a + 1..classes.len()).map(move |b| (a, b)))
        .collect();
    let mut margins = vec![vec![0.0f32; pairs.len()]; labels.len()];
    for f in 0..5 {
        let per_pair: Vec<Vec<(usize, f32)>> = pairs
            .par_iter()
            .map(|&(a, b)| {
                let tr: Vec<usize> = (0..labels.len())
                    .filter(|&i| {
                        fold[i] != f && (labels[i] == classes[a] || labels[i] == classes[b])
                    })
                    .collect();
                let d: Vec<Extracted> = tr.iter().map(|&i| docs[i].clone()).collect();
                let l: Vec<_> = tr.iter().map(|&i| labels[i]).collect();
                let m = train::train_extracted(&d, &l, &opts, ModelInfo::default()).unwrap();
                let ia = m.classes.iter().position(|c| *c == classes[a]).unwrap();
                let ib = m.classes.iter().position(|c| *c == classes[b]).unwrap();
                let mut act = Vec::new();
                (0..labels.len())
                    .filter(|&i| fold[i] == f)
                    .map(|i| {
                        m.vectorize(&docs[i], &mut act);
                        let mm = m.margins(&act);
                        (i, mm[ia] - mm[ib])
                    })
                    .collect()
            })
            .collect();
        for (p, v) in per_pair.into_iter().enumerate() {
            for (i, x) in v {
                margins[i][p] = x;
            }
        }
        eprintln!("fold {f}");
    }
    let mut out = String::from("fold,label");
    for &(a, b) in &pairs {
        write!(out, ",{}|{}", classes[a].code(), classes[b].code()).unwrap();
    }
    out.push('\n');
    for i in 0..labels.len() {
        write!(out, "{},{}", fold[i], labels[i].code()).unwrap();
        for v in &margins[i] {
            write!(out, ",{v}").unwrap();
        }
        out.push('\n');
    }
    std::fs::write(&args[2], out).unwrap();
}
