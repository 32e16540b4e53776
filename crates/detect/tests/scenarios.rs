//! End-to-end behaviour of the engine on hand-built signal sequences.

use fanzha_core::event::{
    AccountNo, AppCategory, AppInstall, Call, CardKind, CardOpening, EpochMs, Msisdn, NationalPush,
    NumberList, NumberListed, Signal, Sms, Transfer, TransferChannel, UrlVisit,
};
use fanzha_detect::{Engine, EngineConfig, Ingested, PersonKey, ScoreChange, Warning, WarningKind};

const T0: EpochMs = 1_767_258_000_000; // 2026-01-01T09:00:00Z = 17:00 Shanghai
const MIN: i64 = 60_000;
const FRAUD: Msisdn = Msisdn(8617012340000);
const VICTIM: Msisdn = Msisdn(8613800000001);
const VICTIM_ID: u64 = 1001;
const VICTIM_ACCOUNT: AccountNo = AccountNo(6222020000000001);

fn call(ts: EpochMs, caller: Msisdn, callee: Msisdn, dur: u32) -> Signal {
    Signal::Call(Call {
        ts,
        caller,
        callee,
        duration_s: dur,
        caller_cell: 1,
    })
}

fn install(ts: EpochMs, m: Msisdn, c: AppCategory) -> Signal {
    Signal::AppInstall(AppInstall {
        ts,
        msisdn: m,
        category: c,
        app_name: "app".into(),
    })
}

fn transfer(ts: EpochMs, to: u64, amount_fen: i64) -> Signal {
    Signal::Transfer(Transfer {
        ts,
        txn_id: ts as u64,
        from: VICTIM_ACCOUNT,
        to: AccountNo(to),
        amount_fen,
        channel: TransferChannel::Bank,
    })
}

fn engine() -> Engine {
    let mut e = Engine::with_default_rules(EngineConfig::default()).unwrap();
    e.directory_mut().add_phone(VICTIM, VICTIM_ID);
    e.directory_mut().add_account(VICTIM_ACCOUNT, VICTIM_ID);
    e
}

/// The fraud number, on a SIM opened two days before, dials `n` strangers a minute apart.
fn blast(start: EpochMs, n: u64) -> Vec<Signal> {
    let sim = Signal::CardOpening(CardOpening {
        ts: start - 2 * 24 * 60 * MIN,
        person_id: 9_999,
        kind: CardKind::SimCard,
        number: FRAUD.0,
        opened_in_division: 330281,
    });
    std::iter::once(sim)
        .chain((0..n).map(|k| {
            call(
                start + k as i64 * MIN,
                FRAUD,
                Msisdn(8613900000000 + k),
                if k % 3 == 0 { 40 } else { 5 },
            )
        }))
        .collect()
}

fn run(e: &mut Engine, signals: &[Signal]) -> Vec<Warning> {
    let mut out = Vec::new();
    for s in signals {
        e.ingest(s, &mut out);
    }
    out
}

fn for_victim(ws: &[Warning]) -> Vec<&Warning> {
    ws.iter()
        .filter(|w| w.person == PersonKey::Person(VICTIM_ID))
        .collect()
}

#[test]
fn a_number_dialling_many_strangers_becomes_a_suspect() {
    let mut e = engine();
    run(&mut e, &blast(T0, 40));
    assert!(e.number_score(FRAUD) >= 0.5, "{}", e.number_score(FRAUD));
    assert_eq!(e.stats().suspects_flagged, 1);
}

#[test]
fn friends_calling_each_other_raise_nothing() {
    let mut e = engine();
    let friends: Vec<Msisdn> = (0..6).map(|k| Msisdn(8613700000000 + k)).collect();
    let mut s = Vec::new();
    for day in 0..3 {
        for (i, a) in friends.iter().enumerate() {
            for b in friends.iter().skip(i + 1) {
                let ts = T0 + day * 24 * 60 * MIN + (i as i64) * 7 * MIN;
                s.push(call(ts, *a, *b, 300));
                s.push(call(ts + MIN, *b, *a, 200));
            }
        }
    }
    s.sort_by_key(Signal::ts);
    let ws = run(&mut e, &s);
    assert!(ws.is_empty(), "{ws:?}");
    for f in &friends {
        assert!(e.number_score(*f) < 0.2, "{}", e.number_score(*f));
    }
}

