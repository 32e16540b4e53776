//! 提请惩戒 / 不准出境报备: proposed by a unit, reported up or returned by the center, decided
//! from above — in force onto the dossier, or declined — one open per dossier and kind, each
//! step at the version read and audited; counted per state and as people reported up.

use crate::fixtures::{person, resident_id, with_tree};
use fanzha_store::*;

const T0: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

async fn dossier(store: &Store, n: u32, village: &str) -> i64 {
    store.people().upsert(&[person(n, village)]).await.unwrap();
    store
        .key_persons()
        .create(
            &Scope::platform(),
            &NewKeyPerson {
                resident_id: resident_id(n),
                // The second resident is watched for a fraud record, the others for cards.
                category: if n == 2 {
                    KeyPersonCategory::FraudRecord
                } else {
                    KeyPersonCategory::TwoCards
                },
                reason: "出售银行卡".into(),
                source: "form".into(),
                created_by: "analyst".into(),
                at: T0,
            },
        )
        .await
        .unwrap()
        .0
}

fn punish(id: i64) -> NewProposal {
    NewProposal {
        key_person_id: id,
        kind: ProposalKind::Punishment,
        punishment_kind: Some(PunishmentKind::Financial),
        reason: " 出售银行卡2张 ".into(),
        proposed_by: "station".into(),
    }
}

