//! `fanzha cards import` and `fanzha cards eval` end to end, on a fresh SQLite data directory and
//! a small simulated city.

use crate::common;

use common::{fanzha, json};

fn card(n: u32) -> String {
    let body = format!("6222021001{n:08}");
    let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

fn ccb_card() -> String {
    let body = "621700000000000001";
    let check = fanzha_core::bank_card::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

fn holder(seq: u16, year: i32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(year, 4, 5).unwrap();
    fanzha_core::ResidentId::generate(330281, birth, seq, fanzha_core::Sex::Male)
        .unwrap()
        .as_str()
        .to_string()
}

/// A list of one bank: three cards of a young holder opened within three days in another
/// province (high), one ordinary card at home (no risk), a row with a bad ID number and a
/// card of another bank.
#[test]
fn a_list_is_screened_once_and_its_bad_rows_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let seller = holder(11, 2003);
    let other = holder(12, 1971);
    let mut bad_id = holder(13, 1980);
    bad_id.replace_range(17.., if bad_id.ends_with('1') { "2" } else { "1" });
    let csv = format!(
        "卡号,户名,证件号码,开户日期,开户网点,网点行政区划代码\n\
         {},张三,{seller},2026-11-20,乌鲁木齐分行,650102\n\
         {},张三,{seller},2026-11-21,乌鲁木齐分行,650102\n\
         {},张三,{seller},2026-11-22,乌鲁木齐分行,650102\n\
         {},李四,{other},2026-11-22,余姚支行,330281\n\
         {},王五,{bad_id},2026-11-22,余姚支行,330281\n\
         {},赵六,{other},2026-11-22,,\n",
        card(1),
        card(2),
        card(3),
        card(4),
        card(5),
        ccb_card(),
    );
    let file = dir.path().join("icbc.csv");
    std::fs::write(&file, csv).unwrap();
    let args = [
        "cards",
        "import",
        file.to_str().unwrap(),
        "--bank",
        "icbc",
        "--json",
    ];
    let out = json(&fanzha(dir.path(), &args));
    assert_eq!(out["read"], 6, "{out}");
    assert_eq!(out["received"], 4, "{out}");
    assert_eq!(out["by_level"]["high"], 3, "{out}");
    assert_eq!(out["by_level"]["none"], 1, "{out}");
    assert_eq!(out["queued_for_review"], 3, "{out}");
    assert_eq!(out["rejected"], 2, "{out}");
    assert_eq!(out["by_reason"]["other_bank"], 1, "{out}");
    assert_eq!(out["by_reason"]["bad_check_digit"], 1, "{out}");
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["received"], 0, "{again}");
    assert_eq!(again["listed_before"], 4, "{again}");
}

/// On a small city with many card sellers, the rules catch the sellers and few others.
#[test]
fn the_rules_are_measured_on_a_simulated_city() {
    let dir = tempfile::tempdir().unwrap();
    let city = dir.path().join("city");
    let sim = fanzha(
        dir.path(),
        &[
            "simulate",
            "--people",
            "4000",
            "--days",
            "14",
            "--seed",
            "3",
            "--card-sellers-per-10k-year",
            "2000",
            "--out",
            city.to_str().unwrap(),
            "--json",
        ],
    );
    let sim = json(&sim);
    assert!(sim["card_sellers"].as_u64().unwrap() >= 5, "{sim}");
    let out = json(&fanzha(
        dir.path(),
        &["cards", "eval", "--city", city.to_str().unwrap(), "--json"],
    ));
    assert!(out["sellers"].as_u64().unwrap() >= 5, "{out}");
    assert!(out["seller_recall"].as_f64().unwrap() >= 0.9, "{out}");
    assert!(out["holder_precision"].as_f64().unwrap() >= 0.8, "{out}");
    assert!(out["card_recall"].as_f64().unwrap() >= 0.9, "{out}");
    assert!(out["cards_screened"].as_u64().unwrap() > out["seller_cards"].as_u64().unwrap());
    // The sellers' SIMs on their operators' lists of new phone cards.
    let sims = json(&fanzha(
        dir.path(),
        &[
            "cards",
            "eval",
            "--city",
            city.to_str().unwrap(),
            "--kind",
            "sim_card",
            "--json",
        ],
    ));
    assert_eq!(sims["kind"], "sim_card", "{sims}");
    assert!(sims["sellers"].as_u64().unwrap() >= 5, "{sims}");
    assert!(sims["card_recall"].as_f64().unwrap() >= 0.9, "{sims}");
    assert!(sims["card_precision"].as_f64().unwrap() >= 0.9, "{sims}");
    assert_ne!(
        sims["cards_screened"], out["cards_screened"],
        "phone cards, not bank cards: {sims}"
    );
}

