//! fanzha-store
