//! `fanzha text train|classify|cv|eval`: the fraud-type classifier for SMS and case narratives
//! (诈骗类型研判); `fanzha bench text`: classification throughput on one core.

use crate::error::{CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_text::dataset::{self, LabelledText};
use fanzha_text::eval;
use fanzha_text::features::Extracted;
use fanzha_text::model::ModelInfo;
use fanzha_text::{default_classifier, Classifier, FraudType, Learner, TrainOptions};
use rayon::prelude::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum TextCommand {
    /// Train a classifier on labelled texts (CSV or CSV.gz) and write the model file.
    Train(TrainArgs),
    /// Classify texts; writes CSV `id,label_en,score,top_terms`.
    Classify(ClassifyArgs),
    /// Stratified k-fold cross-validation: macro-F1 mean ± sd and F1 per type.
    Cv(CvArgs),
    /// Score a model (the shipped one by default) on labelled texts.
    Eval(EvalArgs),
}

/// Training knobs shared by `train` and `cv`.
#[derive(clap::Args, Clone)]
pub struct TrainKnobs {
    /// SVM cost C.
    #[arg(long, default_value_t = TrainOptions::default().c)]
    c: f32,
    /// Longest character n-gram.
    #[arg(long, default_value_t = TrainOptions::default().features.char_max)]
    char_max: u8,
    /// Do not weight types inversely to their frequency.
    #[arg(long)]
    unbalanced: bool,
    /// Learner: `ovr` (one-vs-rest NB-SVM), `cs` (Crammer–Singer multi-class SVM) or
    /// `average` (mean of both, folded into one linear model).
    #[arg(long, default_value = "average")]
    learner: Learner,
    /// Drop n-grams whose weights are at most this for every type (0: keep all); smaller,
    /// faster models at no measured cost in macro-F1 (docs/text.md).
    #[arg(long, default_value_t = TrainOptions::default().prune_below)]
    prune_below: f32,
}

impl TrainKnobs {
    fn options(&self) -> TrainOptions {
        let mut o = TrainOptions {
            c: self.c,
            ..TrainOptions::default()
        };
        o.features.char_max = self.char_max;
        if self.unbalanced {
            o.balanced = false;
        }
        o.learner = self.learner;
        o.prune_below = self.prune_below.max(0.0);
        o
    }
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Labelled texts (CSV or CSV.gz).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Column with the type: a code (fake_loan) or the Chinese name (虚假网络贷款).
    #[arg(long, default_value = "label_en")]
    label_col: String,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    knobs: TrainKnobs,
}

#[derive(clap::Args)]
pub struct ClassifyArgs {
    /// Model file (default: the shipped model, trained on fanzha's synthetic corpus).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Texts to classify (CSV or CSV.gz).
    #[arg(long)]
    input: PathBuf,
    #[arg(long, default_value = "id")]
    id_col: String,
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Output CSV (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct CvArgs {
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "text")]
    text_col: String,
    #[arg(long, default_value = "label")]
    label_col: String,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 20_261_123)]
    seed: u64,
    /// Also write the fold of every row (`row,fold`) for comparing other tools on the same folds.
    #[arg(long)]
    folds_out: Option<PathBuf>,
    #[command(flatten)]
    knobs: TrainKnobs,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Model file (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "text")]
    text_col: String,
    #[arg(long, default_value = "label")]
    label_col: String,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Texts to classify (default: fraud_texts/train.csv.gz under the data root).
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, default_value = "text")]
    text_col: String,
    /// Model file (default: the shipped model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Passes over the texts.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

pub fn run(ctx: &Ctx, c: TextCommand) -> CliResult {
    match c {
        TextCommand::Train(a) => train(ctx, a),
        TextCommand::Classify(a) => classify(ctx, a),
        TextCommand::Cv(a) => cv(ctx, a),
        TextCommand::Eval(a) => evaluate(ctx, a),
    }
}

fn load_classifier(path: Option<&Path>) -> CliResult<Classifier> {
    Ok(match path {
        Some(p) => Classifier::load(p)?,
        None => default_classifier().clone(),
    })
}

fn per_class_json<T: serde::Serialize>(
    per_class: &std::collections::BTreeMap<FraudType, T>,
) -> serde_json::Map<String, serde_json::Value> {
    per_class
        .iter()
        .map(|(t, s)| (t.code().to_string(), json!(s)))
        .collect()
}

fn train(ctx: &Ctx, a: TrainArgs) -> CliResult {
    let rows = dataset::read_labelled(&a.data, None, &a.text_col, &a.label_col)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let labels: Vec<FraudType> = rows.iter().map(|r| r.label).collect();
    let started = Instant::now();
    let info = ModelInfo {
        trained_on: a
            .data
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..ModelInfo::default()
    };
    let model = fanzha_text::train(&texts, &labels, &a.knobs.options(), info)?;
    model.save(&a.out)?;
    let mut r = Report::new("模型训练 text model trained");
    r.field("texts", rows.len())
        .field(
            "types",
            model.classes.iter().map(|c| c.code()).collect::<Vec<_>>(),
        )
        .field("features", model.n_features())
        .field("seconds", started.elapsed().as_secs_f64())
        .field("out", a.out.display().to_string());
    r.print(ctx.json);
    Ok(())
}

