//! The supervision register (督导整治): measures are issued inside the issuer's subtree
//! against units below it or outlets in its area, read by the target's area (and a bank's
//! liaison by the bank), replied to by the target's side only (never the issuer's), returned
//! (验收不通过) or closed and extended at most twice by the issuer's side, every change in the
//! history and the audit log; figures and filters count them.

use crate::fixtures::with_tree;
use fanzha_store::*;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_800_000_000_000;

fn measure(
    target_kind: TargetKind,
    unit_code: &str,
    measure: MeasureKind,
    issuer_unit: &str,
) -> NewSupervision {
    NewSupervision {
        target_kind,
        target_name: match target_kind {
            TargetKind::Unit => String::new(),
            TargetKind::BankOutlet => "工商银行余姚阳明支行".into(),
            TargetKind::TelecomOutlet => "余姚联通阳明营业厅".into(),
            TargetKind::Organisation => "某科技公司".into(),
        },
        bank_code: (target_kind == TargetKind::BankOutlet).then(|| "ICBC".into()),
        unit_code: unit_code.into(),
        measure,
        reasons: vec![SupervisionReason::HighIncidence],
        reason_text: "  今年万人发案数 3.2，居全市第一 ".into(),
        issuer_unit: issuer_unit.into(),
        issued_by: "analyst".into(),
        issued_at: T0,
        deadline_days: DEFAULT_RECTIFICATION_DAYS,
    }
}

async fn audits(store: &Store, prefix: &str) -> usize {
    let page = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(200))
        .await
        .unwrap();
    page.items
        .iter()
        .filter(|e| e.action.starts_with(prefix))
        .count()
}