#[test]
fn long_suspect_call_then_screen_sharing_is_red_with_evidence() {
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 900));
    s.push(install(T0 + 60 * MIN, VICTIM, AppCategory::ScreenSharing));
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    assert_eq!(v[0].kind, WarningKind::New);
    assert_eq!(v[0].level, 2, "long call alone is orange: {:?}", v[0].rules);
    let red = v.last().unwrap();
    assert_eq!(red.kind, WarningKind::Raised);
    assert_eq!(red.level, 1);
    assert!(red
        .rules
        .iter()
        .any(|r| r.name == "suspect_call_then_screen_share"));
    assert!(red
        .evidence
        .iter()
        .any(|ev| ev.feature == "longest_suspect_call_s"
            && ev.value == fanzha_detect::FeatureValue::Int(900)));
    assert_eq!(red.suspects[0].msisdn, FRAUD);
    assert_eq!(red.suspects[0].longest_call_s, 900);
    assert_eq!(red.msisdn, Some(VICTIM));
    assert!(red.score > 0.9);
}

#[test]
fn a_victim_reached_before_the_number_turned_suspect_is_found_when_it_does() {
    let mut e = engine();
    let mut s = vec![call(T0, FRAUD, VICTIM, 1200)];
    s.extend(blast(T0 + MIN, 40));
    s.sort_by_key(Signal::ts);
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    assert_eq!(v.len(), 1, "{ws:?}");
    // Found with the call as evidence; whether the long call alone is orange depends on how
    // strong the number's score is by then (`long_suspect_call` asks for 0.7).
    assert_eq!(v[0].suspects[0].msisdn, FRAUD);
    assert_eq!(v[0].suspects[0].longest_call_s, 1200);
    assert!(v[0].ts > T0, "raised when the number turned suspect");
}

#[test]
fn transfer_to_new_payee_after_suspect_contact_is_red() {
    let mut e = engine();
    let mut s = vec![transfer(T0 - 600 * MIN, 42, 10_000)];
    s.extend(blast(T0, 40));
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 90));
    s.push(transfer(T0 + 50 * MIN, 42, 900_000)); // known payee: nothing
    s.push(transfer(T0 + 55 * MIN, 77, 900_000));
    s.sort_by_key(Signal::ts);
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    let last = v.last().unwrap();
    assert_eq!(last.level, 1);
    assert!(last
        .rules
        .iter()
        .any(|r| r.name == "new_payee_transfer_after_suspect_contact"));
    assert_eq!(last.ts, T0 + 55 * MIN);
}

#[test]
fn fraud_link_opened_is_orange() {
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(Signal::Sms(Sms {
        ts: T0 + 41 * MIN,
        sender: FRAUD,
        recipient: VICTIM,
        link_domain: Some("refund-pay.example".into()),
    }));
    s.push(Signal::UrlVisit(UrlVisit {
        ts: T0 + 45 * MIN,
        msisdn: VICTIM,
        domain: "refund-pay.example".into(),
    }));
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    assert_eq!(v[0].level, 3, "link SMS from a suspect is yellow");
    assert!(v
        .iter()
        .any(|w| w.level == 2 && w.rules.iter().any(|r| r.name == "fraud_link_opened")));
}

#[test]
fn a_listed_number_makes_its_contacts_suspect_contacts() {
    let mut e = engine();
    let goip = Msisdn(8613512345678);
    let s = vec![
        call(T0, goip, VICTIM, 700),
        Signal::NumberListed(NumberListed {
            ts: T0 + MIN,
            msisdn: goip,
            list: NumberList::Goip,
        }),
    ];
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].suspects[0].lists, vec!["goip".to_string()]);
}

/// A number an operator shut down for fraud (涉诈号码处置 executed) reaches the engine as a
/// blocklist entry: the people it called before are warned with it as the suspect.
#[test]
fn a_number_an_operator_shut_down_makes_its_contacts_suspect_contacts() {
    let mut e = engine();
    let shut = Msisdn(8613900001234);
    let s = vec![
        call(T0, shut, VICTIM, 700),
        Signal::NumberListed(NumberListed {
            ts: T0 + MIN,
            msisdn: shut,
            list: NumberList::Blocklist,
        }),
    ];
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].suspects[0].lists, vec!["blocklist".to_string()]);
}

#[test]
fn national_push_warns_the_pushed_person() {
    let mut e = engine();
    let ws = run(
        &mut e,
        &[Signal::NationalPush(NationalPush {
            ts: T0,
            msisdn: VICTIM,
            level: 1,
        })],
    );
    assert_eq!(for_victim(&ws).len(), 1);
    assert!(ws[0].rules.iter().any(|r| r.name == "national_push"));
}

