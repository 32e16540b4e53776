//! Writes out-of-fold class margins of one training configuration, for comparing learners and
//! ensembles on identical folds.
//! `cargo run --release -p fanzha-text --example cv_margins -- DATA OUT.csv [word_max=N]
//! [char_min=N] [char_max=N] [c=F] [nonb] [learner=ovr|cs|average]
//! [nb_power=F] [nb_alpha=F] [min_df=N] [hinge] [drop=FILE]`
//! `drop=FILE`: row numbers (0-based, one a line) left out of every training fold (they are
//! still scored), for measuring training-set cleaning.
use fanzha_text::{dataset, eval, features::Extracted, model::ModelInfo, train, TrainOptions};
use rayon::prelude::*;
use std::fmt::Write;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = dataset::read_labelled(Path::new(&args[1]), Some("id"), "text", "label").unwrap();
    let labels: Vec<_> = rows.iter().map(|r| r.label).collect();
    let mut opts = TrainOptions::default();
    let get = |k: &str| args.iter().find_map(|a| a.strip_prefix(k));
    if let Some(v) = get("word_max=") {
        opts.features.word_max = v.parse().unwrap();
    }
    if let Some(v) = get("char_min=") {
        opts.features.char_min = v.parse().unwrap();
    }
    if let Some(v) = get("char_max=") {
        opts.features.char_max = v.parse().unwrap();
    }
    if let Some(v) = get("c=") {
        opts.c = v.parse().unwrap();
    }
    if let Some(v) = get("nb_power=") {
        opts.nb_power = v.parse().unwrap();
    }
    if let Some(v) = get("nb_alpha=") {
        opts.nb_alpha = v.parse().unwrap();
    }
    if let Some(v) = get("min_df=") {
        opts.min_df = v.parse().unwrap();
    }
    if let Some(v) = get("learner=") {
        opts.learner = v.parse().unwrap();
    }
    opts.hinge = args.iter().any(|a| a == "hinge");
    opts.nb_scaling = !args.iter().any(|a| a == "nonb");
    let docs: Vec<Extracted> = rows
        .par_iter()
        .map(|r| opts.features.extract(&r.text))
        .collect();
    let dropped: std::collections::HashSet<usize> = get("drop=")
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| l.trim().parse().unwrap())
                .collect()
        })
        .unwrap_or_default();
    let fold = eval::stratified_folds(&labels, 5, 20_261_123).unwrap();
    let mut out = String::new();
    let mut classes = Vec::new();
    let mut margins = vec![Vec::new(); labels.len()];
    for f in 0..5 {
        let tr: Vec<usize> = (0..labels.len())
            .filter(|&i| fold[i] != f && !dropped.contains(&i))
            .collect();
        let d: Vec<Extracted> = tr.iter().map(|&i| docs[i].clone()).collect();
        let l: Vec<_> = tr.iter().map(|&i| labels[i]).collect();
        let m = train::train_extracted(&d, &l, &opts, ModelInfo::default()).unwrap();
        classes = m.classes.clone();
        let mut act = Vec::new();
        for i in (0..labels.len()).filter(|&i| fold[i] == f) {
            m.vectorize(&docs[i], &mut act);
            margins[i] = m.margins(&act);
        }
        eprintln!("fold {f}");
    }
    out.push_str("fold,label");
    for c in &classes {
        write!(out, ",{}", c.code()).unwrap();
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
