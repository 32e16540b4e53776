//! Number disposals (涉诈号码处置): requested inside the requester's subtree and addressed to the
//! operator of the number's network, one pending request per number, read by the requesting
//! area and by the addressed operator only, answered or withdrawn once at the version read
//! (audited), and counted — on time, overdue — in the figures.

use crate::fixtures::{audits, with_tree};
use fanzha_store::*;

const MINUTE: i64 = 60_000;
const T0: i64 = 1_800_000_000_000;

async fn warning(store: &Store, id: &str, unit: &str) {
    store
        .warnings()
        .insert(&NewWarning {
            id: id.into(),
            resident_id: None,
            msisdn: None,
            unit_code: unit.into(),
            level: 1,
            fraud_type: Some("impersonating_police".into()),
            score_permille: 950,
            source: "engine".into(),
            signal_at: T0,
            detected_at: T0,
            evidence: serde_json::json!({}),
        })
        .await
        .unwrap();
}

fn ask(number: &str, unit: &str) -> NewNumberDisposal {
    NewNumberDisposal {
        number: number.into(),
        operator: None,
        measure: DisposalMeasure::Shutdown,
        reason: " 冒充公检法，已致1人被骗 ".into(),
        warning_id: None,
        case_id: None,
        unit_code: unit.into(),
        urgent: false,
    }
}

fn is_invalid(r: StoreResult<NumberDisposal>, field: &str) -> bool {
    matches!(r, Err(StoreError::Invalid { field: f, .. }) if f == field)
}

pub async fn disposals_are_addressed_to_the_numbers_operator_once_per_number(store: &Store) {
    with_tree(store).await;
    warning(store, "W-YY", "330281001").await;
    warning(store, "W-CX", "330282").await;
    let repo = store.number_disposals();
    let yuyao = store.units().scope("330281").await.unwrap();

    // A China Mobile number typed with country code and separators.
    let mut first = ask("+86 139-0000-1234", "330281001");
    first.warning_id = Some("W-YY".into());
    let d = repo.request(&yuyao, &first, "analyst", T0).await.unwrap();
    assert_eq!(d.number, "13900001234");
    assert_eq!(d.number_kind, "mobile");
    assert_eq!(d.operator, Operator::ChinaMobile);
    assert_eq!(d.reason, "冒充公检法，已致1人被骗");
    assert_eq!(d.deadline, T0 + DISPOSAL_MINUTES * MINUTE);
    assert_eq!((d.state, d.version), (DisposalState::Pending, 1));
    assert_eq!(
        repo.get(&DisposalViewer::Police(yuyao.clone()), d.id)
            .await
            .unwrap(),
        d
    );

    // One pending request per number, whatever its spelling.
    let again = repo
        .request(&yuyao, &ask("13900001234", "330281"), "analyst", T0 + 1)
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );

    // A virtual operator's number (1705: 移动虚拟运营商) goes to the network it resells;
    // urgent is due in 30 minutes.
    let mut urgent = ask("17050001234", "330281");
    urgent.urgent = true;
    let v = repo.request(&yuyao, &urgent, "analyst", T0).await.unwrap();
    assert_eq!(v.number_kind, "virtual");
    assert_eq!(v.operator, Operator::ChinaMobile);
    assert_eq!(v.deadline, T0 + URGENT_DISPOSAL_MINUTES * MINUTE);

    // An overseas number: only interception, and only with a chosen operator.
    let mut overseas = ask("+85291234567", "330281");
    assert!(is_invalid(
        repo.request(&yuyao, &overseas, "analyst", T0).await,
        "measure"
    ));
    overseas.measure = DisposalMeasure::Intercept;
    assert!(is_invalid(
        repo.request(&yuyao, &overseas, "analyst", T0).await,
        "operator"
    ));
    overseas.operator = Some(Operator::ChinaTelecom);
    let o = repo
        .request(&yuyao, &overseas, "analyst", T0)
        .await
        .unwrap();
    assert_eq!(
        (o.number.as_str(), o.operator),
        ("+85291234567", Operator::ChinaTelecom)
    );

    // Bad input is refused before anything is written.
    assert!(is_invalid(
        repo.request(&yuyao, &ask("not a number", "330281"), "a", T0)
            .await,
        "number"
    ));
    let mut no_reason = ask("13900005678", "330281");
    no_reason.reason = "  ".into();
    assert!(is_invalid(
        repo.request(&yuyao, &no_reason, "a", T0).await,
        "reason"
    ));
    // Units, warnings and cases outside the requester's area are not found.
    let outside = repo
        .request(&yuyao, &ask("13900005678", "330282"), "a", T0)
        .await;
    assert!(matches!(
        outside,
        Err(StoreError::NotFound { what: "unit", .. })
    ));
    let mut foreign_warning = ask("13900005678", "330281");
    foreign_warning.warning_id = Some("W-CX".into());
    let r = repo.request(&yuyao, &foreign_warning, "a", T0).await;
    assert!(
        matches!(
            r,
            Err(StoreError::NotFound {
                what: "warning",
                ..
            })
        ),
        "{r:?}"
    );
    let mut no_case = ask("13900005678", "330281");
    no_case.case_id = Some("C-NONE".into());
    let r = repo.request(&yuyao, &no_case, "a", T0).await;
    assert!(
        matches!(r, Err(StoreError::NotFound { what: "case", .. })),
        "{r:?}"
    );
    assert_eq!(audits(store, "number_disposal_requested").await, 3);

    // Who reads what: the township its own, the county all three, 慈溪 none; each operator
    // only the requests addressed to it, whichever unit asked.
    let police = |s: &Scope| DisposalViewer::Police(s.clone());
    let all = DisposalFilter::default();
    let yangming = store.units().scope("330281001").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    assert_eq!(repo.count(&police(&yuyao), &all, T0).await.unwrap(), 3);
    assert_eq!(repo.count(&police(&yangming), &all, T0).await.unwrap(), 1);
    assert_eq!(repo.count(&police(&cixi), &all, T0).await.unwrap(), 0);
    let mobile = DisposalViewer::Operator(Operator::ChinaMobile);
    let telecom = DisposalViewer::Operator(Operator::ChinaTelecom);
    let unicom = DisposalViewer::Operator(Operator::ChinaUnicom);
    assert_eq!(repo.count(&mobile, &all, T0).await.unwrap(), 2);
    assert_eq!(repo.count(&telecom, &all, T0).await.unwrap(), 1);
    assert!(matches!(
        repo.get(&unicom, d.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        repo.get(&police(&cixi), d.id).await,
        Err(StoreError::NotFound { .. })
    ));

    // Filters and paging, the latest first.
    let by_number = DisposalFilter {
        number: Some("13900001234".into()),
        ..DisposalFilter::default()
    };
    let page = repo
        .list(&police(&yuyao), &by_number, &PageRequest::first(10), T0)
        .await
        .unwrap();
    assert_eq!(page.items.iter().map(|d| d.id).collect::<Vec<_>>(), [d.id]);
    let first_page = repo
        .list(&police(&yuyao), &all, &PageRequest::first(2), T0)
        .await
        .unwrap();
    assert_eq!(first_page.items.len(), 2);
    let rest = repo
        .list(
            &police(&yuyao),
            &all,
            &PageRequest::after(first_page.next.clone().unwrap(), 2),
            T0,
        )
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
    let urgent_overdue = DisposalFilter {
        overdue: true,
        ..DisposalFilter::default()
    };
    // At T0 + 31 min only the urgent one is late.
    let late = repo
        .list(
            &police(&yuyao),
            &urgent_overdue,
            &PageRequest::first(10),
            T0 + 31 * MINUTE,
        )
        .await
        .unwrap();
    assert_eq!(late.items.iter().map(|d| d.id).collect::<Vec<_>>(), [v.id]);
}