#[test]
fn repeated_hits_of_the_same_rules_do_not_repeat_the_warning() {
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 700));
    s.push(call(T0 + 50 * MIN, FRAUD, VICTIM, 650));
    let ws = run(&mut e, &s);
    assert_eq!(for_victim(&ws).len(), 1, "{ws:?}");
}

#[test]
fn card_openings_fill_the_directory_and_sim_age() {
    let mut e = Engine::with_default_rules(EngineConfig::default()).unwrap();
    let s = vec![
        Signal::CardOpening(CardOpening {
            ts: T0,
            person_id: 5,
            kind: CardKind::BankCard,
            number: 6222000000000005,
            opened_in_division: 510104,
        }),
        Signal::CardOpening(CardOpening {
            ts: T0,
            person_id: 5,
            kind: CardKind::SimCard,
            number: FRAUD.0,
            opened_in_division: 510104,
        }),
        call(T0 + 24 * 60 * MIN, FRAUD, VICTIM, 5),
    ];
    run(&mut e, &s);
    assert_eq!(
        e.directory().person_of_account(AccountNo(6222000000000005)),
        Some(5)
    );
    assert_eq!(e.directory().person_of_phone(FRAUD), Some(5));
    let f = e.number_features(FRAUD, T0 + 24 * 60 * MIN).unwrap();
    assert!((f.sim_age_days - 1.0).abs() < 1e-3);
}

#[test]
fn late_events_beyond_the_watermark_are_counted_and_refused() {
    let mut e = engine();
    let mut out = Vec::new();
    assert_eq!(
        e.ingest(&call(T0, FRAUD, VICTIM, 5), &mut out),
        Ingested::Applied
    );
    // Within the 5-minute tolerance: applied.
    assert_eq!(
        e.ingest(
            &call(T0 - 4 * MIN, FRAUD, Msisdn(8613900000001), 5),
            &mut out
        ),
        Ingested::Applied
    );
    assert_eq!(
        e.ingest(
            &call(T0 - 10 * MIN, FRAUD, Msisdn(8613900000002), 5),
            &mut out
        ),
        Ingested::Late
    );
    assert_eq!(e.stats().late, 1);
    assert_eq!(e.number_features(FRAUD, T0).unwrap().calls_1h, 2.0);
}

#[test]
fn invalid_rules_are_refused_and_the_old_ones_stay() {
    let mut e = engine();
    let before = e.rules().len();
    let err = e
        .reload_rules(
            "[[rule]]\nname = \"x\"\nlevel = 1\nwhen = \"nope > 1\"\nzh = \"a\"\nen = \"b\"\n",
        )
        .unwrap_err();
    assert_eq!(
        fanzha_core::error_code::Coded::code(&err),
        fanzha_core::error_code::ErrorCode::RuleInvalid
    );
    assert_eq!(e.rules().len(), before);
    // A valid file replaces them.
    e.reload_rules(
        "[[rule]]\nname = \"any_suspect\"\nlevel = 3\nwhen = \"suspect_contacts >= 1\"\nzh = \"接触\"\nen = \"contact\"\n",
    )
    .unwrap();
    assert_eq!(e.rules().len(), 1);
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 5));
    let ws = run(&mut e, &s);
    assert_eq!(for_victim(&ws)[0].rules[0].name, "any_suspect");
}

/// A day of mixed traffic: fraud blasts, victims, normal calls.
fn mixed_day() -> Vec<Signal> {
    let mut s = blast(T0, 60);
    for k in 0..200u64 {
        let a = Msisdn(8613600000000 + k % 20);
        let b = Msisdn(8613600000000 + (k * 7 + 3) % 20);
        if a != b {
            s.push(call(T0 + k as i64 * 3 * MIN, a, b, 120));
        }
    }
    s.push(call(T0 + 5 * MIN, FRAUD, VICTIM, 800));
    s.push(install(T0 + 70 * MIN, VICTIM, AppCategory::RemoteControl));
    s.push(transfer(T0 + 90 * MIN, 555, 2_000_000));
    s.sort_by_key(Signal::ts);
    s
}

