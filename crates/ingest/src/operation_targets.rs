//! 集群战役目标名单: the targets of a cluster operation as the launching unit's analysts list
//! them — name, ID number (both required), phone, role (上游诈骗, 车手, 卡农 …), the unit that is
//! to find them (落地单位: a code or a name; empty lets the platform place them) and what ties
//! them to the cluster (线索). CSV (UTF-8 or GBK) or XLSX; other columns are ignored. Bad rows
//! are rejected with line, column and reason, never dropped.
//!
//! Roles come back as the store's codes (`cash_mule` …); the unit cell comes back as written,
//! for the importer to resolve in its org tree: this crate does not depend on the store.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{cell_at, find_column, read_table, required_column, ReportFormat};
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;

/// Column names accepted for each field; name and ID number are required.
pub mod columns {
    pub const NAME: [&str; 5] = ["姓名", "嫌疑人姓名", "目标姓名", "人员姓名", "name"];
    pub const RESIDENT_ID: [&str; 7] = [
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "证件号",
        "resident_id",
        "id_number",
    ];
    pub const PHONE: [&str; 6] = ["手机号", "手机号码", "联系电话", "电话", "phone", "mobile"];
    pub const ROLE: [&str; 6] = ["角色", "人员角色", "涉案角色", "人员类别", "类别", "role"];
    pub const UNIT: [&str; 6] = [
        "落地单位",
        "落地单位代码",
        "承办单位",
        "核查单位",
        "unit",
        "unit_code",
    ];
    pub const CLUE: [&str; 6] = ["线索", "涉案情况", "简要案情", "备注", "clue", "note"];
}

/// What a role cell may say, and the store's code it stands for (matched after trimming).
pub const ROLE_NAMES: [(&str, &str); 26] = [
    ("fraudster", "fraudster"),
    ("上游诈骗", "fraudster"),
    ("诈骗", "fraudster"),
    ("话务员", "fraudster"),
    ("cash_mule", "cash_mule"),
    ("取款人/车手", "cash_mule"),
    ("车手", "cash_mule"),
    ("取款人", "cash_mule"),
    ("card_seller", "card_seller"),
    ("卡农", "card_seller"),
    ("出售两卡", "card_seller"),
    ("收贩卡", "card_seller"),
    ("lead_generator", "lead_generator"),
    ("引流", "lead_generator"),
    ("引流推广", "lead_generator"),
    ("den_operator", "den_operator"),
    ("窝点人员", "den_operator"),
    ("窝点", "den_operator"),
    ("GOIP", "den_operator"),
    ("money_launderer", "money_launderer"),
    ("洗钱", "money_launderer"),
    ("跑分", "money_launderer"),
    ("帮信", "card_seller"),
    ("other", "other"),
    ("其他", "other"),
    ("其它", "other"),
];

/// The longest name kept (characters), as for a suspect.
pub const MAX_NAME_CHARS: usize = 50;
/// The longest clue or unit cell kept (characters).
pub const MAX_CELL_CHARS: usize = 500;

/// Reasons a row of a target list is rejected (besides the row-level ones of the quarantine
/// and the value reasons of `core`).
pub mod target_reason {
    /// The role cell names none of [`super::ROLE_NAMES`].
    pub const UNKNOWN_ROLE: &str = "unknown_role";
    /// The same ID number on an earlier line.
    pub const DUPLICATE: &str = "duplicate_in_file";
}

