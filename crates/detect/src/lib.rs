//! fanzha-detect
