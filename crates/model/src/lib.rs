//! Gradient-boosted trees for fanzha's scoring models (stage-1 number reputation and others):
//! histogram training with second-order gradients, calibrated inference over flattened trees,
//! graph features over id relations, and the evaluation metrics used to judge them.
//!
//! Architecture invariant: this crate depends on no fanzha crate but `fanzha-core`, and only
//! [`io`] touches files; training and scoring work on memory.

pub mod binning;
pub mod booster;
pub mod calibration;
pub mod cv;
pub mod dataset;
pub mod error;
pub mod graph;
pub mod grow;
pub mod io;
pub mod metrics;
pub mod model;
mod rng;
pub mod train;
pub mod tree;

pub use booster::{ClassWeight, TrainParams};
pub use cv::{cross_validate, CvReport};
pub use dataset::Dataset;
pub use error::ModelError;
pub use graph::{Graph, GraphParams};
pub use model::Model;
pub use train::{train, train_with_graph};
