//! `fanzha check` as a user runs it: one JSON object per value, exit 0 for invalid values, exit
//! 2 for misuse.

use serde_json::Value;
use std::process::Command;

fn fanzha(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_fanzha"))
        .args(args)
        .output()
        .expect("fanzha runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn phone_numbers_are_classified_and_located() {
    let (code, lines, _) = fanzha(&[
        "check",
        "phone",
        "+86 138 0013 8000",
        "0574-62345678",
        "96110",
        "12",
    ]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 4);
    let m = &lines[0];
    assert_eq!(m["input"], "+86 138 0013 8000");
    assert_eq!(m["valid"], true);
    assert_eq!(m["kind"], "mobile");
    assert_eq!(m["carrier"], "移动");
    assert_eq!(m["province"], "北京");
    assert_eq!(m["city"], "北京");
    assert_eq!(m["canonical"], "13800138000");
    assert!(m.get("reason").is_none());
    assert_eq!(lines[1]["kind"], "fixed_line");
    assert_eq!(lines[1]["city"], "宁波");
    assert_eq!(lines[2]["kind"], "service");
    assert_eq!(lines[3]["valid"], false);
    assert_eq!(lines[3]["reason"], "bad_length");
}

#[test]
fn resident_ids_show_birth_date_sex_and_region() {
    let (code, lines, _) = fanzha(&[
        "check",
        "id",
        "11010519491231002X",
        "410102199001019990",
        "410102900101999",
    ]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["birth_date"], "1949-12-31");
    assert_eq!(lines[0]["sex"], "女");
    assert_eq!(lines[0]["region"], "北京市朝阳区");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["reason"], "bad_check_digit");
    assert_eq!(lines[2]["reason"], "bad_length");
    assert_eq!(lines[2]["converted"].as_str().unwrap().len(), 18);
}

#[test]
fn cards_name_the_bank_even_when_luhn_fails() {
    let (code, lines, _) = fanzha(&[
        "check",
        "card",
        "6228480123456789015",
        "6228480123456789016",
    ]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["bank"], "中国农业银行");
    assert_eq!(lines[0]["bank_code"], "ABC");
    assert_eq!(lines[0]["card_type"], "DC");
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["reason"], "bad_luhn");
    assert_eq!(lines[1]["bank"], "中国农业银行");
}

#[test]
fn credit_codes_show_authority_and_org_code() {
    let (code, lines, _) = fanzha(&["check", "code", "91410102MA1ABCD03N", "91410102ma1abcd03n"]);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["registration_authority"], "9");
    assert_eq!(lines[0]["org_type_name"], "企业");
    assert_eq!(lines[0]["org_code"], "MA1ABCD03");
    assert_eq!(lines[0]["region"], "河南省郑州市中原区");
    assert_eq!(lines[1]["reason"], "lowercase");
    let (_, lines, _) = fanzha(&["check", "--normalise", "code", "91410102ma1abcd03n"]);
    assert_eq!(lines[0]["valid"], true);
}

#[test]
fn misuse_exits_2() {
    let (code, lines, _) = fanzha(&["check", "iban", "123"]);
    assert_eq!(code, 2);
    assert!(lines.is_empty());
    let (code, _, stderr) = fanzha(&["check", "phone"]);
    assert_eq!(code, 2, "{stderr}");
}
