//! Reading the embedded gzip-compressed CSV tables.

use flate2::read::GzDecoder;

/// A CSV reader over one embedded `.csv.gz` table (header row skipped, fields not trimmed).
pub(super) fn reader(gz: &'static [u8]) -> csv::Reader<GzDecoder<&'static [u8]>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::None)
        .buffer_capacity(1 << 16)
        .from_reader(GzDecoder::new(gz))
}

/// Field `i` of a record as UTF-8; the embedded tables are UTF-8 by construction.
pub(super) fn field<'r>(rec: &'r csv::ByteRecord, i: usize, table: &str) -> &'r str {
    let bytes = rec.get(i).unwrap_or_default();
    std::str::from_utf8(bytes)
        .unwrap_or_else(|e| panic!("embedded table {table}: column {i} is not UTF-8: {e}"))
}

/// Iterate the records of an embedded table, aborting on a malformed one (a build defect).
pub(super) fn for_each_record(gz: &'static [u8], table: &str, mut f: impl FnMut(&csv::ByteRecord)) {
    let mut rdr = reader(gz);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => f(&rec),
            Ok(false) => break,
            Err(e) => panic!("embedded table {table} is corrupt: {e}"),
        }
    }
}

/// Parse an all-digit field as an integer (codes, prefixes, years).
pub(super) fn digits_u64(s: &str, table: &str) -> u64 {
    s.parse()
        .unwrap_or_else(|e| panic!("embedded table {table}: `{s}` is not a number: {e}"))
}
