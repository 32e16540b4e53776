//! 集群战役: an operation launched from a case of the launcher's area, its targets landed on the
//! units that are to find them (named, or where the platform knows the person lives, or the
//! county of the ID number), each landing unit seeing and reporting only its own targets, a
//! target caught becoming a suspect of the main case (counted by the enforcement figures), the
//! launcher withdrawing targets and ending the operation — scoped, versioned and audited.

use crate::fixtures::{audits, person, with_tree};
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

/// A valid GB 11643 number of county `county`, born 1990-01-01, with sequence `n`.
fn valid_id(county: &str, n: u32) -> String {
    let body = format!("{county}19900101{n:03}");
    let bytes: [u8; 17] = body.as_bytes().try_into().unwrap();
    let check = fanzha_core::resident_id::check_char(&bytes);
    format!("{body}{}", check as char)
}

fn case(id: &str, unit: &str) -> NewCase {
    NewCase {
        id: id.into(),
        victim_name: Some(format!("受害人{id}")),
        unit_code: unit.into(),
        reported_at: T0 - DAY,
        loss_fen: 1_000_000,
        narrative: "刷单返利，诱导转账".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: T0 - DAY,
        ..NewCase::default()
    }
}

fn operation(unit: &str, name: &str, case_id: &str, strike_day: i64) -> NewOperation {
    NewOperation {
        unit_code: unit.into(),
        name: name.into(),
        case_id: case_id.into(),
        strike_at: T0 + strike_day * DAY,
        goal: "一举打掉跨区域洗钱团伙".into(),
        by: "center".into(),
        at: T0,
    }
}

fn target(resident_id: &str, unit: Option<&str>) -> NewTarget {
    NewTarget {
        name: " 嫌疑人 ".into(),
        resident_id: resident_id.into(),
        phone: Some("+86 139-0000-1234".into()),
        role: SuspectRole::CashMule,
        unit_code: unit.map(Into::into),
        clue: "收款卡开户人".into(),
    }
}

fn report(
    state: TargetState,
    measure: Option<(SuspectMeasure, i64)>,
    note: &str,
    version: i64,
) -> TargetReport {
    TargetReport {
        state,
        measure: measure.map(|m| m.0),
        measure_at: measure.map(|m| m.1),
        note: note.into(),
        version,
        by: "station".into(),
    }
}

