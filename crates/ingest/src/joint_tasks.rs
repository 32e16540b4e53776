//! 任务清单: the joint office's task list as it is issued — a table of tasks, each with the
//! member department responsible (责任单位 / 牵头单位), what to do, the deadline (完成时限) and
//! its requirements. CSV (UTF-8 or GBK) or XLSX; other columns are ignored. Bad rows are
//! rejected with line, column and reason, never dropped.
//!
//! The member cell comes back as written, for the importer to find among its office's members:
//! this crate does not depend on the store.

use crate::error::IngestError;
use crate::quarantine::reason;
use crate::reports::{
    cell_at, find_column, parse_report_time, read_table, required_column, ReportFormat,
};
use chrono::NaiveDate;
use fanzha_core::reason::Reasoned;
use fanzha_core::time::shanghai_date;

/// Column names accepted for each field; member, task and deadline are required.
pub mod columns {
    pub const MEMBER: [&str; 8] = [
        "责任单位",
        "牵头单位",
        "成员单位",
        "承办单位",
        "责任部门",
        "单位",
        "member",
        "department",
    ];
    pub const TASK: [&str; 7] = [
        "任务",
        "任务内容",
        "工作任务",
        "任务事项",
        "工作内容",
        "task",
        "title",
    ];
    pub const DUE: [&str; 7] = [
        "完成时限",
        "时限",
        "完成时间",
        "截止日期",
        "截止时间",
        "due",
        "due_on",
    ];
    pub const DETAIL: [&str; 6] = ["任务要求", "具体要求", "工作要求", "要求", "备注", "detail"];
}

/// The longest member cell kept (characters), as a member's name.
pub const MAX_MEMBER_CHARS: usize = 100;
/// The longest task kept (characters), as the store's task title.
pub const MAX_TASK_CHARS: usize = 200;
/// The longest requirement kept (characters).
pub const MAX_DETAIL_CHARS: usize = 2000;

/// Reasons a row of a task list is rejected (besides the row-level ones of the quarantine and
/// the value reasons of `core`).
pub mod task_reason {
    /// The same member and task on an earlier line.
    pub const DUPLICATE: &str = "duplicate_in_file";
    /// The deadline cell is a time the calendar cannot hold.
    pub const OUT_OF_RANGE: &str = "out_of_range";
}

/// A row of the list, validated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TaskRow {
    pub line: u64,
    /// The member cell as written.
    pub member: String,
    pub task: String,
    /// The deadline's day (Asia/Shanghai): due by its end.
    pub due_on: NaiveDate,
    pub detail: String,
    pub raw: String,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TaskRejection {
    pub line: u64,
    pub column: Option<&'static str>,
    pub reason: &'static str,
    pub raw: String,
}

/// What a task list held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TaskList {
    pub format: &'static str,
    pub encoding: Option<&'static str>,
    /// Data rows read (blank rows are not rows): accepted + rejected.
    pub read: usize,
    pub rows: Vec<TaskRow>,
    pub rejected: Vec<TaskRejection>,
}

