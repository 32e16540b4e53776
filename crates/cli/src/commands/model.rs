//! `fanzha model train|predict|eval|cv`: gradient-boosted scoring models from CSV / CSV.gz
//! tables, optionally with graph features from an edge list (e.g. calls between numbers).

use crate::error::CliResult;
use crate::report::Report;
use crate::Ctx;
use fanzha_model::cv::cross_validate;
use fanzha_model::io::{read_graph, read_table, read_text, write_predictions, write_text};
use fanzha_model::metrics::{pr_auc, roc_auc, Confusion};
use fanzha_model::{ClassWeight, Dataset, Graph, GraphParams, Model, ModelError, TrainParams};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Train a model on a labelled table and save it as JSON.
    Train(TrainArgs),
    /// Score a table with a saved model: writes `id,score,label`.
    Predict(PredictArgs),
    /// Compare a predictions file with the true labels: ROC-AUC, PR-AUC, F1, confusion matrix.
    Eval(EvalArgs),
    /// Stratified k-fold cross-validation of the training recipe.
    Cv(CvArgs),
}

pub fn run(ctx: &Ctx, c: ModelCommand) -> CliResult {
    match c {
        ModelCommand::Train(a) => train(ctx, a),
        ModelCommand::Predict(a) => predict(ctx, a),
        ModelCommand::Eval(a) => eval(ctx, a),
        ModelCommand::Cv(a) => cv(ctx, a),
    }
}

/// An edge list that adds graph features (degree, neighbours' features, known-fraud neighbours).
#[derive(clap::Args)]
pub struct GraphArgs {
    /// Edge list (CSV / CSV.gz) linking ids of the data file, e.g. numbers that call each other.
    #[arg(long)]
    graph: Option<PathBuf>,
    /// Column of the first endpoint (default: the first column of the edge file).
    #[arg(long, requires = "graph")]
    graph_src: Option<String>,
    /// Column of the second endpoint (default: the second column).
    #[arg(long, requires = "graph")]
    graph_dst: Option<String>,
    /// Leave out the mean / max of the neighbours' features (keep degree and label features).
    #[arg(long, requires = "graph")]
    no_neighbour_aggregates: bool,
}

impl GraphArgs {
    fn load(&self) -> Result<Option<Graph>, ModelError> {
        self.graph
            .as_ref()
            .map(|p| read_graph(p, self.graph_src.as_deref(), self.graph_dst.as_deref()))
            .transpose()
    }

    fn params(&self) -> GraphParams {
        GraphParams {
            neighbour_aggregates: !self.no_neighbour_aggregates,
            ..GraphParams::default()
        }
    }
}

/// Training knobs; the defaults suit most tables.
#[derive(clap::Args)]
pub struct ParamArgs {
    /// Seed of row/column sampling and of the validation split.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Most boosting rounds (early stopping usually ends sooner).
    #[arg(long, default_value_t = 2000)]
    rounds: usize,
    #[arg(long, default_value_t = 0.05)]
    learning_rate: f64,
    #[arg(long, default_value_t = 31)]
    max_leaves: usize,
    #[arg(long, default_value_t = 20)]
    min_data_in_leaf: u32,
    /// Share of rows per tree.
    #[arg(long, default_value_t = 0.8)]
    subsample: f64,
    /// Share of features per tree.
    #[arg(long, default_value_t = 0.8)]
    colsample: f64,
    /// Weight of the fraud class: `none`, `balanced` or a number.
    #[arg(long, default_value = "none")]
    class_weight: String,
    /// Keep the model trained on the fit rows instead of retraining on all rows.
    #[arg(long)]
    no_refit: bool,
}

