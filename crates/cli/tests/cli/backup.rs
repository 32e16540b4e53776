//! `fanzha backup` / `fanzha restore` on SQLite and PostgreSQL: a running site's database and
//! engine snapshots copied with checksums; restored into a fresh site with the same org tree; a
//! damaged backup refused before anything is touched; a site that holds data replaced only with
//! `--force` (an SQLite file kept aside); with `--archive`, the signal archive's state and day
//! files too, not the files still being written.

use crate::common::{new_site, postgres_url, Site};
use fanzha_store::{Scope, Store};
use std::path::{Path, PathBuf};

/// How many units the site's tree of 余姚市 holds.
async fn units_of(site: &Site) -> usize {
    let store = Store::connect(&site.url).await.unwrap();
    let n = store.units().subtree("330281", None).await.unwrap().len();
    store.close().await;
    n
}

fn snapshot_of(site: &Site) -> PathBuf {
    site.dir.join("data/engine/FANZHA_SIGNALS.snapshot")
}

async fn scenario(postgres: Option<&str>) {
    let root = tempfile::tempdir().unwrap();
    let first = new_site(root.path(), "a", postgres).await;
    first.ok(&["import", "divisions", "--root", "330281", "--json"]);
    let units = units_of(&first).await;
    assert!(units > 300, "{units}");
    std::fs::create_dir_all(snapshot_of(&first).parent().unwrap()).unwrap();
    std::fs::write(snapshot_of(&first), b"engine state at sequence 42").unwrap();

    let out = root.path().join("backups");
    let done = first.ok(&["backup", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(done["files"], 2, "{done}");
    assert_eq!(
        done["backend"],
        if postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    let backup = done["backup"].as_str().unwrap().to_string();
    assert!(Path::new(&backup).join("MANIFEST.json").exists());

    // A damaged copy is refused, and nothing is written.
    let damaged = root.path().join("damaged");
    std::fs::create_dir_all(damaged.join("engine")).unwrap();
    for f in std::fs::read_dir(&backup).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), damaged.join(f.file_name())).unwrap();
        }
    }
    std::fs::write(damaged.join("engine/FANZHA_SIGNALS.snapshot"), b"tampered").unwrap();
    let second = new_site(root.path(), "b", postgres).await;
    second.refused(
        &["restore", "--from", damaged.to_str().unwrap()],
        "backup_damaged",
    );
    assert!(!snapshot_of(&second).exists());

    // Into a fresh site.
    let restored = second.ok(&["restore", "--from", &backup, "--json"]);
    assert_eq!(restored["snapshots"], 1, "{restored}");
    assert_eq!(restored["archive_files"], 0, "no archive unless asked");
    assert_eq!(units_of(&second).await, units);
    assert_eq!(
        std::fs::read(snapshot_of(&second)).unwrap(),
        b"engine state at sequence 42"
    );
    // Over a site with data: only with --force.
    first.refused(&["restore", "--from", &backup], "restore_refused");
    first.ok(&["restore", "--from", &backup, "--force", "--json"]);
    assert_eq!(units_of(&first).await, units);
    if postgres.is_none() {
        let aside = std::fs::read_dir(first.dir.join("data"))
            .unwrap()
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("fanzha.db.before-restore-")
            });
        assert!(aside, "the replaced database is kept aside");
    }
    // The archive, when asked: its state and day files, not the lock or a part being written.
    let archive = first.dir.join("data/archive/FANZHA_SIGNALS");
    std::fs::create_dir_all(archive.join("2026-12-04")).unwrap();
    std::fs::write(archive.join("ARCHIVE.json"), br#"{"through":42}"#).unwrap();
    std::fs::write(archive.join("2026-12-04/calls.parquet"), b"PAR1 calls PAR1").unwrap();
    std::fs::write(
        archive.join("2026-12-04/sms.118001.parquet.partial"),
        b"half",
    )
    .unwrap();
    std::fs::write(archive.join(".lock"), b"").unwrap();
    let with_archive = root.path().join("with-archive");
    let done = first.ok(&[
        "backup",
        "--out",
        with_archive.to_str().unwrap(),
        "--archive",
        "--json",
    ]);
    assert_eq!(done["archive_files"], 2, "{done}");
    assert_eq!(done["files"], 4, "{done}");
    let backup = done["backup"].as_str().unwrap().to_string();
    let third = new_site(root.path(), "c", postgres).await;
    let restored = third.ok(&["restore", "--from", &backup, "--json"]);
    assert_eq!(restored["archive_files"], 2, "{restored}");
    let copy = third.dir.join("data/archive/FANZHA_SIGNALS");
    assert_eq!(
        std::fs::read(copy.join("2026-12-04/calls.parquet")).unwrap(),
        b"PAR1 calls PAR1"
    );
    assert_eq!(
        std::fs::read(copy.join("ARCHIVE.json")).unwrap(),
        br#"{"through":42}"#
    );
    assert!(!copy.join("2026-12-04/sms.118001.parquet.partial").exists());
    assert!(!copy.join(".lock").exists());
    // An archive that is there is replaced only with --force; nothing else is touched.
    let fourth = new_site(root.path(), "d", postgres).await;
    let theirs = fourth.dir.join("data/archive/FANZHA_SIGNALS/ARCHIVE.json");
    std::fs::create_dir_all(theirs.parent().unwrap()).unwrap();
    std::fs::write(&theirs, br#"{"through":7}"#).unwrap();
    let said = fourth.refused(&["restore", "--from", &backup], "restore_refused");
    assert!(said.contains("archive"), "{said}");
    assert_eq!(std::fs::read(&theirs).unwrap(), br#"{"through":7}"#);
    assert!(!snapshot_of(&fourth).exists());
    fourth.ok(&["restore", "--from", &backup, "--force", "--json"]);
    assert_eq!(std::fs::read(&theirs).unwrap(), br#"{"through":42}"#);

    let scope = Scope::platform();
    let store = Store::connect(&second.url).await.unwrap();
    assert!(store.schema_version().await.unwrap() >= 54);
    assert_eq!(store.people().count(&scope).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_and_restore_sqlite() {
    scenario(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn backup_and_restore_postgres() {
    let Some(url) = postgres_url() else { return };
    scenario(Some(&url)).await;
}
