//! Every row of the shared test vectors (`test_vectors/test_vectors.csv.gz`): strict validity
//! and reason, and validity after normalisation.
//!
//! The vectors are read from `FANZHA_DATA_ROOT` or `../shared/data` next to the repository; when
//! absent the test prints why and passes, unless `FANZHA_REQUIRE_SERVICES=1`.

use fanzha_core::bank_card::BankCard;
use fanzha_core::credit_code::CreditCode;
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;
use std::io::Read;
use std::path::PathBuf;

struct Vector {
    kind: String,
    value: String,
    valid: bool,
    valid_after_normalise: bool,
    reason: String,
    note: String,
}

fn data_root() -> PathBuf {
    std::env::var_os("FANZHA_DATA_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn load() -> Option<Vec<Vector>> {
    let path = data_root().join("test_vectors/test_vectors.csv.gz");
    let Ok(file) = std::fs::File::open(&path) else {
        if std::env::var("FANZHA_REQUIRE_SERVICES").as_deref() == Ok("1") {
            panic!("test vectors missing at {}", path.display());
        }
        eprintln!(
            "skipped: test vectors not found at {} (set FANZHA_DATA_ROOT)",
            path.display()
        );
        return None;
    };
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("test vectors decompress");
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes());
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.expect("well-formed row");
            Vector {
                kind: r[0].to_owned(),
                value: r[1].to_owned(),
                valid: &r[2] == "true",
                valid_after_normalise: &r[3] == "true",
                reason: r[4].to_owned(),
                note: r[5].to_owned(),
            }
        })
        .collect();
    Some(rows)
}

/// (strict verdict as reason or "ok", normalised verdict)
fn check(kind: &str, value: &str) -> (&'static str, bool) {
    fn verdict<T, E: Reasoned>(r: Result<T, E>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.reason(),
        }
    }
    match kind {
        "resident_id" => (
            verdict(ResidentId::parse(value)),
            ResidentId::parse_normalised(value).is_ok(),
        ),
        "uscc" => (
            verdict(CreditCode::parse(value)),
            CreditCode::parse_normalised(value).is_ok(),
        ),
        "bank_card" => (
            verdict(BankCard::parse(value)),
            BankCard::parse_normalised(value).is_ok(),
        ),
        other => panic!("unknown kind {other}"),
    }
}

#[test]
fn every_vector_matches_strict_validity_and_reason() {
    let Some(rows) = load() else { return };
    assert_eq!(rows.len(), 58);
    let mut failures = Vec::new();
    for v in &rows {
        let (reason, normalised_ok) = check(&v.kind, &v.value);
        if (reason == "ok") != v.valid || reason != v.reason {
            failures.push(format!(
                "{} {:?}: got {reason}, want {} ({})",
                v.kind, v.value, v.reason, v.note
            ));
        }
        if normalised_ok != v.valid_after_normalise {
            failures.push(format!(
                "{} {:?}: normalised valid={normalised_ok}, want {}",
                v.kind, v.value, v.valid_after_normalise
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_cards_name_the_bank_the_note_gives() {
    let Some(rows) = load() else { return };
    for v in rows.iter().filter(|v| v.kind == "bank_card" && v.valid) {
        let card = BankCard::parse(&v.value).unwrap();
        if let Some(bin) = card.bin() {
            let short = bin
                .bank_name
                .trim_start_matches("中国")
                .trim_end_matches("银行");
            if v.note.contains("BIN ") && !v.note.contains("in no bank_bins row") {
                assert!(
                    v.note.contains(short),
                    "{}: {} vs {}",
                    v.value,
                    bin.bank_name,
                    v.note
                );
            }
        } else {
            assert!(
                v.note.contains("in no bank_bins row"),
                "{} has no BIN",
                v.value
            );
        }
    }
}