impl ParamArgs {
    fn params(&self) -> Result<TrainParams, ModelError> {
        let class_weight = match self.class_weight.as_str() {
            "none" => ClassWeight::None,
            "balanced" => ClassWeight::Balanced,
            w => ClassWeight::Positive(w.parse().map_err(|_| {
                ModelError::Data(format!(
                    "--class-weight `{w}`: use none, balanced or a number"
                ))
            })?),
        };
        let p = TrainParams {
            seed: self.seed,
            n_rounds: self.rounds,
            learning_rate: self.learning_rate,
            max_leaves: self.max_leaves,
            min_data_in_leaf: self.min_data_in_leaf,
            subsample: self.subsample,
            colsample: self.colsample,
            class_weight,
            refit: !self.no_refit,
            ..TrainParams::default()
        };
        p.validate().map_err(ModelError::Data)?;
        Ok(p)
    }
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Labelled table (CSV / CSV.gz): an id column, a 0/1 label column, numeric features.
    #[arg(long)]
    data: PathBuf,
    /// Label column (1 = fraud).
    #[arg(long, default_value = "label")]
    label: String,
    /// Id column (not a feature; joins the edge list).
    #[arg(long)]
    id: String,
    /// Where to write the model (JSON).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    params: ParamArgs,
}

/// Ids, features and labels of a labelled table; every other column is a feature.
fn load_labelled(path: &Path, id: &str, label: &str) -> Result<(Vec<String>, Dataset), ModelError> {
    let t = read_table(path)?;
    let id_col = t.column(id)?;
    let label_col = t.column(label)?;
    let names = t.feature_columns(&[id, label]);
    let features = t.features(&names)?;
    let labels = t.labels(label_col)?;
    let data = Dataset::new(features, names.len(), labels, names)?;
    Ok((t.strings(id_col), data))
}

fn train(ctx: &Ctx, a: TrainArgs) -> CliResult {
    let started = Instant::now();
    let params = a.params.params()?;
    let (ids, data) = load_labelled(&a.data, &a.id, &a.label)?;
    let graph = a.graph.load()?;
    let model = match &graph {
        Some(g) => fanzha_model::train_with_graph(&data, &ids, g, &params, &a.graph.params())?,
        None => fanzha_model::train(&data, &params)?,
    };
    write_text(&a.out, &model.to_json())?;
    let s = &model.summary;
    let mut r = Report::new("模型训练 model train");
    r.field("rows", s.n_rows)
        .field("fraud_rows", s.n_positive)
        .field("features", model.feature_names().len())
        .field("validation_rows", s.n_validation)
        .field("best_round", s.best_round)
        .field("trees", s.trees)
        .field("validation_auc", s.validation_auc)
        .field("validation_macro_f1", s.validation_macro_f1)
        .field("threshold", model.threshold)
        .field(
            "top_features",
            model
                .importances()
                .into_iter()
                .take(10)
                .map(|(n, g)| serde_json::json!({ "feature": n, "gain_share": g }))
                .collect::<Vec<_>>(),
        )
        .field("model", a.out.display().to_string())
        .field("seconds", started.elapsed().as_secs_f64());
    if let Some(g) = &graph {
        r.field("graph_nodes", g.n_nodes())
            .field("graph_edges", g.n_edges());
    }
    r.print(ctx.json);
    Ok(())
}

#[derive(clap::Args)]
pub struct PredictArgs {
    /// Model file written by `fanzha model train`.
    #[arg(long)]
    model: PathBuf,
    /// Table to score (CSV / CSV.gz) with the model's feature columns.
    #[arg(long)]
    data: PathBuf,
    /// Id column.
    #[arg(long)]
    id: String,
    /// Where to write `id,score,label`.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    graph: GraphArgs,
}

fn predict(ctx: &Ctx, a: PredictArgs) -> CliResult {
    let started = Instant::now();
    let model = Model::from_json(&read_text(&a.model)?)?;
    let t = read_table(&a.data)?;
    let ids = t.strings(t.column(&a.id)?);
    let base = t.features(model.base_feature_names())?;
    let graph = a.graph.load()?;
    let scores = model.predict_table(&base, &ids, graph.as_ref())?;
    let labels: Vec<bool> = scores.iter().map(|&s| s >= model.threshold).collect();
    write_predictions(&a.out, &ids, &scores, &labels)?;
    let flagged = scores.iter().filter(|&&s| s >= model.threshold).count();
    let mut r = Report::new("模型打分 model predict");
    r.field("rows", ids.len())
        .field("predicted_fraud", flagged)
        .field("threshold", model.threshold)
        .field("predictions", a.out.display().to_string())
        .field("seconds", started.elapsed().as_secs_f64());
    r.print(ctx.json);
    Ok(())
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Predictions file (`id,score,label`) from `fanzha model predict`.
    #[arg(long)]
    preds: PathBuf,
    /// Table with the true labels.
    #[arg(long)]
    truth: PathBuf,
    /// Id column of the truth table.
    #[arg(long, default_value = "id")]
    id: String,
    /// Label column of the truth table (1 = fraud).
    #[arg(long, default_value = "label")]
    label: String,
}

