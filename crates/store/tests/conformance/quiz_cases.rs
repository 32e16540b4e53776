//! 反诈知识测试: the bank per unit (a campaign draws from its unit's questions and those above),
//! campaigns read by the subtree, attempts through the public link — area and employer checked,
//! a mobile number counted once, a day's attempts bounded —, scoring, the pledge, and the
//! figures: participants, passed, pledged, per employer against its headcount, per area, per
//! question, per period.

use crate::fixtures::{audits, with_tree};
use fanzha_core::FraudType;
use fanzha_store::*;

/// 2027-01-15T08:00:00Z.
const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

fn question(fraud_type: FraudType, n: usize) -> QuizQuestionText {
    QuizQuestionText {
        fraud_type,
        stem: format!("第{n}题：对方要求先交保证金才能放款，怎么办？"),
        options: vec!["交钱".into(), "拒绝并报警".into(), "先交一半".into()],
        answer: 1,
        explanation: "正规贷款放款前不收任何费用。".into(),
    }
}

fn campaign(unit: &str, code: &str, employers: &[(&str, i64)]) -> NewQuizCampaign {
    NewQuizCampaign {
        unit_code: unit.into(),
        code: code.into(),
        audience: OutreachAudience::PublicSector,
        question_count: 5,
        pass_score: 80,
        opens_at: T0,
        text: QuizCampaignText {
            title: "财政供养人员反诈知识测试".into(),
            pledge: "我承诺：不出租出借银行卡和电话卡。".into(),
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

fn attempt(unit: &str, employer: Option<&str>, phone: &str, token: &str) -> NewAttempt {
    NewAttempt {
        unit_code: unit.into(),
        employer: employer.map(Into::into),
        phone: phone.into(),
        token: token.into(),
        seed: token.len() as u64,
    }
}

fn invalid_field<T: std::fmt::Debug>(r: StoreResult<T>) -> &'static str {
    match r {
        Err(StoreError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    }
}

async fn start_at(
    store: &Store,
    camp: &QuizCampaign,
    x: NewAttempt,
    now: i64,
) -> StoreResult<String> {
    store.quiz_attempts().start(camp, &x, now).await
}

/// Answers every question of `token` right, or the first `wrong` of them wrong.
async fn answer(store: &Store, token: &str, wrong: usize, now: i64) -> Attempt {
    let a = store.quiz_attempts().get(token).await.unwrap();
    let answers: Vec<Option<usize>> = a
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let right = item.question.answer;
            Some(if i < wrong { (right + 1) % 3 } else { right })
        })
        .collect();
    store
        .quiz_attempts()
        .submit(token, &answers, now)
        .await
        .unwrap()
}

pub async fn quizzes_draw_from_the_bank_above_and_count_each_person_once(store: &Store) {
    with_tree(store).await;
    let qs = store.quiz_questions();
    // The city's bank: 4 types × 2; the county adds 2 of its own; the other county 3.
    let types = [
        FraudType::FakeLoan,
        FraudType::OrderBrushing,
        FraudType::ImpersonatingPolice,
        FraudType::FakeCustomerService,
    ];
    for (n, t) in types.iter().cycle().take(8).enumerate() {
        qs.add("3302", &question(*t, n), "analyst", T0 - DAY)
            .await
            .unwrap();
    }
    let local = qs
        .add(
            "330281",
            &question(FraudType::FakeInvestment, 100),
            "yuyao",
            T0 - DAY,
        )
        .await
        .unwrap();
    qs.add(
        "330281",
        &question(FraudType::FakeShopping, 101),
        "yuyao",
        T0 - DAY,
    )
    .await
    .unwrap();
    for n in 200..203 {
        qs.add(
            "330282",
            &question(FraudType::GameTrading, n),
            "cixi",
            T0 - DAY,
        )
        .await
        .unwrap();
    }
    assert_eq!(qs.bank_of("330281", false).await.unwrap().len(), 10);
    assert_eq!(qs.bank_of("3302", false).await.unwrap().len(), 8);
    assert_eq!(qs.bank_of("330282001", false).await.unwrap().len(), 11);
    assert_eq!(audits(store, "quiz_question_added").await, 13);

    // A question is retired from the version read; another county's answers not-found; the
    // county reads the questions of its subtree.
    let yuyao_scope = store.units().scope("330281").await.unwrap();
    let cixi_scope = store.units().scope("330282").await.unwrap();
    assert_eq!(qs.in_scope(&yuyao_scope, false).await.unwrap().len(), 2);
    let q = qs.get(local).await.unwrap();
    let text = question(FraudType::FakeInvestment, 100);
    assert!(matches!(
        qs.update(&cixi_scope, local, q.version, &text, false, "cixi", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    qs.update(
        &yuyao_scope,
        local,
        q.version,
        &text,
        false,
        "yuyao",
        T0 - DAY,
    )
    .await
    .unwrap();
    assert!(matches!(
        qs.update(&yuyao_scope, local, q.version, &text, true, "yuyao", T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(qs.bank_of("330281", false).await.unwrap().len(), 9);
    assert_eq!(qs.bank_of("330281", true).await.unwrap().len(), 10);

    // The built-in questions load once per unit.
    let loaded = qs.load_builtin("330282", "cixi", T0).await.unwrap();
    assert_eq!(loaded, builtin_quiz_questions().unwrap().len());
    assert_eq!(qs.load_builtin("330282", "cixi", T0).await.unwrap(), 0);

    // Campaigns: in one's scope, with a code once, enough questions in the bank.
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let c = store.quiz_campaigns();
    let employers = [("余姚市财政局", 3), ("余姚市教育局", 2)];
    let id = c
        .open(&yuyao, &campaign("330281", "yy2027a", &employers), T0 - DAY)
        .await
        .unwrap();
    assert!(matches!(
        c.open(&yuyao, &campaign("330281", "yy2027a", &[]), T0)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        c.open(&cixi, &campaign("330281", "cx2027b", &[]), T0).await,
        Err(StoreError::NotFound { .. }) | Err(StoreError::UnitNotFound { .. })
    ));
    let mut too_many = campaign("330281", "yy2027c", &[]);
    too_many.question_count = 10;
    assert_eq!(
        invalid_field(c.open(&yuyao, &too_many, T0).await),
        "question_count"
    );
    for (bad, field) in [
        (campaign("330281", "短码", &[]), "code"),
        (campaign("330281", "yy2027d", &[("财政局", 0)]), "employers"),
        (
            campaign("330281", "yy2027e", &[("财政局", 2), (" 财政局", 3)]),
            "employers",
        ),
        (
            NewQuizCampaign {
                pass_score: 0,
                ..campaign("330281", "yy2027f", &[])
            },
            "pass_score",
        ),
    ] {
        assert_eq!(
            invalid_field(c.open(&yuyao, &bad, T0).await),
            field,
            "{bad:?}"
        );
    }
    let got = c.get(&yuyao, id).await.unwrap();
    assert_eq!(got.employers.len(), 2);
    assert!(matches!(
        c.get(&cixi, id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(c.by_code("yy2027a").await.unwrap().id, id);
    // Open around a unit: the county's campaign for its village and for the city above, not
    // for the other county, nor before it opens.
    let around = |unit: &'static str, now: i64| async move {
        store
            .quiz_campaigns()
            .open_around(unit, now)
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(around("330281001001", T0 + 1).await, [id]);
    assert_eq!(around("3302", T0 + 1).await, [id]);
    assert!(around("330282001", T0 + 1).await.is_empty());
    assert!(around("330281001001", T0 - 1).await.is_empty());
    assert_eq!(audits(store, "quiz_campaign_opened").await, 1);

    // Attempts: closed before it opens; the area must lie in the campaign's; an employer of
    // its list; a mobile number.
    let a = store.quiz_attempts();
    let camp = c.by_code("yy2027a").await.unwrap();
    let start = |x: NewAttempt, now: i64| start_at(store, &camp, x, now);
    assert!(matches!(
        start(
            attempt(
                "330281001",
                Some("余姚市财政局"),
                "13900000001",
                "tok-early-0001"
            ),
            T0 - 1
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    for (bad, field) in [
        (
            attempt(
                "330282001",
                Some("余姚市财政局"),
                "13900000001",
                "tok-bad-000001",
            ),
            "unit_code",
        ),
        (
            attempt("330281001", None, "13900000001", "tok-bad-000002"),
            "employer",
        ),
        (
            attempt(
                "330281001",
                Some("慈溪市财政局"),
                "13900000001",
                "tok-bad-000003",
            ),
            "employer",
        ),
        (
            attempt(
                "330281001",
                Some("余姚市财政局"),
                "0574-62345678",
                "tok-bad-000004",
            ),
            "phone",
        ),
        (
            attempt("330281001", Some("余姚市财政局"), "电话", "tok-bad-000005"),
            "phone",
        ),
    ] {
        assert_eq!(
            invalid_field(start(bad.clone(), T0 + 1).await),
            field,
            "{bad:?}"
        );
    }

    // Three people of the finance bureau (one twice), one of education; the draw spans the
    // county's and the city's questions, never the other county's or a retired one.
    let t1 = start(
        attempt(
            "330281001001",
            Some("余姚市财政局"),
            "139 0000 0001",
            "tok-a1-0000001",
        ),
        T0 + 10,
    )
    .await
    .unwrap();
    let drawn = a.get(&t1).await.unwrap();
    assert_eq!(drawn.items.len(), 5);
    assert_eq!(drawn.phone, "13900000001");
    assert!(drawn
        .items
        .iter()
        .all(|i| i.question.unit_code == "3302" || i.question.unit_code == "330281"));
    assert!(drawn.items.iter().all(|i| i.question.id != local));
    let kinds: std::collections::HashSet<_> =
        drawn.items.iter().map(|i| i.question.fraud_type).collect();
    assert_eq!(kinds.len(), 5, "five questions of five types");

    // Unanswered or out-of-range answers are refused, naming the question.
    assert_eq!(
        invalid_field(
            a.submit(&t1, &[Some(1), None, Some(1), Some(1), Some(1)], T0 + 20)
                .await
        ),
        "answers"
    );
    assert_eq!(
        invalid_field(
            a.submit(&t1, &[Some(1), Some(7), Some(1), Some(1), Some(1)], T0 + 20)
                .await
        ),
        "answers"
    );
    // The pledge follows the quiz.
    assert!(matches!(
        a.pledge(&t1, T0 + 15).await,
        Err(StoreError::Conflict { .. })
    ));
    let first = answer(store, &t1, 2, T0 + 20).await;
    assert_eq!(
        (first.correct, first.score, first.passed),
        (Some(3), Some(60), Some(false))
    );
    assert!(first
        .items
        .iter()
        .all(|i| i.chosen.is_some() && i.correct.is_some()));
    assert!(matches!(
        a.submit(&t1, &[Some(1); 5], T0 + 30).await,
        Err(StoreError::Conflict { .. })
    ));
    let t2 = start(
        attempt(
            "330281001001",
            Some("余姚市财政局"),
            "13900000001",
            "tok-a2-0000001",
        ),
        T0 + 40,
    )
    .await
    .unwrap();
    let again = answer(store, &t2, 1, T0 + 50).await;
    assert_eq!((again.score, again.passed), (Some(80), Some(true)));
    a.pledge(&t2, T0 + 60).await.unwrap();
    let pledged = a.pledge(&t2, T0 + 70).await.unwrap();
    assert_eq!(
        pledged.pledged_at,
        Some(T0 + 60),
        "the first signature stands"
    );
    let t3 = start(
        attempt(
            "330281002001",
            Some("余姚市财政局"),
            "13900000002",
            "tok-a3-0000001",
        ),
        T0 + DAY,
    )
    .await
    .unwrap();
    answer(store, &t3, 0, T0 + DAY + 10).await;
    let t4 = start(
        attempt(
            "330281",
            Some("余姚市教育局"),
            "13900000003",
            "tok-a4-0000001",
        ),
        T0 + DAY,
    )
    .await
    .unwrap();
    answer(store, &t4, 5, T0 + DAY + 10).await;
    // Started but never handed in: not counted.
    start(
        attempt(
            "330281",
            Some("余姚市教育局"),
            "13900000004",
            "tok-a5-0000001",
        ),
        T0 + DAY,
    )
    .await
    .unwrap();
    // An attempt left open past two hours is refused.
    let late = start(
        attempt(
            "330281",
            Some("余姚市教育局"),
            "13900000005",
            "tok-a6-0000001",
        ),
        T0 + DAY,
    )
    .await
    .unwrap();
    assert!(matches!(
        a.submit(&late, &[Some(1); 5], T0 + DAY + ANSWER_WITHIN_MS + 1)
            .await,
        Err(StoreError::Conflict { .. })
    ));

    // A number starts at most five attempts a day.
    for n in 0..3 {
        start(
            attempt(
                "330281",
                Some("余姚市教育局"),
                "13900000001",
                &format!("tok-day-{n:06}"),
            ),
            T0 + 100,
        )
        .await
        .unwrap();
    }
    assert_eq!(
        invalid_field(
            start(
                attempt(
                    "330281",
                    Some("余姚市教育局"),
                    "13900000001",
                    "tok-day-999999"
                ),
                T0 + 200
            )
            .await
        ),
        "daily_limit"
    );

    let f = a.figures(id).await.unwrap();
    assert_eq!(
        (f.attempts, f.participants, f.passed, f.pledged),
        (4, 3, 2, 1)
    );
    assert_eq!(f.average_score, Some((60.0 + 80.0 + 100.0 + 0.0) / 4.0));
    assert_eq!(f.pass_rate(), Some(2.0 / 3.0));
    let by_campaign = a.figures_by_campaign(&[id, id + 1000]).await.unwrap();
    assert_eq!(by_campaign.len(), 1);
    assert_eq!(by_campaign[&id], f);

    let camp = c.get(&yuyao, id).await.unwrap();
    let per_employer = a.employers(&camp).await.unwrap();
    assert_eq!(
        per_employer
            .iter()
            .map(|e| (e.name.as_str(), e.headcount, e.participants, e.passed))
            .collect::<Vec<_>>(),
        [("余姚市教育局", 2, 1, 0), ("余姚市财政局", 3, 2, 2)],
        "the lowest share first"
    );
    let areas = a.areas(id).await.unwrap();
    assert_eq!(
        areas
            .iter()
            .map(|x| (x.path.as_str(), x.participants))
            .collect::<Vec<_>>(),
        [
            ("/33/3302/330281/", 1),
            ("/33/3302/330281/330281001/330281001001/", 1),
            ("/33/3302/330281/330281002/330281002001/", 1),
        ]
    );
    let recent = a.recent(&yuyao, id, 10).await.unwrap();
    assert_eq!(recent.len(), 4);
    assert_eq!(recent[0].submitted_at, T0 + DAY + 10);
    assert!(
        a.recent(&cixi, id, 10).await.unwrap().is_empty(),
        "another county's"
    );

    // Per question: every drawn question answered, the wrong ones counted.
    let ids: Vec<i64> = qs
        .bank_of("330281", true)
        .await
        .unwrap()
        .iter()
        .map(|q| q.id)
        .collect();
    let tallies = qs.tallies(&ids, Some(id)).await.unwrap();
    let answered: i64 = tallies.values().map(|t| t.answered).sum();
    let wrong: i64 = tallies.values().map(|t| t.wrong).sum();
    // Wrong: 2 at the first attempt, 1 at the second, none at the third, 5 at the fourth.
    assert_eq!((answered, wrong), (20, 8));

    // The period's figures, of the scope, by audience.
    let day1 = a
        .period_figures(&yuyao, QuizArea::Organiser, T0, T0 + DAY, None)
        .await
        .unwrap();
    assert_eq!((day1.attempts, day1.participants), (2, 1));
    let all = a
        .period_figures(
            &yuyao,
            QuizArea::Organiser,
            T0,
            T0 + 2 * DAY,
            Some(OutreachAudience::PublicSector),
        )
        .await
        .unwrap();
    assert_eq!(all.participants, 3);
    assert_eq!(
        a.period_figures(
            &yuyao,
            QuizArea::Organiser,
            T0,
            T0 + 2 * DAY,
            Some(OutreachAudience::School)
        )
        .await
        .unwrap()
        .attempts,
        0
    );
    assert_eq!(
        a.period_figures(&cixi, QuizArea::Organiser, T0, T0 + 2 * DAY, None)
            .await
            .unwrap()
            .attempts,
        0
    );

    // By the participants' area: the township holds two of them (one a village below it), the
    // city organised nothing but its residents took part.
    let yangming = store.units().scope("330281001").await.unwrap();
    let city = store.units().scope("3302").await.unwrap();
    let by_area = |scope: Scope| {
        let a = store.quiz_attempts();
        async move {
            a.period_figures(&scope, QuizArea::Participant, T0, T0 + 2 * DAY, None)
                .await
                .unwrap()
                .participants
        }
    };
    assert_eq!(by_area(yangming.clone()).await, 1);
    assert_eq!(by_area(city.clone()).await, 3);
    assert_eq!(
        a.period_figures(&yangming, QuizArea::Organiser, T0, T0 + 2 * DAY, None)
            .await
            .unwrap()
            .participants,
        0,
        "the township organised nothing"
    );

    // Changing the employers and the close; closing early stops the link.
    let changed = c
        .update(
            &yuyao,
            id,
            camp.version,
            &QuizCampaignText {
                title: "财政供养人员反诈知识测试（第一期）".into(),
                pledge: camp.pledge.clone(),
                closes_at: T0 + 20 * DAY,
                employers: vec![
                    QuizEmployer {
                        name: "余姚市财政局".into(),
                        headcount: 3,
                    },
                    QuizEmployer {
                        name: "余姚市卫健局".into(),
                        headcount: 4,
                    },
                ],
            },
            "analyst",
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(changed.employers.len(), 2);
    assert_eq!(changed.version, camp.version + 1);
    assert!(matches!(
        c.close(&yuyao, id, camp.version, "analyst", T0 + 3 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let closed = c
        .close(&yuyao, id, changed.version, "analyst", T0 + 3 * DAY)
        .await
        .unwrap();
    assert!(!closed.is_open(T0 + 3 * DAY));
    assert!(c
        .open_around("330281001001", T0 + 3 * DAY)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        a.start(
            &closed,
            &attempt(
                "330281",
                Some("余姚市财政局"),
                "13900000009",
                "tok-after-00001"
            ),
            T0 + 3 * DAY
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(audits(store, "quiz_campaign_updated").await, 1);
    assert_eq!(audits(store, "quiz_campaign_closed").await, 1);
}
