//! Normal life: each day every resident's activity is drawn as counts per kind (calls, SMS,
//! browsing, payments …), spread over the day by the daily rhythm into compact plans; the plans
//! are sorted and turned into signals one by one, in event time, as the stream is read.

use crate::ledger::Ledger;
use crate::population::{World, NONE};
use crate::records::{HolderKind, NumberKind, Occupation, PhoneRecord};
use crate::rhythm::{DayProfile, BROWSING, CALLS};
use crate::rng::{chance, lognormal, pick, poisson, range, unit, SimRng, Weighted};
use chrono::{Datelike, NaiveDate, Weekday};
use fanzha_core::event::{
    AppCategory, AppInstall, Call, CardKind, CardOpening, EpochMs, Signal, Sms, Transfer,
    TransferChannel, UrlVisit,
};

/// What a plan becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PlanKind {
    Call = 0,
    Sms,
    Url,
    Pay,
    FamilyTransfer,
    AppInstall,
    CourierCall,
    ServiceCall,
    A2pSms,
    Salary,
    Pension,
    Rent,
    BigTransfer,
    WorkRemoteHelp,
    CardOpening,
    WalletTopUp,
}

const KINDS: [PlanKind; 16] = [
    PlanKind::Call,
    PlanKind::Sms,
    PlanKind::Url,
    PlanKind::Pay,
    PlanKind::FamilyTransfer,
    PlanKind::AppInstall,
    PlanKind::CourierCall,
    PlanKind::ServiceCall,
    PlanKind::A2pSms,
    PlanKind::Salary,
    PlanKind::Pension,
    PlanKind::Rent,
    PlanKind::BigTransfer,
    PlanKind::WorkRemoteHelp,
    PlanKind::CardOpening,
    PlanKind::WalletTopUp,
];

/// A plan packed in a `u64` so a day of them sorts fast and takes 8 bytes each:
/// milliseconds of the day (27 bits) | person (32 bits) | kind (5 bits).
#[inline]
pub fn pack(ms: u32, person: u32, kind: PlanKind) -> u64 {
    (u64::from(ms) << 37) | (u64::from(person) << 5) | kind as u64
}

#[inline]
pub fn unpack(plan: u64) -> (u32, u32, PlanKind) {
    (
        (plan >> 37) as u32,
        ((plan >> 5) & 0xFFFF_FFFF) as u32,
        KINDS[(plan & 0x1F) as usize],
    )
}

/// Popular sites, most visited first.
const DOMAINS: &[&str] = &[
    "baidu.com",
    "qq.com",
    "douyin.com",
    "taobao.com",
    "weixin.qq.com",
    "jd.com",
    "bilibili.com",
    "weibo.com",
    "pinduoduo.com",
    "meituan.com",
    "kuaishou.com",
    "zhihu.com",
    "163.com",
    "sina.com.cn",
    "xiaohongshu.com",
    "ctrip.com",
    "12306.cn",
    "toutiao.com",
    "iqiyi.com",
    "youku.com",
    "alipay.com",
    "dianping.com",
    "gov.cn",
    "zjzwfw.gov.cn",
    "ningbo.gov.cn",
    "sohu.com",
    "amap.com",
    "ele.me",
    "csdn.net",
    "chsi.com.cn",
];
/// Links in legitimate SMS (marketing, delivery, banks).
const SMS_DOMAINS: &[&str] = &[
    "jd.com",
    "taobao.com",
    "10086.cn",
    "sf-express.com",
    "icbc.com.cn",
    "ccb.com",
    "meituan.com",
    "pinduoduo.com",
    "12306.cn",
    "ctrip.com",
];

