//! 人口表: residents per org unit (a statistics bureau's or the household register's table),
//! for the cases per 10,000 residents (万人发案数) of the statistics. CSV (UTF-8 or GBK) or
//! XLSX with a unit column (code, or a 12-digit padded division code) and a population column;
//! other columns (a name, notes) are ignored. Bad rows are rejected with line and reason, never
//! dropped; whether a code names a stored unit is for the importer to decide.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{cell_at, read_table, required_column, ReportFormat, Table};

/// Column names accepted for the unit's code.
pub const UNIT_ALIASES: [&str; 9] = [
    "单位代码",
    "区划代码",
    "行政区划代码",
    "统计用区划代码",
    "代码",
    "unit_code",
    "unit",
    "code",
    "division_code",
];

/// Column names accepted for the number of residents.
pub const POPULATION_ALIASES: [&str; 8] = [
    "人口",
    "人口数",
    "常住人口",
    "户籍人口",
    "总人口",
    "population",
    "residents",
    "人口(人)",
];

/// The largest population a unit may have (more than any province).
pub const MAX_POPULATION: i64 = 2_000_000_000;

/// Reasons a population row is rejected (besides the row-level ones of the quarantine).
pub mod population_reason {
    /// The population cell is not a count (digits with separators, or N万).
    pub const BAD_POPULATION: &str = "bad_population";
    /// The code cell is not 1–32 letters or digits.
    pub const BAD_UNIT_CODE: &str = "bad_unit_code";
    /// The same unit appears on an earlier line of the file.
    pub const DUPLICATE_UNIT: &str = "duplicate_in_file";
}

/// A unit's population as the file states it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PopulationRow {
    pub line: u64,
    /// The code as written, trimmed (a padded division code is left for the importer to map).
    pub unit: String,
    pub population: i64,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PopulationRejection {
    pub line: u64,
    /// `unit` or `population` when one cell is to blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a population file held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PopulationFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<PopulationRow>,
    pub rejected: Vec<PopulationRejection>,
}

/// Reads a population table; `name` is the file's name as given (for the format and messages).
pub fn read_populations(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<PopulationFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

fn validate(table: Table) -> Result<PopulationFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let unit_at = required_column(&header, &UNIT_ALIASES, "unit")?;
    let population_at = required_column(&header, &POPULATION_ALIASES, "population")?;
    let mut file = PopulationFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| PopulationRejection {
            line: row.line,
            column,
            reason,
            raw: row.raw.clone(),
        };
        let cells = match row.cells_of(header.len()) {
            Ok(c) => c,
            Err(r) => {
                file.rejected.push(reject(None, r));
                continue;
            }
        };
        let cell = |i: usize| cell_at(cells, Some(i));
        let unit = cell(unit_at);
        let population = cell(population_at);
        if unit.is_empty() {
            file.rejected
                .push(reject(Some("unit"), reason::EMPTY_REQUIRED));
            continue;
        }
        if unit.len() > 32 || !unit.bytes().all(|b| b.is_ascii_alphanumeric()) {
            file.rejected
                .push(reject(Some("unit"), population_reason::BAD_UNIT_CODE));
            continue;
        }
        if population.is_empty() {
            file.rejected
                .push(reject(Some("population"), reason::EMPTY_REQUIRED));
            continue;
        }
        let Some(n) = parse_population(population) else {
            file.rejected.push(reject(
                Some("population"),
                population_reason::BAD_POPULATION,
            ));
            continue;
        };
        if !seen.insert(unit.to_string()) {
            file.rejected
                .push(reject(Some("unit"), population_reason::DUPLICATE_UNIT));
            continue;
        }
        file.rows.push(PopulationRow {
            line: row.line,
            unit: unit.to_string(),
            population: n,
            raw: row.raw.clone(),
        });
    }
    Ok(file)
}

/// A population as statistical tables write it ([`parse_count`]), at most [`MAX_POPULATION`].
pub fn parse_population(text: &str) -> Option<i64> {
    parse_count(text, MAX_POPULATION)
}

/// A count as statistical tables write it: `1468182`, `1,468,182`, `1 468 182`, `146.82万`,
/// full-width digits, a trailing 人 / 次 / 条 / 个 / 起. `None` for anything else, a negative
/// number, a fraction, or more than `max`.
pub fn parse_count(text: &str, max: i64) -> Option<i64> {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            c => c,
        })
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}' | '_'))
        .collect();
    let body = folded
        .strip_suffix(['人', '次', '条', '个', '起'])
        .unwrap_or(&folded);
    let (number, scale) = match body.strip_suffix('万') {
        Some(n) => (n, 10_000i64),
        None => (body, 1),
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 12
        || frac.len() > 4
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    // The fraction in units of 1/10,000, so that 146.82万 is exact.
    let frac_scaled: i64 = format!("{frac:0<4}").parse().ok()?;
    let n = whole.checked_mul(scale)?;
    let extra = frac_scaled * scale;
    if extra % 10_000 != 0 {
        return None;
    }
    let n = n.checked_add(extra / 10_000)?;
    (n <= max).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_read_as_tables_write_them() {
        assert_eq!(parse_population("1468182"), Some(1_468_182));
        assert_eq!(parse_population("1,468,182"), Some(1_468_182));
        assert_eq!(parse_population("１４６８１８２人"), Some(1_468_182));
        assert_eq!(parse_population("146.82万"), Some(1_468_200));
        assert_eq!(parse_population("3万人"), Some(30_000));
        assert_eq!(parse_population("0"), Some(0));
        for bad in [
            "",
            "-5",
            "12.5",
            "1.23456万",
            "abc",
            "万",
            "3e6",
            "99999999999999",
        ] {
            assert_eq!(parse_population(bad), None, "{bad}");
        }
    }

    #[test]
    fn rows_are_accepted_or_rejected_with_line_and_reason() {
        let csv = "区划代码,名称,常住人口\n\
                   330281001000,阳明街道,\"52,310\"\n\
                   330281002,梨洲街道,4.1万\n\
                   ,无代码,100\n\
                   330281003,兰江街道,很多\n\
                   330281002,梨洲街道,1\n\
                   33/02,坏代码,5\n\
                   330281004,短行\n";
        let f = read_populations("p.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(f.read, 7);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.unit.as_str(), r.population))
                .collect::<Vec<_>>(),
            vec![(2, "330281001000", 52_310), (3, "330281002", 41_000)]
        );
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, "empty_required"),
                (5, "bad_population"),
                (6, "duplicate_in_file"),
                (7, "bad_unit_code"),
                (8, "wrong_field_count"),
            ]
        );
    }

    #[test]
    fn a_file_without_a_population_column_names_the_accepted_ones() {
        let err = read_populations("p.csv", "代码,名称\n1,a\n".as_bytes(), ReportFormat::Csv)
            .unwrap_err();
        assert!(err.to_string().contains("常住人口"), "{err}");
    }
}
