use chrono::NaiveDate;
use fanzha_archive::{Archive, ArchiveOptions};
use fanzha_core::event::*;
use std::path::Path;

/// 2026-12-01 00:00 Asia/Shanghai.
pub const DAY0: EpochMs = 1_796_054_400_000;
pub const HOUR: EpochMs = 3_600_000;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()
}

/// A signal of every kind, chosen by `i`, at `ts`.
pub fn signal(i: u64, ts: EpochMs) -> Signal {
    let n = Msisdn(13_800_000_000 + i % 5_000);
    match i % 8 {
        0 | 5 => Signal::Call(Call {
            ts,
            caller: n,
            callee: Msisdn(17_000_000_000 + i),
            duration_s: (i % 900) as u32,
            caller_cell: (i % 77) as u32,
        }),
        1 => Signal::Sms(Sms {
            ts,
            sender: n,
            recipient: Msisdn(13_900_000_000 + i),
            link_domain: i
                .is_multiple_of(3)
                .then(|| format!("x{i}.example.cn").into()),
        }),
        2 => Signal::AppInstall(AppInstall {
            ts,
            msisdn: n,
            category: AppCategory::ScreenSharing,
            app_name: format!("会议{i}").into(),
        }),
        3 => Signal::UrlVisit(UrlVisit {
            ts,
            msisdn: n,
            domain: format!("pay{i}.example.cn").into(),
        }),
        4 => Signal::Transfer(Transfer {
            ts,
            txn_id: i,
            from: AccountNo(6_222_000_000_000_000 + i),
            to: AccountNo(6_228_000_000_000_000 + i),
            amount_fen: (i as i64) * 100 + 1,
            channel: TransferChannel::Bank,
        }),
        6 => Signal::NationalPush(NationalPush {
            ts,
            msisdn: n,
            level: 1 + (i % 3) as u8,
        }),
        _ => Signal::NumberListed(NumberListed {
            ts,
            msisdn: n,
            list: NumberList::Blocklist,
        }),
    }
}

/// `n` signals spread over `days` days, arriving out of order by up to ten minutes.
pub fn stream(n: u64, days: i64) -> Vec<Signal> {
    let span = days * 24 * HOUR - 600_000;
    (0..n)
        .map(|i| {
            let jitter = ((i * 7_919) % 600_000) as i64;
            let ts = DAY0 + (i as i64 * span) / n as i64 + jitter;
            signal(i, ts)
        })
        .collect()
}

/// Every signal the archive directory holds, as the feed readers see it.
pub fn read_back(dir: &Path) -> Vec<Signal> {
    fanzha_sim::feed::read_signals(dir)
        .expect("the archive reads as feed files")
        .map(|s| s.expect("every row reads back"))
        .collect()
}

/// The signals sorted the way a reader returns them: by time, ties in feed order, then arrival.
pub fn expected(signals: &[Signal]) -> Vec<Signal> {
    let mut v = signals.to_vec();
    v.sort_by_key(|s| (s.ts(), fanzha_sim::format::Feed::of(s).index()));
    v
}

pub fn sorted_multiset(signals: &[Signal]) -> Vec<String> {
    let mut v: Vec<String> = signals.iter().map(|s| format!("{s:?}")).collect();
    v.sort();
    v
}

pub fn open(dir: &Path, options: ArchiveOptions) -> Archive {
    Archive::open(dir, "FANZHA_SIGNALS", options).expect("open the archive")
}
