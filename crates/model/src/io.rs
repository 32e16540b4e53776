//! Files in and out: CSV or gzip-compressed CSV tables, edge lists, prediction files. The
//! training and scoring code never touches files; this module turns them into memory.

use crate::error::{ModelError, Result};
use crate::graph::Graph;
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// A whole CSV file as strings.
pub struct Table {
    pub file: String,
    pub headers: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

fn open(path: &Path) -> Result<Box<dyn Read>> {
    let unreadable = |source| ModelError::Unreadable {
        file: path.display().to_string(),
        source,
    };
    let mut f = BufReader::new(File::open(path).map_err(unreadable)?);
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(unreadable)?;
    let head = std::io::Cursor::new(magic[..n].to_vec()).chain(f);
    // gzip by content, not by name: `.csv.gz` files renamed to `.csv` still read
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(head))))
    } else {
        Ok(Box::new(head))
    }
}

/// Reads a CSV or CSV.gz file with a header row.
pub fn read_table(path: &Path) -> Result<Table> {
    let file = path.display().to_string();
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(open(path)?);
    let bad = |e: csv::Error| ModelError::Data(format!("{file}: {e}"));
    let headers: Vec<String> = r
        .headers()
        .map_err(bad)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        rows.push(rec.map_err(bad)?);
    }
    Ok(Table {
        file,
        headers,
        rows,
    })
}

/// A cell as a feature value: empty, `NaN`, `NA`, `null` and `\N` are missing.
pub fn parse_value(s: &str) -> Option<f32> {
    let t = s.trim();
    if t.is_empty()
        || t == "\\N"
        || t.eq_ignore_ascii_case("nan")
        || t.eq_ignore_ascii_case("na")
        || t.eq_ignore_ascii_case("null")
    {
        return Some(f32::NAN);
    }
    t.parse::<f32>().ok()
}

impl Table {
    pub fn column(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ModelError::MissingColumn {
                column: name.to_string(),
                file: self.file.clone(),
            })
    }

    pub fn strings(&self, col: usize) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.get(col).unwrap_or("").trim().to_string())
            .collect()
    }

    /// 0/1 labels (also `0.0`/`1.0`, `true`/`false`).
    pub fn labels(&self, col: usize) -> Result<Vec<f32>> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| match r.get(col).unwrap_or("").trim() {
                "1" | "1.0" | "true" | "TRUE" => Ok(1.0),
                "0" | "0.0" | "false" | "FALSE" => Ok(0.0),
                other => Err(ModelError::Data(format!(
                    "{} row {}: label `{}` in column `{}` is not 0 or 1",
                    self.file,
                    i + 2,
                    other,
                    self.headers[col]
                ))),
            })
            .collect()
    }

    /// Every column except `exclude`, in file order.
    pub fn feature_columns(&self, exclude: &[&str]) -> Vec<String> {
        self.headers
            .iter()
            .filter(|h| !exclude.contains(&h.as_str()))
            .cloned()
            .collect()
    }

    /// The named columns as row-major `f32` (NaN = missing).
    pub fn features(&self, names: &[String]) -> Result<Vec<f32>> {
        let cols: Vec<usize> = names
            .iter()
            .map(|n| self.column(n))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(self.rows.len() * cols.len());
        for (i, r) in self.rows.iter().enumerate() {
            for &c in &cols {
                let cell = r.get(c).unwrap_or("");
                out.push(parse_value(cell).ok_or_else(|| {
                    ModelError::Data(format!(
                        "{} row {}: `{}` in column `{}` is not a number",
                        self.file,
                        i + 2,
                        cell,
                        self.headers[c]
                    ))
                })?);
            }
        }
        Ok(out)
    }
}

/// Reads an edge list; the two endpoint columns are `src`/`dst` when given, otherwise the
/// first two columns of the header.
pub fn read_graph(path: &Path, src: Option<&str>, dst: Option<&str>) -> Result<Graph> {
    let t = read_table(path)?;
    if t.headers.len() < 2 {
        return Err(ModelError::Data(format!(
            "{}: an edge list needs two columns",
            t.file
        )));
    }
    let a = match src {
        Some(s) => t.column(s)?,
        None => 0,
    };
    let b = match dst {
        Some(s) => t.column(s)?,
        None => 1,
    };
    Ok(Graph::from_edges(t.rows.iter().filter_map(|r| {
        let (x, y) = (r.get(a)?.trim(), r.get(b)?.trim());
        (!x.is_empty() && !y.is_empty()).then_some((x, y))
    })))
}

/// Writes `id,score,label` rows (`label` 1 = predicted fraud).
pub fn write_predictions(
    path: &Path,
    ids: &[String],
    scores: &[f32],
    labels: &[bool],
) -> Result<()> {
    let err = |source| ModelError::Unwritable {
        file: path.display().to_string(),
        source,
    };
    let mut w = std::io::BufWriter::new(File::create(path).map_err(err)?);
    writeln!(w, "id,score,label").map_err(err)?;
    for ((id, s), l) in ids.iter().zip(scores).zip(labels) {
        let id = if id.contains([',', '"', '\n']) {
            format!("\"{}\"", id.replace('"', "\"\""))
        } else {
            id.clone()
        };
        writeln!(w, "{id},{s:.6},{}", *l as u8).map_err(err)?;
    }
    w.flush().map_err(err)
}

/// Writes a file, mapping failures to a typed error.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| ModelError::Unwritable {
        file: path.display().to_string(),
        source,
    })
}

/// Reads a file as text, mapping failures to a typed error.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| ModelError::Unreadable {
        file: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_markers_parse_as_nan_and_garbage_is_refused() {
        for s in ["", " ", "NaN", "nan", "\\N", "NA", "null"] {
            assert!(parse_value(s).unwrap().is_nan(), "{s}");
        }
        assert_eq!(parse_value(" 1.5 "), Some(1.5));
        assert_eq!(parse_value("-3e2"), Some(-300.0));
        assert_eq!(parse_value("abc"), None);
    }

    #[test]
    fn reads_plain_and_gzip_tables_alike() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("t.csv");
        std::fs::write(&plain, "id,label,x\na,1,2.5\nb,0,\n").unwrap();
        let gz = dir.path().join("t.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(
            File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(b"id,label,x\na,1,2.5\nb,0,\n").unwrap();
        enc.finish().unwrap();
        for p in [&plain, &gz] {
            let t = read_table(p).unwrap();
            assert_eq!(t.headers, vec!["id", "label", "x"]);
            assert_eq!(t.labels(1).unwrap(), vec![1.0, 0.0]);
            let x = t.features(&["x".to_string()]).unwrap();
            assert_eq!(x[0], 2.5);
            assert!(x[1].is_nan());
            assert!(matches!(
                t.column("y"),
                Err(ModelError::MissingColumn { .. })
            ));
        }
    }

    #[test]
    fn bad_label_and_bad_number_name_row_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.csv");
        std::fs::write(&p, "id,label,x\na,2,abc\n").unwrap();
        let t = read_table(&p).unwrap();
        let e = t.labels(1).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("label"), "{e}");
        let e = t.features(&["x".to_string()]).unwrap_err().to_string();
        assert!(e.contains("`abc`") && e.contains("`x`"), "{e}");
    }
}