pub async fn operators_answer_their_own_requests_once_at_the_version_read(store: &Store) {
    with_tree(store).await;
    let repo = store.number_disposals();
    let yuyao = store.units().scope("330281").await.unwrap();
    let d = repo
        .request(&yuyao, &ask("13900001234", "330281"), "analyst", T0)
        .await
        .unwrap();
    let executed = DisposalAnswer::Executed {
        holder_name: Some(" 李四 ".into()),
        holder_id: Some("330281199001010011".into()),
    };

    // Another operator cannot answer it; a stale version is a conflict; a failure needs a note.
    let r = repo
        .answer(Operator::ChinaUnicom, d.id, 1, &executed, "", "cu", T0)
        .await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    let r = repo
        .answer(Operator::ChinaMobile, d.id, 2, &executed, "", "cm", T0)
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    let r = repo
        .answer(
            Operator::ChinaMobile,
            d.id,
            1,
            &DisposalAnswer::Failed,
            " ",
            "cm",
            T0,
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Invalid { field: "note", .. })),
        "{r:?}"
    );

    let done = repo
        .answer(
            Operator::ChinaMobile,
            d.id,
            1,
            &executed,
            "已停机",
            "cm",
            T0 + 10 * MINUTE,
        )
        .await
        .unwrap();
    assert_eq!(done.state, DisposalState::Executed);
    assert_eq!(done.holder_name.as_deref(), Some("李四"));
    assert!(done.on_time());
    assert_eq!(done.version, 2);
    let stored = repo
        .get(&DisposalViewer::Police(yuyao.clone()), d.id)
        .await
        .unwrap();
    assert_eq!(stored, done);

    // Answered once: a second answer and a withdrawal are conflicts.
    let r = repo
        .answer(
            Operator::ChinaMobile,
            d.id,
            2,
            &DisposalAnswer::Failed,
            "x",
            "cm",
            T0,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    let r = repo
        .withdraw(&yuyao, d.id, 2, "不再需要", "analyst", T0)
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    // The number is free to be asked again now (e.g. to bar a new line).
    let again = repo
        .request(
            &yuyao,
            &ask("13900001234", "330281"),
            "analyst",
            T0 + MINUTE,
        )
        .await
        .unwrap();

    // Police withdraw a pending request of their area only, with why.
    let cixi = store.units().scope("330282").await.unwrap();
    let r = repo.withdraw(&cixi, again.id, 1, "误报", "x", T0).await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    let r = repo.withdraw(&yuyao, again.id, 1, "", "x", T0).await;
    assert!(
        matches!(r, Err(StoreError::Invalid { field: "note", .. })),
        "{r:?}"
    );
    let w = repo
        .withdraw(
            &yuyao,
            again.id,
            1,
            "核实为误报",
            "analyst",
            T0 + 2 * MINUTE,
        )
        .await
        .unwrap();
    assert_eq!(
        (w.state, w.answer_note.as_str()),
        (DisposalState::Withdrawn, "核实为误报")
    );
    let r = repo
        .answer(Operator::ChinaMobile, again.id, 2, &executed, "", "cm", T0)
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");

    assert_eq!(audits(store, "number_disposal_answered").await, 1);
    assert_eq!(audits(store, "number_disposal_withdrawn").await, 1);
}

