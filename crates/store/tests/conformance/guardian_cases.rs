//! 金钟罩 guardians managed in bulk and from the page: one guardian per resident and phone, so a
//! list imported again changes nothing; rows naming nobody of the area are reported, not
//! applied; saving records the resident's sign-up; reads, lists and removals are scoped through
//! the resident's unit; the sign-up column of a people file and the sign-up count per unit.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;

fn guardian(resident: u32, name: &str, phone: &str, relation: &str) -> NewGuardian {
    NewGuardian {
        resident_id: resident_id(resident),
        name: name.into(),
        phone: phone.into(),
        relationship: relation.into(),
        created_at: T0,
    }
}

/// People 1 and 2 in 余姚 (signed up: neither, since 1 and 2 are not multiples of 3), 5 in 慈溪.
async fn residents(store: &Store) {
    with_tree(store).await;
    store
        .people()
        .upsert(&[
            person(1, "330281001001"),
            person(2, "330281002001"),
            person(5, "330282001001"),
        ])
        .await
        .unwrap();
}

async fn signed_up(store: &Store, n: u32) -> bool {
    store
        .people()
        .get(&Scope::platform(), &resident_id(n))
        .await
        .unwrap()
        .joint_defense_registered
}

/// A list imported twice adds its guardians once; a changed name or relation updates the
/// guardian with that phone; unknown residents (and those outside the area) are rejected by
/// index; the residents named are signed up; each import is audited.
pub async fn a_guardian_list_is_idempotent_per_resident_and_phone(store: &Store) {
    residents(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let rows = vec![
        guardian(1, "王大", "13911110001", "子女"),
        guardian(1, "李芳", "13911110002", "配偶"),
        guardian(2, "赵六", "13911110003", "父母"),
        // 慈溪: outside 余姚's area.
        guardian(5, "孙七", "13911110004", "子女"),
        // Nobody.
        guardian(9, "周八", "13911110005", "子女"),
        // Breaks a guardian rule.
        guardian(2, " ", "13911110006", "子女"),
    ];
    let first = store
        .guardians()
        .import(&yuyao, &rows, "analyst", T0)
        .await
        .unwrap();
    assert_eq!((first.added, first.updated, first.unchanged), (3, 0, 0));
    assert_eq!(first.signed_up, 2);
    assert_eq!(
        first.rejected,
        vec![
            (3, guardian_reason::PERSON_UNKNOWN),
            (4, guardian_reason::PERSON_UNKNOWN),
            (5, guardian_reason::GUARDIAN_INVALID),
        ]
    );
    assert!(signed_up(store, 1).await && signed_up(store, 2).await);
    assert!(!signed_up(store, 5).await, "outside the area: untouched");

    let again = store
        .guardians()
        .import(&yuyao, &rows, "analyst", T0 + 1)
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(again.signed_up, 0);

    // Same resident and phone, another name and relation: the same guardian, updated.
    let changed = store
        .guardians()
        .import(
            &yuyao,
            &[guardian(1, "王大明", "13911110001", "亲属")],
            "analyst",
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!((changed.added, changed.updated), (0, 1));
    let of_1 = store
        .guardians()
        .for_resident(&yuyao, &resident_id(1))
        .await
        .unwrap();
    assert_eq!(
        of_1.iter()
            .map(|g| (g.name.as_str(), g.phone.as_str(), g.relationship.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("王大明", "13911110001", "亲属"),
            ("李芳", "13911110002", "配偶")
        ]
    );
    // The one-by-one add is idempotent in the same way.
    let same = store
        .guardians()
        .add(&yuyao, &guardian(1, "王大明", "13911110001", "亲属"))
        .await
        .unwrap();
    assert_eq!(same.id, of_1[0].id);
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        audit
            .items
            .iter()
            .filter(|e| e.action == "guardians_imported")
            .count(),
        3
    );
}

/// Saving from the page signs the resident up and is audited; the list, one guardian and the
/// removal are scoped through the resident's unit; withdrawing the sign-up keeps the guardians.
pub async fn guardians_are_saved_listed_and_removed_inside_the_area(store: &Store) {
    residents(store).await;
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let liangzhou = store.units().scope("330281002").await.unwrap();
    let (g, how) = store
        .guardians()
        .save(
            &yuyao,
            &guardian(2, "赵六", "13911110003", "父母"),
            "commander",
        )
        .await
        .unwrap();
    assert_eq!(how, GuardianSaved::Added);
    assert!(signed_up(store, 2).await);
    let (_, how) = store
        .guardians()
        .save(
            &yuyao,
            &guardian(2, "赵六", "13911110003", "父母"),
            "commander",
        )
        .await
        .unwrap();
    assert_eq!(how, GuardianSaved::Unchanged);
    store
        .guardians()
        .save(&cixi, &guardian(5, "孙七", "13911110004", "子女"), "other")
        .await
        .unwrap();
    // Someone else's area: not found, nothing saved.
    let err = store
        .guardians()
        .save(&cixi, &guardian(1, "王大", "13911110001", "子女"), "other")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");

    let listed = store
        .guardians()
        .list(&yuyao, &GuardianFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1, "慈溪's guardian is not 余姚's");
    assert_eq!(listed.items[0].resident_name, "居民2");
    assert_eq!(listed.items[0].unit_code, "330281002001");
    assert!(listed.items[0].signed_up);
    let by_unit = store
        .guardians()
        .list(
            &yuyao,
            &GuardianFilter {
                unit_code: Some("330281001".into()),
                ..GuardianFilter::default()
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert!(by_unit.items.is_empty(), "梨洲's resident is not 阳明's");
    assert_eq!(store.guardians().get(&liangzhou, g.id).await.unwrap(), g);
    assert!(store.guardians().get(&cixi, g.id).await.is_err());
    assert!(store
        .guardians()
        .delete(&cixi, g.id, "other")
        .await
        .is_err());

    assert!(store
        .guardians()
        .set_signed_up(&yuyao, &resident_id(2), false, "commander", T0)
        .await
        .unwrap());
    assert!(!signed_up(store, 2).await);
    assert!(!store
        .guardians()
        .set_signed_up(&yuyao, &resident_id(2), false, "commander", T0)
        .await
        .unwrap());
    store
        .guardians()
        .delete(&liangzhou, g.id, "commander")
        .await
        .unwrap();
    assert!(store
        .guardians()
        .for_resident(&yuyao, &resident_id(2))
        .await
        .unwrap()
        .is_empty());
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "guardian_saved",
        "joint_defense_withdrawn",
        "guardian_removed",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

/// A people file with the sign-up column replaces it, one without keeps it; the registration
/// tally counts the signed-up residents per unit.
pub async fn the_sign_up_column_is_imported_and_counted_per_unit(store: &Store) {
    with_tree(store).await;
    let mut one = person(1, "330281001001");
    one.joint_defense_registered = true;
    let mut two = person(2, "330281001001");
    two.joint_defense_registered = false;
    let mut three = person(4, "330281001002");
    three.joint_defense_registered = true;
    let mut writer = store.import_writer();
    let with_column = PersonFlags {
        joint_defense: true,
        ..PersonFlags::default()
    };
    writer
        .people_from_file(&[one.clone(), two.clone(), three], with_column)
        .await
        .unwrap();
    writer.commit().await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let scope = store.units().scope("330281").await.unwrap();
    let mut tally = store.people().registration(&scope, day).await.unwrap();
    tally.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
    assert_eq!(
        tally
            .iter()
            .map(|t| (t.unit_code.as_str(), t.residents, t.joint_defense))
            .collect::<Vec<_>>(),
        vec![("330281001001", 2, 1), ("330281001002", 1, 1)]
    );

    // Without the column: the stored sign-up stays.
    one.joint_defense_registered = false;
    let mut writer = store.import_writer();
    writer
        .people_from_file(&[one.clone()], PersonFlags::default())
        .await
        .unwrap();
    writer.commit().await.unwrap();
    assert!(signed_up(store, 1).await);
    // With it: replaced.
    let mut writer = store.import_writer();
    writer.people_from_file(&[one], with_column).await.unwrap();
    writer.commit().await.unwrap();
    assert!(!signed_up(store, 1).await);
}
