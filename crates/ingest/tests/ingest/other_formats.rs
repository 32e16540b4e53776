//! XLSX and NDJSON go through the same header mapping, validation and quarantine as CSV.

use crate::common;

use common::{import, reasons};
use fanzha_ingest::{Field, RecordKind};

#[test]
fn xlsx_sheet_with_numbers_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["公民身份号码", "姓名", "联系电话", "备注"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: phone stored as a number, as spreadsheets do.
    sheet.write_string(1, 0, "11010519491231002X").unwrap();
    sheet.write_string(1, 1, "张三").unwrap();
    sheet.write_number(1, 2, 13812345678.0).unwrap();
    // Row 3: an empty row (skipped). Row 4: bad check digit.
    sheet.write_string(3, 0, "110105194912310021").unwrap();
    sheet.write_string(3, 1, "李四").unwrap();
    // Row 5: a value in a column without a header.
    sheet.write_string(4, 0, "440524188001010014").unwrap();
    sheet.write_string(4, 1, "王五").unwrap();
    sheet.write_string(4, 5, "stray").unwrap();
    book.save(&path).unwrap();

    let (summary, got) = import(&path, RecordKind::People);
    assert_eq!(summary.read, 3);
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.records[0].0, 2);
    assert_eq!(got.records[0].2, "张三");
    assert_eq!(
        reasons(&got),
        vec![
            (4, Some(Field::IdNumber), "bad_check_digit"),
            (5, None, "wrong_field_count")
        ]
    );
    assert_eq!(summary.ignored_columns, vec!["备注".to_string()]);
}

#[test]
fn ndjson_objects_with_aliases_numbers_and_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phones.ndjson");
    std::fs::write(
        &path,
        "{\"手机号\": 13812345678, \"身份证号\": \"11010519491231002X\", \"note\": 1}\n\
         \n\
         not json\n\
         {\"phone\": \"\"}\n\
         {\"phone\": \"010-62345678\", \"opened_at\": \"2024-01-02T03:04:05+08:00\"}\n",
    )
    .unwrap();
    let (summary, got) = import(&path, RecordKind::Phones);
    assert_eq!(summary.read, 4);
    assert_eq!(
        got.records.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![1, 5]
    );
    assert_eq!(
        reasons(&got),
        vec![
            (3, None, "bad_json"),
            (4, Some(Field::Phone), "empty_required")
        ]
    );
    assert_eq!(summary.ignored_columns, vec!["note".to_string()]);
}
