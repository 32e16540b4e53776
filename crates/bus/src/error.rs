use fanzha_core::error_code::{Coded, ErrorCode};

/// Failures of the bus itself (a bad message is not one: see [`crate::DecodeError`]).
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to NATS at {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("signal stream {stream}: {detail}")]
    Stream { stream: String, detail: String },
    #[error("publishing to {stream} failed: {detail}")]
    Publish { stream: String, detail: String },
    #[error("reading {stream} failed: {detail}")]
    Read { stream: String, detail: String },
}

impl Coded for BusError {
    fn code(&self) -> ErrorCode {
        match self {
            BusError::Connect { .. } | BusError::Publish { .. } | BusError::Read { .. } => {
                ErrorCode::BusUnavailable
            }
            BusError::Stream { .. } => ErrorCode::BusStream,
        }
    }
}
