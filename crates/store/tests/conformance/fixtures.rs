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
