//! The feed files round-trip: what the writers put down, the readers give back, in event-time
//! order, in both formats; the NDJSON form is the serde form of the core signal types.

use fanzha_core::event::*;
use fanzha_sim::feed::{read_signals, read_table};
use fanzha_sim::format::{encode_signal, Format};
use fanzha_sim::output::{write_table, FeedFiles};
use fanzha_sim::records::{
    AccountKind, AccountRecord, HolderKind, NumberKind, Occupation, Person, PhoneRecord, Sex,
};
use fanzha_sim::truth::{VictimOutcome, VictimTruth};
use fanzha_sim::FraudType;

fn sample_signals() -> Vec<Signal> {
    vec![
        Signal::Call(Call {
            ts: 1000,
            caller: Msisdn(8613805741234),
            callee: Msisdn(8617012345678),
            duration_s: 62,
            caller_cell: 17,
        }),
        Signal::Sms(Sms {
            ts: 1500,
            sender: Msisdn(8610690001234),
            recipient: Msisdn(8613805741234),
            link_domain: Some("jd-kefu.top".into()),
        }),
        Signal::Sms(Sms {
            ts: 1600,
            sender: Msisdn(8613805741234),
            recipient: Msisdn(8613905740000),
            link_domain: None,
        }),
        Signal::AppInstall(AppInstall {
            ts: 2000,
            msisdn: Msisdn(8613805741234),
            category: AppCategory::ScreenSharing,
            app_name: "屏幕共享助手".into(),
        }),
        Signal::UrlVisit(UrlVisit {
            ts: 2000,
            msisdn: Msisdn(8613805741234),
            domain: "jd-kefu.top".into(),
        }),
        Signal::Transfer(Transfer {
            ts: 3000,
            txn_id: 7,
            from: AccountNo(6212261234567890123),
            to: AccountNo(2088123412341234),
            amount_fen: 1_234_500,
            channel: TransferChannel::ThirdPartyPayment,
        }),
        Signal::CardOpening(CardOpening {
            ts: 500,
            person_id: 42,
            kind: CardKind::SimCard,
            number: 8613805749999,
            opened_in_division: 530102,
        }),
        Signal::NationalPush(NationalPush {
            ts: 4000,
            msisdn: Msisdn(8613805741234),
            level: 1,
        }),
        Signal::NumberListed(NumberListed {
            ts: 4500,
            msisdn: Msisdn(8617012345678),
            list: NumberList::Goip,
        }),
    ]
}

#[test]
fn ndjson_rows_are_the_serde_form() {
    for s in sample_signals() {
        let mut buf = Vec::new();
        encode_signal(&mut buf, Format::Ndjson, &s, true);
        let line = String::from_utf8(buf).expect("utf-8");
        assert_eq!(
            line.trim_end(),
            serde_json::to_string(&s).expect("serialise")
        );
    }
}

#[test]
fn every_format_round_trips_in_event_time_order() {
    for format in [Format::Csv, Format::Ndjson, Format::Parquet] {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut signals = sample_signals();
        signals.sort_by_key(Signal::ts);
        let mut files = FeedFiles::create(dir.path(), format).expect("create");
        for s in &signals {
            files.write(s).expect("write");
        }
        files.finish().expect("flush");
        let back: Vec<Signal> = read_signals(dir.path())
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(back.len(), signals.len());
        assert!(back.windows(2).all(|w| w[0].ts() <= w[1].ts()));
        for s in &signals {
            assert!(back.contains(s), "{format:?} lost {s:?}");
        }
    }
}

#[test]
fn a_bad_row_is_reported_with_its_line_and_reading_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("calls.csv"),
        "ts,caller,callee,duration_s,caller_cell\n1,8613800000000,8613900000000,5,0\nx,1,2,3,4\n3,8613800000000,8613900000000,5,0\n",
    )
    .expect("write");
    let items: Vec<_> = read_signals(dir.path()).expect("open").collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    let err = items[1].as_ref().expect_err("bad row");
    let text = err.to_string();
    assert!(
        text.contains("line 3") && text.contains("column ts"),
        "{text}"
    );
    use fanzha_core::error_code::{Coded, ErrorCode};
    assert_eq!(err.code(), ErrorCode::FeedRowInvalid);
}

#[test]
fn a_directory_without_feeds_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(read_signals(dir.path()).is_err());
}

#[test]
fn tables_round_trip_in_every_format() {
    let person = Person {
        person_id: 1,
        resident_id: "33028119850302123X".into(),
        name: "王伟".into(),
        sex: Sex::Male,
        birth_date: 19850302,
        village: 330281001001,
        household_id: 1,
        occupation: Occupation::PublicSector,
        employer_id: 3,
        public_sector: true,
        msisdn: Some(Msisdn(8613805741234)),
        bank_card: Some(AccountNo(6212261234567890123)),
        payment_account: None,
        anti_fraud_app: true,
        joint_defense: false,
    };
    let phone = PhoneRecord {
        msisdn: Msisdn(8613805741234),
        kind: NumberKind::Mobile,
        carrier: "移动".into(),
        province: "浙江".into(),
        city: "宁波".into(),
        holder_person_id: 1,
        activated_ts: -5,
    };
    let account = AccountRecord {
        account_no: AccountNo(6212261234567890123),
        kind: AccountKind::BankCard,
        bank_code: "ICBC".into(),
        holder: HolderKind::Resident,
        holder_person_id: 1,
        opened_ts: 100,
        opening_balance_fen: 12345,
    };
    let victim = VictimTruth {
        person_id: 1,
        msisdn: Msisdn(8613805741234),
        fraud_type: FraudType::ImpersonatingPolice,
        campaign_id: 4,
        fraud_number: Msisdn(85512345678),
        first_contact_ts: 10,
        long_call_ts: Some(20),
        link_ts: None,
        app_install_ts: Some(30),
        first_transfer_ts: Some(40),
        last_transfer_ts: Some(50),
        transfers: 2,
        loss_fen: 5_000_000,
        dissuadable: true,
        repeat: false,
        outcome: VictimOutcome::Defrauded,
    };
    for format in [Format::Csv, Format::Ndjson, Format::Parquet] {
        let dir = tempfile::tempdir().expect("tempdir");
        write_table(dir.path(), format, std::slice::from_ref(&person)).expect("people");
        write_table(dir.path(), format, std::slice::from_ref(&phone)).expect("phones");
        write_table(dir.path(), format, std::slice::from_ref(&account)).expect("accounts");
        write_table(dir.path(), format, std::slice::from_ref(&victim)).expect("victims");
        assert_eq!(
            read_table::<Person>(dir.path()).expect("people"),
            vec![person.clone()]
        );
        assert_eq!(
            read_table::<PhoneRecord>(dir.path()).expect("phones"),
            vec![phone.clone()]
        );
        assert_eq!(
            read_table::<AccountRecord>(dir.path()).expect("accounts"),
            vec![account.clone()]
        );
        assert_eq!(
            read_table::<VictimTruth>(dir.path()).expect("victims"),
            vec![victim.clone()]
        );
    }
}