/// An operator's list of new phone cards: a young holder's three numbers bought in another
/// province within three days, an ordinary number at home, a China Unicom number (not the
/// sender's) and a fixed line.
#[test]
fn an_operators_list_of_phone_cards_is_screened_with_its_own_columns() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let buyer = holder(21, 2003);
    let other = holder(22, 1971);
    let csv = format!(
        "手机号码,机主姓名,证件号码,入网时间,营业厅,营业厅行政区划代码\n\
         13800138011,张三,{buyer},2026-11-20,乌鲁木齐营业厅,650102\n\
         13800138012,张三,{buyer},2026-11-21,乌鲁木齐营业厅,650102\n\
         13800138013,张三,{buyer},2026-11-22,乌鲁木齐营业厅,650102\n\
         13800138014,李四,{other},2026-11-22,余姚营业厅,330281\n\
         13012345678,王五,{other},2026-11-22,,\n\
         0574-62345678,赵六,{other},2026-11-22,,\n"
    );
    let file = dir.path().join("cmcc.csv");
    std::fs::write(&file, csv).unwrap();
    let out = json(&fanzha(
        dir.path(),
        &[
            "cards",
            "import",
            file.to_str().unwrap(),
            "--kind",
            "sim_card",
            "--bank",
            "China_Mobile",
            "--json",
        ],
    ));
    assert_eq!(out["kind"], "sim_card", "{out}");
    assert_eq!(out["read"], 6, "{out}");
    assert_eq!(out["received"], 4, "{out}");
    assert_eq!(out["by_level"]["high"], 3, "{out}");
    assert_eq!(out["by_level"]["none"], 1, "{out}");
    assert_eq!(out["by_reason"]["other_operator"], 1, "{out}");
    assert_eq!(out["by_reason"]["not_mobile"], 1, "{out}");
    // A bank's list read as phone cards names the columns it misses.
    let bank_list = dir.path().join("icbc.csv");
    std::fs::write(&bank_list, "卡号,户名,证件号码,开户日期\n").unwrap();
    let wrong = fanzha(
        dir.path(),
        &[
            "cards",
            "import",
            bank_list.to_str().unwrap(),
            "--kind",
            "sim_card",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains("手机号码"), "{stderr}");
}

