//! 金钟罩 guardian lists: for each resident who signed up for joint defense, the family members
//! (or the grid worker) to text when the resident receives a fraud warning. CSV (UTF-8 or GBK)
//! or XLSX with the protected resident's ID number, the guardian's name, phone number and
//! relation (子女, 配偶, 父母, 亲属, 网格员, 其他 — or a closer word such as 女儿 or 丈夫, or the
//! English code); other columns are ignored. Bad rows are rejected with line, column and reason,
//! never dropped.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{cell_at, find_column, read_table, ReportFormat, Table};
use fanzha_core::phone::{PhoneKind, PhoneNumber};
use fanzha_core::reason::Reasoned;
use fanzha_core::resident_id::ResidentId;

/// Column names for the protected resident's ID number, most specific first.
pub const RESIDENT_ID_ALIASES: [&str; 10] = [
    "被保护人身份证号",
    "被守护人身份证号",
    "居民身份证号",
    "本人身份证号",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号码",
    "resident_id",
    "id_number",
];

/// Column names that can only mean the guardian's name.
pub const NAME_ALIASES: [&str; 8] = [
    "监护人姓名",
    "守护人姓名",
    "家属姓名",
    "联系人姓名",
    "紧急联系人",
    "监护人",
    "guardian_name",
    "guardian",
];

/// Column names for the guardian's name in a file whose only name column is the guardian's.
pub const PLAIN_NAME_ALIASES: [&str; 3] = ["姓名", "名字", "name"];

/// Column names that can only mean the guardian's phone number.
pub const PHONE_ALIASES: [&str; 9] = [
    "监护人手机号",
    "监护人电话",
    "监护人手机号码",
    "守护人手机号",
    "家属手机号",
    "家属电话",
    "联系人手机号",
    "联系人电话",
    "guardian_phone",
];

/// Column names for the guardian's phone in a file whose only phone column is the guardian's.
pub const PLAIN_PHONE_ALIASES: [&str; 6] =
    ["手机号", "手机号码", "电话", "联系电话", "phone", "mobile"];

/// Column names for the relation.
pub const RELATION_ALIASES: [&str; 7] = [
    "关系",
    "与本人关系",
    "与被保护人关系",
    "亲属关系",
    "监护人关系",
    "relation",
    "relationship",
];

/// The relations a guardian may have to the resident: (code, label stored and shown, English).
pub const RELATIONS: [(&str, &str, &str); 6] = [
    ("child", "子女", "Child"),
    ("spouse", "配偶", "Spouse"),
    ("parent", "父母", "Parent"),
    ("relative", "亲属", "Relative"),
    ("grid_worker", "网格员", "Grid worker"),
    ("other", "其他", "Other"),
];

/// Closer words a file may use, and the relation each is.
const RELATION_WORDS: [(&str, &str); 30] = [
    ("儿子", "子女"),
    ("女儿", "子女"),
    ("儿女", "子女"),
    ("子", "子女"),
    ("女", "子女"),
    ("丈夫", "配偶"),
    ("妻子", "配偶"),
    ("夫妻", "配偶"),
    ("爱人", "配偶"),
    ("老公", "配偶"),
    ("老婆", "配偶"),
    ("父亲", "父母"),
    ("母亲", "父母"),
    ("爸爸", "父母"),
    ("妈妈", "父母"),
    ("父", "父母"),
    ("母", "父母"),
    ("兄弟", "亲属"),
    ("姐妹", "亲属"),
    ("兄弟姐妹", "亲属"),
    ("哥哥", "亲属"),
    ("姐姐", "亲属"),
    ("弟弟", "亲属"),
    ("妹妹", "亲属"),
    ("孙子", "亲属"),
    ("孙女", "亲属"),
    ("家属", "亲属"),
    ("亲戚", "亲属"),
    ("社区网格员", "网格员"),
    ("朋友", "其他"),
];

/// The relation a cell names (code, label, English or a closer word), as its stored label.
pub fn relation(cell: &str) -> Option<&'static str> {
    let cell = cell.trim();
    RELATIONS
        .iter()
        .find(|(code, zh, en)| {
            cell == *zh || cell.eq_ignore_ascii_case(code) || cell.eq_ignore_ascii_case(en)
        })
        .map(|(_, zh, _)| *zh)
        .or_else(|| {
            RELATION_WORDS
                .iter()
                .find(|(word, _)| cell == *word)
                .map(|(_, zh)| *zh)
        })
}

/// The longest guardian name kept (characters).
pub const MAX_NAME_CHARS: usize = 50;

/// Reasons a guardian row is rejected (besides the row-level ones of the quarantine and the
/// value reasons of `core`).
pub mod guardian_reason {
    /// The relation cell names none of the relations.
    pub const UNKNOWN_RELATION: &str = "unknown_relation";
    /// The guardian's number takes no SMS (a fixed line, a service or an overseas number).
    pub const NOT_MOBILE: &str = "not_mobile";
    /// The same resident and guardian phone on an earlier line.
    pub const DUPLICATE: &str = "duplicate_in_file";
}

/// A guardian as the file states it, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GuardianRow {
    pub line: u64,
    /// Canonical resident ID of the protected resident.
    pub resident_id: String,
    pub name: String,
    /// Canonical mobile number.
    pub phone: String,
    /// One of the labels of [`RELATIONS`].
    pub relation: &'static str,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GuardianRejection {
    pub line: u64,
    /// `resident_id`, `name`, `phone` or `relation` when one cell is to blame.
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a guardian list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GuardianFile {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<GuardianRow>,
    pub rejected: Vec<GuardianRejection>,
}