pub async fn disposal_figures_count_on_time_overdue_and_per_operator(store: &Store) {
    with_tree(store).await;
    let repo = store.number_disposals();
    let yuyao = store.units().scope("330281").await.unwrap();
    let mut ids = Vec::new();
    for n in [
        "13900000001",
        "13900000002",
        "13900000003",
        "18900000004",
        "18900000005",
    ] {
        ids.push(
            repo.request(&yuyao, &ask(n, "330281"), "analyst", T0)
                .await
                .unwrap()
                .id,
        );
    }
    let ok = DisposalAnswer::Executed {
        holder_name: None,
        holder_id: None,
    };
    // Mobile: one on time, one late, one not possible.
    repo.answer(
        Operator::ChinaMobile,
        ids[0],
        1,
        &ok,
        "",
        "cm",
        T0 + 60 * MINUTE,
    )
    .await
    .unwrap();
    repo.answer(
        Operator::ChinaMobile,
        ids[1],
        1,
        &ok,
        "",
        "cm",
        T0 + 200 * MINUTE,
    )
    .await
    .unwrap();
    repo.answer(
        Operator::ChinaMobile,
        ids[2],
        1,
        &DisposalAnswer::Failed,
        "号码已销户",
        "cm",
        T0 + 30 * MINUTE,
    )
    .await
    .unwrap();
    // Telecom: one withdrawn, one still pending.
    repo.withdraw(&yuyao, ids[3], 1, "误报", "analyst", T0 + MINUTE)
        .await
        .unwrap();

    let police = DisposalViewer::Police(yuyao.clone());
    let before = repo
        .figures(&police, T0 + 100 * MINUTE, None)
        .await
        .unwrap();
    assert_eq!(before.all.pending, 1);
    assert_eq!(before.all.overdue, 0);
    let f = repo
        .figures(&police, T0 + 300 * MINUTE, None)
        .await
        .unwrap();
    let all = &f.all;
    assert_eq!(all.requested, 5);
    assert_eq!((all.executed, all.on_time, all.failed), (2, 1, 1));
    assert_eq!((all.pending, all.overdue, all.withdrawn), (1, 1, 1));
    // Due: 2 executed + 1 failed + 1 overdue; on time 1.
    assert_eq!(all.on_time_rate(), Some(0.25));
    let mobile = &f.by_operator[&Operator::ChinaMobile];
    assert_eq!(
        (mobile.requested, mobile.executed, mobile.failed),
        (3, 2, 1)
    );
    let telecom = &f.by_operator[&Operator::ChinaTelecom];
    assert_eq!(
        (telecom.requested, telecom.withdrawn, telecom.overdue),
        (2, 1, 1)
    );
    assert_eq!(f.by_measure[&DisposalMeasure::Shutdown].requested, 5);
    // An operator's liaison counts only their own.
    let own = repo
        .figures(
            &DisposalViewer::Operator(Operator::ChinaTelecom),
            T0 + 300 * MINUTE,
            None,
        )
        .await
        .unwrap();
    assert_eq!(own.all.requested, 2);
    assert_eq!(own.by_operator.len(), 1);
    // A period counts the requests made in it: one more a day later, outside the first day.
    let day = 24 * 60 * MINUTE;
    repo.request(&yuyao, &ask("13900000006", "330281"), "analyst", T0 + day)
        .await
        .unwrap();
    let first_day = repo
        .figures(&police, T0 + 2 * day, Some((T0, T0 + day)))
        .await
        .unwrap();
    assert_eq!(first_day.all.requested, 5);
    let second_day = repo
        .figures(&police, T0 + 2 * day, Some((T0 + day, T0 + 2 * day)))
        .await
        .unwrap();
    assert_eq!(second_day.all.requested, 1);
    assert_eq!(second_day.all.overdue, 1);
}