fn eval(ctx: &Ctx, a: EvalArgs) -> CliResult {
    let truth = read_table(&a.truth)?;
    let truth_labels = truth.labels(truth.column(&a.label)?)?;
    let by_id: HashMap<String, f32> = truth
        .strings(truth.column(&a.id)?)
        .into_iter()
        .zip(truth_labels)
        .collect();
    let preds = read_table(&a.preds)?;
    let ids = preds.strings(preds.column("id")?);
    let score_name = "score".to_string();
    let scores = preds.features(std::slice::from_ref(&score_name))?;
    let predicted = preds.labels(preds.column("label")?)?;
    let (mut s, mut p, mut y) = (Vec::new(), Vec::new(), Vec::new());
    let mut unmatched = 0usize;
    for (i, id) in ids.iter().enumerate() {
        match by_id.get(id) {
            Some(&t) => {
                s.push(scores[i]);
                p.push(predicted[i]);
                y.push(t);
            }
            None => unmatched += 1,
        }
    }
    if y.is_empty() {
        return Err(ModelError::Data(format!(
            "no id of {} is in {}",
            a.preds.display(),
            a.truth.display()
        ))
        .into());
    }
    let c = Confusion::from_labels(&p, &y);
    let mut r = Report::new("模型评估 model eval");
    r.field("rows", y.len())
        .field("unmatched_predictions", unmatched)
        .field("roc_auc", roc_auc(&s, &y))
        .field("pr_auc", pr_auc(&s, &y))
        .field("macro_f1", c.macro_f1())
        .field("f1_fraud", c.f1_positive())
        .field("f1_normal", c.f1_negative())
        .field("accuracy", c.accuracy())
        .field("confusion", c);
    r.print(ctx.json);
    Ok(())
}

#[derive(clap::Args)]
pub struct CvArgs {
    /// Labelled table (CSV / CSV.gz).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value = "label")]
    label: String,
    #[arg(long)]
    id: String,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Also write each row's fold as `id,fold` (to run another tool on the same splits).
    #[arg(long)]
    folds_out: Option<PathBuf>,
    /// Also write each row's out-of-fold score as `id,score,label`.
    #[arg(long)]
    oof_out: Option<PathBuf>,
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    params: ParamArgs,
}

fn cv(ctx: &Ctx, a: CvArgs) -> CliResult {
    let started = Instant::now();
    let params = a.params.params()?;
    let (ids, data) = load_labelled(&a.data, &a.id, &a.label)?;
    let graph = a.graph.load()?;
    let gp = a.graph.params();
    let rep = cross_validate(
        &data,
        &ids,
        graph.as_ref().map(|g| (g, &gp)),
        &params,
        a.folds,
        None,
    )?;
    if let Some(path) = &a.folds_out {
        let mut text = String::from("id,fold\n");
        for (id, f) in ids.iter().zip(&rep.assignment) {
            text.push_str(&format!("{id},{f}\n"));
        }
        write_text(path, &text)?;
    }
    if let Some(path) = &a.oof_out {
        write_predictions(path, &ids, &rep.oof, &rep.oof_label)?;
    }
    let ms = |m: fanzha_model::cv::MeanSd| serde_json::json!({ "mean": m.mean, "sd": m.sd });
    let mut r = Report::new("交叉验证 model cv");
    r.field("rows", data.n_rows())
        .field("folds", a.folds)
        .field("graph", graph.is_some())
        .field("auc", ms(rep.auc))
        .field("pr_auc", ms(rep.pr_auc))
        .field("macro_f1", ms(rep.macro_f1))
        .field("f1_fraud", ms(rep.f1_fraud))
        .field("pooled_auc", rep.pooled_auc)
        .field("per_fold", &rep.folds)
        .field("seconds", started.elapsed().as_secs_f64());
    r.print(ctx.json);
    Ok(())
}
