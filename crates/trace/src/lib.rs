//! fanzha-trace
