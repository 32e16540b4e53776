//! Errors of the signal archive.

use fanzha_core::error_code::{Coded, ErrorCode};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot write the signal archive at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Another process holds the archive of this stream in this directory.
    #[error("the signal archive {0} is in use by another process")]
    Locked(PathBuf),
    /// The state file cannot be read as an archive state.
    #[error("the signal archive's state {path} cannot be read: {detail}")]
    Damaged { path: PathBuf, detail: String },
    /// A feed file of the archive could not be written or read back.
    #[error(transparent)]
    Feed(#[from] fanzha_sim::SimError),
}

impl ArchiveError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
        move |source| ArchiveError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl Coded for ArchiveError {
    fn code(&self) -> ErrorCode {
        match self {
            ArchiveError::Io { .. } => ErrorCode::Io,
            ArchiveError::Locked(_) => ErrorCode::ArchiveLocked,
            ArchiveError::Damaged { .. } => ErrorCode::ArchiveDamaged,
            ArchiveError::Feed(e) => e.code(),
        }
    }
}