/// Reads a task list; `name` is the file's name as given (for the format and messages).
pub fn read_task_list(
    name: &str,
    bytes: &[u8],
    format: ReportFormat,
) -> Result<TaskList, IngestError> {
    let (table, format, encoding) = read_table(name, bytes, format)?;
    let header = table.header.ok_or(IngestError::HeaderAbsent)?;
    let at = Columns {
        member: required_column(&header, &columns::MEMBER, "member")?,
        task: required_column(&header, &columns::TASK, "task")?,
        due: required_column(&header, &columns::DUE, "due")?,
        detail: find_column(&header, &columns::DETAIL),
    };
    let mut list = TaskList {
        format,
        encoding,
        read: 0,
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for row in table.rows {
        list.read += 1;
        let reject = |(column, reason): Why| TaskRejection {
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
                if !seen.insert((parsed.member.clone(), parsed.task.clone())) {
                    list.rejected
                        .push(reject((Some("task"), task_reason::DUPLICATE)));
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
    member: usize,
    task: usize,
    due: usize,
    detail: Option<usize>,
}

type Why = (Option<&'static str>, &'static str);

fn parse_row<'a>(at: &Columns, cell: &impl Fn(Option<usize>) -> &'a str) -> Result<TaskRow, Why> {
    let required = |column: &'static str, i: usize, max: usize| -> Result<&'a str, Why> {
        let t = cell(Some(i));
        if t.is_empty() {
            return Err((Some(column), reason::EMPTY_REQUIRED));
        }
        if t.chars().count() > max {
            return Err((Some(column), reason::TOO_LONG));
        }
        Ok(t)
    };
    let member = required("member", at.member, MAX_MEMBER_CHARS)?;
    let task = required("task", at.task, MAX_TASK_CHARS)?;
    let due = required("due", at.due, 64)?;
    let ms = parse_report_time(due).map_err(|e| (Some("due"), e.reason()))?;
    let due_on = shanghai_date(ms).ok_or((Some("due"), task_reason::OUT_OF_RANGE))?;
    let detail = cell(at.detail);
    if detail.chars().count() > MAX_DETAIL_CHARS {
        return Err((Some("detail"), reason::TOO_LONG));
    }
    Ok(TaskRow {
        line: 0,
        member: member.to_string(),
        task: task.to_string(),
        due_on,
        detail: detail.to_string(),
        raw: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(text: &str) -> TaskList {
        read_task_list("tasks.csv", text.as_bytes(), ReportFormat::Csv).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rows_are_read_with_their_aliases_and_bad_ones_rejected_with_line_and_reason() {
        let list = read(
            "序号,责任单位,工作任务,完成时限,具体要求\n\
             1,县教育局,组织家长安装国家反诈中心APP,2026-03-31,注册率95%以上\n\
             2,人民银行县支行,排查涉诈账户,2026年4月15日,\n\
             3,县教育局,组织家长安装国家反诈中心APP,2026-04-30,\n\
             4,,开展培训,2026-03-31,\n\
             5,县卫健局,,2026-03-31,\n\
             6,县卫健局,开展培训,下月底,\n\
             7,县卫健局,开展培训\n\
             8,县市场监管局,\u{3000}排查商户\u{3000},2026/5/1,\n",
        );
        assert_eq!(list.read, 8);
        let got: Vec<_> = list
            .rows
            .iter()
            .map(|r| (r.line, r.member.as_str(), r.task.as_str(), r.due_on))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    "县教育局",
                    "组织家长安装国家反诈中心APP",
                    day("2026-03-31")
                ),
                (3, "人民银行县支行", "排查涉诈账户", day("2026-04-15")),
                (9, "县市场监管局", "排查商户", day("2026-05-01")),
            ]
        );
        assert_eq!(list.rows[0].detail, "注册率95%以上");
        let rejected: Vec<_> = list
            .rejected
            .iter()
            .map(|r| (r.line, r.column.unwrap_or("-"), r.reason))
            .collect();
        assert_eq!(rejected[0], (4, "task", "duplicate_in_file"));
        assert_eq!(rejected[1], (5, "member", "empty_required"));
        assert_eq!(rejected[2], (6, "task", "empty_required"));
        assert_eq!((rejected[3].0, rejected[3].1), (7, "due"));
        assert_eq!(rejected[4], (8, "-", "wrong_field_count"));
        assert_eq!(rejected.len(), 5);
    }

    #[test]
    fn a_list_without_its_required_columns_is_refused_naming_them() {
        let e = read_task_list(
            "t.csv",
            "责任单位,任务\n县教育局,宣传\n".as_bytes(),
            ReportFormat::Csv,
        )
        .unwrap_err();
        assert!(e.to_string().contains("due"), "{e}");
    }

    proptest! {
        /// Whatever the bytes, every data row is accepted or rejected, never lost.
        #[test]
        fn rows_are_never_lost(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut bytes = "责任单位,任务,完成时限\n".as_bytes().to_vec();
            bytes.extend(body);
            if let Ok(list) = read_task_list("t.csv", &bytes, ReportFormat::Csv) {
                prop_assert_eq!(list.read, list.rows.len() + list.rejected.len());
            }
        }
    }
}