#[test]
fn restoring_a_snapshot_and_replaying_from_its_offset_gives_the_same_warnings() {
    let signals = mixed_day();
    let mut whole = engine();
    let expected = run(&mut whole, &signals);
    assert!(!expected.is_empty());

    for cut in [1usize, 50, signals.len() / 2, signals.len() - 1] {
        let mut first = engine();
        let mut got = run(&mut first, &signals[..cut]);
        let bytes = first.snapshot(cut as u64).unwrap();
        drop(first); // the engine is killed
        let (mut resumed, offset) = Engine::restore(&bytes).unwrap();
        assert_eq!(offset, cut as u64);
        got.extend(run(&mut resumed, &signals[offset as usize..]));
        assert_eq!(got, expected, "cut at {cut}");
        assert_eq!(resumed.stats(), whole.stats());
    }
}

/// Pairs idle past the eviction horizon (30 days) are forgotten at the next maintenance (every 6 h
/// of event time), also when the engine was restored in between, and also when the pair was
/// made after a maintenance that found the index empty.
#[test]
fn pairs_idle_past_the_horizon_are_pruned() {
    const DAY: i64 = 24 * 60 * MIN;
    let sms = |ts| {
        Signal::Sms(Sms {
            ts,
            sender: Msisdn(8613700000009),
            recipient: VICTIM,
            link_domain: None,
        })
    };
    // A call between two residents numbered `a` and `b` at `ts`.
    let pair = |ts, a: u64, b: u64| {
        [call(
            ts,
            Msisdn(8613700000000 + a),
            Msisdn(8613700000000 + b),
            30,
        )]
    };
    let mut e = engine();
    // The first maintenance runs on an empty pair index.
    run(&mut e, &[sms(T0)]);
    run(&mut e, &pair(T0 + 60 * MIN, 1, 2));
    run(&mut e, &pair(T0 + 20 * DAY, 3, 4));
    assert_eq!(e.memory().pairs, 2, "nothing is 30 days idle yet");
    let (mut restored, _) = Engine::restore(&e.snapshot(0).unwrap()).unwrap();
    for engine in [&mut e, &mut restored] {
        run(engine, &pair(T0 + 31 * DAY, 5, 6));
        assert_eq!(
            engine.memory().pairs,
            2,
            "the first pair goes, the later two stay"
        );
        run(engine, &pair(T0 + 51 * DAY, 5, 6));
        assert_eq!(engine.memory().pairs, 1, "the day-20 pair goes on day 51");
    }
}

#[test]
fn damaged_snapshots_are_refused() {
    let e = engine();
    let mut bytes = e.snapshot(0).unwrap();
    assert!(Engine::restore(&bytes[..3]).is_err());
    bytes[0] = b'X';
    let err = Engine::restore(&bytes).err().unwrap();
    assert_eq!(
        fanzha_core::error_code::Coded::code(&err),
        fanzha_core::error_code::ErrorCode::SnapshotInvalid
    );
}

#[test]
fn changelog_records_the_suspect_crossing() {
    let mut e = engine();
    e.enable_changelog();
    run(&mut e, &blast(T0, 40));
    let log = e.drain_changelog();
    assert!(log.iter().any(|c| c.msisdn == FRAUD && c.score >= 0.5));
    assert!(e.drain_changelog().is_empty());
}

#[test]
fn state_per_number_stays_under_a_kilobyte() {
    let mut e = engine();
    run(&mut e, &mixed_day());
    let m = e.memory();
    assert!(m.numbers > 20);
    println!(
        "number state {} B, person state {} B",
        std::mem::size_of::<fanzha_detect::number::NumberState>(),
        fanzha_detect::person::PersonState::inline_size()
    );
    assert!(
        std::mem::size_of::<fanzha_detect::number::NumberState>() <= 504,
        "{}",
        std::mem::size_of::<fanzha_detect::number::NumberState>()
    );
}

#[test]
fn payment_to_a_new_payee_soon_after_a_suspect_link_sms_is_red_but_not_days_later() {
    let link = |ts: EpochMs| {
        Signal::Sms(Sms {
            ts,
            sender: FRAUD,
            recipient: VICTIM,
            link_domain: Some("task-pay.example".into()),
        })
    };
    // Paid 1,500 yuan 40 minutes after the link SMS, without calling or opening the link.
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(link(T0 + 41 * MIN));
    s.push(transfer(T0 + 81 * MIN, 77, 150_000));
    let ws = run(&mut e, &s);
    let v = for_victim(&ws);
    let last = v.last().unwrap();
    assert_eq!(last.level, 1, "{:?}", last.rules);
    assert!(last
        .rules
        .iter()
        .any(|r| r.name == "new_payee_transfer_soon_after_suspect_contact"));
    // The same payment two days later is ordinary life, not the script.
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(link(T0 + 41 * MIN));
    s.push(transfer(T0 + 2 * 24 * 60 * MIN, 77, 150_000));
    let ws = run(&mut e, &s);
    assert!(for_victim(&ws).iter().all(|w| w.level == 3), "{ws:?}");
}

