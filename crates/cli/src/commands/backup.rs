//! `fanzha backup` and `fanzha restore`: the operational database and the detection engine's
//! snapshots, copied while the platform runs, into a folder with a manifest of checksums.
//!
//! SQLite is copied with `VACUUM INTO` (a consistent copy of a database in use, WAL included);
//! PostgreSQL with the server's own `pg_dump --format=custom`, restored by `pg_restore` — the
//! tools made for it, which a hand-written dump would only imitate. The engine snapshots
//! (`<data_dir>/engine/*.snapshot`) travel with the database: restoring both puts detection
//! back where the database was, and it re-reads the signal stream from the snapshot's sequence.
//! With `--archive` the signal archive travels too (`archive/<stream>/…`): its state file first,
//! then the day files, so parts written while the copy runs are ones the state does not name —
//! the archive drops those on open (docs/archive.md), and the copy is consistent.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_store::Backend;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Folder the backup is written into (as `fanzha-<YYYYMMDD-HHMMSS>/`).
    #[arg(long)]
    out: PathBuf,
    /// Also copy the signal archive (`archive_dir`: every stream's state and day files; it can
    /// be large).
    #[arg(long)]
    archive: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A backup folder written by `fanzha backup`.
    #[arg(long)]
    from: PathBuf,
    /// Replace a database or engine snapshot that is there already.
    #[arg(long)]
    force: bool,
}

const MANIFEST: &str = "MANIFEST.json";
const SQLITE_FILE: &str = "fanzha.db";
const PG_FILE: &str = "fanzha.pgdump";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created_at: i64,
    backend: String,
    schema_version: i64,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    /// Relative to the backup folder, `/`-separated.
    path: String,
    bytes: u64,
    sha256: String,
}

fn failed(what: impl std::fmt::Display) -> CliError {
    CliError::new(ErrorCode::BackupFailed, what)
}

fn digest(path: &Path) -> CliResult<(u64, String)> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| failed(format!("cannot read {}: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)
        .map_err(|e| failed(format!("cannot read {}: {e}", path.display())))?;
    Ok((bytes, format!("{:x}", hasher.finalize())))
}

/// The file of an SQLite URL (`sqlite://PATH?…`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn snapshots(data_dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(data_dir.join("engine"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "snapshot"))
        .collect();
    out.sort();
    out
}

/// The archive's files to back up, relative to `root`: each stream's `ARCHIVE.json` first, then
/// the day files; the lock and files still being written (`.partial`, `.compact`) are left out.
fn archive_files(root: &Path) -> CliResult<Vec<PathBuf>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> CliResult<()> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| failed(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| failed(format!("cannot read {}: {e}", dir.display())))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if name != ".lock" && !name.ends_with(".partial") && !name.ends_with(".compact")
            {
                out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    if root.is_dir() {
        walk(root, root, &mut out)?;
    }
    // The state before the days (see the module documentation), then in path order.
    out.sort_by_cached_key(|p| (p.file_name().is_none_or(|n| n != "ARCHIVE.json"), p.clone()));
    Ok(out)
}

/// A relative path as the manifest writes it, `/`-separated.
fn manifest_path(prefix: &str, rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("{prefix}/{}", parts.join("/"))
}

