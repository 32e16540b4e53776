//! `fanzha import divisions`, `fanzha units` and `fanzha migrate` end to end, on a fresh SQLite
//! data directory.

use crate::common;

use serde_json::Value;

use common::{fanzha, json};

fn unit<'a>(units: &'a [Value], name: &str) -> &'a Value {
    units
        .iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed"))
}

#[test]
fn importing_twice_inserts_once_and_lists_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let first = json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let total = first["units"].as_u64().unwrap();
    assert!(total > 200, "余姚市 has hundreds of villages: {first}");
    assert_eq!(first["inserted"].as_u64(), Some(total));
    assert_eq!(first["by_level"]["county"], 1);

    let second = json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281000000", "--json"],
    ));
    assert_eq!(second["inserted"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(second["unchanged"].as_u64(), Some(total));

    let listing = fanzha(dir.path(), &["units", "list", "--root", "330281", "--json"]);
    let list = json(&listing);
    let units = list["units"].as_array().unwrap();
    assert_eq!(units.len() as u64, total);
    let yangming = unit(units, "阳明街道");
    assert_eq!(yangming["parent_code"], "330281");
    assert_eq!(yangming["level"], "township");
    let code = yangming["code"].as_str().unwrap();
    let village = units
        .iter()
        .find(|u| u["parent_code"] == code)
        .expect("a village under 阳明街道");
    assert_eq!(village["level"], "village");
    assert!(village["code"].as_str().unwrap().starts_with(code));

    // The human listing indents children under their parent.
    let text = String::from_utf8(listing.stdout).unwrap();
    assert!(text.starts_with("330281  余姚市"), "{text}");
    assert!(text.contains(&format!("\n  {code}  阳明街道")), "{text}");

    let shallow = json(&fanzha(
        dir.path(),
        &[
            "units", "list", "--root", "330281", "--depth", "1", "--json",
        ],
    ));
    let shallow = shallow["units"].as_array().unwrap();
    assert!(shallow.iter().all(|u| u["level"] != "village"));
    assert!(shallow.len() > 10);
}

#[test]
fn importing_the_city_later_attaches_the_county_below_it() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let city = json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "3302", "--json"],
    ));
    assert!(city["updated"].as_u64().unwrap() >= 1, "{city}");
    let show = json(&fanzha(dir.path(), &["units", "show", "330281", "--json"]));
    assert_eq!(show["parent_code"], "3302");
    assert_eq!(show["parent_name"], "宁波市");
    assert_eq!(show["path"], "/3302/330281/");
    let again = json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    assert_eq!(again["inserted"], 0);
    assert_eq!(
        again["updated"], 0,
        "re-importing the county keeps it under the city"
    );
}

#[test]
fn show_reports_a_unit_and_its_subtree() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let list = json(&fanzha(
        dir.path(),
        &["units", "list", "--root", "330281", "--json"],
    ));
    let units = list["units"].as_array().unwrap();
    let code = unit(units, "阳明街道")["code"]
        .as_str()
        .unwrap()
        .to_string();
    let show = json(&fanzha(dir.path(), &["units", "show", &code, "--json"]));
    assert_eq!(show["name"], "阳明街道");
    assert_eq!(show["parent_name"], "余姚市");
    let children = show["children"].as_u64().unwrap();
    assert!(children > 0);
    assert_eq!(show["units_in_subtree"].as_u64(), Some(children + 1));
}

#[test]
fn bad_codes_fail_with_their_error_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = fanzha(dir.path(), &["import", "divisions", "--root", "339999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[invalid_division_code]"), "{err}");

    let out = fanzha(dir.path(), &["units", "show", "330281"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[unit_not_found]"), "{err}");
}

#[test]
fn migrate_reports_the_version_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = json(&fanzha(dir.path(), &["migrate", "--json"]));
    assert_eq!(first["version_before"], 0);
    let version = first["version"].as_i64().unwrap();
    assert!(version >= 5);
    assert_eq!(first["applied"].as_array().unwrap().len() as i64, version);
    let second = json(&fanzha(dir.path(), &["migrate", "--json"]));
    assert_eq!(second["version"].as_i64(), Some(version));
    assert_eq!(second["applied"], serde_json::json!([]));
    assert_eq!(second["backend"], "sqlite");
}

/// `fanzha units population`: a census table (GBK, padded codes, 万) sets the units' residents;
/// rows naming no unit or no count are quarantined with their line, and the rest still land.
#[test]
fn populations_are_recorded_and_bad_rows_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let list = json(&fanzha(
        dir.path(),
        &[
            "units", "list", "--root", "330281", "--depth", "1", "--json",
        ],
    ));
    let townships: Vec<String> = list["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["level"] == "township")
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect();
    let text = format!(
        "区划代码,名称,常住人口\n{}000,甲,\"52,310\"\n{},乙,4.1万\n999999999,无此单位,100\n{},丙,很多\n",
        townships[0], townships[1], townships[2]
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = dir.path().join("人口.csv");
    std::fs::write(&file, &gbk).unwrap();
    let out = json(&fanzha(
        dir.path(),
        &[
            "units",
            "population",
            "--file",
            file.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(out["read"], 4, "{out}");
    assert_eq!(out["updated"], 2, "{out}");
    assert_eq!(out["rejected"], 2, "{out}");
    assert_eq!(out["by_reason"]["unit_not_found"], 1, "{out}");
    assert_eq!(out["by_reason"]["bad_population"], 1, "{out}");
    assert_eq!(out["encoding"], "GBK", "{out}");
    let shown = json(&fanzha(
        dir.path(),
        &["units", "show", &townships[0], "--json"],
    ));
    assert_eq!(shown["population"], 52_310);
    let shown = json(&fanzha(
        dir.path(),
        &["units", "show", &townships[1], "--json"],
    ));
    assert_eq!(shown["population"], 41_000);
}
