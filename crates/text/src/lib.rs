//! fanzha-text
