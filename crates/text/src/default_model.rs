//! The classifier fanzha ships: trained on the synthetic corpus ([`crate::corpus`]) only, and
//! compiled into the binary as `model/default.fzt` (a few hundred KiB). Regenerate it after
//! changing templates with `cargo run --release -p fanzha-text --example train_default`; a test
//! fails while the shipped file lags behind the templates.

use std::sync::OnceLock;

use crate::classify::Classifier;
use crate::corpus;
use crate::error::TextError;
use crate::model::{Model, ModelInfo};
use crate::train::{train, Learner, TrainOptions};

static SHIPPED: &[u8] = include_bytes!("../model/default.fzt");

/// Training options of the shipped model: features that carry over from templates to real
/// texts, pruning of negligible weights to keep the file small, and the one-vs-rest learner
/// the shipped file was trained with.
pub fn default_options() -> TrainOptions {
    TrainOptions {
        c: 0.5,
        balanced: false,
        prune_below: 1e-3,
        learner: Learner::OneVsRest,
        ..TrainOptions::default()
    }
}

/// Trains the default model from scratch (what `model/default.fzt` holds).
pub fn train_default() -> Result<Model, TextError> {
    let corpus = corpus::generate(corpus::DEFAULT_PER_TYPE, corpus::DEFAULT_SEED);
    let texts: Vec<&str> = corpus.iter().map(|c| c.text.as_str()).collect();
    let labels: Vec<_> = corpus.iter().map(|c| c.label).collect();
    train(
        &texts,
        &labels,
        &default_options(),
        ModelInfo {
            trained_on: "synthetic corpus".into(),
            texts: 0,
            corpus_digest: Some(corpus::digest(&corpus)),
        },
    )
}

/// The shipped model, parsed on first use.
pub fn shipped_model() -> Result<Model, TextError> {
    Model::from_bytes(SHIPPED)
}

/// The shipped classifier, loaded once per process.
pub fn default_classifier() -> &'static Classifier {
    static DEFAULT: OnceLock<Classifier> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        // The bytes are compiled in and checked by this crate's tests; failing here is a
        // build defect, never a user error.
        let model = shipped_model().expect("the shipped model file is valid");
        Classifier::new(model)
    })
}