const APPS: &[(AppCategory, &str, f64)] = &[
    (AppCategory::Chat, "微信", 4.0),
    (AppCategory::Chat, "QQ", 3.0),
    (AppCategory::Chat, "钉钉", 3.0),
    (AppCategory::Shopping, "淘宝", 5.0),
    (AppCategory::Shopping, "拼多多", 5.0),
    (AppCategory::Shopping, "京东", 4.0),
    (AppCategory::Shopping, "美团", 4.0),
    (AppCategory::Banking, "中国工商银行", 2.0),
    (AppCategory::Banking, "中国农业银行", 2.0),
    (AppCategory::Banking, "支付宝", 3.0),
    (AppCategory::Game, "王者荣耀", 4.0),
    (AppCategory::Game, "和平精英", 3.0),
    (AppCategory::Game, "开心消消乐", 3.0),
    (AppCategory::AntiFraud, "国家反诈中心", 1.5),
    (AppCategory::ScreenSharing, "腾讯会议", 2.0),
    (AppCategory::RemoteControl, "向日葵远程控制", 0.6),
    (AppCategory::Other, "抖音", 6.0),
    (AppCategory::Other, "快手", 4.0),
    (AppCategory::Other, "小红书", 3.0),
    (AppCategory::Other, "高德地图", 3.0),
    (AppCategory::Other, "哔哩哔哩", 3.0),
    (AppCategory::Other, "浙里办", 1.0),
];
/// Apps installed to help a colleague or client remotely (benign look-alikes of fraud installs).
const WORK_REMOTE_APPS: &[(AppCategory, &str)] = &[
    (AppCategory::RemoteControl, "向日葵远程控制"),
    (AppCategory::RemoteControl, "ToDesk"),
    (AppCategory::ScreenSharing, "腾讯会议"),
    (AppCategory::ScreenSharing, "钉钉会议"),
];

/// Draws and expands normal life.
pub struct NormalLife {
    calls: DayProfile,
    browsing: DayProfile,
    daytime: DayProfile,
    domains: Weighted,
    apps: Weighted,
}

/// A signal produced later than the plan it came from (e.g. an install after a help call).
pub type FollowUp = (EpochMs, Signal);

impl Default for NormalLife {
    fn default() -> Self {
        Self::new()
    }
}

impl NormalLife {
    pub fn new() -> NormalLife {
        let mut day = [0.0; 24];
        for (h, v) in day.iter_mut().enumerate() {
            *v = if (9..18).contains(&h) { 1.0 } else { 0.0 };
        }
        NormalLife {
            calls: DayProfile::new(&CALLS),
            browsing: DayProfile::new(&BROWSING),
            daytime: DayProfile::new(&day),
            domains: Weighted::new((0..DOMAINS.len()).map(|i| 1.0 / (i as f64 + 1.5)))
                .expect("positive"),
            apps: Weighted::new(APPS.iter().map(|a| a.2)).expect("positive"),
        }
    }

    /// The day's plans of every resident, sorted by time.
    pub fn plan_day(&self, world: &World, date: NaiveDate, rng: &mut SimRng) -> Vec<u64> {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let dom = date.day();
        let call_factor = if weekend { 0.85 } else { 1.0 };
        let mut plans = Vec::with_capacity(world.people.len() * 10);
        for (i, (p, t)) in world.people.iter().zip(&world.traits).enumerate() {
            let i = i as u32;
            let add =
                |plans: &mut Vec<u64>, n: u32, profile: &DayProfile, kind, rng: &mut SimRng| {
                    for _ in 0..n {
                        plans.push(pack(profile.sample_ms(rng), i, kind));
                    }
                };
            if p.msisdn.is_some() {
                let n = poisson(rng, f64::from(t.call_rate) * call_factor);
                add(&mut plans, n, &self.calls, PlanKind::Call, rng);
                let n = poisson(rng, f64::from(t.sms_rate));
                add(&mut plans, n, &self.calls, PlanKind::Sms, rng);
                let n = poisson(rng, f64::from(t.url_rate));
                add(&mut plans, n, &self.browsing, PlanKind::Url, rng);
                let n = poisson(rng, 1.2);
                add(&mut plans, n, &self.calls, PlanKind::A2pSms, rng);
                let n = poisson(rng, 0.03);
                add(&mut plans, n, &self.browsing, PlanKind::AppInstall, rng);
                let n = poisson(rng, 0.015);
                add(&mut plans, n, &self.daytime, PlanKind::ServiceCall, rng);
                if p.occupation == Occupation::Courier {
                    let n = range(rng, 25, 60) as u32;
                    add(&mut plans, n, &self.daytime, PlanKind::CourierCall, rng);
                }
                if !weekend
                    && matches!(
                        p.occupation,
                        Occupation::Employee | Occupation::PublicSector
                    )
                {
                    let n = poisson(rng, 0.004);
                    add(&mut plans, n, &self.daytime, PlanKind::WorkRemoteHelp, rng);
                }
            }
            if t.wallet != NONE {
                let n = poisson(rng, f64::from(t.pay_rate));
                add(&mut plans, n, &self.browsing, PlanKind::Pay, rng);
                let n = poisson(rng, 0.06);
                add(&mut plans, n, &self.browsing, PlanKind::WalletTopUp, rng);
            }
            if t.card != NONE {
                let n = poisson(rng, 0.03);
                add(&mut plans, n, &self.browsing, PlanKind::FamilyTransfer, rng);
                let n = poisson(rng, 0.0015);
                add(&mut plans, n, &self.daytime, PlanKind::BigTransfer, rng);
                let n = poisson(rng, 0.0006);
                add(&mut plans, n, &self.daytime, PlanKind::CardOpening, rng);
                if dom == 10 && p.employer_id > 0 {
                    add(&mut plans, 1, &self.daytime, PlanKind::Salary, rng);
                }
                if dom == 15 && p.occupation == Occupation::Retired {
                    add(&mut plans, 1, &self.daytime, PlanKind::Pension, rng);
                }
                if dom == 1 && (22..=35).contains(&t.age) && i.is_multiple_of(5) {
                    add(&mut plans, 1, &self.browsing, PlanKind::Rent, rng);
                }
            }
        }
        plans.sort_unstable();
        plans
    }

