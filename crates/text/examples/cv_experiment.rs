//! Cross-validates training options on a labelled CSV; used to choose the defaults in
//! docs/text.md. `cargo run --release -p fanzha-text --example cv_experiment -- FILE [C] [balanced] [prune=1e-3] [learner=ovr|cs|average]`
use fanzha_text::{dataset, eval, features::Extracted, train::TrainOptions};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = dataset::read_labelled(Path::new(&args[1]), Some("id"), "text", "label").unwrap();
    let labels: Vec<_> = rows.iter().map(|r| r.label).collect();
    let mut opts = TrainOptions::default();
    if let Some(c) = args.get(2) {
        opts.c = c.parse().unwrap();
    }
    opts.balanced = args.iter().any(|a| a == "balanced");
    if let Some(cm) = args.iter().find_map(|a| a.strip_prefix("char_max=")) {
        opts.features.char_max = cm.parse().unwrap();
    }
    if let Some(cm) = args.iter().find_map(|a| a.strip_prefix("char_min=")) {
        opts.features.char_min = cm.parse().unwrap();
    }
    if let Some(p) = args.iter().find_map(|a| a.strip_prefix("prune=")) {
        opts.prune_below = p.parse().unwrap();
    }
    if let Some(l) = args.iter().find_map(|a| a.strip_prefix("learner=")) {
        opts.learner = l.parse().unwrap();
    }
    opts.nb_scaling = !args.iter().any(|a| a == "nonb");
    if args.iter().any(|a| a == "nofold") {
        opts.features.fold_digits = false;
    }
    let t = Instant::now();
    let docs: Vec<Extracted> = rows
        .par_iter()
        .map(|r| opts.features.extract(&r.text))
        .collect();
    eprintln!("extract {:.1}s", t.elapsed().as_secs_f64());
    let fold = eval::stratified_folds(&labels, 5, 20_261_123).unwrap();
    if let Some(out) = args.iter().find_map(|a| a.strip_prefix("folds_out=")) {
        let mut s = String::from("row,fold\n");
        for (i, f) in fold.iter().enumerate() {
            s.push_str(&format!("{i},{f}\n"));
        }
        std::fs::write(out, s).unwrap();
    }
    let t = Instant::now();
    let r = eval::cross_validate(&docs, &labels, &fold, &opts).unwrap();
    eprintln!("cv {:.1}s", t.elapsed().as_secs_f64());
    println!(
        "macro {:.4} ± {:.4} acc {:.4}",
        r.macro_f1_mean, r.macro_f1_sd, r.accuracy
    );
    if args.iter().any(|a| a == "confusion") {
        let mut m = std::collections::BTreeMap::new();
        for (t, p) in labels.iter().zip(&r.predictions) {
            if t != p {
                *m.entry((t.code(), p.code())).or_insert(0) += 1;
            }
        }
        for ((t, p), n) in m {
            println!("  {t} -> {p}: {n}");
        }
    }
    for (c, s) in &r.per_class {
        println!("  {c:28} {:.4} ({})", s.f1, s.support);
    }
}
