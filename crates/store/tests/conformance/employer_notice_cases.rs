//! Employer notices (提示单) of public-sector victims' cases: one per case, numbered per issuing
//! unit and year without gaps, the station told inside the issuer's area, the employer's
//! receipt against the notice's version; the register, figures and the employer table count
//! them inside the scope only.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2027-01-15 08:00 Shanghai.
const T0: i64 = 1_800_000_000_000;

fn case(id: &str, unit: &str, day: i64, loss_fen: i64, employer: Option<&str>) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: T0 + day * DAY,
        loss_fen,
        narrative: "冒充客服，诱导转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        public_sector: employer.is_some(),
        employer: employer.map(Into::into),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: T0 + day * DAY,
        ..NewCase::default()
    }
}

async fn setup(store: &Store) {
    with_tree(store).await;
    for c in [
        case(
            "P1",
            "330281001001",
            0,
            1_000_000,
            Some("余姚市第二人民医院"),
        ),
        case("P2", "330281002001", 1, 300_000, Some("余姚市实验小学")),
        case("P3", "330281001", 2, 50_000, Some("")),
        // The same period a year earlier.
        case(
            "B1",
            "330281001001",
            -365,
            700_000,
            Some("余姚市第二人民医院"),
        ),
        // Not public-sector staff.
        case("N1", "330281001001", 0, 900_000, None),
        // Another county.
        case("X1", "330282001001", 0, 2_000_000, Some("慈溪市人民医院")),
    ] {
        assert!(store.cases().create(&c).await.unwrap());
    }
}

fn notice(case_id: &str, station: &str) -> NewEmployerNotice {
    NewEmployerNotice {
        case_id: case_id.into(),
        issuer_unit: "330281".into(),
        employer: " 余姚市第二人民医院 ".into(),
        department: Some("市卫健局".into()),
        station_unit: station.into(),
        by: "analyst".into(),
    }
}

