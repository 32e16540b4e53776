//! NDJSON: one JSON object per line; keys are column names (mapped through the same aliases as
//! a CSV header). The first object's keys play the header's part: a required field missing
//! there is a file-level error. Numbers are read as their digits (`13812345678`).

use crate::error::IngestError;
use crate::field::{Field, RecordKind};
use crate::header::{Aliases, HeaderMap};
use crate::quarantine::reason;
use crate::stage::Stage;
use crate::table_rows::{validate_rows, OwnedRow};
use crate::validate::Validator;
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;

pub(crate) fn read_ndjson(
    input: &mut dyn BufRead,
    kind: RecordKind,
    batch_rows: usize,
    stage: &mut Stage<'_>,
    progress: &dyn Fn() -> u64,
) -> Result<Vec<String>, IngestError> {
    let mut validator: Option<Validator> = None;
    let mut key_cache: HashMap<String, Option<Field>> = HashMap::new();
    let mut batch: Vec<OwnedRow> = Vec::with_capacity(batch_rows);
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut ignored = Vec::new();
    loop {
        buf.clear();
        let n = input.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = trim_line_end(&buf);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let row = match std::str::from_utf8(text) {
            Err(_) => OwnedRow {
                line,
                raw: String::from_utf8_lossy(text).into_owned(),
                cells: Err((None, reason::ENCODING_ERROR)),
            },
            Ok(s) => {
                let s = s.trim_start_matches('\u{feff}');
                match serde_json::from_str::<serde_json::Map<String, Value>>(s) {
                    Err(_) => OwnedRow {
                        line,
                        raw: s.to_string(),
                        cells: Err((None, reason::BAD_JSON)),
                    },
                    Ok(obj) => {
                        if validator.is_none() {
                            let keys: Vec<&String> = obj.keys().collect();
                            let header = HeaderMap::new(kind, &keys)?;
                            ignored = header.ignored().to_vec();
                            validator = Some(Validator::new(header));
                        }
                        let wanted = kind.fields();
                        let mut cells = Vec::with_capacity(obj.len());
                        for (k, v) in obj {
                            let field = *key_cache
                                .entry(k)
                                .or_insert_with_key(|k| Aliases::builtin().field_of(k));
                            let Some(field) = field else { continue };
                            if !wanted.iter().any(|(f, _)| *f == field)
                                || cells.iter().any(|(f, _)| *f == field)
                            {
                                continue;
                            }
                            cells.push((field, value_text(v)));
                        }
                        OwnedRow {
                            line,
                            raw: s.to_string(),
                            cells: Ok(cells),
                        }
                    }
                }
            }
        };
        batch.push(row);
        if batch.len() >= batch_rows {
            flush(&mut batch, validator.as_ref(), stage)?;
            stage.progress(progress());
        }
    }
    if validator.is_none() {
        return Err(IngestError::HeaderAbsent);
    }
    flush(&mut batch, validator.as_ref(), stage)?;
    stage.progress(progress());
    Ok(ignored)
}

fn flush(
    batch: &mut Vec<OwnedRow>,
    validator: Option<&Validator>,
    stage: &mut Stage<'_>,
) -> Result<(), IngestError> {
    let Some(validator) = validator else {
        // No object seen yet: these lines are all rejected rows; keep them for later.
        return Ok(());
    };
    let part = validate_rows(batch, validator);
    stage.push(vec![part])?;
    batch.clear();
    Ok(())
}

fn value_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn trim_line_end(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}
