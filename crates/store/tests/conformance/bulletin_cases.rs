//! 通报: numbered per issuer and year, addressed to the units directly below, read along the
//! issuer's line and from above, signed once by each recipient unit for itself.

use crate::fixtures::with_tree;
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const YEAR_MS: i64 = 366 * 86_400_000;

async fn reader(store: &Store, code: &str) -> BulletinReader {
    BulletinReader {
        unit: store.units().get(code).await.unwrap(),
        scope: store.units().scope(code).await.unwrap(),
    }
}

fn bulletin(unit: &str, kind: BulletinKind, title: &str) -> NewBulletin {
    NewBulletin {
        unit_code: unit.into(),
        kind,
        title: format!("  {title} "),
        period: "2027年1月1日至1月14日".into(),
        fraud_type: None,
        body: "一、发案情况\n共发案3起。".into(),
        issued_by: "commander".into(),
        partners: Vec::new(),
    }
}

async fn ids(store: &Store, r: &BulletinReader, filter: &BulletinFilter) -> Vec<i64> {
    let mut ids: Vec<i64> = store
        .bulletins()
        .list(r, filter, &PageRequest::first(50))
        .await
        .unwrap()
        .items
        .iter()
        .map(|b| b.id)
        .collect();
    ids.sort();
    ids
}

