//! Every table exports as CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX.

use crate::error::WebError;
use crate::i18n::Lang;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fanzha_store::{Page, PageRequest, MAX_PAGE};
use rust_xlsxwriter::{Format, Workbook};

/// The most rows one export holds: past it the request is refused (`period_too_large`: narrow
/// the period or the filters) instead of cut short; XLSX itself stops near 1,048,576.
pub const EXPORT_ROWS: usize = 200_000;

/// Every row of a keyset-paged list, for an export: page after page of [`MAX_PAGE`] until the
/// last, as one page without a next key. More than [`EXPORT_ROWS`] is refused.
pub async fn every_page<T, K, Fut>(
    what: &'static str,
    mut fetch: impl FnMut(PageRequest<K>) -> Fut,
) -> Result<Page<T, K>, WebError>
where
    Fut: std::future::Future<Output = Result<Page<T, K>, WebError>>,
{
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let page = fetch(PageRequest {
            after: after.take(),
            limit: MAX_PAGE,
        })
        .await?;
        items.extend(page.items);
        if items.len() > EXPORT_ROWS {
            return Err(WebError::PeriodTooLarge {
                what,
                limit: EXPORT_ROWS as i64,
            });
        }
        match page.next {
            Some(key) => after = Some(key),
            None => return Ok(Page { items, next: None }),
        }
    }
}

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
        let mut book = Workbook::new();
        self.write_sheet(&mut book, None)?;
        book.save_to_buffer().map_err(xlsx_err)
    }

    fn write_sheet(&self, book: &mut Workbook, name: Option<&str>) -> Result<(), WebError> {
        let sheet = book.add_worksheet();
        if let Some(name) = name {
            sheet.set_name(name).map_err(xlsx_err)?;
        }
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, h, &bold)
                .map_err(xlsx_err)?;
            sheet.set_column_width(c as u16, 18).map_err(xlsx_err)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet
                    .write_string((r + 1) as u32, c as u16, cell)
                    .map_err(xlsx_err)?;
            }
        }
        Ok(())
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> WebError {
    WebError::Export(e.to_string())
}

/// One table of a [`Sheets`] export: the key that names it in `section=`, its title.
pub struct Sheet {
    pub key: &'static str,
    pub title: String,
    pub table: Table,
}

impl Sheet {
    /// A sheet titled by the i18n key `title`, its headers named by i18n keys.
    pub fn new(
        lang: Lang,
        key: &'static str,
        title: &str,
        headers: &[&str],
        rows: Vec<Vec<String>>,
    ) -> Sheet {
        Sheet {
            key,
            title: lang.t(title).to_string(),
            table: Table {
                name: String::new(),
                headers: headers.iter().map(|h| lang.t(h).to_string()).collect(),
                rows,
            },
        }
    }

    /// The figures of a page's tiles, one (figure, value) row each, labels already in `lang`.
    pub fn figures(lang: Lang, figures: Vec<(String, String)>) -> Sheet {
        let rows = figures.into_iter().map(|(f, v)| vec![f, v]).collect();
        Sheet::new(
            lang,
            "figures",
            "st_x_figures",
            &["st_x_figure", "st_x_value"],
            rows,
        )
    }
}

/// A page whose figures are several tables: XLSX is one workbook with a sheet per table;
/// CSV, a flat format, is one table, chosen by its key (`section=`, the first by default).
pub struct Sheets {
    /// File name without extension.
    pub name: String,
    pub sheets: Vec<Sheet>,
}

