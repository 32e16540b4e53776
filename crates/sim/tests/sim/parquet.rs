//! Parquet output: typed columns that hold exactly what the CSV files of the same seed hold,
//! byte-identical across runs, and readable by the feed readers.

use fanzha_sim::feed::{read_people, read_signals, read_truth};
use fanzha_sim::format::{Feed, Format};
use fanzha_sim::output::write_city;
use fanzha_sim::SimParams;
use parquet::basic::{LogicalType, TimeUnit, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::fs::File;
use std::path::Path;

fn params(seed: u64) -> SimParams {
    SimParams {
        people: 2_000,
        days: 3,
        seed,
        victims_per_10k_year: 3_000.0,
        card_sellers_per_10k_year: 600.0,
        ..SimParams::default()
    }
}

/// A Parquet value as the CSV writer writes it (times back to epoch ms).
fn csv_text(f: &Field) -> String {
    match f {
        Field::Null => String::new(),
        Field::Bool(b) => (if *b { "1" } else { "0" }).into(),
        Field::Long(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::TimestampMicros(us) => {
            assert_eq!(us % 1000, 0, "times are whole milliseconds");
            (us / 1000).to_string()
        }
        Field::Date(days) => (chrono::NaiveDate::default()
            + chrono::Duration::days(i64::from(*days)))
        .format("%Y-%m-%d")
        .to_string(),
        Field::Str(s) => s.clone(),
        other => panic!("unexpected Parquet value {other:?}"),
    }
}

/// Rows of a Parquet file through the parquet crate's own reader, as CSV text.
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let reader = SerializedFileReader::new(File::open(path).expect("open")).expect("parquet");
    let names = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let rows = reader
        .into_iter()
        .map(|r| {
            r.expect("row")
                .get_column_iter()
                .map(|(_, f)| csv_text(f))
                .collect()
        })
        .collect();
    (names, rows)
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let names = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(String::from).collect())
        .collect();
    (names, rows)
}

#[test]
fn parquet_files_hold_what_the_csv_files_of_the_same_seed_hold() {
    let csv_dir = tempfile::tempdir().expect("tmp");
    let pq_dir = tempfile::tempdir().expect("tmp");
    write_city(params(5), csv_dir.path(), Format::Csv, |_| {}).expect("csv run");
    write_city(params(5), pq_dir.path(), Format::Parquet, |_| {}).expect("parquet run");
    let stems: Vec<String> = Feed::ALL
        .iter()
        .map(|f| f.stem().to_string())
        .chain(
            [
                "people",
                "phones",
                "accounts",
                "truth/victims",
                "truth/fraud_numbers",
                "truth/mule_accounts",
                "truth/card_sellers",
            ]
            .map(String::from),
        )
        .collect();
    let mut total = 0;
    for stem in &stems {
        let (csv_names, csv) = csv_rows(&csv_dir.path().join(format!("{stem}.csv")));
        let (pq_names, pq) = parquet_rows(&pq_dir.path().join(format!("{stem}.parquet")));
        assert_eq!(csv_names, pq_names, "{stem}: columns");
        assert_eq!(csv.len(), pq.len(), "{stem}: rows");
        for (i, (c, p)) in csv.iter().zip(&pq).enumerate() {
            assert_eq!(c, p, "{stem}: row {i}");
        }
        total += csv.len();
    }
    assert!(total > 20_000, "{total} rows");

    // Typed columns: UTC microsecond timestamps, integer fen and seconds, UTF-8 text, nulls.
    let reader = SerializedFileReader::new(
        File::open(pq_dir.path().join("transfers.parquet")).expect("open"),
    )
    .expect("parquet");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let col = |name: &str| {
        schema
            .columns()
            .iter()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let ts = col("ts");
    assert_eq!(ts.physical_type(), Physical::INT64);
    assert_eq!(
        ts.logical_type_ref(),
        Some(&LogicalType::timestamp(true, TimeUnit::MICROS))
    );
    assert_eq!(col("amount_fen").physical_type(), Physical::INT64);
    assert_eq!(
        col("channel").logical_type_ref(),
        Some(&LogicalType::String)
    );
    let reader =
        SerializedFileReader::new(File::open(pq_dir.path().join("calls.parquet")).expect("open"))
            .expect("parquet");
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let duration = schema.column(3);
    assert_eq!(duration.name(), "duration_s");
    assert_eq!(duration.physical_type(), Physical::INT32);

    // The feed readers take the Parquet directory too.
    let from_csv: Vec<_> = read_signals(csv_dir.path())
        .expect("csv")
        .collect::<Result<_, _>>()
        .expect("csv rows");
    let from_parquet: Vec<_> = read_signals(pq_dir.path())
        .expect("parquet")
        .collect::<Result<_, _>>()
        .expect("parquet rows");
    assert_eq!(from_csv, from_parquet);
    assert_eq!(
        read_people(csv_dir.path()).expect("people"),
        read_people(pq_dir.path()).expect("people")
    );
    assert_eq!(
        read_truth(csv_dir.path()).expect("truth"),
        read_truth(pq_dir.path()).expect("truth")
    );
}

#[test]
fn the_same_seed_gives_byte_identical_parquet_files() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    write_city(params(8), a.path(), Format::Parquet, |_| {}).expect("run a");
    write_city(params(8), b.path(), Format::Parquet, |_| {}).expect("run b");
    let mut n = 0;
    for stem in ["calls", "sms", "transfers", "people", "truth/victims"] {
        let f = format!("{stem}.parquet");
        let x = std::fs::read(a.path().join(&f)).expect("a");
        let y = std::fs::read(b.path().join(&f)).expect("b");
        assert!(x.len() > 100, "{f}");
        assert!(x == y, "{f} differs between runs with the same seed");
        n += 1;
    }
    assert_eq!(n, 5);
}
