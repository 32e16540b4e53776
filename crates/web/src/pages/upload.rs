//! The multipart form of a list upload (warning pushes, key-person lists, new cards, two-card
//! leads, guardian lists): one `file` field (its name kept without control characters, at most
//! [`MAX_FILE_NAME_CHARS`]), an optional `format` (auto | csv | xlsx) and the text fields the
//! page names; other fields are ignored.

use crate::error::WebError;
use axum::extract::multipart::Field;
use axum::extract::Multipart;
use fanzha_ingest::reports::ReportFormat;
use std::collections::HashMap;

/// The longest file name kept from an upload (characters).
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// A list upload as read from its form.
#[derive(Debug)]
pub struct Upload {
    /// The file's name and bytes, when one was sent.
    file: Option<(String, Vec<u8>)>,
    pub format: ReportFormat,
    fields: HashMap<&'static str, String>,
}

async fn field_text(field: Field<'_>) -> Result<String, WebError> {
    field
        .text()
        .await
        .map_err(|e| WebError::BadRequest(e.to_string()))
}

impl Upload {
    /// Reads the form: the file (named `default_name` when the browser gives no name), the
    /// format, and the text of the fields named in `fields`.
    pub async fn read(
        mut multipart: Multipart,
        default_name: &str,
        fields: &[&'static str],
    ) -> Result<Upload, WebError> {
        let mut up = Upload {
            file: None,
            format: ReportFormat::Auto,
            fields: HashMap::new(),
        };
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?
        {
            match field.name() {
                Some("file") => {
                    let name: String = field
                        .file_name()
                        .unwrap_or(default_name)
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(MAX_FILE_NAME_CHARS)
                        .collect();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| WebError::BadRequest(e.to_string()))?;
                    up.file = Some((name, bytes.to_vec()));
                }
                Some("format") => {
                    up.format = field_text(field)
                        .await?
                        .parse()
                        .map_err(WebError::BadRequest)?
                }
                Some(name) => {
                    if let Some(key) = fields.iter().find(|k| **k == name) {
                        let text = field_text(field).await?;
                        up.fields.insert(key, text);
                    }
                }
                None => {}
            }
        }
        Ok(up)
    }

    /// The text of a named field as sent, if it was.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// The text of a named field, trimmed; `None` when absent or blank.
    pub fn trimmed(&self, name: &str) -> Option<&str> {
        self.text(name).map(str::trim).filter(|t| !t.is_empty())
    }

    /// The file's name and bytes; `missing` answers 400 when no file (or an empty one) came.
    pub fn take_file(&mut self, missing: &str) -> Result<(String, Vec<u8>), WebError> {
        self.file
            .take()
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| WebError::BadRequest(missing.to_string()))
    }
}