    /// Memory hints for a plan that will be expanded soon: the resident's traits, number and
    /// contact list offsets (far ahead), then, once those are cached, the contact list and the
    /// accounts (near ahead). Results never depend on it.
    #[inline]
    pub fn prefetch_far(world: &World, plan: u64) {
        let i = unpack(plan).1 as usize;
        fanzha_core::prefetch::slot(&world.traits, i);
        fanzha_core::prefetch::slot(&world.reach, i);
        fanzha_core::prefetch::slot(&world.contacts.offsets, i);
    }

    #[inline]
    pub fn prefetch_near(world: &World, plan: u64) {
        let (_, i, kind) = unpack(plan);
        let i = i as usize;
        let Some(t) = world.traits.get(i) else {
            return;
        };
        match kind {
            PlanKind::Call | PlanKind::Sms => {
                if let Some(&from) = world.contacts.offsets.get(i) {
                    fanzha_core::prefetch::slot(&world.contacts.items, from as usize);
                }
            }
            PlanKind::Pay => world.ledger.prefetch(t.wallet),
            PlanKind::WalletTopUp | PlanKind::FamilyTransfer | PlanKind::BigTransfer => {
                world.ledger.prefetch(t.card)
            }
            _ => {}
        }
    }

    /// Turns one plan into its signal (or nothing, e.g. a payment the account cannot cover).
    #[allow(clippy::too_many_arguments)]
    pub fn expand(
        &self,
        plan: u64,
        day_start: EpochMs,
        world: &mut World,
        rng: &mut SimRng,
        txn_id: &mut u64,
        follow_ups: &mut Vec<FollowUp>,
        date: NaiveDate,
    ) -> Option<Signal> {
        let (ms, i, kind) = unpack(plan);
        let ts = day_start + i64::from(ms);
        let idx = i as usize;
        let t = world.traits[idx];
        let me = world.reach[idx].msisdn();
        let hour = ms / 3_600_000;
        let at_work =
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && (9..18).contains(&hour);
        let cell = if at_work { t.work_cell } else { t.home_cell };
        match kind {
            PlanKind::Call => {
                let me = me?;
                let contacts = world.contacts.of(idx);
                let u = unit(rng);
                let (callee, median) = if u < 0.85 && !contacts.is_empty() {
                    let c = pick(rng, contacts);
                    let callee = world.reach[c as usize];
                    let family = callee.household_id == world.reach[idx].household_id;
                    (callee.msisdn()?, if family { 110.0 } else { 70.0 })
                } else if u < 0.91 {
                    (pick(rng, &world.services.shops), 50.0)
                } else if u < 0.95 {
                    let s = if chance(rng, 0.6) {
                        pick(rng, &world.services.banks)
                    } else {
                        pick(rng, &world.services.public)
                    };
                    (s, 180.0)
                } else {
                    let c = pick(rng, &world.reachable);
                    (world.reach[c as usize].msisdn()?, 40.0)
                };
                let duration_s = if chance(rng, 0.12) {
                    0
                } else {
                    lognormal(rng, median, 0.9).clamp(3.0, 7200.0) as u32
                };
                Some(Signal::Call(Call {
                    ts,
                    caller: me,
                    callee,
                    duration_s,
                    caller_cell: cell,
                }))
            }
            PlanKind::CourierCall => {
                let me = me?;
                let c = pick(rng, &world.reachable);
                let callee = world.reach[c as usize].msisdn()?;
                let duration_s = if chance(rng, 0.3) {
                    0
                } else {
                    range(rng, 8, 70) as u32
                };
                Some(Signal::Call(Call {
                    ts,
                    caller: me,
                    callee,
                    duration_s,
                    caller_cell: t.home_cell + (range(rng, 0, 3) as u32),
                }))
            }
            PlanKind::ServiceCall => {
                let callee = me?;
                let caller = pick(rng, &world.services.banks);
                Some(Signal::Call(Call {
                    ts,
                    caller,
                    callee,
                    duration_s: range(rng, 40, 400) as u32,
                    caller_cell: 0,
                }))
            }
            PlanKind::Sms => {
                let me = me?;
                let contacts = world.contacts.of(idx);
                if contacts.is_empty() {
                    return None;
                }
                let c = pick(rng, contacts);
                Some(Signal::Sms(Sms {
                    ts,
                    sender: me,
                    recipient: world.reach[c as usize].msisdn()?,
                    link_domain: None,
                }))
            }
            PlanKind::A2pSms => {
                let recipient = me?;
                let sender = if chance(rng, 0.3) {
                    pick(rng, &world.services.banks)
                } else {
                    pick(rng, &world.services.sms_senders)
                };
                let link_domain = chance(rng, 0.25).then(|| pick(rng, SMS_DOMAINS).into());
                Some(Signal::Sms(Sms {
                    ts,
                    sender,
                    recipient,
                    link_domain,
                }))
            }
            PlanKind::Url => Some(Signal::UrlVisit(UrlVisit {
                ts,
                msisdn: me?,
                domain: DOMAINS[self.domains.sample(rng)].into(),
            })),
            PlanKind::AppInstall => {
                let (category, name, _) = APPS[self.apps.sample(rng)];
                Some(Signal::AppInstall(AppInstall {
                    ts,
                    msisdn: me?,
                    category,
                    app_name: name.into(),
                }))
            }
            PlanKind::WorkRemoteHelp => {
                // A colleague or client calls at length, then the person installs a remote-help
                // app: the same shape as a fraud script, with a known caller.
                let me = me?;
                let e = world.people[idx].employer_id;
                let caller = if e > 0 {
                    let c = pick(rng, &world.employers[e as usize - 1].members);
                    world.reach[c as usize].msisdn()?
                } else {
                    return None;
                };
                let duration_s = range(rng, 300, 2400) as u32;
                let (category, name) = pick(rng, WORK_REMOTE_APPS);
                let install_at = ts + range(rng, 60_000, 1_200_000) as i64;
                follow_ups.push((
                    install_at,
                    Signal::AppInstall(AppInstall {
                        ts: install_at,
                        msisdn: me,
                        category,
                        app_name: name.into(),
                    }),
                ));
                Some(Signal::Call(Call {
                    ts,
                    caller,
                    callee: me,
                    duration_s,
                    caller_cell: t.work_cell,
                }))
            }
            PlanKind::Pay => {
                let m = pick(rng, &world.services.merchants);
                let amount = (lognormal(rng, 45.0, 1.0) * 100.0) as i64 + 1;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    t.wallet,
                    m,
                    amount,
                    TransferChannel::ThirdPartyPayment,
                )
            }
            PlanKind::WalletTopUp => {
                let amount = (lognormal(rng, 500.0, 0.8) * 100.0) as i64;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    t.card,
                    t.wallet,
                    amount,
                    TransferChannel::ThirdPartyPayment,
                )
            }
            PlanKind::FamilyTransfer => {
                let contacts = world.contacts.of(idx);
                let to = contacts
                    .iter()
                    .copied()
                    .find(|&c| {
                        world.reach[c as usize].household_id != world.reach[idx].household_id
                            && chance(rng, 0.3)
                    })
                    .or_else(|| contacts.first().copied())?;
                let to_card = world.traits[to as usize].card;
                if to_card == NONE {
                    return None;
                }
                let amount = (lognormal(rng, 800.0, 1.0) * 100.0) as i64;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    t.card,
                    to_card,
                    amount,
                    TransferChannel::Bank,
                )
            }
            PlanKind::BigTransfer => {
                let to = pick(rng, &world.services.big_payees);
                let amount = (lognormal(rng, 60_000.0, 0.7) * 100.0) as i64;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    t.card,
                    to,
                    amount,
                    TransferChannel::Bank,
                )
            }
            PlanKind::Salary => {
                let e = world.people[idx].employer_id;
                let from = world.employers[e as usize - 1].account;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    from,
                    t.card,
                    t.monthly_income_fen.max(100_000),
                    TransferChannel::Bank,
                )
            }
            PlanKind::Pension => {
                let from = world.services.pension_fund;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    from,
                    t.card,
                    t.monthly_income_fen.max(50_000),
                    TransferChannel::Bank,
                )
            }
            PlanKind::Rent => {
                let landlord = pick(rng, &world.services.landlords_pool);
                let to = world.traits[landlord as usize].card;
                let amount = (lognormal(rng, 1_500.0, 0.4) * 100.0) as i64;
                transfer(
                    &mut world.ledger,
                    txn_id,
                    ts,
                    t.card,
                    to,
                    amount,
                    TransferChannel::Bank,
                )
            }
            PlanKind::CardOpening => {
                let person_id = u64::from(i) + 1;
                let home_county = world.region.villages[((t.home_cell - 1) / 8) as usize].county;
                if chance(rng, 0.7) {
                    let acc = world.new_card(rng, HolderKind::Resident, person_id, ts, 0);
                    Some(Signal::CardOpening(CardOpening {
                        ts,
                        person_id,
                        kind: CardKind::BankCard,
                        number: world.ledger.number(acc).0,
                        opened_in_division: home_county,
                    }))
                } else {
                    let m = world.new_mobile(rng, usize::from(t.city));
                    world.phones.push(PhoneRecord {
                        msisdn: m,
                        kind: NumberKind::Mobile,
                        carrier: String::new().into(),
                        province: String::new().into(),
                        city: String::new().into(),
                        holder_person_id: person_id,
                        activated_ts: ts,
                    });
                    Some(Signal::CardOpening(CardOpening {
                        ts,
                        person_id,
                        kind: CardKind::SimCard,
                        number: m.0,
                        opened_in_division: home_county,
                    }))
                }
            }
        }
    }
}

/// Applies a transfer to the ledger and returns its signal, or `None` when nothing could move.
pub fn transfer(
    ledger: &mut Ledger,
    txn_id: &mut u64,
    ts: EpochMs,
    from: u32,
    to: u32,
    amount: i64,
    channel: TransferChannel,
) -> Option<Signal> {
    if from == NONE || to == NONE || from == to {
        return None;
    }
    let moved = ledger.transfer(from, Some(to), amount);
    if moved <= 0 {
        return None;
    }
    *txn_id += 1;
    Some(Signal::Transfer(Transfer {
        ts,
        txn_id: *txn_id,
        from: ledger.number(from),
        to: ledger.number(to),
        amount_fen: moved,
        channel,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_pack_and_unpack() {
        let p = pack(86_399_999, 4_000_000_000, PlanKind::WalletTopUp);
        assert_eq!(
            unpack(p),
            (86_399_999, 4_000_000_000, PlanKind::WalletTopUp)
        );
        assert!(pack(1, 9, PlanKind::Call) < pack(2, 0, PlanKind::Call));
    }
}