impl Sheets {
    pub fn respond(
        &self,
        format: ExportFormat,
        section: Option<&str>,
    ) -> Result<Response, WebError> {
        match format {
            ExportFormat::Xlsx => {
                let bytes = self.xlsx()?;
                let disposition = format!("attachment; filename=\"{}.xlsx\"", self.name);
                Ok((
                    [
                        (
                            header::CONTENT_TYPE,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                .to_string(),
                        ),
                        (header::CONTENT_DISPOSITION, disposition),
                    ],
                    bytes,
                )
                    .into_response())
            }
            ExportFormat::Csv => {
                let sheet = match section {
                    None | Some("") => self.sheets.first(),
                    Some(key) => self.sheets.iter().find(|s| s.key == key),
                };
                let Some(sheet) = sheet else {
                    let keys: Vec<&str> = self.sheets.iter().map(|s| s.key).collect();
                    return Err(WebError::BadRequest(format!(
                        "section: unknown `{}`; one of {}",
                        section.unwrap_or_default(),
                        keys.join(", ")
                    )));
                };
                Table {
                    name: format!("{}_{}", self.name, sheet.key),
                    headers: sheet.table.headers.clone(),
                    rows: sheet.table.rows.clone(),
                }
                .respond(ExportFormat::Csv)
            }
        }
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, WebError> {
        let mut book = Workbook::new();
        let mut used: Vec<String> = Vec::new();
        for s in &self.sheets {
            let name = sheet_name(&s.title, &used);
            s.table.write_sheet(&mut book, Some(&name))?;
            used.push(name);
        }
        book.save_to_buffer().map_err(xlsx_err)
    }
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in the
/// book (Excel compares names without case).
fn sheet_name(title: &str, used: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    // Cut first, then trim: a name may neither start nor end with an apostrophe.
    let cut: String = clean.trim().chars().take(31).collect();
    let base = cut.trim().trim_matches('\'').trim().to_string();
    let base = if base.is_empty() {
        "Sheet".to_string()
    } else {
        base
    };
    let taken = |n: &str| used.iter().any(|u| u.to_lowercase() == n.to_lowercase());
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|i| {
            let suffix = format!(" ({i})");
            let keep = 31 - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|n| !taken(n))
        .unwrap_or(base)
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
    fn a_workbook_has_a_sheet_per_table_and_csv_one_by_its_key() {
        use calamine::Reader;
        let sheets = Sheets {
            name: "s".into(),
            sheets: vec![
                Sheet {
                    key: "a",
                    title: "各单位".into(),
                    table: table(),
                },
                Sheet {
                    key: "b",
                    title: "各单位".into(),
                    table: Table {
                        name: String::new(),
                        headers: vec!["x".into()],
                        rows: vec![vec!["1".into()]],
                    },
                },
                Sheet {
                    key: "c",
                    title: "a/b:c*d?e[f]g and a long title past 31 chars".into(),
                    table: table(),
                },
            ],
        };
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(sheets.xlsx().unwrap())).unwrap();
        assert_eq!(
            book.sheet_names(),
            ["各单位", "各单位 (2)", "a b c d e f g and a long title"]
        );
        let second = book.worksheet_range("各单位 (2)").unwrap();
        let cells: Vec<String> = second.cells().map(|(_, _, v)| v.to_string()).collect();
        assert_eq!(cells, ["x", "1"]);
        let csv = |section| {
            let r = sheets.respond(ExportFormat::Csv, section);
            r.map(|r| {
                r.headers()[header::CONTENT_DISPOSITION]
                    .to_str()
                    .unwrap()
                    .to_string()
            })
        };
        assert_eq!(csv(None).unwrap(), "attachment; filename=\"s_a.csv\"");
        assert_eq!(csv(Some("b")).unwrap(), "attachment; filename=\"s_b.csv\"");
        assert!(matches!(csv(Some("z")), Err(WebError::BadRequest(m)) if m.contains("a, b, c")));
        // Cut at 31 characters, then no apostrophe left at either end.
        assert_eq!(
            sheet_name(&format!("{}'y", "x".repeat(30)), &[]),
            "x".repeat(30)
        );
        assert_eq!(sheet_name("'quoted'", &[]), "quoted");
    }

    /// A list of `n` numbers read by keyset pages, as the store hands them out.
    fn numbers(n: usize, r: &PageRequest) -> Page<usize> {
        let start = r
            .after
            .as_deref()
            .map_or(0, |k| k.parse::<usize>().unwrap() + 1);
        let end = (start + r.limit as usize).min(n);
        let items: Vec<usize> = (start..end).collect();
        let next = (end < n).then(|| (end - 1).to_string());
        Page { items, next }
    }

    #[tokio::test]
    async fn every_page_reads_to_the_last_page_and_refuses_past_the_limit() {
        let mut calls = 0;
        let all = every_page("numbers", |r: PageRequest| {
            calls += 1;
            async move { Ok(numbers(25_001, &r)) }
        })
        .await
        .unwrap();
        assert_eq!(calls, 3);
        assert_eq!(all.next, None);
        assert_eq!(all.items, (0..25_001).collect::<Vec<_>>());
        let err = every_page("numbers", |r: PageRequest| async move {
            Ok(numbers(EXPORT_ROWS + 1, &r))
        })
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            WebError::PeriodTooLarge {
                what: "numbers",
                ..
            }
        ));
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
