//! Parquet output: one file per feed or table with typed columns, written as a stream.
//!
//! Rows are encoded by the same [`Row`] calls as CSV and NDJSON into per-column buffers; every
//! [`ROWS_PER_GROUP`] rows the buffers are written out as one row group and reused, so memory
//! stays flat however many events a run writes. Column types follow [`Kind`]: times are
//! `INT64 TIMESTAMP(MICROS, true)` (UTC), money and counts are integers (unsigned ones annotated
//! `INTEGER(n, false)`), dates are `DATE`, text is `STRING`; a missing value is a null.
//! Compression is Snappy; time columns are delta-encoded, the others dictionary-encoded where
//! that pays. The files carry no write time, so the same seed gives the same bytes.

use crate::error::SimError;
use crate::format::{Kind, Row};
use parquet::basic::{Compression, Encoding};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows buffered before they are written as one row group.
pub const ROWS_PER_GROUP: usize = 1 << 18;

/// Distinct texts kept per column for reuse (app names, domains, codes); further ones are
/// copied each time, so the cache cannot grow without bound.
const TEXT_CACHE: usize = 4096;

/// The schema of a file in Parquet's message syntax.
pub fn message_type(name: &str, columns: &[&str], kinds: &[Kind]) -> String {
    let mut s = format!("message {} {{\n", name.replace('/', "_"));
    for (c, k) in columns.iter().zip(kinds) {
        let repetition = if k.optional() { "OPTIONAL" } else { "REQUIRED" };
        let ty = match k {
            Kind::Time | Kind::OptTime => "INT64 {} (TIMESTAMP(MICROS,true))",
            Kind::Int64 => "INT64 {}",
            Kind::UInt64 | Kind::OptUInt64 => "INT64 {} (INTEGER(64,false))",
            Kind::UInt32 => "INT32 {} (INTEGER(32,false))",
            Kind::UInt8 => "INT32 {} (INTEGER(8,false))",
            Kind::Text | Kind::OptText => "BYTE_ARRAY {} (STRING)",
            Kind::Bool => "BOOLEAN {}",
            Kind::Date => "INT32 {} (DATE)",
        };
        s.push_str(&format!("  {repetition} {};\n", ty.replace("{}", c)));
    }
    s.push('}');
    s
}

enum Values {
    I32(Vec<i32>),
    I64(Vec<i64>),
    Bytes(Vec<ByteArray>),
    Bool(Vec<bool>),
}

struct Column {
    name: &'static str,
    kind: Kind,
    values: Values,
    /// Definition levels of an optional column (1 = value present).
    def: Vec<i16>,
    texts: HashMap<Box<str>, ByteArray>,
}

/// The column buffers of one file's current row group.
pub struct Columns {
    cols: Vec<Column>,
    rows: usize,
    /// The first value that did not fit its column (a wrong type or count): a coding error in
    /// an encoder, reported as a write error rather than a bad file.
    error: Option<String>,
}

