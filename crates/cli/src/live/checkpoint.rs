//! The engine's snapshot on disk: `<data_dir>/engine/<stream>.snapshot`, tagged with the last
//! stream sequence it covers. Written to a temporary file, synced and renamed over the previous
//! one, so a crash mid-write leaves the previous snapshot whole.

use crate::error::{CliError, CliResult, WithCode};
use fanzha_core::error_code::ErrorCode;
use fanzha_detect::Engine;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Checkpoint {
    path: PathBuf,
}

impl Checkpoint {
    /// The snapshot of the engine that reads `stream`, in `data_dir`.
    pub fn in_dir(data_dir: &Path, stream: &str) -> Checkpoint {
        Checkpoint {
            path: data_dir.join("engine").join(format!("{stream}.snapshot")),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The engine and the sequence it covers, or `None` when no snapshot was taken yet.
    pub fn load(&self) -> CliResult<Option<(Engine, u64)>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CliError::new(
                    ErrorCode::Io,
                    format!("cannot read {}: {e}", self.path.display()),
                ))
            }
        };
        let (engine, offset) = Engine::restore(&bytes).map_err(|e| {
            CliError::new(
                ErrorCode::SnapshotInvalid,
                format!("{}: {e}", self.path.display()),
            )
        })?;
        Ok(Some((engine, offset)))
    }

    /// Writes the engine's state as covering `sequence`; returns the bytes written.
    pub fn save(&self, engine: &Engine, sequence: u64) -> CliResult<usize> {
        let bytes = engine
            .snapshot(sequence)
            .map_err(|e| CliError::new(ErrorCode::SnapshotInvalid, e.to_string()))?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))
            .code(ErrorCode::DataDirUnusable)?;
        let tmp = self.path.with_extension("snapshot.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.path.display()))
            .code(ErrorCode::Io)?;
        Ok(bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_detect::EngineConfig;

    #[test]
    fn a_snapshot_comes_back_with_its_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let cp = Checkpoint::in_dir(dir.path(), "FANZHA_SIGNALS");
        assert!(cp.load().unwrap().is_none());
        let engine =
            Engine::new(EngineConfig::default(), fanzha_detect::rules::DEFAULT_RULES).unwrap();
        let n = cp.save(&engine, 41).unwrap();
        assert!(n > 0);
        let (_, seq) = cp.load().unwrap().unwrap();
        assert_eq!(seq, 41);
        cp.save(&engine, 42).unwrap();
        assert_eq!(cp.load().unwrap().unwrap().1, 42);
        assert!(!cp.path().with_extension("snapshot.tmp").exists());
    }

    #[test]
    fn a_damaged_snapshot_is_a_coded_error() {
        let dir = tempfile::tempdir().unwrap();
        let cp = Checkpoint::in_dir(dir.path(), "S");
        std::fs::create_dir_all(cp.path().parent().unwrap()).unwrap();
        std::fs::write(cp.path(), b"FZESnot a snapshot").unwrap();
        let err = match cp.load() {
            Ok(_) => panic!("a damaged snapshot loaded"),
            Err(e) => e,
        };
        assert_eq!(err.code, ErrorCode::SnapshotInvalid);
    }
}
