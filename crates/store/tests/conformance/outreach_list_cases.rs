//! 精准宣防名单: a list freezes the area's residents of one group who are not on the anti-fraud
//! app; readers see the rows of their own subtree; a visit is recorded at the version read and
//! an installation marks the resident registered, so the next list leaves them out.

use crate::fixtures::{audits, with_tree};
use chrono::NaiveDate;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const YUYAO: &str = "330281";
const YANGMING: &str = "330281001";
const SHUNSHUI: &str = "330281001001";
const XINJIAN: &str = "330281001002";
const XIJIAO: &str = "330281002001";
const HUSHAN: &str = "330282001001";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()
}

fn resident(born: &str, n: u32, village: &str, app: bool) -> NewPerson {
    NewPerson {
        resident_id: format!("{}{born}{n:04}", &village[..6]),
        name: format!("居民{n}"),
        phone: Some(format!("139{n:08}")),
        residence_code: village.into(),
        address: Some(format!("幸福路{n}号")),
        employer: None,
        public_sector: false,
        app_registered: app,
        joint_defense_registered: false,
    }
}

fn list(unit: &str, group: TargetGroup, deadline: i64) -> NewOutreachList {
    NewOutreachList {
        unit_code: unit.into(),
        group,
        fraud_type: Some("impersonating_police".into()),
        deadline,
        created_by: "commander".into(),
    }
}

pub async fn lists_freeze_the_group_and_visits_register_the_app(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            resident("19500302", 1, SHUNSHUI, false), // 76, not on the app: listed
            resident("19550101", 2, SHUNSHUI, true),  // 72, on the app already
            resident("19610101", 3, XINJIAN, false),  // 66: listed
            resident("19670116", 4, XINJIAN, false),  // 59 and a day short of 60
            resident("20040501", 5, XIJIAO, false),   // 22: young, not elderly
            resident("19480101", 6, HUSHAN, false),   // another county
        ])
        .await
        .unwrap();
    let l = store.outreach_lists();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let shunshui = store.units().scope(SHUNSHUI).await.unwrap();
    let deadline = T0 + 30 * DAY;

    assert_eq!(
        l.candidates(&yuyao, YUYAO, TargetGroup::Elderly, today())
            .await
            .unwrap(),
        2
    );
    let (id, n) = l
        .issue(
            &yuyao,
            &list(YUYAO, TargetGroup::Elderly, deadline),
            today(),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    // The county reads the whole list; the village its own row; another county nothing.
    let all = l.lists(&yuyao, 50).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (
            all[0].residents,
            all[0].figures.rows,
            all[0].figures.pending
        ),
        (2, 2, 2)
    );
    assert_eq!(all[0].fraud_type.as_deref(), Some("impersonating_police"));
    let village = l.get(&shunshui, id).await.unwrap();
    assert_eq!(village.figures.rows, 1);
    assert!(l.lists(&cixi, 50).await.unwrap().is_empty());
    assert!(matches!(
        l.get(&cixi, id).await,
        Err(StoreError::NotFound { .. })
    ));
    let rows = l
        .rows(&shunshui, id, None, &PageRequest::first(50))
        .await
        .unwrap()
        .items;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (row.name.as_str(), row.state, row.address.as_deref()),
        ("居民1", ReachState::Pending, Some("幸福路1号"))
    );
    let per_unit = l.figures_by_unit(&yuyao, id).await.unwrap();
    assert_eq!(
        per_unit
            .iter()
            .map(|(u, f)| (u.as_str(), f.rows))
            .collect::<Vec<_>>(),
        vec![(SHUNSHUI, 1), (XINJIAN, 1)]
    );

    // The visit: reached, the app installed on the spot.
    let found = ReachRecord {
        state: ReachState::Reached,
        app_installed: true,
        note: " 已讲解冒充公检法骗局 ".into(),
    };
    assert!(matches!(
        l.record(&cixi, row.id, row.version, &found, "grid01", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let done = l
        .record(&shunshui, row.id, row.version, &found, "grid01", T0 + DAY)
        .await
        .unwrap();
    assert_eq!(
        (
            done.state,
            done.app_installed,
            done.note.as_str(),
            done.version
        ),
        (ReachState::Reached, true, "已讲解冒充公检法骗局", 1)
    );
    let stale = l
        .record(&shunshui, row.id, row.version, &found, "grid01", T0 + DAY)
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { .. })),
        "{stale:?}"
    );
    let person = store
        .people()
        .get(&shunshui, &row.resident_id)
        .await
        .unwrap();
    assert!(
        person.app_registered,
        "the installation registers the resident"
    );
    let figures = l.get(&yuyao, id).await.unwrap().figures;
    assert_eq!(
        (figures.reached, figures.app_installed, figures.pending),
        (1, 1, 1)
    );
    assert_eq!(
        l.rows(
            &yuyao,
            id,
            Some(ReachState::Pending),
            &PageRequest::first(50)
        )
        .await
        .unwrap()
        .items
        .len(),
        1
    );
    // What a visit must say.
    let pending = ReachRecord {
        state: ReachState::Pending,
        app_installed: false,
        note: String::new(),
    };
    let not_met_with_app = ReachRecord {
        state: ReachState::Unreachable,
        app_installed: true,
        note: String::new(),
    };
    for bad in [pending, not_met_with_app] {
        assert!(matches!(
            l.record(&shunshui, row.id, 1, &bad, "grid01", T0 + DAY)
                .await,
            Err(StoreError::Invalid { .. })
        ));
    }

    // The 待办 line: one still to visit, overdue once the deadline passed.
    assert_eq!(l.pending(&yuyao, T0 + DAY).await.unwrap(), (1, 0));
    assert_eq!(l.pending(&yuyao, deadline + 1).await.unwrap(), (1, 1));
    assert_eq!(l.pending(&shunshui, deadline + 1).await.unwrap(), (0, 0));

    // The next list leaves the registered resident out; a group nobody is left in, a past
    // deadline and a unit of another county are refused.
    let (_, again) = l
        .issue(
            &yuyao,
            &list(YUYAO, TargetGroup::Elderly, deadline),
            today(),
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(again, 1);
    for (new, field) in [
        (list(YANGMING, TargetGroup::Young, deadline), "target_group"),
        (list(YUYAO, TargetGroup::Young, T0), "deadline"),
    ] {
        match l.issue(&yuyao, &new, today(), T0 + DAY).await {
            Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        l.issue(
            &yuyao,
            &list("330282", TargetGroup::Elderly, deadline),
            today(),
            T0
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(audits(store, "outreach_list_issued").await, 2);
    assert_eq!(audits(store, "outreach_target_recorded").await, 1);
    let entry = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| e.action == "outreach_target_recorded")
        .unwrap();
    assert!(
        !entry.detail.to_string().contains(&row.resident_id),
        "the ID number is masked in the audit log"
    );
}
