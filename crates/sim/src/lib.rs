//! fanzha-sim
