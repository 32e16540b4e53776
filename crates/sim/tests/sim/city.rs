//! A small city end to end: determinism, valid identifiers, conserved money, ordered timelines.

use fanzha_core::event::{Signal, TransferChannel};
use fanzha_sim::feed::{read_accounts, read_people, read_phones, read_signals, read_truth};
use fanzha_sim::format::Format;
use fanzha_sim::output::write_city;
use fanzha_sim::SimParams;
use std::collections::HashMap;
use std::path::Path;

fn params(seed: u64) -> SimParams {
    SimParams {
        people: 3_000,
        days: 4,
        seed,
        // Enough victims and card sellers in a small city to exercise every script.
        victims_per_10k_year: 3_000.0,
        card_sellers_per_10k_year: 600.0,
        ..SimParams::default()
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "truth"] {
        let d = dir.join(sub);
        let mut names: Vec<_> = std::fs::read_dir(&d)
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names {
            out.push((
                p.strip_prefix(dir).expect("inside").display().to_string(),
                std::fs::read(&p).expect("read"),
            ));
        }
    }
    out
}

#[test]
fn the_same_seed_gives_byte_identical_files_and_another_seed_does_not() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let c = tempfile::tempdir().expect("tmp");
    write_city(params(9), a.path(), Format::Csv, |_| {}).expect("run a");
    write_city(params(9), b.path(), Format::Csv, |_| {}).expect("run b");
    write_city(params(10), c.path(), Format::Csv, |_| {}).expect("run c");
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert!(
        fa.len() >= 15,
        "{:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.0, y.0);
        assert!(
            x.1 == y.1,
            "{} differs between runs with the same seed",
            x.0
        );
    }
    let calls = |f: &[(String, Vec<u8>)]| {
        f.iter()
            .find(|x| x.0 == "calls.csv")
            .expect("calls")
            .1
            .clone()
    };
    assert_ne!(calls(&fa), calls(&fc));
}

