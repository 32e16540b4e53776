//! A small org tree and people in it.
//!
//! ```text
//! 33 浙江省
//! └─ 3302 宁波市
//!    ├─ 330281 余姚市
//!    │  ├─ 330281001 阳明街道 ── 330281001001 舜水社区, 330281001002 新建社区
//!    │  └─ 330281002 梨洲街道 ── 330281002001 西郊社区
//!    └─ 330282 慈溪市
//!       └─ 330282001 浒山街道 ── 330282001001 虞波社区
//! ```

use fanzha_store::{NewPerson, NewUnit, Store, UnitLevel};

pub fn unit(code: &str, name: &str, level: UnitLevel, parent: Option<&str>) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
        division_code: Some(format!("{code:0<12}")),
        population: None,
    }
}

pub fn tree() -> Vec<NewUnit> {
    use UnitLevel::*;
    vec![
        unit("33", "浙江省", Province, None),
        unit("3302", "宁波市", City, Some("33")),
        unit("330281", "余姚市", County, Some("3302")),
        unit("330281001", "阳明街道", Township, Some("330281")),
        unit("330281001001", "舜水社区", Village, Some("330281001")),
        unit("330281001002", "新建社区", Village, Some("330281001")),
        unit("330281002", "梨洲街道", Township, Some("330281")),
        unit("330281002001", "西郊社区", Village, Some("330281002")),
        unit("330282", "慈溪市", County, Some("3302")),
        unit("330282001", "浒山街道", Township, Some("330282")),
        unit("330282001001", "虞波社区", Village, Some("330282001")),
    ]
}

pub async fn with_tree(store: &Store) {
    store.units().upsert(&tree()).await.expect("tree");
}

/// A syntactically plausible resident ID for test person `n` (the store does not check it).
pub fn resident_id(n: u32) -> String {
    format!("33028119900101{n:04}")
}

pub fn person(n: u32, village: &str) -> NewPerson {
    NewPerson {
        resident_id: resident_id(n),
        name: format!("居民{n}"),
        phone: Some(format!("138{n:08}")),
        residence_code: village.into(),
        address: Some(format!("幸福路{n}号")),
        employer: None,
        public_sector: n % 7 == 0,
        app_registered: n % 2 == 0,
        joint_defense_registered: n % 3 == 0,
    }
}

/// How many entries of `action` the audit log holds (of its latest 500).
pub async fn audits(store: &Store, action: &str) -> usize {
    let page = store
        .audit()
        .list(
            &fanzha_store::Scope::platform(),
            &fanzha_store::PageRequest::first(500),
        )
        .await
        .unwrap();
    page.items.iter().filter(|e| e.action == action).count()
}

/// A 两卡 key-person dossier of `resident_id` (opened the day before `from`) with a financial
/// punishment from `from` until `until` (open-ended with `None`).
pub async fn punished(
    store: &Store,
    scope: &fanzha_store::Scope,
    resident_id: &str,
    from: i64,
    until: Option<i64>,
) {
    use fanzha_store::{KeyPersonCategory, KeyPersonMeasure, NewKeyPerson, PunishmentKind};
    let (kp, _) = store
        .key_persons()
        .create(
            scope,
            &NewKeyPerson {
                resident_id: resident_id.into(),
                category: KeyPersonCategory::TwoCards,
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "analyst".into(),
                at: from - 86_400_000,
            },
        )
        .await
        .unwrap();
    store
        .key_persons()
        .add_event(
            scope,
            kp,
            &KeyPersonMeasure::Punishment {
                kind: PunishmentKind::Financial,
                from,
                until,
            },
            "analyst",
            from,
        )
        .await
        .unwrap();
}

/// A two-card lead on bank card `number` of `resident_id` received at `at`, found sold a day
/// later.
pub async fn sold_card(
    store: &Store,
    scope: &fanzha_store::Scope,
    resident_id: &str,
    number: &str,
    at: i64,
) {
    use fanzha_store::{LeadKind, LeadResult, LeadSource, NewTwoCardLead};
    let leads = store
        .two_card_leads()
        .import(
            scope,
            "3302",
            &[NewTwoCardLead {
                kind: LeadKind::BankCard,
                number: number.into(),
                resident_id: resident_id.into(),
                holder_name: "李四".into(),
                reason: "涉案".into(),
                source: LeadSource::National,
                batch: "b1".into(),
                upstream_id: String::new(),
                place: String::new(),
            }],
            "analyst",
            at,
            7,
        )
        .await
        .unwrap();
    store
        .two_card_leads()
        .record_result(
            scope,
            leads.ids[0],
            LeadResult::Sold,
            "",
            "station",
            at + 86_400_000,
        )
        .await
        .unwrap();
}