impl Columns {
    pub fn new(columns: &[&'static str], kinds: &[Kind]) -> Columns {
        let cols = columns
            .iter()
            .zip(kinds)
            .map(|(&name, &kind)| Column {
                name,
                kind,
                values: match kind {
                    Kind::Time | Kind::OptTime | Kind::Int64 | Kind::UInt64 | Kind::OptUInt64 => {
                        Values::I64(Vec::new())
                    }
                    Kind::UInt32 | Kind::UInt8 | Kind::Date => Values::I32(Vec::new()),
                    Kind::Text | Kind::OptText => Values::Bytes(Vec::new()),
                    Kind::Bool => Values::Bool(Vec::new()),
                },
                def: Vec::new(),
                texts: HashMap::new(),
            })
            .collect();
        let error = (columns.len() != kinds.len())
            .then(|| format!("{} columns but {} types", columns.len(), kinds.len()));
        Columns {
            cols,
            rows: 0,
            error,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    fn mismatch(&mut self, i: usize, name: &str, what: &str) {
        if self.error.is_none() {
            self.error = Some(format!("value {i} ({name}): {what}"));
        }
    }

    /// The column for value `i` named `name`, marked present.
    #[inline]
    fn column(&mut self, i: usize, name: &str) -> Option<&mut Column> {
        match self.cols.get(i) {
            Some(c) if c.name == name => {}
            _ => {
                self.mismatch(i, name, "no such column at this position");
                return None;
            }
        }
        let c = &mut self.cols[i];
        if c.kind.optional() {
            c.def.push(1);
        }
        Some(c)
    }

    pub(crate) fn push_int(&mut self, i: usize, name: &str, bits: i64) {
        let Some(c) = self.column(i, name) else {
            return;
        };
        let ok = match (c.kind, &mut c.values) {
            (Kind::Time | Kind::OptTime, Values::I64(v)) => {
                v.push(bits.saturating_mul(1000));
                true
            }
            (Kind::Int64 | Kind::UInt64 | Kind::OptUInt64, Values::I64(v)) => {
                v.push(bits);
                true
            }
            (Kind::UInt32 | Kind::UInt8, Values::I32(v)) => {
                v.push(bits as i32);
                true
            }
            _ => false,
        };
        if !ok {
            self.mismatch(i, name, "an integer in a column of another type");
        }
    }

    pub(crate) fn push_text(&mut self, i: usize, name: &str, text: &str) {
        let Some(c) = self.column(i, name) else {
            return;
        };
        let value = match c.texts.get(text) {
            Some(v) => v.clone(),
            None => {
                let v = ByteArray::from(text);
                if c.texts.len() < TEXT_CACHE {
                    c.texts.insert(text.into(), v.clone());
                }
                v
            }
        };
        match &mut c.values {
            Values::Bytes(v) => v.push(value),
            _ => self.mismatch(i, name, "text in a column of another type"),
        }
    }

    pub(crate) fn push_bool(&mut self, i: usize, name: &str, b: bool) {
        let Some(c) = self.column(i, name) else {
            return;
        };
        match &mut c.values {
            Values::Bool(v) => v.push(b),
            _ => self.mismatch(i, name, "a flag in a column of another type"),
        }
    }

    pub(crate) fn push_date(&mut self, i: usize, name: &str, yyyymmdd: u32) {
        let days = chrono::NaiveDate::from_ymd_opt(
            (yyyymmdd / 10000) as i32,
            yyyymmdd / 100 % 100,
            yyyymmdd % 100,
        )
        .map(|d| (d - chrono::NaiveDate::default()).num_days() as i32);
        let Some(days) = days else {
            self.mismatch(i, name, "not a calendar date");
            return;
        };
        let Some(c) = self.column(i, name) else {
            return;
        };
        match (c.kind, &mut c.values) {
            (Kind::Date, Values::I32(v)) => v.push(days),
            _ => self.mismatch(i, name, "a date in a column of another type"),
        }
    }

    pub(crate) fn push_null(&mut self, i: usize, name: &str) {
        match self.cols.get_mut(i) {
            Some(c) if c.name == name && c.kind.optional() => c.def.push(0),
            _ => self.mismatch(i, name, "a missing value in a required column"),
        }
    }

    pub(crate) fn end_row(&mut self, values: usize) {
        if values != self.cols.len() {
            self.mismatch(values, "", "wrong number of values in the row");
        }
        self.rows += 1;
    }
}

/// One Parquet file being written.
pub struct ParquetFile {
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
    cols: Columns,
    group_rows: usize,
}

impl ParquetFile {
    /// Creates `path` with the given columns (names and types in file order).
    pub fn create(
        path: &Path,
        columns: &[&'static str],
        kinds: &[Kind],
    ) -> Result<ParquetFile, SimError> {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("table");
        let schema = parse_message_type(&message_type(name, columns, kinds))
            .map_err(|e| write_error(path, e))?;
        let mut props = WriterProperties::builder().set_compression(Compression::SNAPPY);
        for (c, k) in columns.iter().zip(kinds) {
            if matches!(k, Kind::Time | Kind::OptTime) {
                let col = ColumnPath::from(*c);
                props = props
                    .set_column_dictionary_enabled(col.clone(), false)
                    .set_column_encoding(col, Encoding::DELTA_BINARY_PACKED);
            }
        }
        let file = File::create(path).map_err(|source| SimError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        let writer = SerializedFileWriter::new(
            BufWriter::with_capacity(1 << 20, file),
            Arc::new(schema),
            Arc::new(props.build()),
        )
        .map_err(|e| write_error(path, e))?;
        Ok(ParquetFile {
            path: path.to_path_buf(),
            writer,
            cols: Columns::new(columns, kinds),
            group_rows: ROWS_PER_GROUP,
        })
    }

    /// Rows per row group (default [`ROWS_PER_GROUP`]).
    pub fn with_group_rows(mut self, rows: usize) -> ParquetFile {
        self.group_rows = rows.max(1);
        self
    }

    /// Encodes one row with `encode` (the same calls as for CSV) and writes a row group when
    /// the buffers are full.
    pub fn write(&mut self, encode: impl FnOnce(&mut Row<'_>)) -> Result<(), SimError> {
        encode(&mut Row::columns(&mut self.cols));
        if let Some(e) = self.cols.error.take() {
            return Err(write_error(&self.path, e));
        }
        if self.cols.rows >= self.group_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), SimError> {
        if self.cols.rows == 0 {
            return Ok(());
        }
        let path = &self.path;
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| write_error(path, e))?;
        for c in self.cols.cols.iter_mut() {
            let mut w = group
                .next_column()
                .map_err(|e| write_error(path, e))?
                .ok_or_else(|| write_error(path, "fewer columns in the schema than buffers"))?;
            let def = c.kind.optional().then_some(c.def.as_slice());
            let written = match &c.values {
                Values::I64(v) => w.typed::<Int64Type>().write_batch(v, def, None),
                Values::I32(v) => w.typed::<Int32Type>().write_batch(v, def, None),
                Values::Bytes(v) => w.typed::<ByteArrayType>().write_batch(v, def, None),
                Values::Bool(v) => w.typed::<BoolType>().write_batch(v, def, None),
            };
            written.map_err(|e| write_error(path, e))?;
            w.close().map_err(|e| write_error(path, e))?;
            match &mut c.values {
                Values::I64(v) => v.clear(),
                Values::I32(v) => v.clear(),
                Values::Bytes(v) => v.clear(),
                Values::Bool(v) => v.clear(),
            }
            c.def.clear();
        }
        group.close().map_err(|e| write_error(path, e))?;
        self.cols.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub fn finish(mut self) -> Result<(), SimError> {
        self.flush()?;
        self.writer
            .close()
            .map_err(|e| write_error(&self.path, e))?;
        Ok(())
    }
}

fn write_error(path: &Path, e: impl ToString) -> SimError {
    SimError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// The rows of a Parquet file written by [`ParquetFile`], each as the text its CSV form would
/// have (times in epoch ms, dates `YYYY-MM-DD`, flags `1`/`0`, empty for null), in the order of
/// the wanted columns; so one decoder serves every format.
pub struct ParquetRows {
    rows: parquet::record::reader::RowIter<'static>,
    /// Position in the file of each wanted column.
    idx: Vec<usize>,
    values: Vec<Vec<u8>>,
}

impl ParquetRows {
    pub fn open(path: &Path, wanted: &[&str]) -> Result<ParquetRows, SimError> {
        use parquet::file::reader::FileReader;
        let read_error = |e: &dyn ToString| SimError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        };
        let file = File::open(path).map_err(|source| SimError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let reader =
            parquet::file::reader::SerializedFileReader::new(file).map_err(|e| read_error(&e))?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
        let idx = crate::feed::column_positions(wanted, names.into_iter()).map_err(|reason| {
            SimError::Row {
                path: path.to_path_buf(),
                line: 0,
                reason,
            }
        })?;
        Ok(ParquetRows {
            rows: reader.into_iter(),
            values: vec![Vec::new(); idx.len()],
            idx,
        })
    }

    /// The next row's values, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Vec<&[u8]>, String>> {
        let row = match self.rows.next()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e.to_string())),
        };
        let fields: Vec<&parquet::record::Field> = row.get_column_iter().map(|(_, f)| f).collect();
        for (&i, out) in self.idx.iter().zip(self.values.iter_mut()) {
            out.clear();
            match fields.get(i) {
                Some(f) => {
                    if let Err(e) = field_text(f, out) {
                        return Some(Err(e));
                    }
                }
                None => return Some(Err(format!("row lacks column {i}"))),
            }
        }
        Some(Ok(self.values.iter().map(Vec::as_slice).collect()))
    }
}

/// The CSV text of one Parquet value.
fn field_text(f: &parquet::record::Field, out: &mut Vec<u8>) -> Result<(), String> {
    use parquet::record::Field;
    let mut b = itoa::Buffer::new();
    match f {
        Field::Null => {}
        Field::Bool(v) => out.push(if *v { b'1' } else { b'0' }),
        Field::Byte(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::Short(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::Int(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::Long(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::UByte(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::UShort(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::UInt(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::ULong(v) => out.extend_from_slice(b.format(*v).as_bytes()),
        Field::TimestampMicros(us) => {
            out.extend_from_slice(b.format(us.div_euclid(1000)).as_bytes())
        }
        Field::TimestampMillis(ms) => out.extend_from_slice(b.format(*ms).as_bytes()),
        Field::Date(days) => {
            let d = chrono::NaiveDate::default()
                .checked_add_signed(chrono::Duration::days(i64::from(*days)))
                .ok_or_else(|| format!("date {days} out of range"))?;
            use chrono::Datelike;
            let ymd = d.year().max(0) as u32 * 10000 + d.month() * 100 + d.day();
            crate::format::date_text(out, ymd);
        }
        Field::Str(s) => out.extend_from_slice(s.as_bytes()),
        other => return Err(format!("unexpected value {other}")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{write_signal, Feed};
    use fanzha_core::event::{Msisdn, Signal, Sms};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn sms(i: i64) -> Signal {
        Signal::Sms(Sms {
            ts: 1_700_000_000_000 + i,
            sender: Msisdn(8613800000000 + i as u64),
            recipient: Msisdn(8695588),
            link_domain: (i % 2 == 0).then(|| "jd.com".into()),
        })
    }

    #[test]
    fn rows_are_written_a_row_group_at_a_time_and_read_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sms.parquet");
        let feed = Feed::Sms;
        let mut f = ParquetFile::create(&path, feed.columns(), feed.kinds())
            .expect("create")
            .with_group_rows(3);
        for i in 0..10 {
            f.write(|row| write_signal(row, &sms(i))).expect("row");
        }
        f.finish().expect("finish");
        let reader = SerializedFileReader::new(File::open(&path).expect("open")).expect("read");
        assert_eq!(reader.metadata().num_row_groups(), 4);
        let mut rows = ParquetRows::open(&path, feed.columns()).expect("rows");
        let mut n = 0;
        while let Some(values) = rows.next_row() {
            let values = values.expect("values");
            let i = n as i64;
            assert_eq!(values[0], (1_700_000_000_000 + i).to_string().as_bytes());
            assert_eq!(values[1], (8613800000000 + i).to_string().as_bytes());
            let domain: &[u8] = if i % 2 == 0 { b"jd.com" } else { b"" };
            assert_eq!(values[3], domain);
            n += 1;
        }
        assert_eq!(n, 10);
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_is_a_write_error() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("calls.parquet");
        let feed = Feed::Calls;
        let mut f = ParquetFile::create(&path, feed.columns(), feed.kinds()).expect("create");
        let err = f
            .write(|row| write_signal(row, &sms(1)))
            .expect_err("an SMS is no call");
        assert!(err.to_string().contains("sender"), "{err}");
    }

    #[test]
    fn the_schema_types_every_kind() {
        let s = message_type(
            "t",
            &["ts", "n", "d", "s", "b"],
            &[
                Kind::Time,
                Kind::OptUInt64,
                Kind::Date,
                Kind::OptText,
                Kind::Bool,
            ],
        );
        assert!(
            s.contains("REQUIRED INT64 ts (TIMESTAMP(MICROS,true));"),
            "{s}"
        );
        assert!(s.contains("OPTIONAL INT64 n (INTEGER(64,false));"), "{s}");
        assert!(s.contains("REQUIRED INT32 d (DATE);"), "{s}");
        assert!(s.contains("OPTIONAL BYTE_ARRAY s (STRING);"), "{s}");
        parse_message_type(&s).expect("valid schema");
    }
}