/// A bank's closure list (销户名单): two of a holder's cards closed within weeks of opening
/// make 频繁开销户, and the holder's open card goes onto the review list; a closing in the future
/// is quarantined; the same list again adds nothing.
#[test]
fn a_closure_list_flags_a_holder_who_opens_and_closes_cards() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let h = holder(21, 1978);
    let openings = format!(
        "卡号,户名,证件号码,开户日期,网点行政区划代码\n\
         {},张三,{h},2026-08-01,330281\n\
         {},张三,{h},2026-09-01,330281\n\
         {},张三,{h},2026-11-20,330281\n",
        card(21),
        card(22),
        card(23),
    );
    let file = dir.path().join("icbc.csv");
    std::fs::write(&file, openings).unwrap();
    let out = json(&fanzha(
        dir.path(),
        &["cards", "import", file.to_str().unwrap(), "--json"],
    ));
    assert_eq!(out["queued_for_review"], 0, "{out}");
    let closures = format!(
        "卡号,证件号码,销户日期\n\
         {},{h},2026-08-20\n\
         {},{h},2026-09-15\n\
         {},{h},2099-01-01\n",
        card(21),
        card(22),
        card(24),
    );
    let file = dir.path().join("icbc_closed.csv");
    std::fs::write(&file, closures).unwrap();
    let args = [
        "cards",
        "import",
        file.to_str().unwrap(),
        "--closures",
        "--bank",
        "ICBC",
        "--json",
    ];
    let out = json(&fanzha(dir.path(), &args));
    assert_eq!(out["read"], 3, "{out}");
    assert_eq!(out["received"], 2, "{out}");
    assert_eq!(out["of_screened_cards"], 2, "{out}");
    assert_eq!(out["short_lived"], 2, "{out}");
    assert_eq!(out["rescreened"], 1, "{out}");
    assert_eq!(out["queued_for_review"], 1, "{out}");
    assert_eq!(out["by_reason"]["closed_in_future"], 1, "{out}");
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["received"], 0, "{again}");
    assert_eq!(again["listed_before"], 2, "{again}");
}

/// `fanzha cards cleanups`: a resident of 余姚 whose ICBC cards were opened and closed twice
/// within weeks still holds one open ICBC card: `--dry-run` names ICBC and the reason, the run
/// asks ICBC once, and a second run asks nothing.
#[test]
fn the_banks_are_asked_about_a_holder_who_opens_and_closes_cards() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let h = holder(31, 1979);
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        format!("身份证号,姓名,手机号,村社区代码\n{h},张三,13812345678,330281001001\n"),
    )
    .unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "people", people.to_str().unwrap(), "--json"],
    ));
    // Dated from today: the closures must lie within the year before the run.
    let day = |ago: u64| (chrono::Utc::now().date_naive() - chrono::Days::new(ago)).to_string();
    let openings = format!(
        "卡号,户名,证件号码,开户日期\n\
         {},张三,{h},{}\n\
         {},张三,{h},{}\n\
         {},张三,{h},{}\n",
        card(31),
        day(120),
        card(32),
        day(90),
        card(33),
        day(15),
    );
    let file = dir.path().join("icbc.csv");
    std::fs::write(&file, openings).unwrap();
    json(&fanzha(
        dir.path(),
        &["cards", "import", file.to_str().unwrap(), "--json"],
    ));
    let closures = format!(
        "卡号,证件号码,销户日期\n{},{h},{}\n{},{h},{}\n",
        card(31),
        day(100),
        card(32),
        day(75),
    );
    let file = dir.path().join("icbc_closed.csv");
    std::fs::write(&file, closures).unwrap();
    json(&fanzha(
        dir.path(),
        &[
            "cards",
            "import",
            file.to_str().unwrap(),
            "--closures",
            "--json",
        ],
    ));
    let dry = json(&fanzha(
        dir.path(),
        &["cards", "cleanups", "--dry-run", "--json"],
    ));
    assert_eq!(dry["candidates"], 1, "{dry}");
    assert_eq!(dry["by_bank"]["ICBC"], 1, "{dry}");
    assert_eq!(dry["by_reason"]["frequent_open_close"], 1, "{dry}");
    assert!(dry.get("requested").is_none(), "{dry}");
    let args = [
        "cards",
        "cleanups",
        "--unit",
        "330281",
        "--note",
        "限制非柜面业务",
        "--by",
        "scheduler",
        "--json",
    ];
    let run = json(&fanzha(dir.path(), &args));
    assert_eq!(
        (&run["requested"], &run["holders"], &run["banks"]),
        (&1.into(), &1.into(), &1.into()),
        "{run}"
    );
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(again["candidates"], 0, "{again}");
    assert_eq!(again["requested"], 0, "{again}");
    // Misuse: an unknown reason is a usage error.
    let bad = fanzha(dir.path(), &["cards", "cleanups", "--reason", "everyone"]);
    assert_eq!(bad.status.code(), Some(2));
}