pub async fn bulletins_are_numbered_addressed_below_and_read_along_the_line(store: &Store) {
    with_tree(store).await;
    let b = store.bulletins();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let first = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "一月上半月情况通报"),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            first.year,
            first.number,
            first.title.as_str(),
            first.recipients,
            first.signed
        ),
        (2027, 1, "一月上半月情况通报", 2, 0)
    );
    let second = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Methods, "“退费”新手法"),
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    let theirs = b
        .issue(
            &cixi,
            &bulletin("330282", BulletinKind::Situation, "慈溪通报"),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(theirs.number, 1, "each issuer counts its own");
    let next_year = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "新年第一期"),
            T0 + YEAR_MS,
        )
        .await
        .unwrap();
    assert_eq!((next_year.year, next_year.number), (2028, 1));

    // Refused: another county's unit, a unit with nobody below, an empty title.
    for (scope, new) in [
        (&yuyao, bulletin("330282", BulletinKind::Situation, "x")),
        (
            &yuyao,
            bulletin("330281001001", BulletinKind::Situation, "x"),
        ),
        (&yuyao, bulletin("330281", BulletinKind::Situation, " ")),
    ] {
        let err = b.issue(scope, &new, T0).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound { .. } | StoreError::Invalid { .. }
            ),
            "{err:?}"
        );
    }

    // Read along the line: a township and a village under 余姚 read 余姚's, not 慈溪's; the
    // city reads both.
    let all = BulletinFilter::default();
    let ours = vec![first.id, second.id, next_year.id];
    assert_eq!(
        ids(store, &reader(store, "330281001").await, &all).await,
        ours
    );
    assert_eq!(
        ids(store, &reader(store, "330281001001").await, &all).await,
        ours
    );
    let city = ids(store, &reader(store, "3302").await, &all).await;
    assert_eq!(city.len(), 4);
    let township = reader(store, "330281001").await;
    assert!(matches!(
        b.get(&township, theirs.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let methods = BulletinFilter {
        kind: Some(BulletinKind::Methods),
        ..BulletinFilter::default()
    };
    assert_eq!(ids(store, &township, &methods).await, vec![second.id]);
    let got = b.get(&township, first.id).await.unwrap();
    assert_eq!(got.body, "一、发案情况\n共发案3起。");
}

pub async fn each_recipient_unit_signs_once_for_itself(store: &Store) {
    with_tree(store).await;
    let b = store.bulletins();
    let yuyao = store.units().scope("330281").await.unwrap();
    let one = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "第一期"),
            T0,
        )
        .await
        .unwrap();
    let two = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "第二期"),
            T0 + 1,
        )
        .await
        .unwrap();
    let yangming = reader(store, "330281001").await;
    let lizhou = reader(store, "330281002").await;
    let unsigned = BulletinFilter {
        unsigned_only: true,
        ..BulletinFilter::default()
    };
    assert_eq!(ids(store, &yangming, &unsigned).await, vec![one.id, two.id]);
    b.sign(&yangming, one.id, "station", T0 + 10).await.unwrap();
    assert_eq!(ids(store, &yangming, &unsigned).await, vec![two.id]);
    assert_eq!(ids(store, &lizhou, &unsigned).await, vec![one.id, two.id]);
    assert!(matches!(
        b.sign(&yangming, one.id, "station", T0 + 11).await,
        Err(StoreError::Conflict { .. })
    ));
    // A village reads it but is not addressed; another county cannot read it.
    assert!(matches!(
        b.sign(&reader(store, "330281001001").await, one.id, "grid", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        b.sign(&reader(store, "330282001").await, one.id, "x", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // The issuer is not a recipient of its own bulletin.
    assert!(matches!(
        b.sign(&reader(store, "330281").await, one.id, "x", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let county = reader(store, "330281").await;
    assert_eq!(b.get(&county, one.id).await.unwrap().signed, 1);
    let receipts = b.receipts(&county, one.id).await.unwrap();
    assert_eq!(
        receipts
            .iter()
            .map(|r| (r.unit_code.as_str(), r.signed_by.as_deref(), r.signed_at))
            .collect::<Vec<_>>(),
        vec![
            ("330281001", Some("station"), Some(T0 + 10)),
            ("330281002", None, None)
        ]
    );
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(50))
        .await
        .unwrap();
    let count = |a: &str| audit.items.iter().filter(|e| e.action == a).count();
    assert_eq!((count("bulletin_issued"), count("bulletin_signed")), (2, 1));
}

async fn liaison(store: &Store, login: &str, unit: &str, role: Role, institution: &str) {
    store
        .users()
        .upsert(&NewUser {
            login: login.into(),
            display_name: login.into(),
            unit_code: unit.into(),
            roles: vec![role],
            joint_member: None,
            bank_code: (role == Role::BankLiaison).then(|| institution.into()),
            operator: (role == Role::OperatorLiaison).then(|| institution.into()),
            password_hash: None,
        })
        .await
        .unwrap();
}

fn partner(kind: PartnerKind, code: &str) -> Partner {
    Partner {
        kind,
        code: code.into(),
    }
}

pub async fn industry_partners_read_and_sign_only_what_is_addressed_to_them(store: &Store) {
    with_tree(store).await;
    let b = store.bulletins();
    let yuyao = store.units().scope("330281").await.unwrap();
    // Banks with liaisons in 余姚 (two for ICBC: one partner), one in 慈溪, one liaison gone;
    // one operator; a joint office of two members, one of whom left.
    liaison(store, "icbc.a", "330281", Role::BankLiaison, "ICBC").await;
    liaison(store, "icbc.b", "330281001", Role::BankLiaison, "ICBC").await;
    liaison(store, "abc.a", "330281", Role::BankLiaison, "ABC").await;
    liaison(store, "boc.cixi", "330282", Role::BankLiaison, "BOC").await;
    liaison(store, "ccb.gone", "330281", Role::BankLiaison, "CCB").await;
    store.users().set_active("ccb.gone", false).await.unwrap();
    liaison(
        store,
        "cm.a",
        "330281",
        Role::OperatorLiaison,
        "china_mobile",
    )
    .await;
    let office = store.joint_office();
    let member = |name: &str| NewJointMember {
        unit_code: "330281".into(),
        name: name.into(),
        kind: JointMemberKind::Finance,
        contact_name: "李科长".into(),
        contact_phone: "+86 139 0000 2222".into(),
        staff: 30,
        note: String::new(),
        by: "office".into(),
    };
    let pboc = office
        .add_member(&yuyao, &member("人民银行余姚支行"), T0)
        .await
        .unwrap();
    let left = office
        .add_member(&yuyao, &member("余姚市教育局"), T0)
        .await
        .unwrap();
    let version = office.member(&yuyao, left).await.unwrap().version;
    office
        .leave(&yuyao, left, "机构调整", (version, "office", T0))
        .await
        .unwrap();

    let partners = b.partners_of("330281").await.unwrap();
    assert_eq!(
        partners,
        vec![
            partner(PartnerKind::Bank, "ABC"),
            partner(PartnerKind::Bank, "ICBC"),
            partner(PartnerKind::Operator, "china_mobile"),
            partner(PartnerKind::JointMember, &pboc.to_string()),
        ]
    );
    // A station has no operator, no joint office; the city sees every bank of its area.
    assert!(b.partners_of("330281002").await.unwrap().is_empty());
    assert_eq!(
        b.partners_of("3302")
            .await
            .unwrap()
            .iter()
            .filter(|p| p.kind == PartnerKind::Bank)
            .count(),
        3
    );

    let alert = b
        .issue(
            &yuyao,
            &NewBulletin {
                partners: vec![
                    PartnerKind::Bank,
                    PartnerKind::JointMember,
                    PartnerKind::Bank,
                ],
                ..bulletin("330281", BulletinKind::Methods, "“注销校园贷”新手法")
            },
            T0,
        )
        .await
        .unwrap();
    assert_eq!((alert.recipients, alert.partners), (2, 3));
    let police_only = b
        .issue(
            &yuyao,
            &bulletin("330281", BulletinKind::Situation, "情况通报"),
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(police_only.partners, 0);
    // A kind with nobody to address is refused, and nothing is issued.
    let err = b
        .issue(
            &store.units().scope("330281002").await.unwrap(),
            &NewBulletin {
                partners: vec![PartnerKind::Operator],
                ..bulletin("330281002", BulletinKind::Methods, "无")
            },
            T0 + 2,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "partners",
                ..
            }
        ),
        "{err:?}"
    );

    // Each partner reads what was addressed to it, and nothing else.
    let icbc = partner(PartnerKind::Bank, "ICBC");
    let listed = |p: Partner, unsigned_only: bool| async move {
        store
            .bulletins()
            .for_partner(
                &p,
                &BulletinFilter {
                    kind: None,
                    unsigned_only,
                },
                &PageRequest::first(10),
            )
            .await
            .unwrap()
            .items
            .iter()
            .map(|(b, _)| b.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(icbc.clone(), false).await, [alert.id]);
    assert!(listed(partner(PartnerKind::Bank, "BOC"), false)
        .await
        .is_empty());
    assert!(
        listed(partner(PartnerKind::Operator, "china_mobile"), false)
            .await
            .is_empty()
    );
    assert!(matches!(
        b.get_for_partner(&icbc, police_only.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        b.get_for_partner(&partner(PartnerKind::Bank, "BOC"), alert.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(b.unsigned_for_partner(&icbc).await.unwrap(), 1);

    // ICBC signs once; the second time is a conflict; another bank cannot sign for it.
    b.sign_for_partner(&icbc, alert.id, "icbc.b", T0 + 10)
        .await
        .unwrap();
    assert!(matches!(
        b.sign_for_partner(&icbc, alert.id, "icbc.a", T0 + 11).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        b.sign_for_partner(
            &partner(PartnerKind::Bank, "BOC"),
            alert.id,
            "boc.cixi",
            T0 + 12
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(b.unsigned_for_partner(&icbc).await.unwrap(), 0);
    assert!(listed(icbc.clone(), true).await.is_empty());
    let (seen, receipt) = b.get_for_partner(&icbc, alert.id).await.unwrap();
    assert_eq!((seen.partners, seen.partners_signed), (3, 1));
    assert_eq!(receipt.signed_by.as_deref(), Some("icbc.b"));

    // The issuer sees every partner's receipt; the units' own receipts are untouched.
    let receipts = b
        .partner_receipts(&reader(store, "330281").await, alert.id)
        .await
        .unwrap();
    let signed: Vec<(String, Option<i64>)> = receipts
        .iter()
        .map(|r| (r.partner.code.clone(), r.signed_at))
        .collect();
    assert_eq!(
        signed,
        vec![
            ("ABC".to_string(), None),
            ("ICBC".to_string(), Some(T0 + 10)),
            (pboc.to_string(), None),
        ]
    );
    assert_eq!(
        b.get(&reader(store, "330281").await, alert.id)
            .await
            .unwrap()
            .signed,
        0
    );
    // 慈溪 cannot read the bulletin, so not its partners either.
    assert!(matches!(
        b.partner_receipts(&reader(store, "330282").await, alert.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let audit = store
        .audit()
        .for_target(&yuyao, "bulletin", &alert.id.to_string())
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "bulletin_signed" && e.detail["partner"] == "ICBC"));
    assert!(audit.iter().any(|e| e.action == "bulletin_issued"
        && e.detail["partners"]
            == serde_json::json!(["bank:ABC", "bank:ICBC", format!("joint_member:{pboc}")])));
}