pub async fn proposals_go_up_and_come_back_in_force_onto_the_dossier(store: &Store) {
    with_tree(store).await;
    let p = store.key_person_proposals();
    let yuyao = store.units().scope("330281").await.unwrap();
    let cixi = store.units().scope("330282").await.unwrap();
    let one = dossier(store, 1, "330281001001").await;
    let two = dossier(store, 2, "330281002001").await;
    let theirs = dossier(store, 3, "330282001001").await;

    let a = p.propose(&yuyao, &punish(one), T0).await.unwrap();
    assert_eq!(
        (a.state, a.reason.as_str(), a.version, a.resident_id.clone()),
        (ProposalState::Proposed, "出售银行卡2张", 1, resident_id(1))
    );
    // One open punishment proposal per dossier; an exit ban beside it is fine.
    assert!(matches!(
        p.propose(&yuyao, &punish(one), T0).await,
        Err(StoreError::Conflict { .. })
    ));
    let ban = p
        .propose(
            &yuyao,
            &NewProposal {
                kind: ProposalKind::ExitBan,
                punishment_kind: None,
                ..punish(one)
            },
            T0,
        )
        .await
        .unwrap();
    // Refused: another county's dossier, a punishment without its kind, no reason.
    assert!(matches!(
        p.propose(&yuyao, &punish(theirs), T0).await,
        Err(StoreError::NotFound { .. })
    ));
    for bad in [
        NewProposal {
            punishment_kind: None,
            ..punish(two)
        },
        NewProposal {
            reason: " ".into(),
            ..punish(two)
        },
    ] {
        assert!(matches!(
            p.propose(&yuyao, &bad, T0).await,
            Err(StoreError::Invalid { .. })
        ));
    }

    // Reported up, then in force from a day for a year: the dossier carries the punishment.
    let up = p
        .step(&yuyao, a.id, 1, &ProposalStep::Report, "analyst", T0 + DAY)
        .await
        .unwrap();
    assert_eq!(
        (up.state, up.version, up.reported_at),
        (ProposalState::Reported, 2, Some(T0 + DAY))
    );
    assert!(matches!(
        p.step(&yuyao, a.id, 1, &ProposalStep::Report, "analyst", T0 + DAY)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        p.step(&cixi, a.id, 2, &ProposalStep::Report, "analyst", T0 + DAY)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let from = T0 + 3 * DAY;
    let until = Some(from + 365 * DAY);
    let bad_period = ProposalStep::InForce {
        from,
        until: Some(from),
    };
    assert!(matches!(
        p.step(&yuyao, a.id, 2, &bad_period, "analyst", T0 + 3 * DAY)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let done = p
        .step(
            &yuyao,
            a.id,
            2,
            &ProposalStep::InForce { from, until },
            "analyst",
            T0 + 3 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(done.state, ProposalState::InForce);
    let d = store.key_persons().get(&yuyao, one).await.unwrap();
    assert_eq!(
        (d.punishment_kind, d.punishment_from, d.punishment_until),
        (Some(PunishmentKind::Financial), Some(from), until)
    );
    // Closed proposals leave room for a new one.
    p.propose(&yuyao, &punish(one), T0 + 4 * DAY).await.unwrap();

    // The exit ban is returned, with why; a return needs a note.
    assert!(matches!(
        p.step(
            &yuyao,
            ban.id,
            1,
            &ProposalStep::Return { note: " ".into() },
            "analyst",
            T0
        )
        .await,
        Err(StoreError::Invalid { .. })
    ));
    let back = p
        .step(
            &yuyao,
            ban.id,
            1,
            &ProposalStep::Return {
                note: "无出境记录，暂不报备".into(),
            },
            "analyst",
            T0 + DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        (back.state, back.note.as_str()),
        (ProposalState::Returned, "无出境记录，暂不报备")
    );
    // A proposal of the second person is reported and declined.
    let b = p.propose(&yuyao, &punish(two), T0).await.unwrap();
    // A proposal names the dossier's category, for the list reported up.
    assert_eq!(
        (a.category, b.category),
        (KeyPersonCategory::TwoCards, KeyPersonCategory::FraudRecord)
    );
    p.step(
        &yuyao,
        b.id,
        1,
        &ProposalStep::Report,
        "analyst",
        T0 + 2 * DAY,
    )
    .await
    .unwrap();
    p.step(
        &yuyao,
        b.id,
        2,
        &ProposalStep::Decline {
            note: "证据不足".into(),
        },
        "analyst",
        T0 + 5 * DAY,
    )
    .await
    .unwrap();

    let f = p.figures(&yuyao, T0, T0 + 10 * DAY).await.unwrap();
    assert_eq!(
        (f.proposed, f.reported, f.in_force, f.returned, f.declined),
        (1, 0, 1, 1, 1)
    );
    assert_eq!(
        (f.people_reported_punishment, f.people_reported_exit_ban),
        (2, 0)
    );
    let early = p.figures(&yuyao, T0, T0 + DAY + 1).await.unwrap();
    assert_eq!(early.people_reported_punishment, 1);
    let listed = p
        .list(
            &yuyao,
            &ProposalFilter {
                key_person_id: Some(one),
                ..ProposalFilter::default()
            },
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 3);
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    let count = |a: &str| audit.items.iter().filter(|e| e.action == a).count();
    assert_eq!(
        (
            count("key_person_proposal_made"),
            count("key_person_proposal_step")
        ),
        (4, 5)
    );
}

/// The decision can come back as a list imported or a measure entered on the dossier rather
/// than as the proposal's own step: a proposal reported up is then in force; one not yet
/// reported, or of the other kind, is left as it is.
pub async fn a_measure_entered_from_above_settles_the_proposal_reported_up(store: &Store) {
    with_tree(store).await;
    let p = store.key_person_proposals();
    let yuyao = store.units().scope("330281").await.unwrap();
    let one = dossier(store, 1, "330281001001").await;
    let two = dossier(store, 2, "330281002001").await;
    let up = p.propose(&yuyao, &punish(one), T0).await.unwrap();
    p.step(&yuyao, up.id, 1, &ProposalStep::Report, "analyst", T0 + DAY)
        .await
        .unwrap();
    let ban = p
        .propose(
            &yuyao,
            &NewProposal {
                kind: ProposalKind::ExitBan,
                punishment_kind: None,
                ..punish(one)
            },
            T0,
        )
        .await
        .unwrap();
    p.step(
        &yuyao,
        ban.id,
        1,
        &ProposalStep::Report,
        "analyst",
        T0 + DAY,
    )
    .await
    .unwrap();
    let waiting = p.propose(&yuyao, &punish(two), T0).await.unwrap();

    let punishment = KeyPersonMeasure::Punishment {
        kind: PunishmentKind::Telecom,
        from: T0 + 3 * DAY,
        until: None,
    };
    for id in [one, two] {
        store
            .key_persons()
            .add_event(&yuyao, id, &punishment, "list_import", T0 + 3 * DAY)
            .await
            .unwrap();
    }
    let up = p.get(&yuyao, up.id).await.unwrap();
    assert_eq!(
        (up.state, up.decided_by.as_deref(), up.decided_at),
        (
            ProposalState::InForce,
            Some("list_import"),
            Some(T0 + 3 * DAY)
        )
    );
    assert_eq!(
        p.get(&yuyao, ban.id).await.unwrap().state,
        ProposalState::Reported
    );
    assert_eq!(
        p.get(&yuyao, waiting.id).await.unwrap().state,
        ProposalState::Proposed,
        "not reported up: the center still reviews it"
    );
    // The proposal's own decision is not taken twice: the exit ban in force enters the
    // measure, which finds nothing left to settle.
    let done = p
        .step(
            &yuyao,
            ban.id,
            2,
            &ProposalStep::InForce {
                from: T0 + 4 * DAY,
                until: None,
            },
            "analyst",
            T0 + 4 * DAY,
        )
        .await
        .unwrap();
    assert_eq!(
        (done.state, done.version, done.decided_by.as_deref()),
        (ProposalState::InForce, 3, Some("analyst"))
    );
    let audit = store
        .audit()
        .list(&Scope::platform(), &PageRequest::first(100))
        .await
        .unwrap();
    let settled: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action == "key_person_proposal_step" && e.detail["via"] == "measure")
        .collect();
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0].detail["proposal"], up.id);
}
