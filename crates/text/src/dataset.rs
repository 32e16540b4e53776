//! Reading labelled and unlabelled texts from CSV or gzip-compressed CSV (RFC 4180: fields
//! may hold commas, quotes and newlines), and writing predictions.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::classify::Prediction;
use crate::error::TextError;
use crate::fraud_type::FraudType;

/// One text with its known fraud type.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledText {
    pub id: String,
    pub text: String,
    pub label: FraudType,
}

/// One text to classify.
#[derive(Clone, Debug, PartialEq)]
pub struct UnlabelledText {
    pub id: String,
    pub text: String,
}

fn open(path: &Path) -> Result<Box<dyn Read>, TextError> {
    let unreadable = |source| TextError::FileUnreadable {
        path: path.to_path_buf(),
        source,
    };
    let mut f = BufReader::new(File::open(path).map_err(unreadable)?);
    let mut magic = [0u8; 2];
    let gz = {
        use std::io::BufRead;
        let buf = f.fill_buf().map_err(unreadable)?;
        if buf.len() >= 2 {
            magic.copy_from_slice(&buf[..2]);
        }
        magic == [0x1f, 0x8b]
    };
    Ok(if gz {
        Box::new(MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    })
}

struct Table {
    path: PathBuf,
    reader: csv::Reader<Box<dyn Read>>,
    headers: csv::StringRecord,
}

impl Table {
    fn open(path: &Path) -> Result<Table, TextError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(open(path)?);
        let headers = reader
            .headers()
            .map_err(|source| TextError::Csv {
                path: path.to_path_buf(),
                source,
            })?
            .clone();
        Ok(Table {
            path: path.to_path_buf(),
            reader,
            headers,
        })
    }

    fn column(&self, name: &str) -> Result<usize, TextError> {
        let name = name.trim();
        self.headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
            .ok_or_else(|| TextError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                available: self.headers.iter().collect::<Vec<_>>().join(","),
            })
    }

    fn for_each(
        &mut self,
        mut f: impl FnMut(u64, &csv::StringRecord) -> Result<(), TextError>,
    ) -> Result<(), TextError> {
        let mut rec = csv::StringRecord::new();
        let mut row = 1u64;
        loop {
            let more = self
                .reader
                .read_record(&mut rec)
                .map_err(|source| TextError::Csv {
                    path: self.path.clone(),
                    source,
                })?;
            if !more {
                return Ok(());
            }
            row += 1;
            f(row, &rec)?;
        }
    }
}

/// Reads `id_col` (optional: the row number otherwise), `text_col` and `label_col`; labels may
/// be codes or Chinese names (see [`FraudType::parse_label`]).
pub fn read_labelled(
    path: &Path,
    id_col: Option<&str>,
    text_col: &str,
    label_col: &str,
) -> Result<Vec<LabelledText>, TextError> {
    let mut t = Table::open(path)?;
    let id = id_col.map(|c| t.column(c)).transpose()?;
    let text = t.column(text_col)?;
    let label = t.column(label_col)?;
    let mut out = Vec::new();
    let p = t.path.clone();
    t.for_each(|row, rec| {
        let raw = rec.get(label).unwrap_or("");
        let l = FraudType::parse_label(raw).map_err(|_| TextError::UnknownLabelInFile {
            path: p.clone(),
            row,
            label: raw.chars().take(40).collect(),
        })?;
        out.push(LabelledText {
            id: id
                .and_then(|i| rec.get(i))
                .map(str::to_string)
                .unwrap_or_else(|| row.to_string()),
            text: rec.get(text).unwrap_or("").to_string(),
            label: l,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Reads `id_col` and `text_col` of every row.
pub fn read_unlabelled(
    path: &Path,
    id_col: &str,
    text_col: &str,
) -> Result<Vec<UnlabelledText>, TextError> {
    let mut t = Table::open(path)?;
    let id = t.column(id_col)?;
    let text = t.column(text_col)?;
    let mut out = Vec::new();
    t.for_each(|_, rec| {
        out.push(UnlabelledText {
            id: rec.get(id).unwrap_or("").to_string(),
            text: rec.get(text).unwrap_or("").to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// Writes `id,label_en,score,top_terms` (terms joined by `|`), RFC 4180 quoted.
pub fn write_predictions<W: Write>(
    out: W,
    rows: impl IntoIterator<Item = (String, Prediction)>,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["id", "label_en", "score", "top_terms"])?;
    for (id, p) in rows {
        let terms: Vec<&str> = p.top_terms.iter().map(|t| t.term.as_str()).collect();
        w.write_record([
            id.as_str(),
            p.fraud_type.code(),
            &format!("{:.4}", p.score),
            &terms.join("|"),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;

    const CSV: &str =
        "id,text,label\n1,\"你好，\"\"朋友\"\"\n第二行\",正常\n2,刷单返利日结,order_brushing\n";

    #[test]
    fn reads_quoted_multiline_fields_and_either_label_form() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, CSV).unwrap();
        let rows = read_labelled(&p, Some("id"), "text", "label").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].text, "你好，\"朋友\"\n第二行");
        assert_eq!(rows[0].label, FraudType::Normal);
        assert_eq!(rows[1].label, FraudType::OrderBrushing);
    }

    #[test]
    fn reads_gzip_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv.gz");
        let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(CSV.as_bytes()).unwrap();
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        let rows = read_unlabelled(&p, "id", "text").unwrap();
        assert_eq!(rows[1].text, "刷单返利日结");
    }

    #[test]
    fn missing_column_and_unknown_label_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, CSV).unwrap();
        assert!(matches!(
            read_labelled(&p, None, "content", "label"),
            Err(TextError::MissingColumn { .. })
        ));
        std::fs::write(&p, "text,label\n你好,天气\n").unwrap();
        assert!(matches!(
            read_labelled(&p, None, "text", "label"),
            Err(TextError::UnknownLabelInFile { row: 2, .. })
        ));
    }
}
