//! A generated signal stream for benchmarks: deterministic, independent of the simulator, and
//! built in memory (no I/O), so that `fanzha bench detect` and the engine's own throughput
//! example measure the same thing.

use crate::directory::Directory;
use fanzha_core::event::{AccountNo, EpochMs, Msisdn, Signal};

/// A deterministic generator (SplitMix64): the bench must not depend on the simulator's
/// parameters, and two runs must see the same stream.
pub struct Mix(u64);

impl Mix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The phone number of resident `i` of [`generated_stream`].
pub fn resident_phone(i: u64) -> Msisdn {
    Msisdn(8_613_800_000_000 + i)
}

/// The bank account of resident `i` of [`generated_stream`].
pub fn resident_account(i: u64) -> AccountNo {
    AccountNo(6_222_000_000_000_000 + i)
}

/// Registers the first `people` residents of [`generated_stream`] as people (resident `i` is
/// person `i + 1`, holding its phone and account), so that stage 2 keys their states by person.
pub fn add_residents(directory: &mut Directory, people: u64) {
    for i in 0..people {
        directory.add_phone(resident_phone(i), i + 1);
        directory.add_account(resident_account(i), i + 1);
    }
}

/// A week of a city: residents call their ~20 contacts; 0.1 % of numbers are fraud numbers
/// dialling strangers; some of their targets install a screen-sharing app and transfer money.
pub fn generated_stream(events: u64, people: u64) -> Vec<Signal> {
    use fanzha_core::event::{AppCategory, AppInstall, Call, Transfer, TransferChannel};
    let mut rng = Mix(20_260_302);
    let start: EpochMs = 1_772_380_800_000; // 2026-03-02 00:00 Asia/Shanghai
    let span: i64 = 7 * 86_400_000;
    let resident = resident_phone;
    let fraud = |i: u64| Msisdn(8_617_000_000_000 + i);
    let fraud_numbers = (people / 1000).max(1);
    let mut out = Vec::with_capacity(events as usize);
    for k in 0..events {
        let ts = start + (k as i64 * span) / events as i64;
        let roll = rng.below(1000);
        if roll < 30 {
            // Fraud number dials a stranger; a few targets are engaged.
            let f = fraud(rng.below(fraud_numbers));
            let target = rng.below(people);
            let engaged = rng.below(20) == 0;
            out.push(Signal::Call(Call {
                ts,
                caller: f,
                callee: resident(target),
                duration_s: if engaged {
                    600 + rng.below(1800) as u32
                } else {
                    rng.below(20) as u32
                },
                caller_cell: 0,
            }));
            if engaged {
                out.push(Signal::AppInstall(AppInstall {
                    ts: ts + 1,
                    msisdn: resident(target),
                    category: AppCategory::ScreenSharing,
                    app_name: "screen".into(),
                }));
                out.push(Signal::Transfer(Transfer {
                    ts: ts + 2,
                    txn_id: k,
                    from: resident_account(target),
                    to: AccountNo(6_228_000_000_000_000 + rng.below(1000)),
                    amount_fen: 2_000_000,
                    channel: TransferChannel::Bank,
                }));
            }
        } else {
            // Normal call inside a contact circle of about 20 people.
            let a = rng.below(people);
            let b = (a + 1 + rng.below(20)) % people;
            out.push(Signal::Call(Call {
                ts,
                caller: resident(a),
                callee: resident(b),
                duration_s: 20 + rng.below(400) as u32,
                caller_cell: (a % 5000) as u32 + 1,
            }));
        }
        if out.len() as u64 >= events {
            break;
        }
    }
    out.truncate(events as usize);
    out
}
