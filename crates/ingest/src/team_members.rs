//! 劝阻队伍 rosters: a county's or a station's list of who serves each village — 反诈民警, 社区民警,
//! 村（街道）干部, 网格员 — as CSV (UTF-8 or GBK) or XLSX: the village or township (its code or
//! name), the kind (岗位/身份, as the unit writes it), the person's name and phone, and where
//! there is one the person's login. Other columns are ignored. The kind's words and the unit
//! are read by the importer, which knows the register and the org tree; this reader checks the
//! cells and rejects bad rows with line, column and reason, never dropping one.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{cell_at, find_column, read_table, required_column, ReportFormat, Table};
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reason::Reasoned;

/// Column names for the village or township served.
pub const UNIT_ALIASES: [&str; 12] = [
    "村（社区）",
    "村(社区)",
    "村社区",
    "村（社区）代码",
    "所在村（社区）",
    "网格",
    "单位",
    "单位代码",
    "所属单位",
    "服务村（社区）",
    "unit",
    "unit_code",
];

/// Column names for the kind of member.
pub const KIND_ALIASES: [&str; 8] = [
    "岗位",
    "身份",
    "类别",
    "人员类别",
    "队伍类别",
    "职务",
    "kind",
    "role",
];

/// Column names for the member's name.
pub const NAME_ALIASES: [&str; 4] = ["姓名", "人员姓名", "名字", "name"];

/// Column names for the member's phone.
pub const PHONE_ALIASES: [&str; 6] = ["手机号", "手机号码", "联系电话", "电话", "phone", "mobile"];

/// Column names for the member's login (optional).
pub const LOGIN_ALIASES: [&str; 4] = ["系统账号", "账号", "登录名", "login"];

/// The longest name kept (characters).
pub const MAX_NAME_CHARS: usize = 30;
/// The longest unit or kind cell read (characters).
pub const MAX_CELL_CHARS: usize = 64;

/// Reasons a roster row is rejected (besides the row-level ones of the quarantine and the value
/// reasons of `core`).
pub mod team_list_reason {
    /// The same place, kind and phone on an earlier line (the importer reads the kind; this
    /// reader compares the cells as written).
    pub const DUPLICATE: &str = "duplicate_in_file";
}

/// A roster row as the file states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TeamRow {
    pub line: u64,
    /// The village or township as written (a code or a name).
    pub unit: String,
    /// The kind as written.
    pub kind: String,
    pub name: String,
    /// Canonical number (a landline is fine: a community office's).
    pub phone: String,
    pub login: Option<String>,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TeamRejection {
    pub line: u64,
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a roster held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TeamFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<TeamRow>,
    pub rejected: Vec<TeamRejection>,
}

/// Reads a roster; `name` is the file's name as given (for the format and messages).
pub fn read_team_list(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<TeamFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

fn validate(table: Table) -> Result<TeamFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let unit_at = required_column(&header, &UNIT_ALIASES, "unit")?;
    let kind_at = required_column(&header, &KIND_ALIASES, "kind")?;
    let name_at = required_column(&header, &NAME_ALIASES, "name")?;
    let phone_at = required_column(&header, &PHONE_ALIASES, "phone")?;
    let login_at = find_column(&header, &LOGIN_ALIASES);
    let mut file = TeamFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| TeamRejection {
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
        let checked = (|| {
            let required = |column: &'static str, at: usize, max: usize| {
                let v = cell(at);
                if v.is_empty() {
                    Err((column, reason::EMPTY_REQUIRED))
                } else if v.chars().count() > max {
                    Err((column, reason::TOO_LONG))
                } else {
                    Ok(v.to_string())
                }
            };
            let unit = required("unit", unit_at, MAX_CELL_CHARS)?;
            let kind = required("kind", kind_at, MAX_CELL_CHARS)?;
            let name = required("name", name_at, MAX_NAME_CHARS)?;
            let phone = PhoneNumber::parse(&required("phone", phone_at, MAX_CELL_CHARS)?)
                .map_err(|e| ("phone", e.reason()))?
                .canonical();
            let login = Some(cell_at(cells, login_at))
                .filter(|l| !l.is_empty())
                .map(str::to_string);
            Ok((unit, kind, name, phone, login))
        })();
        let (unit, kind, name, phone, login) = match checked {
            Ok(v) => v,
            Err((column, why)) => {
                file.rejected.push(reject(Some(column), why));
                continue;
            }
        };
        if !seen.insert((unit.clone(), kind.clone(), phone.clone())) {
            file.rejected
                .push(reject(Some("phone"), team_list_reason::DUPLICATE));
            continue;
        }
        file.rows.push(TeamRow {
            line: row.line,
            unit,
            kind,
            name,
            phone,
            login,
            raw: row.raw.clone(),
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_accepted_or_rejected_with_line_column_and_reason() {
        let csv = "村（社区）,岗位,姓名,手机号,系统账号,备注\n\
                   舜水社区,网格员,张丽,139 1111 0001,grid,\n\
                   330281001001,社区民警,王刚,0574-62345678,,\n\
                   舜水社区,村干部,,13911110003,,\n\
                   舜水社区,网格员,李四,1391111000,,\n\
                   ,网格员,赵六,13911110005,,\n\
                   舜水社区,网格员,张丽,13911110001,,又一次\n";
        let f = read_team_list("t.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(f.read, 6);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.unit.as_str(), r.kind.as_str(), r.phone.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (2, "舜水社区", "网格员", "13911110001"),
                (3, "330281001001", "社区民警", "0574-62345678"),
            ]
        );
        assert_eq!(f.rows[0].login.as_deref(), Some("grid"));
        assert_eq!(f.rows[1].login, None);
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("name"), "empty_required"),
                (5, Some("phone"), "bad_length"),
                (6, Some("unit"), "empty_required"),
                (7, Some("phone"), "duplicate_in_file"),
            ]
        );
    }

    #[test]
    fn a_file_without_a_kind_column_names_the_accepted_ones() {
        let err = read_team_list(
            "t.csv",
            "村（社区）,姓名,手机号\n舜水社区,张丽,13911110001\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(err.to_string().contains("岗位"), "{err}");
    }
}