pub async fn notices_are_issued_once_numbered_per_year_inside_the_scope(store: &Store) {
    setup(store).await;
    let repo = store.employer_notices();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    let first = repo
        .issue(&yuyao, &notice("P1", "330281001"), T0 + HOUR)
        .await
        .unwrap();
    assert_eq!(first.employer, "余姚市第二人民医院", "trimmed");
    assert_eq!(first.department.as_deref(), Some("市卫健局"));
    assert_eq!((first.notice_year, first.notice_seq), (2027, 1));
    assert_eq!(first.number(), "〔2027〕第1号");
    assert_eq!(first.state(), NoticeState::Issued);
    assert_eq!(first.version, 1);
    assert_eq!(
        repo.of_case(&yuyao, "P1").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(repo.of_case(&yuyao, "P2").await.unwrap(), None);

    // Issuing again is refused and changes nothing.
    let again = repo
        .issue(&yuyao, &notice("P1", "330281002"), T0 + 2 * HOUR)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }), "{again:?}");
    assert!(again.to_string().contains("〔2027〕第1号"), "{again}");
    assert_eq!(repo.of_case(&yuyao, "P1").await.unwrap(), Some(first));

    let second = repo
        .issue(&yuyao, &notice("P2", "330281002"), T0 + DAY + HOUR)
        .await
        .unwrap();
    assert_eq!(second.notice_seq, 2, "the next number of the unit's year");
    // A new Shanghai year starts again at 1.
    store
        .cases()
        .create(&case(
            "P4",
            "330281001001",
            351,
            10_000,
            Some("余姚市财政局"),
        ))
        .await
        .unwrap();
    let next_year = repo
        .issue(&yuyao, &notice("P4", "330281001"), T0 + 351 * DAY)
        .await
        .unwrap();
    assert_eq!((next_year.notice_year, next_year.notice_seq), (2028, 1));

    // Not public-sector staff: no notice is owed.
    let err = repo
        .issue(&yuyao, &notice("N1", "330281001"), T0 + HOUR)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "case_id",
                ..
            }
        ),
        "{err:?}"
    );
    // The station must be inside the issuer's area; the employer is required.
    let err = repo
        .issue(&yuyao, &notice("P3", "330282001"), T0 + HOUR)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "station_unit",
                ..
            }
        ),
        "{err:?}"
    );
    // … and a police station or the county bureau, not a village.
    let err = repo
        .issue(&yuyao, &notice("P3", "330281001001"), T0 + HOUR)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "station_unit",
                ..
            }
        ),
        "{err:?}"
    );
    let mut blank = notice("P3", "330281001");
    blank.employer = "  ".into();
    let err = repo.issue(&yuyao, &blank, T0 + HOUR).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "employer",
                ..
            }
        ),
        "{err:?}"
    );
    // Another county neither reads nor issues this county's cases.
    assert!(matches!(
        repo.of_case(&cixi, "P1").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        repo.issue(&cixi, &notice("P3", "330282001"), T0 + HOUR)
            .await
            .unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert_eq!(audits(store, "employer_notice_issued").await, 3);
}

pub async fn receipts_are_recorded_against_the_version_and_within_time(store: &Store) {
    setup(store).await;
    let repo = store.employer_notices();
    let yuyao = store.units().scope("330281").await.unwrap();
    let issued = repo
        .issue(&yuyao, &notice("P1", "330281001"), T0 + HOUR)
        .await
        .unwrap();
    let receipt = |at: i64, version: i64| NoticeReceipt {
        case_id: "P1".into(),
        signatory: "王主任".into(),
        receipt_at: at,
        measures: "召开全院反诈培训会，通报全院职工".into(),
        by: "analyst".into(),
        expected_version: version,
    };
    // Before the notice or in the future: refused.
    for at in [T0, T0 + 10 * DAY] {
        let err = repo
            .record_receipt(&yuyao, &receipt(at, 1), T0 + 2 * DAY)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "receipt_at",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    let mut empty = receipt(T0 + DAY, 1);
    empty.measures = " ".into();
    assert!(repo
        .record_receipt(&yuyao, &empty, T0 + 2 * DAY)
        .await
        .is_err());
    // A case without a notice has no receipt.
    let mut other = receipt(T0 + DAY, 1);
    other.case_id = "P2".into();
    assert!(matches!(
        repo.record_receipt(&yuyao, &other, T0 + 2 * DAY)
            .await
            .unwrap_err(),
        StoreError::Invalid {
            field: "case_id",
            ..
        }
    ));

    let done = repo
        .record_receipt(&yuyao, &receipt(T0 + DAY, issued.version), T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(done.state(), NoticeState::Receipted);
    assert_eq!(done.receipt_signatory.as_deref(), Some("王主任"));
    assert_eq!(done.receipt_at, Some(T0 + DAY));
    assert_eq!(done.receipt_recorded, Some(T0 + 2 * DAY));
    assert_eq!(done.version, 2);
    // A second entry from the same (now stale) version is refused and changes nothing.
    let stale = repo
        .record_receipt(&yuyao, &receipt(T0 + DAY + HOUR, 1), T0 + 2 * DAY)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict { .. }), "{stale:?}");
    assert_eq!(
        repo.of_case(&yuyao, "P1").await.unwrap(),
        Some(done.clone())
    );
    // A correction from the current version applies.
    let corrected = repo
        .record_receipt(&yuyao, &receipt(T0 + DAY + HOUR, 2), T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!(corrected.receipt_at, Some(T0 + DAY + HOUR));
    assert_eq!(corrected.version, 3);
    assert_eq!(audits(store, "employer_notice_receipt").await, 2);
}

pub async fn the_register_figures_and_employer_table_count_the_scope(store: &Store) {
    setup(store).await;
    let repo = store.employer_notices();
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    // P1 on time, P2 late (opened day 1, issued day 3) and receipted, P3 pending.
    repo.issue(&yuyao, &notice("P1", "330281001"), T0 + HOUR)
        .await
        .unwrap();
    let mut p2 = notice("P2", "330281002");
    p2.employer = "余姚市实验小学".into();
    p2.department = None;
    let late = repo.issue(&yuyao, &p2, T0 + 3 * DAY).await.unwrap();
    repo.record_receipt(
        &yuyao,
        &NoticeReceipt {
            case_id: "P2".into(),
            signatory: "李校长".into(),
            receipt_at: T0 + 4 * DAY,
            measures: "全校教职工反诈讲座".into(),
            by: "analyst".into(),
            expected_version: late.version,
        },
        T0 + 4 * DAY,
    )
    .await
    .unwrap();

    let period = NoticeFilter {
        from: Some(T0 - DAY),
        to: Some(T0 + 30 * DAY),
        ..NoticeFilter::default()
    };
    let (rows, more) = repo.register(&yuyao, &period).await.unwrap();
    assert!(!more);
    let ids: Vec<&str> = rows.iter().map(|r| r.case_id.as_str()).collect();
    assert_eq!(
        ids,
        ["P3", "P2", "P1"],
        "latest report first, public-sector only"
    );
    let states: Vec<NoticeState> = rows.iter().map(NoticeRow::state).collect();
    assert_eq!(
        states,
        [
            NoticeState::Pending,
            NoticeState::Receipted,
            NoticeState::Issued
        ]
    );
    assert!(rows[1].issued_late() && !rows[2].issued_late());
    assert!(rows[0].overdue(T0 + 4 * DAY) && !rows[0].overdue(T0 + 2 * DAY + HOUR));

    let (repo_ref, scope_ref) = (&repo, &yuyao);
    let only = |f: NoticeFilter| async move {
        let (rows, _) = repo_ref.register(scope_ref, &f).await.unwrap();
        rows.into_iter().map(|r| r.case_id).collect::<Vec<_>>()
    };
    assert_eq!(
        only(NoticeFilter {
            state: Some(NoticeState::Pending),
            ..period.clone()
        })
        .await,
        ["P3"]
    );
    assert_eq!(
        only(NoticeFilter {
            state: Some(NoticeState::Issued),
            ..period.clone()
        })
        .await,
        ["P1"]
    );
    assert_eq!(
        only(NoticeFilter {
            employer: Some("卫健".into()),
            ..period.clone()
        })
        .await,
        ["P1"],
        "the department's name matches too"
    );
    assert_eq!(
        only(NoticeFilter {
            employer: Some("%".into()),
            ..period.clone()
        })
        .await,
        Vec::<String>::new(),
        "a plain substring, not a pattern"
    );
    assert_eq!(
        only(NoticeFilter {
            overdue_at: Some(T0 + 4 * DAY),
            ..period.clone()
        })
        .await,
        ["P3"]
    );
    // A township sees its own cases only; the year before is outside the period.
    let (rows, _) = repo.register(&yangming, &period).await.unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.case_id.as_str()).collect();
    assert_eq!(ids, ["P3", "P1"]);

    let f = repo
        .figures(&yuyao, T0 - DAY, T0 + 30 * DAY, T0 + 4 * DAY)
        .await
        .unwrap();
    assert_eq!(
        f,
        NoticeFigures {
            cases: 3,
            loss_fen: 1_350_000,
            issued: 2,
            issued_on_time: 1,
            receipted: 1,
            pending: 1,
            pending_overdue: 1,
        }
    );
    let empty = repo
        .figures(&yuyao, T0 + 100 * DAY, T0 + 130 * DAY, T0)
        .await
        .unwrap();
    assert_eq!(empty, NoticeFigures::default());

    let year = 365 * DAY;
    let table = repo
        .by_employer(
            &yuyao,
            (T0 - DAY, T0 + 30 * DAY),
            (T0 - DAY - year, T0 + 30 * DAY - year),
        )
        .await
        .unwrap();
    // (employer, department, cases, loss, cases a year earlier, loss a year earlier)
    type Line<'a> = (&'a str, Option<&'a str>, i64, i64, i64, i64);
    let lines: Vec<Line> = table
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.department.as_deref(),
                t.cases,
                t.loss_fen,
                t.cases_before,
                t.loss_before,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            // One key in both years: the year before had no notice, the case's own employer
            // names it; the department comes from this year's notice.
            (
                "余姚市第二人民医院",
                Some("市卫健局"),
                1,
                1_000_000,
                1,
                700_000
            ),
            ("余姚市实验小学", None, 1, 300_000, 0, 0),
            ("", None, 1, 50_000, 0, 0),
        ]
    );
    // A period longer than a year overlaps the year before: a case in both counts in both.
    let long = repo
        .by_employer(
            &yuyao,
            (T0 - 400 * DAY, T0 + 30 * DAY),
            (T0 - 400 * DAY - year, T0 + 30 * DAY - year),
        )
        .await
        .unwrap();
    let hospital = long
        .iter()
        .find(|t| t.name == "余姚市第二人民医院")
        .unwrap();
    assert_eq!((hospital.cases, hospital.cases_before), (2, 1));
}