pub async fn measures_are_issued_inside_the_issuers_subtree_and_read_by_the_targets_area(
    store: &Store,
) {
    with_tree(store).await;
    let repo = store.supervision();
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let lizhou = store.units().scope("330281002").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();

    let listed = repo
        .issue(
            &yuyao,
            &measure(TargetKind::Unit, "330281001", MeasureKind::Listed, "330281"),
        )
        .await
        .unwrap();
    assert_eq!(
        listed.target_name, "阳明街道",
        "a unit target takes its name"
    );
    assert_eq!(listed.reason_text, "今年万人发案数 3.2，居全市第一");
    assert_eq!(listed.deadline, T0 + 30 * DAY);
    assert_eq!(listed.state, SupervisionState::Issued);
    assert_eq!(repo.get(&yuyao, None, listed.id).await.unwrap(), listed);
    // The target's area reads it; a sibling township and another county do not.
    assert_eq!(
        repo.get(&yangming, None, listed.id).await.unwrap().id,
        listed.id
    );
    for other in [&lizhou, &cixi] {
        assert!(matches!(
            repo.get(other, None, listed.id).await,
            Err(StoreError::NotFound { .. })
        ));
    }

    // An outlet of ICBC in the township, a telecom hall with a temporary closure.
    let outlet = repo
        .issue(
            &yuyao,
            &measure(
                TargetKind::BankOutlet,
                "330281001",
                MeasureKind::WarningNotice,
                "330281",
            ),
        )
        .await
        .unwrap();
    assert_eq!(outlet.bank_code.as_deref(), Some("ICBC"));
    let hall = repo
        .issue(
            &yuyao,
            &measure(
                TargetKind::TelecomOutlet,
                "330281",
                MeasureKind::Closure,
                "330281",
            ),
        )
        .await
        .unwrap();
    // A bank's liaison reads its own bank's outlets only.
    assert_eq!(
        repo.get(&yuyao, Some("ICBC"), outlet.id).await.unwrap().id,
        outlet.id
    );
    for (bank, id) in [("CCB", outlet.id), ("ICBC", listed.id), ("ICBC", hall.id)] {
        assert!(matches!(
            repo.get(&yuyao, Some(bank), id).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    let f = SupervisionFilter::default();
    assert_eq!(repo.count(&yuyao, None, &f, T0).await.unwrap(), 3);
    assert_eq!(repo.count(&yuyao, Some("ICBC"), &f, T0).await.unwrap(), 1);
    assert_eq!(repo.count(&yuyao, Some("CCB"), &f, T0).await.unwrap(), 0);
    assert_eq!(repo.count(&yangming, None, &f, T0).await.unwrap(), 2);
    assert_eq!(repo.count(&cixi, None, &f, T0).await.unwrap(), 0);

    // Refused: a target outside the issuer's subtree, an issuer outside the scope, a unit
    // supervising itself, a closure of a township, an unknown bank, no bank, no reason.
    let refused = [
        (
            &yuyao,
            measure(
                TargetKind::Unit,
                "330282001",
                MeasureKind::Interview,
                "330281",
            ),
        ),
        (
            &yangming,
            measure(
                TargetKind::Unit,
                "330281002",
                MeasureKind::Interview,
                "330281001",
            ),
        ),
        (
            &yangming,
            measure(
                TargetKind::Unit,
                "330281001001",
                MeasureKind::Interview,
                "330281",
            ),
        ),
    ];
    for (scope, m) in refused {
        assert!(
            matches!(
                repo.issue(scope, &m).await,
                Err(StoreError::NotFound { .. })
            ),
            "{m:?}"
        );
    }
    let mut own = measure(TargetKind::Unit, "330281", MeasureKind::Interview, "330281");
    let mut closure = measure(
        TargetKind::Unit,
        "330281001",
        MeasureKind::Closure,
        "330281",
    );
    let mut unknown_bank = measure(
        TargetKind::BankOutlet,
        "330281001",
        MeasureKind::Listed,
        "330281",
    );
    unknown_bank.bank_code = Some("NOSUCHBANK".into());
    let mut no_bank = unknown_bank.clone();
    no_bank.bank_code = None;
    let mut bank_on_unit = closure.clone();
    bank_on_unit.measure = MeasureKind::Interview;
    bank_on_unit.bank_code = Some("ICBC".into());
    let mut no_reason = bank_on_unit.clone();
    no_reason.bank_code = None;
    no_reason.reasons.clear();
    let mut other_without_text = no_reason.clone();
    other_without_text.reasons = vec![SupervisionReason::Other];
    other_without_text.reason_text = " ".into();
    let mut no_days = other_without_text.clone();
    no_days.reasons = vec![SupervisionReason::TwoCards];
    no_days.deadline_days = 0;
    own.target_name = String::new();
    closure.target_name = String::new();
    for m in [
        own,
        closure,
        unknown_bank,
        no_bank,
        bank_on_unit,
        no_reason,
        other_without_text,
        no_days,
    ] {
        assert!(
            matches!(
                repo.issue(&yuyao, &m).await,
                Err(StoreError::Invalid { .. })
            ),
            "{m:?}"
        );
    }
    assert_eq!(repo.count(&yuyao, None, &f, T0).await.unwrap(), 3);
    assert_eq!(audits(store, "supervision_issued").await, 3);
    let history = repo.events(&yangming, None, listed.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, SupervisionEventKind::Issued);
    assert_eq!(history[0].deadline, Some(T0 + 30 * DAY));
    assert!(matches!(
        repo.events(&cixi, None, listed.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn a_measure_is_replied_extended_twice_at_most_and_closed_by_the_issuers_side(
    store: &Store,
) {
    with_tree(store).await;
    let repo = store.supervision();
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let m = repo
        .issue(
            &yuyao,
            &measure(TargetKind::Unit, "330281001", MeasureKind::Listed, "330281"),
        )
        .await
        .unwrap();
    // Closing before the report is refused.
    assert!(matches!(
        repo.close(&yuyao, m.id, "验收通过", "cmd", T0 + DAY).await,
        Err(StoreError::Conflict { .. })
    ));
    // The township cannot extend or close its own measure.
    assert!(matches!(
        repo.extend(&yangming, m.id, m.deadline + DAY, "申请延期", "t", T0 + DAY)
            .await,
        Err(StoreError::HeldElsewhere { .. })
    ));
    assert!(matches!(
        repo.extend(&cixi, m.id, m.deadline + DAY, "x", "t", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Extensions: a note, a later deadline, at most twice.
    assert!(matches!(
        repo.extend(&yuyao, m.id, m.deadline + DAY, " ", "cmd", T0 + DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        repo.extend(&yuyao, m.id, m.deadline, "延期", "cmd", T0 + DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let once = repo
        .extend(
            &yuyao,
            m.id,
            m.deadline + 10 * DAY,
            "春节期间",
            "cmd",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!((once.extensions, once.deadline), (1, m.deadline + 10 * DAY));
    let twice = repo
        .extend(
            &yuyao,
            m.id,
            once.deadline + 5 * DAY,
            "整改工程未完",
            "cmd",
            T0 + 2 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(twice.extensions, 2);
    assert!(matches!(
        repo.extend(
            &yuyao,
            m.id,
            twice.deadline + DAY,
            "再次延期",
            "cmd",
            T0 + 3 * DAY
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(repo.get(&yuyao, None, m.id).await.unwrap(), twice);

    // The township records its report, once.
    assert!(matches!(
        repo.reply(&yangming, None, m.id, " ", "town", T0 + 4 * DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        repo.reply(&cixi, None, m.id, "报告", "x", T0 + 4 * DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let replied = repo
        .reply(
            &yangming,
            None,
            m.id,
            " 已开展全员宣防 ",
            "town",
            T0 + 4 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(replied.state, SupervisionState::Replied);
    assert_eq!(replied.report.as_deref(), Some("已开展全员宣防"));
    assert!(matches!(
        repo.reply(&yangming, None, m.id, "再报", "town", T0 + 4 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        repo.close(&yangming, m.id, "验收通过", "town", T0 + 5 * DAY)
            .await,
        Err(StoreError::HeldElsewhere { .. })
    ));
    let closed = repo
        .close(&yuyao, m.id, " 验收通过，予以摘牌 ", "cmd", T0 + 5 * DAY)
        .await
        .unwrap();
    assert_eq!(closed.state, SupervisionState::Closed);
    assert_eq!(closed.close_note.as_deref(), Some("验收通过，予以摘牌"));
    assert_eq!(repo.get(&yuyao, None, m.id).await.unwrap(), closed);
    // A closed measure takes nothing more.
    assert!(matches!(
        repo.close(&yuyao, m.id, "再次", "cmd", T0 + 6 * DAY).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        repo.reply(&yangming, None, m.id, "报告", "town", T0 + 6 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let kinds: Vec<_> = repo
        .events(&yuyao, None, m.id)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.seq, e.kind))
        .collect();
    use SupervisionEventKind::*;
    assert_eq!(
        kinds,
        vec![
            (1, Issued),
            (2, Extended),
            (3, Extended),
            (4, Replied),
            (5, Closed)
        ]
    );
    assert_eq!(audits(store, "supervision_").await, 5);
}

pub async fn supervision_figures_count_states_measures_overdue_and_the_period(store: &Store) {
    with_tree(store).await;
    let repo = store.supervision();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let lizhou = store.units().scope("330281002").await.unwrap();
    // 余姚: two 挂牌 on townships, an 约谈 of 梨洲 closed; 慈溪: a warning notice.
    let a = repo
        .issue(
            &yuyao,
            &measure(TargetKind::Unit, "330281001", MeasureKind::Listed, "330281"),
        )
        .await
        .unwrap();
    let b = repo
        .issue(
            &yuyao,
            &measure(TargetKind::Unit, "330281002", MeasureKind::Listed, "330281"),
        )
        .await
        .unwrap();
    let mut later = measure(
        TargetKind::Unit,
        "330281002",
        MeasureKind::Interview,
        "330281",
    );
    later.issued_at = T0 + 40 * DAY;
    later.deadline_days = 10;
    let c = repo.issue(&yuyao, &later).await.unwrap();
    repo.reply(&lizhou, None, c.id, "已整改", "t", T0 + 41 * DAY)
        .await
        .unwrap();
    repo.close(&yuyao, c.id, "验收通过", "cmd", T0 + 42 * DAY)
        .await
        .unwrap();
    repo.reply(&lizhou, None, b.id, "已整改", "t", T0 + 20 * DAY)
        .await
        .unwrap();
    repo.issue(
        &city,
        &measure(
            TargetKind::Organisation,
            "330282001",
            MeasureKind::WarningNotice,
            "3302",
        ),
    )
    .await
    .unwrap();

    let f = repo
        .figures(&yuyao, None, T0 + 30 * DAY, T0 + 60 * DAY, T0 + 43 * DAY)
        .await
        .unwrap();
    assert_eq!(f.state(SupervisionState::Issued), 1);
    assert_eq!(f.state(SupervisionState::Replied), 1);
    assert_eq!(f.state(SupervisionState::Closed), 1);
    assert_eq!(f.open(), 2);
    assert_eq!(f.listed_open(), 2);
    assert_eq!(
        f.measure(MeasureKind::Interview),
        MeasureCounts {
            total: 1,
            open: 0,
            closed: 1
        }
    );
    // a and b are past their 30 days and not closed; c was closed.
    assert_eq!(f.overdue, 2);
    assert_eq!((f.issued_in_period, f.closed_in_period), (1, 1));
    let before = repo
        .figures(&yuyao, None, T0, T0 + DAY, T0 + DAY)
        .await
        .unwrap();
    assert_eq!(before.overdue, 0);
    assert_eq!((before.issued_in_period, before.closed_in_period), (2, 0));
    assert_eq!(
        repo.figures(&city, None, T0, T0 + DAY, T0)
            .await
            .unwrap()
            .total,
        4
    );

    // Per unit below 余姚.
    let below = repo
        .figures_below(&yuyao, None, "330281", T0, T0 + 60 * DAY, T0 + 43 * DAY)
        .await
        .unwrap();
    let lines: Vec<_> = below
        .iter()
        .map(|(u, f)| (u.code.as_str(), f.total, f.open(), f.overdue))
        .collect();
    assert_eq!(lines, vec![("330281001", 1, 1, 1), ("330281002", 2, 1, 1)]);
    assert!(matches!(
        repo.figures_below(&yuyao, None, "330282", T0, T0, T0).await,
        Err(StoreError::NotFound { .. })
    ));

    // Filters and pages.
    let overdue = SupervisionFilter {
        overdue: true,
        ..SupervisionFilter::default()
    };
    assert_eq!(
        repo.count(&yuyao, None, &overdue, T0 + 43 * DAY)
            .await
            .unwrap(),
        2
    );
    assert_eq!(repo.count(&yuyao, None, &overdue, T0).await.unwrap(), 0);
    let listed = SupervisionFilter {
        measure: Some(MeasureKind::Listed),
        state: Some(SupervisionState::Replied),
        ..SupervisionFilter::default()
    };
    let page = repo
        .list(&yuyao, None, &listed, &PageRequest::first(10), T0)
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![b.id]
    );
    let period = SupervisionFilter {
        from: Some(T0 + 30 * DAY),
        until: Some(T0 + 60 * DAY),
        target_kind: Some(TargetKind::Unit),
        ..SupervisionFilter::default()
    };
    assert_eq!(repo.count(&yuyao, None, &period, T0).await.unwrap(), 1);
    let mut seen = Vec::new();
    let mut request = PageRequest::first(2);
    loop {
        let page = repo
            .list(&yuyao, None, &SupervisionFilter::default(), &request, T0)
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next {
            Some(next) => request.after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec![c.id, b.id, a.id],
        "latest issued first, each once"
    );
}

pub async fn only_the_targets_side_reports_and_the_issuers_side_returns_a_report(store: &Store) {
    with_tree(store).await;
    let repo = store.supervision();
    let city = store.units().scope("3302").await.unwrap();
    let yuyao = store.units().scope("330281").await.unwrap();
    let yangming = store.units().scope("330281001").await.unwrap();
    let shunshui = store.units().scope("330281001001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let m = repo
        .issue(
            &yuyao,
            &measure(TargetKind::Unit, "330281001", MeasureKind::Listed, "330281"),
        )
        .await
        .unwrap();

    // Separation of duties: the issuing unit, and a unit above it, never record the report.
    for (scope, who) in [(&yuyao, "issuer"), (&city, "above the issuer")] {
        match repo
            .reply(scope, None, m.id, "已整改", "cmd", T0 + DAY)
            .await
        {
            Err(StoreError::DutySeparated { detail, .. }) => {
                assert!(detail.contains("target's unit"), "{who}: {detail}")
            }
            other => panic!("{who} recorded the report: {other:?}"),
        }
    }
    // A unit below the target does not see it.
    assert!(matches!(
        repo.reply(&shunshui, None, m.id, "已整改", "v", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(repo.get(&yuyao, None, m.id).await.unwrap(), m);

    // Returning needs a report awaiting acceptance.
    assert!(matches!(
        repo.reject(&yuyao, m.id, "台账不全", None, "cmd", T0 + DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let replied = repo
        .reply(&yangming, None, m.id, "已开展宣防", "town", T0 + 4 * DAY)
        .await
        .unwrap();

    // Only the issuing side returns it, with a note and a deadline inside a year.
    assert!(matches!(
        repo.reject(&yangming, m.id, "台账不全", None, "town", T0 + 5 * DAY)
            .await,
        Err(StoreError::HeldElsewhere { .. })
    ));
    assert!(matches!(
        repo.reject(&cixi, m.id, "台账不全", None, "x", T0 + 5 * DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.reject(&yuyao, m.id, "  ", None, "cmd", T0 + 5 * DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        repo.reject(
            &yuyao,
            m.id,
            "台账不全",
            Some(T0 + 5 * DAY),
            "cmd",
            T0 + 5 * DAY
        )
        .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        repo.reject(
            &yuyao,
            m.id,
            "台账不全",
            Some(T0 + 5 * DAY + (MAX_RECTIFICATION_DAYS + 1) * DAY),
            "cmd",
            T0 + 5 * DAY
        )
        .await,
        Err(StoreError::Invalid { .. })
    ));
    assert_eq!(repo.get(&yuyao, None, m.id).await.unwrap(), replied);

    let returned = repo
        .reject(
            &yuyao,
            m.id,
            " 宣防台账不全，重点人员未见回访 ",
            None,
            "cmd",
            T0 + 5 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(returned.state, SupervisionState::Issued);
    assert_eq!(returned.deadline, T0 + 5 * DAY + DEFAULT_RETURN_DAYS * DAY);
    assert_eq!((returned.returns, returned.extensions), (1, 0));
    assert_eq!(returned.report, None);
    assert!(returned.extendable());
    assert_eq!(repo.get(&yangming, None, m.id).await.unwrap(), returned);
    let events = repo.events(&yuyao, None, m.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, SupervisionEventKind::Returned);
    assert_eq!(last.note, "宣防台账不全，重点人员未见回访");
    assert_eq!(last.deadline, Some(returned.deadline));
    assert_eq!(audits(store, "supervision_returned").await, 1);
    let f = repo
        .figures(&yuyao, None, T0, T0 + 60 * DAY, T0 + 6 * DAY)
        .await
        .unwrap();
    assert_eq!((f.returned, f.state(SupervisionState::Issued)), (1, 1));

    // Returned twice, then accepted: closing and returning again need a new report.
    assert!(matches!(
        repo.reject(&yuyao, m.id, "再退", None, "cmd", T0 + 6 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        repo.close(&yuyao, m.id, "验收通过", "cmd", T0 + 6 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    repo.reply(&yangming, None, m.id, "已补齐台账", "town", T0 + 8 * DAY)
        .await
        .unwrap();
    // A unit above the issuer may return it too, with its own date.
    let again = repo
        .reject(
            &city,
            m.id,
            "回访记录缺签字",
            Some(T0 + 30 * DAY),
            "city",
            T0 + 9 * DAY,
        )
        .await
        .unwrap();
    assert_eq!((again.returns, again.deadline), (2, T0 + 30 * DAY));
    repo.reply(&yangming, None, m.id, "已补签字", "town", T0 + 10 * DAY)
        .await
        .unwrap();
    let closed = repo
        .close(&yuyao, m.id, "验收通过", "cmd", T0 + 11 * DAY)
        .await
        .unwrap();
    assert_eq!(closed.state, SupervisionState::Closed);
    assert!(matches!(
        repo.reject(&yuyao, m.id, "再退", None, "cmd", T0 + 12 * DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    use SupervisionEventKind::*;
    let kinds: Vec<_> = repo
        .events(&yuyao, None, m.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        vec![Issued, Replied, Returned, Replied, Returned, Replied, Closed]
    );
    assert_eq!(audits(store, "supervision_returned").await, 2);
    assert_eq!(
        repo.figures(&yuyao, None, T0, T0 + 60 * DAY, T0 + 12 * DAY)
            .await
            .unwrap()
            .returned,
        0,
        "a closed measure is no longer 退回整改中"
    );

    // Bank outlets: the bank's liaison reports even from the issuer's own area; the police
    // of the issuing unit do not; a paper report of an outlet without a liaison is entered by
    // the unit below the issuer where the outlet lies.
    let county_outlet = repo
        .issue(
            &yuyao,
            &measure(
                TargetKind::BankOutlet,
                "330281",
                MeasureKind::Closure,
                "330281",
            ),
        )
        .await
        .unwrap();
    assert!(matches!(
        repo.reply(&yuyao, None, county_outlet.id, "已整改", "cmd", T0 + DAY)
            .await,
        Err(StoreError::DutySeparated { .. })
    ));
    assert!(matches!(
        repo.reply(
            &yuyao,
            Some("CCB"),
            county_outlet.id,
            "已整改",
            "ccb",
            T0 + DAY
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    let by_bank = repo
        .reply(
            &yuyao,
            Some("ICBC"),
            county_outlet.id,
            "已整改",
            "icbc",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(by_bank.replied_by.as_deref(), Some("icbc"));
    let town_outlet = repo
        .issue(
            &yuyao,
            &measure(
                TargetKind::BankOutlet,
                "330281001",
                MeasureKind::Listed,
                "330281",
            ),
        )
        .await
        .unwrap();
    let paper = repo
        .reply(
            &yangming,
            None,
            town_outlet.id,
            "网点书面报告：已整改",
            "town",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(paper.state, SupervisionState::Replied);
}