#[test]
fn risky_app_within_two_hours_of_a_suspect_call_is_red_even_after_a_short_call() {
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 45));
    s.push(install(T0 + 90 * MIN, VICTIM, AppCategory::RemoteControl));
    let ws = run(&mut e, &s);
    let red = for_victim(&ws).into_iter().find(|w| w.level == 1);
    let red = red.expect("red warning");
    assert!(red
        .rules
        .iter()
        .any(|r| r.name == "risky_app_soon_after_suspect_contact"));
    assert!(red
        .evidence
        .iter()
        .any(|ev| ev.feature == "minutes_contact_to_risky_app"
            && ev.value == fanzha_detect::FeatureValue::Int(49)));
    // Installed a day later, the app no longer follows the call.
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 45));
    s.push(install(
        T0 + 26 * 60 * MIN,
        VICTIM,
        AppCategory::RemoteControl,
    ));
    let ws = run(&mut e, &s);
    assert!(for_victim(&ws).iter().all(|w| w.level == 3), "{ws:?}");
}

#[test]
fn orange_national_push_needs_a_local_suspect_contact() {
    let push = |ts: EpochMs| {
        Signal::NationalPush(NationalPush {
            ts,
            msisdn: VICTIM,
            level: 2,
        })
    };
    let mut e = engine();
    let ws = run(&mut e, &[push(T0)]);
    assert!(for_victim(&ws).is_empty(), "{ws:?}");
    let mut e = engine();
    let mut s = blast(T0, 40);
    s.push(call(T0 + 41 * MIN, FRAUD, VICTIM, 200));
    s.push(push(T0 + 60 * MIN));
    let ws = run(&mut e, &s);
    assert!(for_victim(&ws).iter().any(|w| w.level == 2
        && w.rules
            .iter()
            .any(|r| r.name == "orange_push_with_suspect_contact")));
}

#[test]
fn stage_one_alone_keeps_the_same_number_reputation_as_the_whole_engine() {
    let signals = fanzha_detect::synthetic::generated_stream(60_000, 3_000);
    let mut whole = Engine::with_default_rules(EngineConfig::default()).unwrap();
    let mut stage1 = Engine::with_default_rules(EngineConfig::default()).unwrap();
    whole.enable_changelog();
    stage1.enable_changelog();
    let mut out = Vec::new();
    for s in &signals {
        whole.ingest(s, &mut out);
        assert_eq!(stage1.ingest_reputation(s), Ingested::Applied);
    }
    assert!(!out.is_empty(), "the whole engine warns on this stream");
    assert_eq!(whole.drain_changelog(), stage1.drain_changelog());
    let end = signals.last().unwrap().ts();
    let mut callers = 0;
    for s in &signals {
        if let Signal::Call(c) = s {
            for m in [c.caller, c.callee] {
                assert_eq!(whole.number_score(m), stage1.number_score(m));
                assert_eq!(
                    whole.number_features(m, end),
                    stage1.number_features(m, end)
                );
            }
            callers += 1;
        }
    }
    assert!(callers > 50_000);
    assert_eq!(whole.stats().calls, stage1.stats().calls);
    assert_eq!(stage1.stats().evaluations, 0);
    assert_eq!(stage1.stats().warnings_new, 0);
}

/// The generated week with every kind of signal mixed in (link SMS, visits to the linked domain,
/// list entries, national pushes, card openings) and some late signals, for a directory of
/// `people` residents.
fn varied_stream(events: u64, people: u64) -> Vec<Signal> {
    let resident = fanzha_detect::synthetic::resident_phone;
    let fraud = |i: u64| Msisdn(8_617_000_000_000 + i);
    let mut out = Vec::new();
    for (k, s) in fanzha_detect::synthetic::generated_stream(events, people)
        .into_iter()
        .enumerate()
    {
        let ts = s.ts();
        let k = k as u64;
        let who = resident(k * 7919 % people);
        match k % 97 {
            0 => out.push(Signal::Sms(Sms {
                ts,
                sender: fraud(k % 5),
                recipient: who,
                link_domain: Some("pay-safe.example".into()),
            })),
            13 => out.push(Signal::UrlVisit(UrlVisit {
                ts,
                msisdn: who,
                domain: "pay-safe.example".into(),
            })),
            29 if k % 5 == 0 => out.push(Signal::NumberListed(NumberListed {
                ts,
                msisdn: fraud(k % 3),
                list: NumberList::Blocklist,
            })),
            41 => out.push(Signal::NationalPush(NationalPush {
                ts,
                msisdn: who,
                level: (k % 3) as u8 + 1,
            })),
            53 => out.push(Signal::CardOpening(CardOpening {
                ts,
                person_id: people + k,
                kind: CardKind::SimCard,
                number: 8_615_000_000_000 + k,
                opened_in_division: 330281,
            })),
            // Behind the watermark: refused, in both ways of ingesting.
            71 => out.push(call(ts - 60 * MIN, who, resident(k % people), 30)),
            _ => {}
        }
        out.push(s);
    }
    out
}

