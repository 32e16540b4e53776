//! Every table exports as CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX.

use crate::error::WebError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// A table ready to export: header row and string cells.
pub struct Table {
    /// File name without extension.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn respond(&self, format: ExportFormat) -> Result<Response, WebError> {
        let (bytes, content_type, ext) = match format {
            ExportFormat::Csv => (self.csv()?, "text/csv; charset=utf-8", "csv"),
            ExportFormat::Xlsx => (
                self.xlsx()?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{}.{ext}\"", self.name);
        Ok((
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response())
    }

    pub fn csv(&self) -> Result<Vec<u8>, WebError> {
        let mut out = vec![0xEF, 0xBB, 0xBF];
        {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&self.headers)
                .map_err(|e| WebError::Export(e.to_string()))?;
            for row in &self.rows {
                // Cells starting with = + - @ would run as formulas in a spreadsheet.
                w.write_record(row.iter().map(|c| defuse(c)))
                    .map_err(|e| WebError::Export(e.to_string()))?;
            }
            w.flush().map_err(|e| WebError::Export(e.to_string()))?;
        }
        Ok(out)
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, WebError> {
        let err = |e: rust_xlsxwriter::XlsxError| WebError::Export(e.to_string());
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
            sheet.set_column_width(c as u16, 18).map_err(err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet
                    .write_string((r + 1) as u32, c as u16, cell)
                    .map_err(err)?;
            }
        }
        book.save_to_buffer().map_err(err)
    }
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "t".into(),
            headers: vec!["编号".into(), "金额".into()],
            rows: vec![vec!["ZL1".into(), "=1+1".into()]],
        }
    }

    #[test]
    fn csv_has_bom_and_defuses_formulas() {
        let bytes = table().csv().unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "编号,金额\nZL1,'=1+1\n");
    }

    #[test]
    fn xlsx_reads_back_with_every_cell() {
        use calamine::Reader;
        let bytes = table().xlsx().unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<String> = range.cells().map(|(_, _, v)| v.to_string()).collect();
        assert_eq!(cells, ["编号", "金额", "ZL1", "=1+1"]);
    }
}
