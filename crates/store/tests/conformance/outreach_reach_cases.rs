//! How far outreach reaches, and what it is measured against: new-media posts with their views
//! counted again at the version read; whether a victim had been reached before (面对面宣防率);
//! and criminal cases per unit and month (刑事案件立案数), a unit's own entry standing for its
//! subtree.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const YUYAO: &str = "330281";
const YANGMING: &str = "330281001";
const LIZHOU: &str = "330281002";
const CIXI: &str = "330282";

fn post(unit: &str, day: i64, platform: PostPlatform, form: PostForm, views: i64) -> NewPost {
    NewPost {
        unit_code: unit.into(),
        published_on: T0 + day * DAY,
        platform,
        form,
        topic: PostTopic::TwoCards,
        account: " 余姚反诈 ".into(),
        title: format!("第{day}期：出租银行卡的后果"),
        link: String::new(),
        views,
        shares: views / 100,
        created_by: "analyst".into(),
    }
}

async fn actions(store: &Store, action: &str) -> Vec<serde_json::Value> {
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    audit
        .items
        .into_iter()
        .filter(|a| a.action == action)
        .map(|a| a.detail)
        .collect()
}

pub async fn posts_are_recorded_counted_again_and_totalled_by_platform(store: &Store) {
    with_tree(store).await;
    let p = store.outreach_posts();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let now = T0 + 10 * DAY;
    let id = p
        .record(
            &yuyao,
            &post(YANGMING, 1, PostPlatform::Douyin, PostForm::Video, 12_000),
            now,
        )
        .await
        .unwrap();
    p.record(
        &yuyao,
        &post(LIZHOU, 2, PostPlatform::Wechat, PostForm::Article, 3_000),
        now,
    )
    .await
    .unwrap();
    p.record(
        &Scope::platform(),
        &post(CIXI, 2, PostPlatform::Douyin, PostForm::Video, 99_999),
        now,
    )
    .await
    .unwrap();
    let got = p.get(&yuyao, id).await.unwrap();
    assert_eq!(
        (got.account.as_str(), got.views, got.shares, got.version),
        ("余姚反诈", 12_000, 120, 1)
    );
    // Another county's post is not found from here; nor recorded into it.
    let cixi_post = p
        .list(
            &Scope::platform(),
            &PostFilter {
                platform: Some(PostPlatform::Douyin),
                ..PostFilter::default()
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|x| x.unit_code == CIXI)
        .unwrap();
    assert!(matches!(
        p.get(&yuyao, cixi_post.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        p.record(
            &yuyao,
            &post(CIXI, 1, PostPlatform::Weibo, PostForm::Article, 1),
            now
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    for bad in [
        post(YANGMING, 11, PostPlatform::Weibo, PostForm::Article, 1),
        post(YANGMING, 1, PostPlatform::Weibo, PostForm::Article, -1),
        NewPost {
            title: " ".into(),
            ..post(YANGMING, 1, PostPlatform::Weibo, PostForm::Article, 1)
        },
        NewPost {
            link: "ftp://x".into(),
            ..post(YANGMING, 1, PostPlatform::Weibo, PostForm::Article, 1)
        },
    ] {
        assert!(matches!(
            p.record(&yuyao, &bad, now).await,
            Err(StoreError::Invalid { .. })
        ));
    }

    // Views grow: counted again at the version read; a stale version is refused.
    let counted = p
        .count_again(&yuyao, id, 1, 30_000, 800, "grid", now + DAY)
        .await
        .unwrap();
    assert_eq!(
        (
            counted.views,
            counted.shares,
            counted.version,
            counted.counted_at
        ),
        (30_000, 800, 2, now + DAY)
    );
    assert_eq!(p.get(&yuyao, id).await.unwrap(), counted);
    assert!(matches!(
        p.count_again(&yuyao, id, 1, 40_000, 900, "grid", now + DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        p.count_again(&yuyao, id, 2, -3, 900, "grid", now + DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        p.count_again(&yuyao, cixi_post.id, 1, 5, 0, "grid", now)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(p.get(&yuyao, id).await.unwrap().views, 30_000);

    let f = p.figures(&yuyao, &PostFilter::default()).await.unwrap();
    assert_eq!(
        f.total,
        PostTally {
            posts: 2,
            views: 33_000,
            shares: 830
        }
    );
    assert_eq!(
        f.by_platform,
        vec![
            (
                PostPlatform::Wechat,
                PostTally {
                    posts: 1,
                    views: 3_000,
                    shares: 30
                }
            ),
            (
                PostPlatform::Douyin,
                PostTally {
                    posts: 1,
                    views: 30_000,
                    shares: 800
                }
            ),
        ]
    );
    assert_eq!(f.by_form.len(), 2);
    assert_eq!(f.by_topic, vec![(PostTopic::TwoCards, f.total)]);
    // The period and the form filter.
    let day_2 = PostFilter {
        from: Some(T0 + 2 * DAY),
        until: Some(T0 + 3 * DAY),
        ..PostFilter::default()
    };
    assert_eq!(p.figures(&yuyao, &day_2).await.unwrap().total.views, 3_000);
    let videos = PostFilter {
        form: Some(PostForm::Video),
        ..PostFilter::default()
    };
    let listed = p
        .list(&yuyao, &videos, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        listed.items.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![id]
    );
    let counts = actions(store, "outreach_post_counted").await;
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0]["views"]["from"], 12_000);
    assert_eq!(counts[0]["views"]["to"], 30_000);
    assert_eq!(actions(store, "outreach_post_recorded").await.len(), 3);
}

fn case(id: &str, unit: &str, at: i64) -> NewCase {
    NewCase {
        id: id.into(),
        unit_code: unit.into(),
        reported_at: at,
        loss_fen: 10_000,
        narrative: "刷单返利".into(),
        top_terms: serde_json::json!([]),
        source: "form".into(),
        named: serde_json::json!({}),
        created_by: "t".into(),
        created_at: at,
        ..NewCase::default()
    }
}

pub async fn victims_prior_outreach_is_recorded_and_gives_the_face_to_face_rate(store: &Store) {
    with_tree(store).await;
    let cases = store.cases();
    for (i, unit) in [
        "330281001001",
        "330281001001",
        "330281002001",
        "330281002001",
        "330281002001",
        "330282001001",
    ]
    .iter()
    .enumerate()
    {
        let c = case(&format!("P{i}"), unit, T0 + i as i64 * DAY);
        assert!(cases.create(&c).await.unwrap());
    }
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let cixi = store.units().scope(CIXI).await.unwrap();
    let set = |id: &'static str, v: Option<PriorOutreach>, scope: Scope| async move {
        store
            .cases()
            .set_prior_outreach(&scope, id, v, "officer", T0 + 20 * DAY)
            .await
    };
    let c = set("P0", Some(PriorOutreach::FaceToFace), yuyao.clone())
        .await
        .unwrap();
    assert_eq!(c.prior_outreach, Some(PriorOutreach::FaceToFace));
    assert_eq!(c.updated_at, T0 + 20 * DAY);
    set("P1", Some(PriorOutreach::Never), yuyao.clone())
        .await
        .unwrap();
    set("P2", Some(PriorOutreach::RemoteOnly), yuyao.clone())
        .await
        .unwrap();
    // Changed on second asking, then taken back to unknown and set again.
    set("P3", Some(PriorOutreach::Never), yuyao.clone())
        .await
        .unwrap();
    set("P3", None, yuyao.clone()).await.unwrap();
    set("P3", Some(PriorOutreach::FaceToFace), yuyao.clone())
        .await
        .unwrap();
    // Another county's case is not found from here.
    assert!(matches!(
        set("P5", Some(PriorOutreach::Never), yuyao.clone()).await,
        Err(StoreError::NotFound { .. })
    ));
    set("P5", Some(PriorOutreach::FaceToFace), cixi.clone())
        .await
        .unwrap();
    assert_eq!(
        cases.get(&yuyao, "P3").await.unwrap().prior_outreach,
        Some(PriorOutreach::FaceToFace)
    );
    assert_eq!(cases.get(&yuyao, "P4").await.unwrap().prior_outreach, None);

    let t = cases
        .prior_outreach_tally(&yuyao, T0, T0 + 30 * DAY)
        .await
        .unwrap();
    assert_eq!(
        t,
        PriorOutreachTally {
            face_to_face: 2,
            remote_only: 1,
            never: 1,
            unknown: 1
        }
    );
    assert_eq!(t.face_to_face_rate(), Some(0.5));
    // The period: P0 and P1 only.
    let early = cases
        .prior_outreach_tally(&yuyao, T0, T0 + 2 * DAY)
        .await
        .unwrap();
    assert_eq!((early.face_to_face, early.never, early.known()), (1, 1, 2));
    let none = cases
        .prior_outreach_tally(&yuyao, T0 + 100 * DAY, T0 + 200 * DAY)
        .await
        .unwrap();
    assert_eq!(none.face_to_face_rate(), None);
    let audit = actions(store, "case_prior_outreach_set").await;
    assert_eq!(audit.len(), 7);
    assert!(audit
        .iter()
        .any(|d| d["before"] == "never" && d["prior_outreach"].is_null()));
}

pub async fn criminal_case_counts_count_a_units_own_entry_for_its_subtree(store: &Store) {
    with_tree(store).await;
    let c = store.crime_counts();
    let yuyao = store.units().scope(YUYAO).await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    // 2027-01 is the current month at T0 + 5 days.
    let now = T0 + 5 * DAY;
    c.set(&yuyao, YANGMING, 202701, Some(30), "commander", now)
        .await
        .unwrap();
    c.set(&yuyao, LIZHOU, 202701, Some(40), "commander", now)
        .await
        .unwrap();
    c.set(&yuyao, LIZHOU, 202612, Some(11), "commander", now)
        .await
        .unwrap();
    c.set(&city, "330282001", 202701, Some(9), "analyst", now)
        .await
        .unwrap();
    let totals = c.totals(&city, 202612, 202701).await.unwrap();
    assert_eq!(
        totals[&202701],
        CrimeMonthTotal {
            cases: 79,
            units: 3
        }
    );
    assert_eq!(totals[&202612].cases, 11);
    // 余姚's own total replaces its stations' sum, for that month only.
    c.set(&yuyao, YUYAO, 202701, Some(100), "commander", now)
        .await
        .unwrap();
    let totals = c.totals(&city, 202612, 202701).await.unwrap();
    assert_eq!(
        totals[&202701],
        CrimeMonthTotal {
            cases: 109,
            units: 2
        }
    );
    assert_eq!(totals[&202612].cases, 11);
    let yuyao_only = c.totals(&yuyao, 202701, 202701).await.unwrap();
    assert_eq!(yuyao_only[&202701].cases, 100);
    // Corrected, then removed.
    c.set(&yuyao, YUYAO, 202701, Some(90), "commander", now)
        .await
        .unwrap();
    assert_eq!(
        c.totals(&yuyao, 202701, 202701).await.unwrap()[&202701].cases,
        90
    );
    c.set(&yuyao, YUYAO, 202701, None, "commander", now)
        .await
        .unwrap();
    assert_eq!(
        c.totals(&yuyao, 202701, 202701).await.unwrap()[&202701].cases,
        70
    );
    let entries = c.entries(&yuyao, 202601, 202712).await.unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.unit_code.as_str(), e.month, e.cases))
            .collect::<Vec<_>>(),
        vec![
            (YANGMING, 202701, 30),
            (LIZHOU, 202612, 11),
            (LIZHOU, 202701, 40)
        ]
    );
    // Outside the scope, a future month, a bad month, a negative count: refused.
    assert!(matches!(
        c.set(&yuyao, CIXI, 202701, Some(1), "commander", now).await,
        Err(StoreError::NotFound { .. })
    ));
    for (month, n) in [(202702, 1), (202713, 1), (202701, -1)] {
        assert!(matches!(
            c.set(&yuyao, YANGMING, month, Some(n), "commander", now)
                .await,
            Err(StoreError::Invalid { .. })
        ));
    }
    let audit = actions(store, "criminal_case_count_set").await;
    assert_eq!(audit.len(), 7);
    assert!(audit
        .iter()
        .any(|d| d["before"] == 90 && d["cases"].is_null()));
}
