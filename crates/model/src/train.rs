//! Training a [`Model`]: stratified validation split, boosting with early stopping, Platt
//! calibration and the macro-F1 threshold on validation rows, optional refit on all rows.

use crate::booster::{boost, TrainParams};
use crate::calibration::Platt;
use crate::dataset::Dataset;
use crate::error::{ModelError, Result};
use crate::graph::{self, Graph, GraphMemory, GraphParams};
use crate::metrics::{best_macro_f1_threshold, roc_auc};
use crate::model::{Model, TrainSummary, FORMAT, FORMAT_VERSION};
use crate::rng::SplitMix64;

/// Trains on the rows of `data` alone.
pub fn train(data: &Dataset, params: &TrainParams) -> Result<Model> {
    data.validate()?;
    params.validate().map_err(ModelError::Data)?;
    let n_pos = data.n_positive();
    let n_neg = data.n_rows() - n_pos;
    let min_per_class = if params.validation_fraction > 0.0 {
        2
    } else {
        1
    };
    if n_pos < min_per_class || n_neg < min_per_class {
        return Err(ModelError::Data(format!(
            "need at least {min_per_class} rows of each class, got {n_pos} fraud and {n_neg} normal"
        )));
    }
    if params.validation_fraction == 0.0 {
        let b = boost(data, None, params.n_rounds, params);
        let summary = TrainSummary {
            n_rows: data.n_rows(),
            n_positive: n_pos,
            trees: b.forest.n_trees(),
            best_round: b.best_rounds,
            ..TrainSummary::default()
        };
        return Ok(assemble(
            data,
            params,
            b.forest,
            b.gain,
            Platt::default(),
            0.5,
            summary,
        ));
    }

    let (fit_idx, valid_idx) =
        stratified_split(&data.labels, params.validation_fraction, params.seed);
    let fit = data.subset(&fit_idx);
    let valid = data.subset(&valid_idx);
    let b = boost(&fit, Some(&valid), params.n_rounds, params);
    let raw: Vec<f32> = (0..valid.n_rows())
        .map(|i| b.forest.raw_score(valid.row(i)))
        .collect();
    let calibration = Platt::fit(&raw, &valid.labels);
    let proba: Vec<f32> = raw.iter().map(|&r| calibration.apply(r)).collect();
    let (threshold, macro_f1) = best_macro_f1_threshold(&proba, &valid.labels);
    let mut summary = TrainSummary {
        n_rows: data.n_rows(),
        n_positive: n_pos,
        n_validation: valid.n_rows(),
        trees: b.forest.n_trees(),
        best_round: b.best_rounds,
        validation_auc: roc_auc(&proba, &valid.labels),
        validation_macro_f1: Some(macro_f1),
        validation_logloss: b.best_valid_logloss,
    };
    let (forest, gain) = if params.refit {
        // the same number of rounds sees more rows per round: scale by the row ratio
        let rounds =
            ((b.best_rounds as f64) * data.n_rows() as f64 / fit.n_rows() as f64).ceil() as usize;
        let all = boost(data, None, rounds.max(1), params);
        summary.trees = all.forest.n_trees();
        (all.forest, all.gain)
    } else {
        (b.forest, b.gain)
    };
    Ok(assemble(
        data,
        params,
        forest,
        gain,
        calibration,
        threshold,
        summary,
    ))
}

fn assemble(
    data: &Dataset,
    params: &TrainParams,
    forest: crate::tree::Forest,
    gain: Vec<f64>,
    calibration: Platt,
    threshold: f32,
    summary: TrainSummary,
) -> Model {
    Model {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        feature_names: data.feature_names.clone(),
        forest,
        calibration,
        threshold,
        importance_gain: gain,
        params: params.clone(),
        summary,
        graph: None,
    }
}

/// Trains with graph features: `ids[i]` names row `i` in `graph`. Label features of the
/// training rows are computed out-of-fold; the model keeps the training rows to make graph
/// features at scoring time.
pub fn train_with_graph(
    data: &Dataset,
    ids: &[String],
    graph: &Graph,
    params: &TrainParams,
    gp: &GraphParams,
) -> Result<Model> {
    data.validate()?;
    if ids.len() != data.n_rows() {
        return Err(ModelError::Data(format!(
            "{} ids for {} rows",
            ids.len(),
            data.n_rows()
        )));
    }
    let memory = GraphMemory {
        params: gp.clone(),
        n_base: data.n_features,
        ids: ids.to_vec(),
        labels: data.labels.clone(),
        // JSON has no infinities: keep the memory as it will read back after saving
        features: data
            .features
            .iter()
            .map(|&x| if x.is_finite() { x } else { f32::NAN })
            .collect(),
    };
    let gf = graph::features_for_training(graph, &memory, params.seed ^ 0x0067_7261_7068);
    let augmented = augment(data, &gf, &graph::feature_names(&data.feature_names, gp));
    let mut model = train(&augmented, params)?;
    model.graph = Some(memory);
    Ok(model)
}

/// `data` with the graph feature columns `extra` (row-major) appended.
fn augment(data: &Dataset, extra: &[f32], names: &[String]) -> Dataset {
    let w = names.len();
    let k = data.n_features;
    let mut features = Vec::with_capacity(data.n_rows() * (k + w));
    for i in 0..data.n_rows() {
        features.extend_from_slice(data.row(i));
        features.extend_from_slice(&extra[i * w..(i + 1) * w]);
    }
    let mut feature_names = data.feature_names.clone();
    feature_names.extend_from_slice(names);
    Dataset {
        features,
        n_features: k + w,
        labels: data.labels.clone(),
        weights: data.weights.clone(),
        feature_names,
    }
}

/// Row indices of a stratified split: `(fit, validation)` with `fraction` of each class in
/// validation (at least one row of each class on each side).
pub fn stratified_split(labels: &[f32], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix64::new(seed ^ 0x0076_616c_6964);
    let (mut fit, mut valid) = (Vec::new(), Vec::new());
    for class in [false, true] {
        let mut idx: Vec<usize> = (0..labels.len())
            .filter(|&i| (labels[i] == 1.0) == class)
            .collect();
        rng.shuffle(&mut idx);
        let n_valid = ((idx.len() as f64 * fraction).round() as usize)
            .clamp(1.min(idx.len()), idx.len().saturating_sub(1));
        valid.extend_from_slice(&idx[..n_valid]);
        fit.extend_from_slice(&idx[n_valid..]);
    }
    fit.sort_unstable();
    valid.sort_unstable();
    (fit, valid)
}