/// A row of the list, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TargetRow {
    pub line: u64,
    pub name: String,
    /// Canonical resident ID.
    pub resident_id: String,
    /// Canonical phone number.
    pub phone: Option<String>,
    /// The store's role code; `other` when the list gives none.
    pub role: &'static str,
    /// The 落地单位 cell as written (a code or a name); `None` when empty.
    pub unit: Option<String>,
    pub clue: String,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TargetRejection {
    pub line: u64,
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a target list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TargetList {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<TargetRow>,
    pub rejected: Vec<TargetRejection>,
}

/// Reads a target list; `name` is the file's name as given (for the format and messages).
pub fn read_target_list(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<TargetList, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let at = Columns {
        name: required_column(&header, &columns::NAME, "name")?,
        resident_id: required_column(&header, &columns::RESIDENT_ID, "resident_id")?,
        phone: find_column(&header, &columns::PHONE),
        role: find_column(&header, &columns::ROLE),
        unit: find_column(&header, &columns::UNIT),
        clue: find_column(&header, &columns::CLUE),
    };
    let mut list = TargetList {
        format,
        encoding,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        list.read += 1;
        let reject = |(column, reason): Why| TargetRejection {
            line: row.line,
            column,
            reason,
            raw: row.raw.clone(),
        };
        let cells = match row.cells_of(header.len()) {
            Ok(c) => c,
            Err(r) => {
                list.rejected.push(reject((None, r)));
                continue;
            }
        };
        let cell = |i: Option<usize>| cell_at(cells, i);
        match parse_row(&at, &cell) {
            Err(why) => list.rejected.push(reject(why)),
            Ok(mut parsed) => {
                if !seen.insert(parsed.resident_id.clone()) {
                    list.rejected
                        .push(reject((Some("resident_id"), target_reason::DUPLICATE)));
                    continue;
                }
                parsed.line = row.line;
                parsed.raw = row.raw.clone();
                list.rows.push(parsed);
            }
        }
    }
    Ok(list)
}

/// Where each field's column is.
struct Columns {
    name: usize,
    resident_id: usize,
    phone: Option<usize>,
    role: Option<usize>,
    unit: Option<usize>,
    clue: Option<usize>,
}

type Why = (Option<&'static str>, &'static str);

fn parse_row<'a>(at: &Columns, cell: &impl Fn(Option<usize>) -> &'a str) -> Result<TargetRow, Why> {
    let name = cell(Some(at.name));
    if name.is_empty() {
        return Err((Some("name"), reason::EMPTY_REQUIRED));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err((Some("name"), reason::TOO_LONG));
    }
    let id = cell(Some(at.resident_id));
    if id.is_empty() {
        return Err((Some("resident_id"), reason::EMPTY_REQUIRED));
    }
    let resident_id = ResidentId::parse_normalised(id)
        .map_err(|e| (Some("resident_id"), e.reason()))?
        .as_str()
        .to_string();
    let phone = match cell(at.phone) {
        "" => None,
        p => Some(
            PhoneNumber::parse(p)
                .map_err(|e| (Some("phone"), e.reason()))?
                .canonical(),
        ),
    };
    let role = match cell(at.role) {
        "" => "other",
        r => ROLE_NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(r))
            .map(|(_, code)| *code)
            .ok_or((Some("role"), target_reason::UNKNOWN_ROLE))?,
    };
    let text = |column: &'static str, i: Option<usize>| -> Result<String, Why> {
        let t = cell(i);
        if t.chars().count() > MAX_CELL_CHARS {
            return Err((Some(column), reason::TOO_LONG));
        }
        Ok(t.to_string())
    };
    let unit = text("unit", at.unit)?;
    Ok(TargetRow {
        line: 0,
        name: name.to_string(),
        resident_id,
        phone,
        role,
        unit: (!unit.is_empty()).then_some(unit),
        clue: text("clue", at.clue)?,
        raw: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(text: &str) -> TargetList {
        read_target_list("targets.csv", text.as_bytes(), ReportFormat::Csv).unwrap()
    }

    #[test]
    fn rows_are_read_with_their_aliases_and_bad_ones_rejected_with_line_and_reason() {
        let list = read(
            "嫌疑人姓名,公民身份号码,手机号码,涉案角色,落地单位,简要案情,其他列\n\
             张三,11010519491231002x,+86 139-0000-1234,车手,330281,取现12万,x\n\
             李四,110105194912310021,,,,,x\n\
             王五,11010519491231002X,,,,,x\n\
             ,330281199001010013,,,,,x\n\
             赵六,330281199001010013,,算命先生,,,x\n\
             钱七,330281199001010021,12,,,,x\n\
             孙八,33028119900101003X,,卡农,阳明街道派出所,\n\
             周九,33028119900101003x,,洗钱,阳明街道派出所,,x\n",
        );
        assert_eq!(list.read, 8);
        assert_eq!(list.rows.len(), 2);
        let r = &list.rows[0];
        assert_eq!(
            (
                r.line,
                r.name.as_str(),
                r.resident_id.as_str(),
                r.phone.as_deref(),
                r.role
            ),
            (
                2,
                "张三",
                "11010519491231002X",
                Some("13900001234"),
                "cash_mule"
            )
        );
        assert_eq!(r.unit.as_deref(), Some("330281"));
        assert_eq!(r.clue, "取现12万");
        let later = &list.rows[1];
        assert_eq!(
            (later.line, later.role, later.unit.as_deref()),
            (9, "money_launderer", Some("阳明街道派出所")),
            "a row rejected for its shape does not make a later one a duplicate"
        );
        let rejected: Vec<_> = list
            .rejected
            .iter()
            .map(|r| (r.line, r.column.unwrap_or("-"), r.reason))
            .collect();
        assert_eq!(
            rejected,
            vec![
                (3, "resident_id", "bad_check_digit"),
                (4, "resident_id", "duplicate_in_file"),
                (5, "name", "empty_required"),
                (6, "role", "unknown_role"),
                (7, "phone", "bad_length"),
                (8, "-", "wrong_field_count"),
            ]
        );
    }

    #[test]
    fn a_list_without_its_required_columns_is_refused_naming_them() {
        let e = read_target_list(
            "t.csv",
            "姓名,手机号\n张三,13900001234\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(e.to_string().contains("resident_id"), "{e}");
    }

    #[test]
    fn an_empty_role_is_other_and_an_empty_unit_is_left_to_the_platform() {
        let list = read("姓名,身份证号,角色,落地单位\n张三,330281199001010013,,\n");
        assert_eq!(list.rows[0].role, "other");
        assert_eq!(list.rows[0].unit, None);
    }

    proptest! {
        /// Whatever the bytes, every data row is accepted or rejected, never lost.
        #[test]
        fn rows_are_never_lost(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut bytes = "姓名,身份证号,角色\n".as_bytes().to_vec();
            bytes.extend(body);
            if let Ok(list) = read_target_list("t.csv", &bytes, ReportFormat::Csv) {
                prop_assert_eq!(list.read, list.rows.len() + list.rejected.len());
            }
        }
    }
}
