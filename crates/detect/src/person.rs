//! Stage 2: the risk state of one target person (keyed by person id, or by phone number when the
//! directory does not know the number) and the features rules read from it.

use crate::features::PersonFeatures;
use fanzha_core::event::{AppCategory, EpochMs, Msisdn};
use serde::{Deserialize, Serialize};

/// Who stage 2 is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PersonKey {
    /// A person in the directory (people data).
    Person(u64),
    /// A number the directory does not know; the number stands for its holder.
    Number(Msisdn),
}

pub const CONTACTS: usize = 8;
/// A risky app installed this long after the last call with a remote stranger still follows it:
/// scripts have the victim install the app during or right after the call.
const APP_AFTER_REMOTE_CALL_MS: i64 = 6 * 60 * 60_000;
/// A transfer to a new payee this long after the last suspect contact still follows from it:
/// most scripts have the victim pay within hours of the last call or message.
const PAYMENT_AFTER_CONTACT_MS: i64 = 24 * 60 * 60_000;
const LINKS: usize = 4;
const PAYEES: usize = 16;
const NEW_PAYEE_TRANSFERS: usize = 4;

/// A contact from a number the person had never been in touch with (a stranger), or from a
/// number that is already a suspect or calls from overseas / a virtual segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub number: u64,
    pub first_ts: EpochMs,
    pub last_ts: EpochMs,
    pub calls: u16,
    pub link_sms: u16,
    pub total_s: u32,
    pub longest_s: u32,
    pub remote: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct LinkSeen {
    domain: u64,
    ts: EpochMs,
    sender: u64,
}

impl Contact {
    /// Whether `t` falls after this contact began and at most `within_ms` after its last call or
    /// message (during the contact counts too).
    fn near_before(&self, t: EpochMs, within_ms: i64) -> bool {
        self.first_ts <= t && t - self.last_ts <= within_ms
    }
}

/// Latest install time per risky app category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Installs {
    pub screen_sharing: Option<EpochMs>,
    pub remote_control: Option<EpochMs>,
    pub fake_investment: Option<EpochMs>,
    pub fake_loan: Option<EpochMs>,
}

