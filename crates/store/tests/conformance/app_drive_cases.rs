//! 国家反诈中心APP推广: drives read by the subtree; promoters enrolling through the public link
//! (department checked, one enrolment per number, a lost link given back to the same name);
//! residents registering through a promoter's link (area checked, a number counted once per
//! drive, not the promoter's own, a day's registrations per link bounded); a referral verified
//! by the resident registry; the figures per drive, department, area and period.

use crate::fixtures::{audits, person, with_tree};
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn drive(unit: &str, code: &str, quota: i64, employers: &[(&str, i64)]) -> NewAppDrive {
    NewAppDrive {
        unit_code: unit.into(),
        code: code.into(),
        opens_at: T0,
        text: AppDriveText {
            title: "干部职工发动亲友注册国家反诈中心APP".into(),
            quota,
            closes_at: T0 + 30 * DAY,
            employers: employers
                .iter()
                .map(|(name, headcount)| QuizEmployer {
                    name: (*name).into(),
                    headcount: *headcount,
                })
                .collect(),
        },
        created_by: "analyst".into(),
    }
}

fn promoter(employer: Option<&str>, name: &str, phone: &str, code: &str) -> NewPromoter {
    NewPromoter {
        employer: employer.map(Into::into),
        name: name.into(),
        phone: phone.into(),
        code: code.into(),
        token: format!("token-{code}"),
    }
}

fn resident(unit: &str, phone: &str) -> NewReferral {
    NewReferral {
        unit_code: unit.into(),
        phone: phone.into(),
    }
}