/// A case whose victim works for an active alliance member (the case's employer, else the
/// victim's on record) owes its employer a notice like a public-sector one; a case of another
/// employer owes none, nor one of a member that left; the alliance member's cases show it.
pub async fn staff_of_alliance_members_are_notified_too(store: &Store) {
    setup(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let firm = "余姚阳光电器有限公司";
    let credit = fanzha_core::CreditCode::generate(b'9', b'1', 330281, b"MA0000A1")
        .unwrap()
        .as_str()
        .to_string();
    let member = store
        .alliance()
        .join(
            &yuyao,
            &NewMember {
                unit_code: "330281001".into(),
                name: firm.into(),
                credit_code: credit,
                contact_name: "王会计".into(),
                contact_phone: "13900001111".into(),
                staff: 300,
                finance_staff: 12,
                joined_at: T0 - 30 * DAY,
                note: String::new(),
                by: "station".into(),
            },
            T0,
        )
        .await
        .unwrap();
    // A2 names the firm itself; A3 is the firm's staff by the people table; N1 works elsewhere.
    let mut a2 = case("A2", "330281001001", 0, 500_000, None);
    a2.employer = Some(firm.into());
    assert!(store.cases().create(&a2).await.unwrap());
    let staff = NewPerson {
        employer: Some(firm.into()),
        ..crate::fixtures::person(7, "330281001001")
    };
    store
        .people()
        .upsert(std::slice::from_ref(&staff))
        .await
        .unwrap();
    let mut a3 = case("A3", "330281001001", 1, 200_000, None);
    a3.resident_id = Some(staff.resident_id.clone());
    assert!(store.cases().create(&a3).await.unwrap());

    let repo = store.employer_notices();
    assert_eq!(
        repo.owed(&yuyao, "P1").await.unwrap(),
        Some(NoticeGround::PublicSector)
    );
    assert_eq!(
        repo.owed(&yuyao, "A2").await.unwrap(),
        Some(NoticeGround::AllianceMember)
    );
    assert_eq!(
        repo.owed(&yuyao, "A3").await.unwrap(),
        Some(NoticeGround::AllianceMember)
    );
    assert_eq!(repo.owed(&yuyao, "N1").await.unwrap(), None);
    assert!(matches!(
        repo.issue(&yuyao, &notice("N1", "330281001"), T0 + HOUR)
            .await,
        Err(StoreError::Invalid {
            field: "case_id",
            ..
        })
    ));
    let issued = repo
        .issue(
            &yuyao,
            &NewEmployerNotice {
                employer: firm.into(),
                department: None,
                ..notice("A2", "330281001")
            },
            T0 + HOUR,
        )
        .await
        .unwrap();
    let cases = store
        .alliance()
        .cases(&yuyao, member, T0 - DAY, T0 + 5 * DAY)
        .await
        .unwrap();
    let notices: Vec<(&str, Option<(String, bool)>)> = cases
        .iter()
        .map(|c| (c.case_id.as_str(), c.notice.clone()))
        .collect();
    assert_eq!(
        notices,
        vec![("A3", None), ("A2", Some((issued.number(), false)))]
    );
    // The public-sector register does not list the firm's cases.
    let (register, _) = repo
        .register(
            &yuyao,
            &NoticeFilter {
                from: Some(T0 - DAY),
                to: Some(T0 + 5 * DAY),
                ..NoticeFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(!register.is_empty() && register.iter().all(|r| r.case_id != "A2"));
    // Once the firm left, its staff's next case owes none.
    let m = store.alliance().get(&yuyao, member).await.unwrap();
    store
        .alliance()
        .leave(&yuyao, member, "迁出", m.version, "station", T0 + DAY)
        .await
        .unwrap();
    assert_eq!(repo.owed(&yuyao, "A3").await.unwrap(), None);
}