struct City {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn city(format: Format) -> City {
    let dir = tempfile::tempdir().expect("tmp");
    write_city(params(3), dir.path(), format, |_| {}).expect("run");
    City {
        path: dir.path().to_path_buf(),
        _dir: dir,
    }
}

#[test]
fn every_feed_file_is_sorted_by_event_time_and_reads_back() {
    let c = city(Format::Ndjson);
    let signals: Vec<Signal> = read_signals(&c.path)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("all rows valid");
    assert!(signals.len() > 50_000, "{}", signals.len());
    assert!(signals.windows(2).all(|w| w[0].ts() <= w[1].ts()));
    for kind in [
        "call",
        "sms",
        "app_install",
        "url_visit",
        "transfer",
        "card_opening",
        "national_push",
        "number_listed",
    ] {
        assert!(
            signals
                .iter()
                .any(|s| serde_json::to_value(s).expect("json")["type"] == kind),
            "no {kind} signals"
        );
    }
}

#[test]
fn identifiers_are_valid_for_the_region() {
    let c = city(Format::Csv);
    let people = read_people(&c.path).expect("people");
    assert_eq!(people.len(), 3_000);
    let history = fanzha_core::reference::address_code_history();
    let segments = fanzha_core::reference::phone_segments();
    for p in &people {
        let id = p.resident_id.as_bytes();
        assert_eq!(id.len(), 18, "{}", p.resident_id);
        let mut first17 = [0u8; 17];
        first17.copy_from_slice(&id[..17]);
        assert_eq!(
            fanzha_sim::numbers::resident_id_check(&first17),
            id[17],
            "check digit {}",
            p.resident_id
        );
        let address: u32 = p.resident_id[..6].parse().expect("digits");
        assert!(history.ever_valid(address), "address code {address}");
        assert!(address / 100 == 3302, "{address} is not in 宁波 (3302)");
        assert_eq!(&p.resident_id[6..14], &format!("{}", p.birth_date));
        let seq: u32 = p.resident_id[14..17].parse().expect("digits");
        assert_eq!(seq % 2 == 1, p.sex == fanzha_sim::records::Sex::Male);
        assert_eq!(
            p.village / 1_000_000,
            330281,
            "village {} outside 余姚",
            p.village
        );
        if let Some(m) = p.msisdn {
            let national = fanzha_sim::numbers::mobile_digits(m).expect("mainland mobile");
            let seg = segments
                .get((national / 10_000) as u32)
                .expect("known segment");
            assert_eq!(&*seg.province, "浙江");
            assert_eq!(&*seg.city, "宁波");
            assert!(!seg.carrier.is_virtual());
        }
        for card in [p.bank_card].into_iter().flatten() {
            assert!(fanzha_sim::numbers::luhn_valid(&card.0.to_string()));
        }
    }
    let bins = fanzha_core::reference::bank_bins();
    for a in read_accounts(&c.path).expect("accounts") {
        if a.kind == fanzha_sim::records::AccountKind::BankCard {
            let s = a.account_no.0.to_string();
            assert!(fanzha_sim::numbers::luhn_valid(&s), "{s}");
            let m = bins.lookup(s.as_bytes()).expect("known BIN");
            assert!(m.length_matches, "{s}");
        }
    }
    for ph in read_phones(&c.path).expect("phones") {
        if let Some(national) = fanzha_sim::numbers::mobile_digits(ph.msisdn) {
            let seg = segments
                .get((national / 10_000) as u32)
                .expect("known segment");
            assert_eq!(*seg.province, *ph.province, "{}", ph.msisdn.0);
            assert_eq!(seg.carrier.label(), &*ph.carrier);
        }
    }
}

#[test]
fn money_is_conserved_and_no_account_goes_below_zero() {
    let c = city(Format::Csv);
    let accounts = read_accounts(&c.path).expect("accounts");
    let mut balance: HashMap<u64, i64> = accounts
        .iter()
        .map(|a| (a.account_no.0, a.opening_balance_fen))
        .collect();
    let opening: i128 = balance.values().map(|&b| i128::from(b)).sum();
    let mut cashed_out: i128 = 0;
    let mut transfers = 0;
    for s in read_signals(&c.path).expect("open") {
        let Signal::Transfer(t) = s.expect("row") else {
            continue;
        };
        transfers += 1;
        assert!(t.amount_fen > 0);
        let from = balance
            .get_mut(&t.from.0)
            .expect("sender is a known account");
        *from -= t.amount_fen;
        assert!(
            *from >= 0,
            "account {} overdrawn by transfer {}",
            t.from.0,
            t.txn_id
        );
        if t.channel == TransferChannel::CashOut {
            assert_eq!(t.to.0, 0);
            cashed_out += i128::from(t.amount_fen);
        } else {
            *balance
                .get_mut(&t.to.0)
                .expect("receiver is a known account") += t.amount_fen;
        }
    }
    assert!(transfers > 1_000);
    let closing: i128 = balance.values().map(|&b| i128::from(b)).sum();
    assert_eq!(opening, closing + cashed_out);
}

#[test]
fn victim_timelines_are_ordered_and_losses_reach_mules() {
    let c = city(Format::Csv);
    let truth = read_truth(&c.path).expect("truth");
    assert!(truth.victims.len() >= 5, "{}", truth.victims.len());
    assert!(!truth.fraud_numbers.is_empty());
    assert!(!truth.card_sellers.is_empty());
    let mules: std::collections::HashSet<u64> =
        truth.mule_accounts.iter().map(|m| m.account_no.0).collect();
    let mut to_mules: HashMap<u64, i64> = HashMap::new();
    for s in read_signals(&c.path).expect("open") {
        if let Signal::Transfer(t) = s.expect("row") {
            if mules.contains(&t.to.0) && !mules.contains(&t.from.0) {
                *to_mules.entry(t.from.0).or_default() += t.amount_fen;
            }
        }
    }
    let people = read_people(&c.path).expect("people");
    let mut defrauded = 0;
    for v in &truth.victims {
        let stages = [
            Some(v.first_contact_ts),
            v.long_call_ts,
            v.link_ts,
            v.app_install_ts,
        ];
        for s in stages.into_iter().flatten() {
            assert!(s >= v.first_contact_ts);
            if let Some(t) = v.first_transfer_ts {
                assert!(t > v.first_contact_ts);
            }
        }
        if let (Some(a), Some(b)) = (v.first_transfer_ts, v.last_transfer_ts) {
            assert!(a <= b);
        }
        if v.loss_fen > 0 {
            defrauded += 1;
            let p = &people[(v.person_id - 1) as usize];
            let paid: i64 = [p.bank_card, p.payment_account]
                .into_iter()
                .flatten()
                .map(|a| to_mules.get(&a.0).copied().unwrap_or(0))
                .sum();
            assert!(
                paid >= v.loss_fen,
                "victim {} lost {} but paid mules {}",
                v.person_id,
                v.loss_fen,
                paid
            );
        }
    }
    assert!(defrauded > 0);
    let received: i64 = truth
        .mule_accounts
        .iter()
        .filter(|m| m.level == 1)
        .map(|m| m.received_fen)
        .sum();
    let lost: i64 = truth.victims.iter().map(|v| v.loss_fen).sum();
    assert_eq!(
        received, lost,
        "first-level mules receive exactly the victims' losses"
    );
}