fn directory_engine(people: u64) -> Engine {
    let mut e = Engine::with_default_rules(EngineConfig::default()).unwrap();
    fanzha_detect::synthetic::add_residents(e.directory_mut(), people);
    e.enable_changelog();
    e
}

/// A batched engine ended in the same state as the one fed one signal at a time: stats, score
/// changelog (`log`, drained from `one`) and snapshot bytes.
fn assert_same_state(batched: &mut Engine, one: &Engine, log: &[ScoreChange], size: usize) {
    assert_eq!(batched.stats(), one.stats(), "batches of {size}");
    assert_eq!(batched.drain_changelog(), log, "batches of {size}");
    assert_eq!(
        batched.snapshot(0).unwrap(),
        one.snapshot(0).unwrap(),
        "batches of {size}"
    );
}

#[test]
fn a_batch_gives_the_same_warnings_and_state_as_one_signal_at_a_time() {
    let people = 3_000;
    let signals = varied_stream(80_000, people);
    let mut one = directory_engine(people);
    let mut expected = Vec::new();
    let mut late = 0;
    for s in &signals {
        late += usize::from(one.ingest(s, &mut expected) == Ingested::Late);
    }
    assert!(
        late > 100 && expected.len() > 100,
        "{late} late, {} warnings",
        expected.len()
    );
    let log = one.drain_changelog();
    assert!(!log.is_empty());
    // Batches of several sizes, smaller and larger than the prefetch distance.
    for size in [1, 3, 16, 1000, signals.len()] {
        let mut batched = directory_engine(people);
        let mut got = Vec::new();
        let mut batch_late = 0;
        for b in signals.chunks(size) {
            batch_late += batched.ingest_batch(b, &mut got);
        }
        assert_eq!(batch_late, late, "batches of {size}");
        assert_eq!(got, expected, "batches of {size}");
        assert_same_state(&mut batched, &one, &log, size);
    }
}

#[test]
fn sizing_the_indexes_for_the_population_changes_no_result() {
    let people = 3_000;
    let signals = varied_stream(80_000, people);
    let mut plain = directory_engine(people);
    let mut sized = directory_engine(people);
    sized.reserve_numbers(people as usize);
    // The room is made before any signal: the pair index holds 16 pairs per number.
    let room = sized.memory().pair_index_bytes;
    assert!(
        room >= people as usize * fanzha_detect::engine::PAIRS_PER_NUMBER * 13,
        "{room} bytes reserved"
    );
    assert!(room > plain.memory().pair_index_bytes);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut late_a, mut late_b) = (0, 0);
    for batch in signals.chunks(1024) {
        late_a += plain.ingest_batch(batch, &mut a);
        late_b += sized.ingest_batch(batch, &mut b);
    }
    assert!(a.len() > 100, "{} warnings", a.len());
    assert_eq!((a, late_a), (b, late_b));
    assert_eq!(plain.stats(), sized.stats());
    assert_eq!(plain.drain_changelog(), sized.drain_changelog());
    assert_eq!(plain.memory().pairs, sized.memory().pairs);
    assert_eq!(plain.memory().numbers, sized.memory().numbers);
}

#[test]
fn a_stage_one_batch_keeps_the_same_state_as_one_signal_at_a_time() {
    let people = 3_000;
    let signals = varied_stream(80_000, people);
    let mut one = directory_engine(people);
    for s in &signals {
        one.ingest_reputation(s);
    }
    let log = one.drain_changelog();
    for size in [1, 7, 1000, signals.len()] {
        let mut batched = directory_engine(people);
        let late: usize = signals
            .chunks(size)
            .map(|b| batched.ingest_reputation_batch(b))
            .sum();
        assert_eq!(late as u64, one.stats().late);
        assert_same_state(&mut batched, &one, &log, size);
    }
}
