//! fanzha-model