pub async fn targets_land_on_their_units_and_catches_count_as_suspects(store: &Store) {
    with_tree(store).await;
    for c in [case("C1", "330281001001"), case("X1", "330282001001")] {
        assert!(store.cases().create(&c).await.unwrap());
    }
    let known = valid_id("330281", 1);
    let mut resident = person(1, "330281001001");
    resident.resident_id = known.clone();
    store.people().upsert(&[resident]).await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let lizhou = store.units().scope("330281002").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let ops = store.cluster_operations();

    // Launching: from a case of one's area, a unique name, a strike day within a year.
    assert!(matches!(
        ops.launch(&yuyao, &operation("330281", "越界", "X1", 3))
            .await,
        Err(StoreError::NotFound { what: "case", .. })
    ));
    assert!(matches!(
        ops.launch(&city, &operation("3302", "太远", "C1", MAX_STRIKE_DAYS + 1))
            .await,
        Err(StoreError::Invalid {
            field: "strike_at",
            ..
        })
    ));
    let id = ops
        .launch(&city, &operation("3302", " 0315集群战役 ", "C1", 3))
        .await
        .unwrap();
    assert!(matches!(
        ops.launch(&city, &operation("3302", "0315集群战役", "C1", 3))
            .await,
        Err(StoreError::Conflict { .. })
    ));

    // Landing: named unit; where the person lives; the ID number's county. A person the
    // platform cannot place refuses the whole batch.
    let unknown = valid_id("330281", 2);
    let cixi_man = valid_id("330282", 3);
    let beijing = valid_id("110105", 4);
    assert!(matches!(
        ops.add_targets(
            &city,
            id,
            &[target(&unknown, None), target(&beijing, None)],
            "center",
            T0
        )
        .await,
        Err(StoreError::Invalid {
            field: "unit_code",
            ..
        })
    ));
    assert!(
        matches!(
            ops.add_targets(&yuyao, id, &[target(&unknown, None)], "x", T0)
                .await,
            Err(StoreError::NotFound { .. })
        ),
        "only the launcher's area adds targets"
    );
    let batch = [
        target(&known, None),
        target(&unknown, None),
        target(&cixi_man, Some("330282001")),
    ];
    assert_eq!(
        ops.add_targets(&city, id, &batch, "center", T0)
            .await
            .unwrap(),
        (3, 0)
    );
    assert_eq!(
        ops.add_targets(&city, id, &batch[..1], "center", T0)
            .await
            .unwrap(),
        (0, 1),
        "a person is a target of the operation once"
    );
    let all = ops.targets(&city, id).await.unwrap();
    let unit_of = |rid: &str| {
        all.iter()
            .find(|t| t.resident_id == rid)
            .unwrap()
            .unit_code
            .clone()
    };
    assert_eq!(
        unit_of(&known),
        "330281001",
        "the station of the village where the platform knows they live"
    );
    assert_eq!(unit_of(&unknown), "330281", "the county of the ID number");
    assert_eq!(unit_of(&cixi_man), "330282001", "as named");
    assert!(all
        .iter()
        .all(|t| t.name == "嫌疑人" && t.phone.as_deref() == Some("13900001234")));

    // Who sees what.
    let seen = |v: Vec<Target>| v.into_iter().map(|t| t.resident_id).collect::<Vec<_>>();
    assert_eq!(
        seen(ops.targets(&cixi, id).await.unwrap()),
        vec![cixi_man.clone()]
    );
    assert_eq!(
        seen(ops.targets(&yangming, id).await.unwrap()),
        vec![known.clone()]
    );
    assert_eq!(ops.targets(&yuyao, id).await.unwrap().len(), 2);
    assert!(matches!(
        ops.get(&lizhou, id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(ops.list(&lizhou).await.unwrap().is_empty());
    let listed = ops.list(&cixi).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].launcher);
    assert_eq!(listed[0].counts.pending, 1, "only its own target counted");
    assert_eq!(ops.get(&city, id).await.unwrap().counts.pending, 3);
    let a = all.iter().find(|t| t.resident_id == known).unwrap();
    let c = all.iter().find(|t| t.resident_id == cixi_man).unwrap();
    let b = all.iter().find(|t| t.resident_id == unknown).unwrap();
    assert!(matches!(
        ops.target(&cixi, a.id).await,
        Err(StoreError::NotFound { .. })
    ));

    // Reports: checked first.
    let now = T0 + 3 * DAY + 3_600_000;
    for bad in [
        report(TargetState::Caught, None, "", 1),
        report(
            TargetState::Caught,
            Some((SuspectMeasure::CriminalDetention, now + 1)),
            "",
            1,
        ),
        report(
            TargetState::Located,
            Some((SuspectMeasure::Arrest, now)),
            "",
            1,
        ),
        report(TargetState::NotFound, None, " ", 1),
        report(TargetState::Withdrawn, None, "x", 1),
    ] {
        assert!(
            matches!(
                ops.report(&yangming, a.id, &bad, now).await,
                Err(StoreError::Invalid { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        ops.report(&cixi, a.id, &report(TargetState::Located, None, "", 1), now)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Caught: the person becomes a suspect of the main case with the measure.
    let caught_at = T0 + 3 * DAY;
    let a2 = ops
        .report(
            &yangming,
            a.id,
            &report(
                TargetState::Caught,
                Some((SuspectMeasure::CriminalDetention, caught_at)),
                "",
                1,
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(a2.state, TargetState::Caught);
    assert_eq!(a2.version, 2);
    let suspects = store.enforcement().suspects(&city, "C1").await.unwrap();
    assert_eq!(suspects.len(), 1);
    assert_eq!(Some(suspects[0].id), a2.suspect_id);
    assert_eq!(suspects[0].resident_id.as_deref(), Some(known.as_str()));
    assert_eq!(suspects[0].measure, Some(SuspectMeasure::CriminalDetention));
    let f = store
        .enforcement()
        .figures(&city, T0, T0 + 7 * DAY)
        .await
        .unwrap();
    assert_eq!(f.caught(), 1, "the catch counts in the enforcement figures");
    assert!(
        matches!(
            ops.report(
                &yangming,
                a.id,
                &report(TargetState::Located, None, "", 2),
                now
            )
            .await,
            Err(StoreError::Conflict { .. })
        ),
        "a caught target takes no more reports"
    );

    // Not found, then found: versions move on; a stale report is refused.
    let c2 = ops
        .report(
            &cixi,
            c.id,
            &report(TargetState::NotFound, None, "已搬离，去向不明", 1),
            now,
        )
        .await
        .unwrap();
    assert!(matches!(
        ops.report(&cixi, c.id, &report(TargetState::Located, None, "", 1), now)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let c3 = ops
        .report(
            &cixi,
            c.id,
            &report(TargetState::Located, None, "在虞波社区暂住", c2.version),
            now,
        )
        .await
        .unwrap();
    assert_eq!(c3.state, TargetState::Located);

    // Withdrawing belongs to the launcher's area.
    assert!(matches!(
        ops.withdraw(&yuyao, b.id, 1, "身份有误", "county", now)
            .await,
        Err(StoreError::DutySeparated { .. })
    ));
    assert!(matches!(
        ops.withdraw(&city, b.id, 1, " ", "center", now).await,
        Err(StoreError::Invalid { .. })
    ));
    let b2 = ops
        .withdraw(&city, b.id, 1, "身份有误", "center", now)
        .await
        .unwrap();
    assert_eq!(b2.state, TargetState::Withdrawn);
    assert!(
        matches!(
            ops.withdraw(&city, a.id, 2, "x", "center", now).await,
            Err(StoreError::Conflict { .. })
        ),
        "a caught target stays"
    );

    // A person already a suspect of the case gets the measure in their history instead.
    let known2 = valid_id("330281", 5);
    store
        .enforcement()
        .add_suspect(
            &city,
            &NewSuspect {
                case_id: "C1".into(),
                name: "老嫌疑人".into(),
                resident_id: Some(known2.clone()),
                phone: None,
                role: SuspectRole::Fraudster,
                measure: None,
                measure_at: None,
                note: String::new(),
                created_by: "t".into(),
            },
            now,
        )
        .await
        .unwrap();
    ops.add_targets(
        &city,
        id,
        &[target(&known2, Some("330281002"))],
        "center",
        now,
    )
    .await
    .unwrap();
    let e = ops.targets(&lizhou, id).await.unwrap().pop().unwrap();
    let e2 = ops
        .report(
            &lizhou,
            e.id,
            &report(
                TargetState::Caught,
                Some((SuspectMeasure::Arrest, caught_at)),
                "",
                1,
            ),
            now,
        )
        .await
        .unwrap();
    let suspects = store.enforcement().suspects(&city, "C1").await.unwrap();
    assert_eq!(suspects.len(), 2, "no second suspect entry");
    let old = suspects
        .iter()
        .find(|s| s.resident_id.as_deref() == Some(known2.as_str()))
        .unwrap();
    assert_eq!(Some(old.id), e2.suspect_id);
    assert_eq!(old.measure, Some(SuspectMeasure::Arrest));
    assert_eq!(old.name, "老嫌疑人", "the suspect entry is kept as it was");

    // Ending: no more targets; reports still come in.
    assert!(matches!(
        ops.end(&cixi, id, "x", now).await,
        Err(StoreError::NotFound { .. })
    ));
    ops.end(&city, id, "center", now).await.unwrap();
    assert!(matches!(
        ops.end(&city, id, "center", now).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(!ops.get(&city, id).await.unwrap().operation.running());
    assert!(matches!(
        ops.add_targets(
            &city,
            id,
            &[target(&valid_id("330281", 6), None)],
            "center",
            now
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));

    let counts = ops.get(&city, id).await.unwrap().counts;
    assert_eq!(
        counts,
        TargetCounts {
            pending: 0,
            located: 1,
            caught: 2,
            not_found: 0,
            withdrawn: 1
        }
    );
    let figures = ops.figures(&city, T0, T0 + DAY).await.unwrap();
    assert_eq!(figures.launched, 1);
    assert_eq!(figures.targets, counts);
    assert_eq!(
        ops.figures(&cixi, T0, T0 + DAY).await.unwrap().launched,
        0,
        "launched by the city"
    );
    assert_eq!(
        ops.figures(&city, T0 + DAY, T0 + 2 * DAY)
            .await
            .unwrap()
            .launched,
        0
    );
    assert_eq!(ops.of_case(&city, "C1").await.unwrap().len(), 1);
    assert!(ops.of_case(&cixi, "C1").await.unwrap().is_empty());

    assert_eq!(audits(store, "cluster_operation_launched").await, 1);
    assert_eq!(audits(store, "cluster_target_added").await, 4);
    assert_eq!(audits(store, "cluster_target_reported").await, 4);
    assert_eq!(audits(store, "cluster_target_withdrawn").await, 1);
    assert_eq!(audits(store, "cluster_operation_ended").await, 1);
    assert_eq!(audits(store, "suspect_added").await, 2);
}