impl Installs {
    fn any_latest(&self) -> Option<EpochMs> {
        [
            self.screen_sharing,
            self.remote_control,
            self.fake_investment,
            self.fake_loan,
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

/// The open warning of a person, for merging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenWarning {
    /// 0 when none is open; else 1 red, 2 orange, 3 yellow.
    pub level: u8,
    pub since: EpochMs,
    pub until: EpochMs,
    /// Rules (by index in the rule set in force) that fired into it.
    pub fired: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonState {
    /// The number last seen for this person (shown in the warning).
    pub msisdn: Option<Msisdn>,
    contacts: [Contact; CONTACTS],
    links: [LinkSeen; LINKS],
    /// Visit to a link a stranger had sent: (sender, time).
    link_opened: Option<(u64, EpochMs)>,
    fraud_domain_visits: u16,
    last_fraud_visit: Option<EpochMs>,
    installs: Installs,
    /// Fingerprints of payee accounts seen, newest last.
    payees: [u32; PAYEES],
    payees_head: u8,
    /// Transfers to payees not seen before: (time, amount in fen).
    new_payee_transfers: [(EpochMs, i64); NEW_PAYEE_TRANSFERS],
    new_payee_head: u8,
    pub national_push_level: u8,
    pub warnings_total: u16,
    pub open: OpenWarning,
    pub last_seen: EpochMs,
}

/// What stage 2 needs to know about a number when it computes features.
#[derive(Clone, Copy, Debug)]
pub struct NumberView {
    pub score: f32,
    pub suspect: bool,
}

impl PersonState {
    pub fn touch(&mut self, ts: EpochMs) {
        if ts > self.last_seen {
            self.last_seen = ts;
        }
    }

    fn contact_mut(&mut self, number: Msisdn, ts: EpochMs, remote: bool) -> &mut Contact {
        if let Some(i) = self.contacts.iter().position(|c| c.number == number.0) {
            let c = &mut self.contacts[i];
            c.first_ts = c.first_ts.min(ts);
            c.last_ts = c.last_ts.max(ts);
            return &mut self.contacts[i];
        }
        // Replace an empty slot, else the contact seen longest ago.
        let i = self
            .contacts
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| if c.number == 0 { i64::MIN } else { c.last_ts })
            .map(|(i, _)| i)
            .unwrap_or(0);
        self.contacts[i] = Contact {
            number: number.0,
            first_ts: ts,
            last_ts: ts,
            remote,
            ..Contact::default()
        };
        &mut self.contacts[i]
    }

    pub fn record_call(&mut self, from: Msisdn, ts: EpochMs, duration_s: u32, remote: bool) {
        self.touch(ts);
        let c = self.contact_mut(from, ts, remote);
        c.calls = c.calls.saturating_add(1);
        c.total_s = c.total_s.saturating_add(duration_s);
        c.longest_s = c.longest_s.max(duration_s);
    }

    pub fn record_link_sms(&mut self, from: Msisdn, ts: EpochMs, domain: u64, remote: bool) {
        self.touch(ts);
        let c = self.contact_mut(from, ts, remote);
        c.link_sms = c.link_sms.saturating_add(1);
        let i = self
            .links
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| if l.domain == 0 { i64::MIN } else { l.ts })
            .map(|(i, _)| i)
            .unwrap_or(0);
        self.links[i] = LinkSeen {
            domain,
            ts,
            sender: from.0,
        };
    }

    /// A URL visit; `fraud_domain` says whether the domain is a known fraud domain now.
    pub fn record_visit(&mut self, ts: EpochMs, domain: u64, fraud_domain: bool) {
        self.touch(ts);
        if let Some(l) = self
            .links
            .iter()
            .filter(|l| l.domain == domain && l.domain != 0 && l.ts <= ts)
            .max_by_key(|l| l.ts)
        {
            self.link_opened = Some((l.sender, ts));
        }
        if fraud_domain {
            self.fraud_domain_visits = self.fraud_domain_visits.saturating_add(1);
            self.last_fraud_visit = Some(ts);
        }
    }

    /// Returns whether the category is one fraud scripts rely on.
    pub fn record_install(&mut self, ts: EpochMs, category: AppCategory) -> bool {
        self.touch(ts);
        let slot = match category {
            AppCategory::ScreenSharing => &mut self.installs.screen_sharing,
            AppCategory::RemoteControl => &mut self.installs.remote_control,
            AppCategory::FakeInvestment => &mut self.installs.fake_investment,
            AppCategory::FakeLoan => &mut self.installs.fake_loan,
            _ => return false,
        };
        *slot = Some(slot.map_or(ts, |t| t.max(ts)));
        true
    }

    /// An outgoing transfer; returns whether the payee is new to this person.
    pub fn record_transfer(&mut self, ts: EpochMs, payee_fp: u32, amount_fen: i64) -> bool {
        self.touch(ts);
        let fp = payee_fp.max(1);
        let new = !self.payees.contains(&fp);
        if new {
            self.payees[self.payees_head as usize % PAYEES] = fp;
            self.payees_head = ((self.payees_head as usize + 1) % PAYEES) as u8;
            self.new_payee_transfers[self.new_payee_head as usize % NEW_PAYEE_TRANSFERS] =
                (ts, amount_fen);
            self.new_payee_head = ((self.new_payee_head as usize + 1) % NEW_PAYEE_TRANSFERS) as u8;
        }
        new
    }

    pub fn has_contact(&self, number: Msisdn) -> bool {
        self.contacts.iter().any(|c| c.number == number.0)
    }

    /// Contacts within the horizon, with what stage 1 says of each number now.
    pub fn recent_contacts<'a>(
        &'a self,
        now: EpochMs,
        horizon_ms: i64,
        view: &'a dyn Fn(Msisdn) -> NumberView,
    ) -> impl Iterator<Item = (&'a Contact, NumberView)> + 'a {
        self.contacts
            .iter()
            .filter(move |c| c.number != 0 && now - c.last_ts <= horizon_ms)
            .map(move |c| (c, view(Msisdn(c.number))))
    }

    /// The features at `now`, with stage-1 scores looked up through `view`.
    pub fn features(
        &self,
        now: EpochMs,
        horizon_ms: i64,
        view: &dyn Fn(Msisdn) -> NumberView,
    ) -> PersonFeatures {
        let mut f = PersonFeatures::default();
        let mut first_suspect: Option<EpochMs> = None;
        let mut first_stranger: Option<EpochMs> = None;
        let latest_install = self.installs.any_latest();
        let mut suspect_senders: Vec<u64> = Vec::new();
        f.minutes_contact_to_risky_app = -1;
        for (c, v) in self.recent_contacts(now, horizon_ms, view) {
            first_stranger = Some(first_stranger.map_or(c.first_ts, |t| t.min(c.first_ts)));
            f.longest_stranger_call_s = f.longest_stranger_call_s.max(c.longest_s as i64);
            if let Some(t) = latest_install {
                if c.first_ts <= t && t - c.first_ts <= horizon_ms {
                    f.longest_stranger_call_before_app_s =
                        f.longest_stranger_call_before_app_s.max(c.longest_s as i64);
                }
            }
            if c.remote {
                f.remote_contacts += 1;
                f.longest_remote_call_s = f.longest_remote_call_s.max(c.longest_s as i64);
                if latest_install.is_some_and(|t| c.near_before(t, APP_AFTER_REMOTE_CALL_MS)) {
                    f.remote_call_before_app_s = f.remote_call_before_app_s.max(c.longest_s as i64);
                }
            }
            if v.suspect {
                if c.longest_s as i64 > f.longest_suspect_call_s {
                    f.longest_suspect_call_score = f64::from(v.score);
                }
                if let Some(t) = latest_install.filter(|&t| c.first_ts <= t) {
                    let gap = (t - c.last_ts).max(0) / 60_000;
                    if f.minutes_contact_to_risky_app < 0 || gap < f.minutes_contact_to_risky_app {
                        f.minutes_contact_to_risky_app = gap;
                    }
                }
                for &(t, amount) in &self.new_payee_transfers {
                    if amount > 0 && c.near_before(t, PAYMENT_AFTER_CONTACT_MS) {
                        f.new_payee_fen_within_24h_of_contact =
                            f.new_payee_fen_within_24h_of_contact.max(amount);
                    }
                }
                first_suspect = Some(first_suspect.map_or(c.first_ts, |t| t.min(c.first_ts)));
                f.suspect_contacts += 1;
                f.suspect_calls += c.calls as i64;
                f.longest_suspect_call_s = f.longest_suspect_call_s.max(c.longest_s as i64);
                f.total_suspect_call_s += c.total_s as i64;
                f.suspect_link_sms += c.link_sms as i64;
                suspect_senders.push(c.number);
            }
            if v.score > f.max_suspect_score as f32 {
                f.max_suspect_score = v.score as f64;
            }
        }
        f.minutes_since_suspect_contact = first_suspect.map_or(-1, |t| (now - t) / 60_000);
        let after = |anchor: Option<EpochMs>, t: Option<EpochMs>| match (anchor, t) {
            (Some(a), Some(t)) => t >= a && t - a <= horizon_ms,
            _ => false,
        };
        let i = &self.installs;
        f.screen_share_after_contact = after(first_suspect, i.screen_sharing);
        f.remote_control_after_contact = after(first_suspect, i.remote_control);
        f.investment_app_after_contact = after(first_suspect, i.fake_investment);
        f.loan_app_after_contact = after(first_suspect, i.fake_loan);
        f.risky_app_after_stranger = after(first_stranger, latest_install);
        f.fraud_link_opened = match self.link_opened {
            Some((sender, t)) => now - t <= horizon_ms && suspect_senders.contains(&sender),
            None => false,
        };
        f.opened_stranger_link = self.link_opened.is_some_and(|(_, t)| now - t <= horizon_ms);
        f.fraud_domain_visits = match self.last_fraud_visit {
            Some(t) if now - t <= horizon_ms => self.fraud_domain_visits as i64,
            _ => 0,
        };
        for &(t, amount) in &self.new_payee_transfers {
            if amount <= 0 || now - t > horizon_ms {
                continue;
            }
            if after(first_suspect, Some(t)) {
                f.new_payee_transfers_after_contact += 1;
                f.new_payee_fen_after_contact = f.new_payee_fen_after_contact.max(amount);
            }
            if after(first_stranger, Some(t)) {
                f.new_payee_fen_after_stranger = f.new_payee_fen_after_stranger.max(amount);
            }
        }
        f.national_push_level = self.national_push_level as i64;
        f.prior_warnings = self.warnings_total as i64;
        f
    }

    /// The heap-free size of the state, for the memory report.
    pub const fn inline_size() -> usize {
        std::mem::size_of::<PersonState>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: EpochMs = 1_767_225_600_000;
    const MIN: i64 = 60_000;
    const H: i64 = 7 * 24 * 60 * MIN;
    const FRAUD: Msisdn = Msisdn(8617012345678);
    const OTHER: Msisdn = Msisdn(8613900000001);

    fn view(m: Msisdn) -> NumberView {
        if m == FRAUD {
            NumberView {
                score: 0.9,
                suspect: true,
            }
        } else {
            NumberView {
                score: 0.1,
                suspect: false,
            }
        }
    }

    #[test]
    fn suspect_contact_counts_longest_and_total() {
        let mut p = PersonState::default();
        p.record_call(FRAUD, T0, 120, true);
        p.record_call(FRAUD, T0 + 10 * MIN, 900, true);
        p.record_call(OTHER, T0, 3000, false);
        let f = p.features(T0 + 30 * MIN, H, &view);
        assert_eq!(f.suspect_contacts, 1);
        assert_eq!(f.suspect_calls, 2);
        assert_eq!(f.longest_suspect_call_s, 900);
        assert_eq!(f.total_suspect_call_s, 1020);
        assert_eq!(f.longest_stranger_call_s, 3000);
        assert_eq!(f.remote_contacts, 1);
        assert_eq!(f.longest_remote_call_s, 900);
        assert_eq!(f.minutes_since_suspect_contact, 30);
        assert!((f.max_suspect_score - 0.9).abs() < 1e-6);
    }

    #[test]
    fn app_counts_only_after_the_suspect_contact() {
        let mut p = PersonState::default();
        p.record_install(T0, AppCategory::ScreenSharing);
        p.record_call(FRAUD, T0 + MIN, 600, true);
        let f = p.features(T0 + 2 * MIN, H, &view);
        assert!(!f.screen_share_after_contact);
        p.record_install(T0 + 5 * MIN, AppCategory::ScreenSharing);
        let f = p.features(T0 + 6 * MIN, H, &view);
        assert!(f.screen_share_after_contact);
        assert!(!f.remote_control_after_contact);
        assert!(f.risky_app_after_stranger);
        assert_eq!(f.longest_stranger_call_before_app_s, 600);
    }

    #[test]
    fn ordinary_apps_are_not_risky() {
        let mut p = PersonState::default();
        assert!(!p.record_install(T0, AppCategory::Shopping));
        assert!(p.record_install(T0, AppCategory::FakeInvestment));
    }

    #[test]
    fn new_payee_after_contact_counts_once_per_payee() {
        let mut p = PersonState::default();
        assert!(p.record_transfer(T0, 42, 10_000));
        p.record_call(FRAUD, T0 + MIN, 600, true);
        assert!(!p.record_transfer(T0 + 2 * MIN, 42, 900_000)); // known payee
        assert!(p.record_transfer(T0 + 3 * MIN, 43, 5_000_000));
        let f = p.features(T0 + 4 * MIN, H, &view);
        assert_eq!(f.new_payee_transfers_after_contact, 1);
        assert_eq!(f.new_payee_fen_after_contact, 5_000_000);
        assert_eq!(f.new_payee_fen_after_stranger, 5_000_000);
    }

    #[test]
    fn link_from_suspect_opened_is_a_fraud_link() {
        let mut p = PersonState::default();
        p.record_link_sms(FRAUD, T0, 77, true);
        p.record_link_sms(OTHER, T0, 88, false);
        p.record_visit(T0 + MIN, 88, false);
        let f = p.features(T0 + MIN, H, &view);
        assert!(!f.fraud_link_opened);
        assert!(f.opened_stranger_link);
        p.record_visit(T0 + 2 * MIN, 77, true);
        let f = p.features(T0 + 2 * MIN, H, &view);
        assert!(f.fraud_link_opened);
        assert_eq!(f.suspect_link_sms, 1);
        assert_eq!(f.fraud_domain_visits, 1);
    }

    #[test]
    fn app_and_payment_timing_are_measured_from_the_suspect_contact() {
        let mut p = PersonState::default();
        p.record_call(FRAUD, T0, 400, true);
        p.record_call(FRAUD, T0 + 10 * MIN, 30, true);
        p.record_install(T0 + 40 * MIN, AppCategory::RemoteControl);
        assert!(p.record_transfer(T0 + 50 * MIN, 7, 250_000));
        let f = p.features(T0 + 50 * MIN, H, &view);
        // The app came 30 minutes after the last call, the payment within the day.
        assert_eq!(f.minutes_contact_to_risky_app, 30);
        assert_eq!(f.new_payee_fen_within_24h_of_contact, 250_000);
        assert!((f.longest_suspect_call_score - 0.9).abs() < 1e-6);
        // The suspect number was also a remote stranger whose call preceded the app.
        assert_eq!(f.remote_call_before_app_s, 400);
        // A payment two days after the last contact does not follow from it.
        assert!(p.record_transfer(T0 + 2 * 24 * 60 * MIN, 8, 900_000));
        let f = p.features(T0 + 2 * 24 * 60 * MIN, H, &view);
        assert_eq!(f.new_payee_fen_within_24h_of_contact, 250_000);
        assert_eq!(f.new_payee_fen_after_contact, 900_000);
    }

    #[test]
    fn no_suspect_contact_means_no_contact_timing() {
        let mut p = PersonState::default();
        p.record_call(OTHER, T0, 900, true);
        p.record_install(T0 + 7 * 60 * MIN, AppCategory::ScreenSharing);
        assert!(p.record_transfer(T0 + 8 * 60 * MIN, 7, 500_000));
        let f = p.features(T0 + 8 * 60 * MIN, H, &view);
        assert_eq!(f.minutes_contact_to_risky_app, -1);
        assert_eq!(f.new_payee_fen_within_24h_of_contact, 0);
        assert_eq!(f.longest_suspect_call_score, 0.0);
        // The remote call ended 7 hours before the install: too long before to lead to it.
        assert_eq!(f.remote_call_before_app_s, 0);
        assert_eq!(f.longest_remote_call_s, 900);
    }

    #[test]
    fn contacts_beyond_the_horizon_are_forgotten() {
        let mut p = PersonState::default();
        p.record_call(FRAUD, T0, 600, true);
        let f = p.features(T0 + H + MIN, H, &view);
        assert_eq!(f.suspect_contacts, 0);
        assert_eq!(f.minutes_since_suspect_contact, -1);
    }

    #[test]
    fn keeps_the_most_recent_contacts_when_full() {
        let mut p = PersonState::default();
        for k in 0..(CONTACTS as u64 + 2) {
            p.record_call(Msisdn(8613900000100 + k), T0 + k as i64 * MIN, 30, false);
        }
        assert!(!p.has_contact(Msisdn(8613900000100)));
        assert!(p.has_contact(Msisdn(8613900000100 + CONTACTS as u64 + 1)));
    }
}