fn classify(_ctx: &Ctx, a: ClassifyArgs) -> CliResult {
    let clf = load_classifier(a.model.as_deref())?;
    let rows = dataset::read_unlabelled(&a.input, &a.id_col, &a.text_col)?;
    let preds: Vec<_> = rows
        .par_iter()
        .map(|r| (r.id.clone(), clf.classify(&r.text)))
        .collect();
    match &a.out {
        Some(p) => {
            let f = std::fs::File::create(p).code(ErrorCode::Io)?;
            dataset::write_predictions(std::io::BufWriter::new(f), preds).code(ErrorCode::Io)?;
        }
        None => dataset::write_predictions(std::io::stdout().lock(), preds).code(ErrorCode::Io)?,
    }
    Ok(())
}

fn cv(ctx: &Ctx, a: CvArgs) -> CliResult {
    let rows: Vec<LabelledText> = dataset::read_labelled(&a.data, None, &a.text_col, &a.label_col)?;
    let labels: Vec<FraudType> = rows.iter().map(|r| r.label).collect();
    let fold = eval::stratified_folds(&labels, a.folds, a.seed)?;
    if let Some(p) = &a.folds_out {
        let mut s = String::from("row,fold\n");
        for (i, f) in fold.iter().enumerate() {
            s.push_str(&format!("{i},{f}\n"));
        }
        std::fs::write(p, s).code(ErrorCode::Io)?;
    }
    let opts = a.knobs.options();
    let started = Instant::now();
    let docs: Vec<Extracted> = rows
        .par_iter()
        .map(|r| opts.features.extract(&r.text))
        .collect();
    let rep = eval::cross_validate(&docs, &labels, &fold, &opts)?;
    let mut r = Report::new(format!("交叉验证 {}-fold cross-validation", rep.folds));
    r.field("texts", rep.texts)
        .field("macro_f1_mean", rep.macro_f1_mean)
        .field("macro_f1_sd", rep.macro_f1_sd)
        .field("macro_f1_per_fold", &rep.macro_f1_per_fold)
        .field("accuracy", rep.accuracy)
        .field(
            "f1",
            rep.per_class
                .iter()
                .map(|(t, s)| (t.code().to_string(), json!(s.f1)))
                .collect::<serde_json::Map<_, _>>(),
        )
        .field("per_class", per_class_json(&rep.per_class))
        .field("seconds", started.elapsed().as_secs_f64());
    r.print(ctx.json);
    Ok(())
}

fn evaluate(ctx: &Ctx, a: EvalArgs) -> CliResult {
    let clf = load_classifier(a.model.as_deref())?;
    let rows = dataset::read_labelled(&a.data, None, &a.text_col, &a.label_col)?;
    let truth: Vec<FraudType> = rows.iter().map(|r| r.label).collect();
    let pred: Vec<FraudType> = rows
        .par_iter()
        .map(|r| clf.classify(&r.text).fraud_type)
        .collect();
    let e = eval::score_against(&truth, &pred);
    let mut r = Report::new("模型评估 text model evaluation");
    r.field("model", &clf.model().info.trained_on)
        .field("texts", e.texts)
        .field("macro_f1", e.macro_f1)
        .field("accuracy", e.accuracy)
        .field(
            "f1",
            e.per_class
                .iter()
                .map(|(t, s)| (t.code().to_string(), json!(s.f1)))
                .collect::<serde_json::Map<_, _>>(),
        );
    r.print(ctx.json);
    Ok(())
}

/// `fanzha bench text`: texts per second of `Classifier::classify` on one thread.
pub fn bench(ctx: &Ctx, a: BenchArgs) -> CliResult {
    let path = a
        .data
        .unwrap_or_else(|| ctx.config.data_root.join("fraud_texts/train.csv.gz"));
    let rows = dataset::read_unlabelled(&path, "id", &a.text_col)?;
    let started = Instant::now();
    let clf = load_classifier(a.model.as_deref())?;
    let load_s = started.elapsed().as_secs_f64();
    // Warm-up: the segmenter's dictionary loads on first use.
    let _ = clf.classify("预热");
    let chars: usize = rows.iter().map(|r| r.text.chars().count()).sum();
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut fraud = 0usize;
    for _ in 0..a.rounds.max(1) {
        let (t, cpu) = (Instant::now(), thread_cpu_seconds());
        fraud = rows
            .iter()
            .filter(|r| clf.classify(&r.text).fraud_type.is_fraud())
            .count();
        best = best.min(t.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu, thread_cpu_seconds()) {
            best_cpu = best_cpu.min(b - a);
        }
    }
    let mut r = Report::new("文本分类性能 text classification throughput (1 core)");
    r.field("texts", rows.len())
        .field("mean_chars", chars as f64 / rows.len().max(1) as f64)
        .field("texts_per_s", rows.len() as f64 / best)
        .field(
            "texts_per_cpu_s",
            if best_cpu.is_finite() {
                json!(rows.len() as f64 / best_cpu)
            } else {
                json!(null)
            },
        )
        .field(
            "mb_per_s",
            rows.iter().map(|r| r.text.len()).sum::<usize>() as f64 / best / 1e6,
        )
        .field("seconds_best_round", best)
        .field("model_load_s", load_s)
        .field("classified_fraud", fraud);
    r.print(ctx.json);
    Ok(())
}

/// CPU time of the calling thread (Linux `/proc/thread-self/schedstat`, nanoseconds on CPU).
/// Texts per CPU-second is the one-core figure that stays honest on a shared, loaded machine,
/// where wall time also counts time spent waiting for a core.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