/// Runs one of PostgreSQL's tools; its error output becomes the failure's text.
fn run_tool(tool: &str, args: &[&str]) -> CliResult<()> {
    let out = Command::new(tool).args(args).output().map_err(|e| {
        failed(format!(
            "cannot run {tool}: {e} (install the PostgreSQL client tools: apt-get install postgresql-client)"
        ))
    })?;
    if !out.status.success() {
        return Err(failed(format!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

pub fn backup(ctx: &Ctx, args: BackupArgs) -> CliResult {
    let db = super::database::open(ctx)?;
    let url = ctx.config.database_url();
    let schema_version = db.block_on(db.store.schema_version())?;
    let now = fanzha_core::time::now_ms();
    let stamp = fanzha_core::time::to_shanghai(now)
        .map(|t| t.format("%Y%m%d-%H%M%S").to_string())
        .unwrap_or_else(|| now.to_string());
    let dir = args.out.join(format!("fanzha-{stamp}"));
    if dir.exists() {
        return Err(failed(format!("{} exists already", dir.display())));
    }
    std::fs::create_dir_all(dir.join("engine"))
        .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    let database = match db.store.backend() {
        Backend::Sqlite => {
            let target = dir.join(SQLITE_FILE);
            db.block_on(db.store.copy_sqlite_into(&target))
                .map_err(|e| failed(format!("copying the database: {e}")))?;
            SQLITE_FILE
        }
        Backend::Postgres => {
            let target = dir.join(PG_FILE);
            run_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    &target.to_string_lossy(),
                    "--dbname",
                    &url,
                ],
            )?;
            PG_FILE
        }
    };
    files.push(database.to_string());
    for snapshot in snapshots(&ctx.config.data_dir) {
        let name = snapshot.file_name().unwrap_or_default().to_string_lossy();
        let rel = format!("engine/{name}");
        std::fs::copy(&snapshot, dir.join(&rel))
            .map_err(|e| failed(format!("cannot copy {}: {e}", snapshot.display())))?;
        files.push(rel);
    }
    let mut archived = 0;
    if args.archive {
        let root = ctx.config.archive_dir();
        for rel in archive_files(&root)? {
            let from = root.join(&rel);
            let name = manifest_path("archive", &rel);
            let to = dir.join(&name);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
            }
            std::fs::copy(&from, &to).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    failed(format!(
                        "{} went away while the archive was copied (a day was compacted): run the backup again",
                        from.display()
                    ))
                } else {
                    failed(format!("cannot copy {}: {e}", from.display()))
                }
            })?;
            files.push(name);
            archived += 1;
        }
    }
    let mut entries = Vec::new();
    for rel in &files {
        let (bytes, sha256) = digest(&dir.join(rel))?;
        entries.push(FileEntry {
            path: rel.clone(),
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: 1,
        created_at: now,
        backend: db.store.backend().as_str().to_string(),
        schema_version,
        files: entries,
    };
    let text = serde_json::to_string_pretty(&manifest).code(ErrorCode::Internal)?;
    std::fs::write(dir.join(MANIFEST), text)
        .map_err(|e| failed(format!("cannot write the manifest: {e}")))?;
    Report::new("备份 / backup")
        .field("backup", dir.display().to_string())
        .field("backend", &manifest.backend)
        .field("schema_version", schema_version)
        .field("files", manifest.files.len())
        .field("archive_files", archived)
        .field("bytes", manifest.files.iter().map(|f| f.bytes).sum::<u64>())
        .print(ctx.json);
    Ok(())
}

pub fn restore(ctx: &Ctx, args: RestoreArgs) -> CliResult {
    let text = std::fs::read_to_string(args.from.join(MANIFEST)).map_err(|e| {
        CliError::new(
            ErrorCode::BackupDamaged,
            format!("{}: no readable {MANIFEST}: {e}", args.from.display()),
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| CliError::new(ErrorCode::BackupDamaged, format!("{MANIFEST}: {e}")))?;
    // Every file whole before anything is replaced.
    for f in &manifest.files {
        let (bytes, sha256) = digest(&args.from.join(&f.path))
            .map_err(|e| CliError::new(ErrorCode::BackupDamaged, e.source))?;
        if bytes != f.bytes || sha256 != f.sha256 {
            return Err(CliError::new(
                ErrorCode::BackupDamaged,
                format!("{} does not match the manifest", f.path),
            ));
        }
    }
    let url = ctx.config.database_url();
    let engine_dir = ctx.config.data_dir.join("engine");
    let snapshots: Vec<&FileEntry> = manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("engine/"))
        .collect();
    let present: Vec<String> = snapshots
        .iter()
        .map(|f| engine_dir.join(f.path.trim_start_matches("engine/")))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !present.is_empty() && !args.force {
        return Err(CliError::new(
            ErrorCode::RestoreRefused,
            format!("engine snapshots exist: {}", present.join(", ")),
        ));
    }
    let archive_dir = ctx.config.archive_dir();
    let archive: Vec<(&FileEntry, PathBuf)> = manifest
        .files
        .iter()
        .filter_map(|f| {
            let rest = f.path.strip_prefix("archive/")?;
            Some((
                f,
                rest.split('/').fold(archive_dir.clone(), |p, c| p.join(c)),
            ))
        })
        .collect();
    // A path of the manifest never leaves the archive directory.
    if let Some((f, _)) = archive
        .iter()
        .find(|(f, _)| f.path.split('/').any(|c| c == ".." || c.is_empty()))
    {
        return Err(CliError::new(
            ErrorCode::BackupDamaged,
            format!("{}: not a path inside the archive", f.path),
        ));
    }
    if let Some((_, there)) = archive.iter().find(|(_, p)| p.exists()) {
        if !args.force {
            return Err(CliError::new(
                ErrorCode::RestoreRefused,
                format!("the archive holds {} already", there.display()),
            ));
        }
    }
    let now = fanzha_core::time::now_ms();
    match manifest.backend.as_str() {
        "sqlite" => {
            let Some(target) = sqlite_file(&url) else {
                return Err(CliError::new(
                    ErrorCode::ConfigInvalid,
                    "the backup holds an SQLite database but the configured database is not an SQLite file",
                ));
            };
            if target.exists() {
                if !args.force {
                    return Err(CliError::new(
                        ErrorCode::RestoreRefused,
                        format!("{} exists", target.display()),
                    ));
                }
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", target.display()));
                    if file.exists() {
                        let aside = format!("{}.before-restore-{now}", file.display());
                        std::fs::rename(&file, &aside).map_err(|e| {
                            failed(format!("cannot move {} aside: {e}", file.display()))
                        })?;
                    }
                }
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
            }
            std::fs::copy(args.from.join(SQLITE_FILE), &target)
                .map_err(|e| failed(format!("cannot write {}: {e}", target.display())))?;
        }
        "postgres" => {
            if !url.starts_with("postgres") {
                return Err(CliError::new(
                    ErrorCode::ConfigInvalid,
                    "the backup holds a PostgreSQL dump but the configured database is not PostgreSQL",
                ));
            }
            let db = super::database::connect(ctx)?;
            let version = db.block_on(db.store.schema_version())?;
            db.block_on(db.store.close());
            if version > 0 && !args.force {
                return Err(CliError::new(
                    ErrorCode::RestoreRefused,
                    format!("the database holds schema version {version}"),
                ));
            }
            let dump = args.from.join(PG_FILE);
            run_tool(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--dbname",
                    &url,
                    &dump.to_string_lossy(),
                ],
            )?;
        }
        other => {
            return Err(CliError::new(
                ErrorCode::BackupDamaged,
                format!("unknown backend {other:?} in the manifest"),
            ))
        }
    }
    if !snapshots.is_empty() {
        std::fs::create_dir_all(&engine_dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", engine_dir.display())))?;
    }
    for f in &snapshots {
        let target = engine_dir.join(f.path.trim_start_matches("engine/"));
        std::fs::copy(args.from.join(&f.path), &target)
            .map_err(|e| failed(format!("cannot write {}: {e}", target.display())))?;
    }
    for (f, target) in &archive {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::copy(args.from.join(&f.path), target)
            .map_err(|e| failed(format!("cannot write {}: {e}", target.display())))?;
    }
    // Opening brings an older backup's schema up to this build's.
    let db = super::database::open(ctx)?;
    let version = db.block_on(db.store.schema_version())?;
    Report::new("恢复 / restore")
        .field("from", args.from.display().to_string())
        .field("backend", &manifest.backend)
        .field("schema_version_backup", manifest.schema_version)
        .field("schema_version", version)
        .field("snapshots", snapshots.len())
        .field("archive_files", archive.len())
        .print(ctx.json);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_an_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite:///var/fz/fanzha.db?mode=rwc"),
            Some(PathBuf::from("/var/fz/fanzha.db"))
        );
        assert_eq!(
            sqlite_file("sqlite://data/x.db"),
            Some(PathBuf::from("data/x.db"))
        );
        assert_eq!(sqlite_file("sqlite://:memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
