//! fanzha-ingest
