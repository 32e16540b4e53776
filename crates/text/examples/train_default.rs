//! Trains the shipped model on the synthetic corpus and writes it to `model/default.fzt`
//! (`cargo run --release -p fanzha-text --example train_default -- [OUT] [EVAL.csv.gz]`); with
//! a labelled file, also prints the model's macro-F1 on it.
use fanzha_text::{dataset, default_model, eval, FraudType};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args.get(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/model/default.fzt"))
    });
    let t = std::time::Instant::now();
    let model = default_model::train_default().expect("training the default model");
    model.save(&out).expect("writing the model");
    eprintln!(
        "{} features, {} bytes, {:.1}s → {}",
        model.n_features(),
        std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0),
        t.elapsed().as_secs_f64(),
        out.display()
    );
    if let Some(eval_path) = args.get(2) {
        let rows = dataset::read_labelled(eval_path.as_ref(), Some("id"), "text", "label").unwrap();
        let clf = fanzha_text::Classifier::new(model);
        let truth: Vec<FraudType> = rows.iter().map(|r| r.label).collect();
        let pred: Vec<FraudType> = rows
            .iter()
            .map(|r| clf.classify(&r.text).fraud_type)
            .collect();
        let r = eval::score_against(&truth, &pred);
        println!(
            "macro-F1 over the file's types {:.4}, accuracy {:.4}",
            r.macro_f1, r.accuracy
        );
        for (c, s) in &r.per_class {
            println!(
                "  {c:28} f1 {:.4} p {:.3} r {:.3} ({})",
                s.f1, s.precision, s.recall, s.support
            );
        }
        let mut conf = std::collections::BTreeMap::new();
        for (t, p) in truth.iter().zip(&pred) {
            if t != p {
                *conf.entry((t.code(), p.code())).or_insert(0) += 1;
            }
        }
        let mut conf: Vec<_> = conf.into_iter().collect();
        conf.sort_by_key(|c| std::cmp::Reverse(c.1));
        for ((t, p), n) in conf.iter().take(15) {
            println!("  {t} -> {p}: {n}");
        }
    }
}