/// Reads a guardian list; `name` is the file's name as given (for the format and messages).
pub fn read_guardians(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<GuardianFile, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let mut file = validate(table)?;
    file.format = format;
    file.encoding = encoding;
    Ok(file)
}

/// The column of a field: a specific alias first, then a plain one.
fn column(
    header: &[String],
    specific: &[&str],
    plain: &[&str],
    field: &'static str,
) -> Result<usize, IngestError> {
    find_column(header, specific)
        .or_else(|| find_column(header, plain))
        .ok_or_else(|| IngestError::ReportColumnMissing {
            column: field,
            accepted: specific
                .iter()
                .chain(plain.iter())
                .map(|a| a.to_string())
                .collect(),
        })
}

fn validate(table: Table) -> Result<GuardianFile, IngestError> {
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let id_at = column(&header, &RESIDENT_ID_ALIASES, &[], "resident_id")?;
    let name_at = column(&header, &NAME_ALIASES, &PLAIN_NAME_ALIASES, "name")?;
    let phone_at = column(&header, &PHONE_ALIASES, &PLAIN_PHONE_ALIASES, "phone")?;
    let relation_at = column(&header, &RELATION_ALIASES, &[], "relation")?;
    let mut file = GuardianFile {
        format: "csv",
        encoding: None,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        file.read += 1;
        let reject = |column: Option<&'static str>, reason: &'static str| GuardianRejection {
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
            let id = cell(id_at);
            if id.is_empty() {
                return Err(("resident_id", reason::EMPTY_REQUIRED));
            }
            let resident_id = ResidentId::parse_normalised(id)
                .map_err(|e| ("resident_id", e.reason()))?
                .as_str()
                .to_string();
            let name = cell(name_at);
            if name.is_empty() {
                return Err(("name", reason::EMPTY_REQUIRED));
            }
            if name.chars().count() > MAX_NAME_CHARS {
                return Err(("name", reason::TOO_LONG));
            }
            let phone = cell(phone_at);
            if phone.is_empty() {
                return Err(("phone", reason::EMPTY_REQUIRED));
            }
            let phone = PhoneNumber::parse(phone).map_err(|e| ("phone", e.reason()))?;
            if !matches!(phone.kind(), PhoneKind::Mobile | PhoneKind::Virtual) {
                return Err(("phone", guardian_reason::NOT_MOBILE));
            }
            let rel = cell(relation_at);
            if rel.is_empty() {
                return Err(("relation", reason::EMPTY_REQUIRED));
            }
            let relation = relation(rel).ok_or(("relation", guardian_reason::UNKNOWN_RELATION))?;
            Ok((resident_id, name.to_string(), phone.canonical(), relation))
        })();
        let (resident_id, name, phone, relation) = match checked {
            Ok(v) => v,
            Err((column, why)) => {
                file.rejected.push(reject(Some(column), why));
                continue;
            }
        };
        if !seen.insert((resident_id.clone(), phone.clone())) {
            file.rejected
                .push(reject(Some("phone"), guardian_reason::DUPLICATE));
            continue;
        }
        file.rows.push(GuardianRow {
            line: row.line,
            resident_id,
            name,
            phone,
            relation,
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
        let csv = "被保护人身份证号,被保护人姓名,手机号,监护人姓名,监护人手机号,与本人关系\n\
                   11010519491231002X,张三,13800138000,张小明,139 1111 0001,女儿\n\
                   11010519491231002X,张三,13800138000,李芳,13911110002,spouse\n\
                   110105198001011239,李四,,王五,13911110003,子女\n\
                   110105198001011238,李四,,,13911110004,父母\n\
                   110105198001011238,李四,,赵六,010-62345678,父母\n\
                   110105198001011238,李四,,赵六,13911110005,邻居家\n\
                   11010519491231002X,张三,,张小明,13911110001,子女\n\
                   110105198001011238,李四,,钱七,13911110006,网格员\n";
        let f = read_guardians("g.csv", csv.as_bytes(), ReportFormat::Auto).unwrap();
        assert_eq!(f.read, 8);
        assert_eq!(
            f.rows
                .iter()
                .map(|r| (r.line, r.name.as_str(), r.phone.as_str(), r.relation))
                .collect::<Vec<_>>(),
            vec![
                (2, "张小明", "13911110001", "子女"),
                (3, "李芳", "13911110002", "配偶"),
                (9, "钱七", "13911110006", "网格员"),
            ]
        );
        assert_eq!(f.rows[0].resident_id, "11010519491231002X");
        assert_eq!(
            f.rejected
                .iter()
                .map(|r| (r.line, r.column, r.reason))
                .collect::<Vec<_>>(),
            vec![
                (4, Some("resident_id"), "bad_check_digit"),
                (5, Some("name"), "empty_required"),
                (6, Some("phone"), "not_mobile"),
                (7, Some("relation"), "unknown_relation"),
                (8, Some("phone"), "duplicate_in_file"),
            ]
        );
    }

    #[test]
    fn a_file_without_a_relation_column_names_the_accepted_ones() {
        let err = read_guardians(
            "g.csv",
            "身份证号,姓名,手机号\n11010519491231002X,a,13911110001\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(err.to_string().contains("与本人关系"), "{err}");
    }

    #[test]
    fn relations_read_codes_labels_and_closer_words() {
        assert_eq!(relation("女儿"), Some("子女"));
        assert_eq!(relation(" Parent "), Some("父母"));
        assert_eq!(relation("grid_worker"), Some("网格员"));
        assert_eq!(relation("其他"), Some("其他"));
        assert_eq!(relation("同事吗"), None);
    }
}
