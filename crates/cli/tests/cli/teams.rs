//! `fanzha teams import` end to end, on a fresh SQLite data directory: a roster adds each person
//! of each kind at each village or township once; its bad rows (an unknown kind, the county
//! itself, an unknown unit, a bad number) go to the quarantine with line, column and reason; a
//! missing file exits 1.

use crate::common;

use common::{fanzha, json};

#[test]
fn a_roster_adds_each_member_once_and_quarantines_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    json(&fanzha(
        dir.path(),
        &["import", "divisions", "--root", "330281", "--json"],
    ));
    let roster = dir.path().join("劝阻队伍.csv");
    std::fs::write(
        &roster,
        "村（社区）,岗位,姓名,手机号\n\
         330281001,反诈民警,李警官,13900000003\n\
         330281001001,社区民警,赵警官,0574-62345678\n\
         330281001001,网格员,张丽,13900000001\n\
         330281001001,志愿者,孙志愿,13900000012\n\
         330281,村干部,县里,13900000013\n\
         999999999999,网格员,无名,13900000014\n\
         330281001001,村干部,王书记,1390000\n",
    )
    .unwrap();
    let args = ["teams", "import", roster.to_str().unwrap(), "--json"];
    let out = fanzha(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(stdout.contains(":5 kind unknown_team_kind"), "{stdout}");
    assert!(
        stdout.contains(":6 unit not_a_village_or_township"),
        "{stdout}"
    );
    assert!(stdout.contains(":7 unit unknown_unit"), "{stdout}");
    assert!(stdout.contains(":8 phone "), "{stdout}");
    let first = json(&out);
    assert_eq!(first["read"], 7, "{first}");
    assert_eq!(first["added"], 3, "{first}");
    assert_eq!(first["quarantined"], 4, "{first}");
    assert_eq!(first["by_reason"]["unknown_team_kind"], 1, "{first}");
    let again = json(&fanzha(dir.path(), &args));
    assert_eq!(
        (again["added"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3)),
        "{again}"
    );

    let missing = dir.path().join("nothing.csv");
    let out = fanzha(dir.path(), &["teams", "import", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file_unreadable"));
}