fn invalid_field<T: std::fmt::Debug>(r: StoreResult<T>) -> &'static str {
    match r {
        Err(StoreError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn is_conflict<T: std::fmt::Debug>(r: StoreResult<T>) -> bool {
    matches!(r, Err(StoreError::Conflict { .. }))
}

pub async fn app_drives_count_what_each_promoter_brings_against_the_quota(store: &Store) {
    with_tree(store).await;
    // The registry: even numbers registered on the app (13800000002, …).
    store
        .people()
        .upsert(
            &(1..=6)
                .map(|n| person(n, "330281001001"))
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
    let drives = store.app_drives();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let city = store.units().scope("3302").await.unwrap();

    // Opening: refusals name the field; a unit outside one's area is not found.
    for (bad, field) in [
        (drive("330281", "short", 30, &[]), "code"),
        (drive("330281", "yyapp2027", 0, &[]), "quota"),
        (drive("330281", "yyapp2027", 1_001, &[]), "quota"),
        (
            drive("330281", "yyapp2027", 30, &[("财政局", 5), ("财政局", 3)]),
            "employers",
        ),
        (
            drive("330281", "yyapp2027", 30, &[("财政局", 0)]),
            "employers",
        ),
    ] {
        assert_eq!(
            invalid_field(drives.open(&yuyao, &bad, T0 - DAY).await),
            field,
            "{bad:?}"
        );
    }
    let mut backwards = drive("330281", "yyapp2027", 30, &[]);
    backwards.text.closes_at = T0;
    assert_eq!(
        invalid_field(drives.open(&yuyao, &backwards, T0 - DAY).await),
        "closes_at"
    );
    assert!(matches!(
        drives
            .open(&cixi, &drive("330281", "yyapp2027", 30, &[]), T0 - DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // A quota of 2 to keep the test short; two departments.
    let id = drives
        .open(
            &yuyao,
            &drive(
                "330281",
                "yyapp2027",
                2,
                &[("余姚市财政局", 2), ("余姚市教育局", 3)],
            ),
            T0 - DAY,
        )
        .await
        .unwrap();
    assert!(is_conflict(
        drives
            .open(&yuyao, &drive("330281", "yyapp2027", 30, &[]), T0 - DAY)
            .await
    ));
    assert_eq!(audits(store, "app_drive_opened").await, 1);
    let d = drives.get(&yuyao, id).await.unwrap();
    assert_eq!(d.headcount(), 5);
    assert_eq!(d.employers[0].name, "余姚市教育局");
    assert_eq!(drives.by_code(" yyapp2027 ").await.unwrap().id, id);
    assert!(matches!(
        drives.get(&cixi, id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(drives.list(&city, 10).await.unwrap().len(), 1);
    assert!(drives.list(&cixi, 10).await.unwrap().is_empty());
    // A village officer hands out the county's drive; the other county's do not see it.
    assert_eq!(
        drives
            .open_around("330281001001", T0 + 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(drives
        .open_around("330282", T0 + 1)
        .await
        .unwrap()
        .is_empty());
    assert!(
        drives
            .open_around("330281", T0 - DAY)
            .await
            .unwrap()
            .is_empty(),
        "not open yet"
    );

    // Enrolling.
    assert!(
        is_conflict(
            drives
                .enroll(
                    &d,
                    &promoter(Some("余姚市财政局"), "张三", "13900000001", "prA00001"),
                    T0 - 1
                )
                .await
        ),
        "before it opens"
    );
    for (bad, field) in [
        (
            promoter(None, "张三", "13900000001", "prA00001"),
            "employer",
        ),
        (
            promoter(Some("慈溪市财政局"), "张三", "13900000001", "prA00001"),
            "employer",
        ),
        (
            promoter(Some("余姚市财政局"), " ", "13900000001", "prA00001"),
            "name",
        ),
        (
            promoter(Some("余姚市财政局"), "张三", "0574-62345678", "prA00001"),
            "phone",
        ),
    ] {
        assert_eq!(
            invalid_field(drives.enroll(&d, &bad, T0 + 1).await),
            field,
            "{bad:?}"
        );
    }
    let zhang = drives
        .enroll(
            &d,
            &promoter(Some("余姚市财政局"), " 张三 ", "139 0000 0001", "prA00001"),
            T0 + 1,
        )
        .await
        .unwrap();
    assert_eq!(zhang.name, "张三");
    assert_eq!(zhang.phone, "13900000001");
    // The same number and name get the same enrolment back; another name is refused.
    let again = drives
        .enroll(
            &d,
            &promoter(Some("余姚市财政局"), "张三", "13900000001", "prA00009"),
            T0 + 2,
        )
        .await
        .unwrap();
    assert_eq!(again, zhang);
    assert!(is_conflict(
        drives
            .enroll(
                &d,
                &promoter(Some("余姚市财政局"), "李四", "13900000001", "prA00009"),
                T0 + 2,
            )
            .await
    ));
    let li = drives
        .enroll(
            &d,
            &promoter(Some("余姚市财政局"), "李四", "13900000002", "prB00002"),
            T0 + 3,
        )
        .await
        .unwrap();
    let wang = drives
        .enroll(
            &d,
            &promoter(Some("余姚市教育局"), "王五", "13900000003", "prC00003"),
            T0 + 4,
        )
        .await
        .unwrap();
    assert_eq!(
        drives.promoter_by_code("prA00001").await.unwrap().id,
        zhang.id
    );
    assert_eq!(
        drives.promoter_by_token("token-prB00002").await.unwrap().id,
        li.id
    );
    assert_eq!(drives.promoter(&yuyao, wang.id).await.unwrap().name, "王五");
    assert!(matches!(
        drives.promoter(&cixi, wang.id).await,
        Err(StoreError::NotFound { .. })
    ));

    // Registering residents.
    for (bad, field) in [
        (resident("330282001", "13800000002"), "unit_code"),
        (resident("999999", "13800000002"), "unit_code"),
        (resident("330281001001", "12345"), "phone"),
        (resident("330281001001", "13900000001"), "own_number"),
    ] {
        assert_eq!(
            invalid_field(drives.refer(&d, &zhang, &bad, T0 + 10).await),
            field,
            "{bad:?}"
        );
    }
    // 张三: two registered residents and one stranger to the registry; 李四: one, and one
    // already counted for 张三; 王五: none.
    for phone in ["13800000002", "13800000004", "13700000001"] {
        drives
            .refer(&d, &zhang, &resident("330281001001", phone), T0 + 10)
            .await
            .unwrap();
    }
    drives
        .refer(&d, &li, &resident("330281002001", "13800000003"), T0 + 11)
        .await
        .unwrap();
    assert!(
        is_conflict(
            drives
                .refer(&d, &li, &resident("330281002001", "13800000004"), T0 + 12)
                .await
        ),
        "a number counts once per drive"
    );
    assert_eq!(drives.brought(&zhang).await.unwrap(), (3, 2));
    assert_eq!(drives.brought(&li).await.unwrap(), (1, 0));

    let promoters = drives.promoters(&d).await.unwrap();
    let order: Vec<&str> = promoters.iter().map(|p| p.promoter.name.as_str()).collect();
    assert_eq!(order, ["张三", "李四", "王五"], "the most first");
    let (total, employers) = AppDrives::tally(&d, &promoters);
    assert_eq!(
        total,
        DriveFigures {
            promoters: 3,
            referrals: 4,
            verified: 2,
            at_quota: 1,
        }
    );
    // 教育局 owes 6 and brought nothing: first; 财政局 owes 4 and brought 4.
    assert_eq!(employers[0].name, "余姚市教育局");
    assert_eq!(employers[0].figures.promoters, 1);
    assert_eq!(employers[0].expected, 6);
    assert!(!employers[0].done());
    assert_eq!(employers[1].figures.referrals, 4);
    assert_eq!(employers[1].figures.at_quota, 1);
    assert!((employers[1].progress() - 1.0).abs() < 1e-9);
    assert!(!employers[1].done(), "李四 is short of the quota");
    let by_drive = drives
        .figures_by_drive(std::slice::from_ref(&d))
        .await
        .unwrap();
    assert_eq!(by_drive[&id], total);

    let areas = drives.areas(id).await.unwrap();
    assert_eq!(areas.len(), 2);
    assert_eq!(areas[0].path, "/33/3302/330281/330281001/330281001001/");
    assert_eq!((areas[0].referrals, areas[0].verified), (3, 2));

    // The registry catches up: 13800000003 registered (an outreach visit installed the app).
    let mut caught_up = person(3, "330281001001");
    caught_up.app_registered = true;
    store.people().upsert(&[caught_up]).await.unwrap();
    assert_eq!(drives.brought(&li).await.unwrap(), (1, 1));

    // The period: promoters by the organiser, residents by where they live.
    let period = drives.period(&yuyao, T0, T0 + DAY).await.unwrap();
    assert_eq!(
        period,
        PromotionPeriod {
            promoters: 3,
            referrals: 4,
            verified: 3,
        }
    );
    let village = store.units().scope("330281002").await.unwrap();
    let there = drives.period(&village, T0, T0 + DAY).await.unwrap();
    assert_eq!((there.promoters, there.referrals), (0, 1));
    assert_eq!(
        drives.period(&yuyao, T0 + DAY, T0 + 2 * DAY).await.unwrap(),
        PromotionPeriod::default()
    );

    // A day's registrations per link are bounded.
    for n in 0..(REFERRALS_PER_DAY - 1) {
        drives
            .refer(
                &d,
                &wang,
                &resident("330281", &format!("1350000{n:04}")),
                T0 + 100 + n,
            )
            .await
            .unwrap();
    }
    drives
        .refer(&d, &wang, &resident("330281", "13600000000"), T0 + 300)
        .await
        .unwrap();
    assert_eq!(
        invalid_field(
            drives
                .refer(&d, &wang, &resident("330281", "13600000001"), T0 + 301)
                .await
        ),
        "daily_limit"
    );
    drives
        .refer(
            &d,
            &wang,
            &resident("330281", "13600000001"),
            T0 + DAY + 200,
        )
        .await
        .unwrap();

    // Editing from the version read; closing ends the links.
    let text = AppDriveText {
        title: "全员推广国家反诈中心APP".into(),
        quota: 30,
        closes_at: T0 + 20 * DAY,
        employers: vec![QuizEmployer {
            name: "余姚市财政局".into(),
            headcount: 4,
        }],
    };
    let d2 = drives
        .update(&yuyao, id, d.version, &text, "analyst", T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!((d2.quota, d2.headcount(), d2.version), (30, 4, 2));
    assert!(is_conflict(
        drives
            .update(&yuyao, id, d.version, &text, "analyst", T0 + 2 * DAY)
            .await
    ));
    assert_eq!(audits(store, "app_drive_updated").await, 1);
    let closed = drives
        .close(&yuyao, id, d2.version, "analyst", T0 + 3 * DAY)
        .await
        .unwrap();
    assert!(!closed.is_open(T0 + 3 * DAY));
    assert_eq!(closed.ends_at(), T0 + 3 * DAY);
    assert!(is_conflict(
        drives
            .close(&yuyao, id, closed.version, "analyst", T0 + 3 * DAY)
            .await
    ));
    assert!(is_conflict(
        drives
            .refer(
                &closed,
                &zhang,
                &resident("330281", "13600000009"),
                T0 + 4 * DAY
            )
            .await
    ));
    assert!(is_conflict(
        drives
            .enroll(
                &closed,
                &promoter(Some("余姚市财政局"), "赵六", "13900000009", "prD00009"),
                T0 + 4 * DAY
            )
            .await
    ));
    assert_eq!(audits(store, "app_drive_closed").await, 1);
}
