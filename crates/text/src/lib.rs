//! fanzha-text: Chinese segmentation and the fraud-type classifier (诈骗类型研判) for case
//! narratives (简要案情) and SMS.
//!
//! Architecture invariant: this crate does no I/O except reading and writing the files it is
//! given (data sets, model files); classification is a pure function of the model and the text.

pub mod classify;
pub mod corpus;
mod crammer_singer;
pub mod dataset;
pub mod default_model;
pub mod error;
pub mod eval;
pub mod features;
pub mod fraud_type;
pub mod model;
pub mod order_source;
pub mod tokenize;
pub mod train;

pub use classify::{Classifier, Prediction, TermContribution};
pub use default_model::default_classifier;
pub use error::TextError;
pub use fraud_type::FraudType;
pub use model::Model;
pub use train::{train, Learner, TrainOptions};
