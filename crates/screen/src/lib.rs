//! New-card screening (新开卡审查): banks send the center their daily lists of newly opened
//! bank cards, operators theirs of new phone cards (新入网电话卡); each card is scored from what
//! is known about its holder at that moment, and the risky ones go to a review list.
//!
//! This crate is the pure part: given the card and the holder's history it returns the
//! reasons that apply, their summed score and the level. Gathering the history (earlier
//! cards, key-person dossiers, two-card leads, cases, reserved phones) is the store's job;
//! the simulator's evaluation (`fanzha cards eval`) gathers it from the simulated city.
//!
//! Screening is repeatable: a card is screened again when a later list brings another card of
//! the same holder inside the burst window, so a burst is flagged on every card in it, not
//! only on the third.

pub mod counter;
pub mod reason;

pub use counter::{counter_verdict, CounterAnswer, CounterVerdict};
pub use fanzha_core::event::CardKind;
pub use reason::{
    Finding, Level, ReasonCode, BURST_WINDOW_DAYS, FREQUENT_OPEN_CLOSE, MANY_NUMBERS,
    OPEN_CLOSE_LOOKBACK_DAYS, SHORT_LIVED_DAYS,
};

use fanzha_core::{PhoneKind, ResidentId};

const DAY_MS: i64 = 86_400_000;

/// The new card being screened.
#[derive(Clone, Copy, Debug)]
pub struct NewCard<'a> {
    pub kind: CardKind,
    /// Opening time, epoch ms UTC.
    pub opened_at: i64,
    pub holder: &'a ResidentId,
    /// Division code (digits, 6 or more) of the opening outlet, when the list gives it.
    pub outlet_division: Option<&'a str>,
    /// Kind of the reserved phone number, when the list gives one (bank cards).
    pub phone_kind: Option<PhoneKind>,
    /// Phone cards: the new number is a virtual operator's.
    pub number_virtual: bool,
}

/// What is known about the holder when the card is screened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    /// Division code (digits) of the registered residence; `None` for a holder the platform
    /// does not know, whose ID number's address code stands in.
    pub residence: Option<String>,
    pub punished: bool,
    pub key_person: bool,
    pub gave_card_away: bool,
    pub mule_account: bool,
    /// Another number of the holder was used for fraud.
    pub fraud_number: bool,
    /// Opening times of the holder's other new cards of the same kind (any bank, or any
    /// operator) known so far.
    pub other_openings: Vec<i64>,
    /// Phone cards: the holder's distinct phone numbers on record, this one included.
    pub numbers_held: u32,
    /// Other people whose cards or registration give the same reserved phone number.
    pub phone_other_holders: u32,
    /// Closing times of the holder's other short-lived cards of the same kind (closed within
    /// [`SHORT_LIVED_DAYS`] days of opening; any issuer), from the issuers' closure lists.
    pub short_lived_closings: Vec<i64>,
}

/// The outcome for one card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screening {
    pub score: u32,
    pub level: Level,
    /// The score and level of the reasons a bank may read ([`ReasonCode::police_only`] left
    /// out): what the sending bank is shown, so that nothing police-only can be read back from
    /// a number.
    pub bank_score: u32,
    pub bank_level: Level,
    /// Reasons that applied, heaviest first.
    pub findings: Vec<Finding>,
}

impl Screening {
    fn from_findings(mut findings: Vec<Finding>) -> Screening {
        findings.sort_by_key(|f| (std::cmp::Reverse(f.code.weight()), f.code));
        let score = findings.iter().map(|f| f.code.weight()).sum();
        let bank_score = bank_score(&findings);
        Screening {
            score,
            level: Level::of_score(score),
            bank_score,
            bank_level: Level::of_score(bank_score),
            findings,
        }
    }
}

/// Whether a card opened at `opened_at` and closed at `closed_at` (epoch ms) is short-lived:
/// closed within [`SHORT_LIVED_DAYS`] days of its opening (开户后短期内销户).
pub fn short_lived(opened_at: i64, closed_at: i64) -> bool {
    closed_at - opened_at <= SHORT_LIVED_DAYS * DAY_MS
}

/// The points of the findings a bank may read.
pub fn bank_score(findings: &[Finding]) -> u32 {
    findings
        .iter()
        .filter(|f| !f.code.police_only())
        .map(|f| f.code.weight())
        .sum()
}

/// The most cards of the holder (this one included) inside one window of
/// [`BURST_WINDOW_DAYS`] days that holds this card: "7日内N张" as an officer reads it.
fn cards_in_window(opened_at: i64, others: &[i64]) -> i64 {
    let window = BURST_WINDOW_DAYS * DAY_MS;
    let mut near: Vec<i64> = others
        .iter()
        .copied()
        .filter(|&at| (at - opened_at).abs() <= window)
        .chain(std::iter::once(opened_at))
        .collect();
    near.sort_unstable();
    // Windows start at a card no later than this one and must reach it.
    near.iter()
        .filter(|&&start| start <= opened_at && start + window >= opened_at)
        .map(|&start| {
            near.iter()
                .filter(|&&at| at >= start && at <= start + window)
                .count() as i64
        })
        .max()
        .unwrap_or(1)
}

/// Screens one card against its holder's history.
pub fn screen(card: &NewCard<'_>, holder: &Holder) -> Screening {
    let mut found = Vec::new();
    let mut flag = |code, value| found.push(Finding::new(code, value));

    if holder.punished {
        flag(ReasonCode::HolderPunished, None);
    }
    if holder.key_person {
        flag(ReasonCode::HolderKeyPerson, None);
    }
    if holder.gave_card_away {
        flag(ReasonCode::HolderGaveCardAway, None);
    }
    if holder.mule_account {
        flag(ReasonCode::HolderMuleAccount, None);
    }
    if holder.fraud_number {
        flag(ReasonCode::HolderFraudNumber, None);
    }
    if card.kind == CardKind::SimCard && holder.numbers_held >= MANY_NUMBERS {
        flag(
            ReasonCode::ManyNumbers,
            Some(i64::from(holder.numbers_held)),
        );
    }

    let since = card.opened_at - OPEN_CLOSE_LOOKBACK_DAYS * DAY_MS;
    let short_lived = holder
        .short_lived_closings
        .iter()
        .filter(|&&closed| closed >= since)
        .count() as u32;
    if short_lived >= FREQUENT_OPEN_CLOSE {
        flag(ReasonCode::FrequentOpenClose, Some(i64::from(short_lived)));
    }

    let burst = cards_in_window(card.opened_at, &holder.other_openings);
    if burst >= 3 {
        flag(ReasonCode::CardBurst, Some(burst));
    } else if burst == 2 {
        flag(ReasonCode::CardPair, Some(2));
    }

    let digits = |d: &&str| d.len() >= 4 && d.bytes().all(|b| b.is_ascii_digit());
    if let Some(outlet) = card.outlet_division.filter(digits) {
        let home = holder
            .residence
            .clone()
            .filter(|r| digits(&r.as_str()))
            .unwrap_or_else(|| format!("{:06}", card.holder.address_code()));
        let value = outlet.parse::<i64>().ok();
        if outlet.get(..2) != home.get(..2) {
            flag(ReasonCode::FarProvince, value);
        } else if outlet.get(..4) != home.get(..4) {
            flag(ReasonCode::FarCity, value);
        }
    }

    // An opening before the holder's birth is a data error, not an age.
    if let Some(date) =
        fanzha_core::time::shanghai_date(card.opened_at).filter(|d| *d >= card.holder.birth_date())
    {
        let age = card.holder.age_on(date);
        match age {
            0..=15 => flag(ReasonCode::Minor, Some(i64::from(age))),
            16..=25 => flag(ReasonCode::Young, Some(i64::from(age))),
            70.. => flag(ReasonCode::Elderly, Some(i64::from(age))),
            _ => {}
        }
    }

    if holder.phone_other_holders > 0 {
        flag(
            ReasonCode::SharedPhone,
            Some(i64::from(holder.phone_other_holders)),
        );
    }
    if matches!(
        card.phone_kind,
        Some(PhoneKind::Virtual | PhoneKind::Overseas)
    ) {
        flag(ReasonCode::VirtualPhone, None);
    }
    if card.kind == CardKind::SimCard && card.number_virtual {
        flag(ReasonCode::VirtualNumber, None);
    }

    Screening::from_findings(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Born 2001-03-04 in 余姚 (330281); check digit valid.
    fn young() -> ResidentId {
        ResidentId::parse(&with_check("33028120010304001")).unwrap()
    }

    /// Born 1970-05-06 in 余姚.
    fn middle_aged() -> ResidentId {
        ResidentId::parse(&with_check("33028119700506002")).unwrap()
    }

    fn with_check(body: &str) -> String {
        let b: [u8; 17] = body.as_bytes().try_into().unwrap();
        let c = fanzha_core::resident_id::check_char(&b);
        format!("{body}{}", c as char)
    }

    /// 2026-11-20 10:00 Asia/Shanghai.
    const T: i64 = 1_795_140_000_000;

    fn card<'a>(holder: &'a ResidentId, outlet: Option<&'a str>) -> NewCard<'a> {
        NewCard {
            kind: CardKind::BankCard,
            opened_at: T,
            holder,
            outlet_division: outlet,
            phone_kind: Some(PhoneKind::Mobile),
            number_virtual: false,
        }
    }

    fn phone_card<'a>(holder: &'a ResidentId, outlet: Option<&'a str>) -> NewCard<'a> {
        NewCard {
            kind: CardKind::SimCard,
            phone_kind: None,
            ..card(holder, outlet)
        }
    }

    #[test]
    fn a_phone_card_of_a_holder_with_many_numbers_is_flagged_for_the_police_only() {
        let id = middle_aged();
        let holder = Holder {
            numbers_held: MANY_NUMBERS,
            ..Holder::default()
        };
        let s = screen(&phone_card(&id, Some("330281")), &holder);
        assert_eq!(
            s.findings,
            vec![Finding::new(ReasonCode::ManyNumbers, Some(5))]
        );
        assert_eq!(s.level, Level::Medium);
        assert_eq!((s.bank_score, s.bank_level), (0, Level::None));
        let fewer = Holder {
            numbers_held: MANY_NUMBERS - 1,
            ..Holder::default()
        };
        assert!(screen(&phone_card(&id, Some("330281")), &fewer)
            .findings
            .is_empty());
        // A bank card never counts phone numbers.
        assert!(screen(&card(&id, Some("330281")), &holder)
            .findings
            .is_empty());
    }

    #[test]
    fn cards_opened_and_closed_again_and_again_flag_the_next_one_for_the_police() {
        let id = middle_aged();
        let holder = Holder {
            short_lived_closings: vec![T - 200 * DAY_MS, T - 20 * DAY_MS],
            ..Holder::default()
        };
        for c in [card(&id, None), phone_card(&id, None)] {
            let s = screen(&c, &holder);
            assert_eq!(
                s.findings,
                vec![Finding::new(ReasonCode::FrequentOpenClose, Some(2))]
            );
            assert_eq!(s.level, Level::Medium, "queued for review");
            assert_eq!(
                s.bank_level,
                Level::None,
                "other issuers' closures: police-only"
            );
        }
        assert_eq!(
            holder_finding(&holder).describe_zh(),
            "频繁开销户（90天内销户2张）"
        );
        // One short-lived card is not a pattern; closings older than the look-back drop out.
        let once = Holder {
            short_lived_closings: vec![T - 20 * DAY_MS],
            ..Holder::default()
        };
        assert!(screen(&card(&id, None), &once).findings.is_empty());
        let long_ago = Holder {
            short_lived_closings: vec![
                T - (OPEN_CLOSE_LOOKBACK_DAYS + 1) * DAY_MS,
                T - 20 * DAY_MS,
            ],
            ..Holder::default()
        };
        assert!(screen(&card(&id, None), &long_ago).findings.is_empty());
        // Closures known after the opening count when the card is screened again.
        let later = Holder {
            short_lived_closings: vec![T + DAY_MS, T + 3 * DAY_MS, T - 400 * DAY_MS],
            ..Holder::default()
        };
        assert_eq!(holder_finding(&later).value, Some(2));
    }

    fn holder_finding(holder: &Holder) -> Finding {
        let id = middle_aged();
        screen(&card(&id, None), holder).findings[0]
    }

    #[test]
    fn a_virtual_number_is_flagged_on_phone_cards_only() {
        let id = middle_aged();
        let virtual_sim = NewCard {
            number_virtual: true,
            ..phone_card(&id, None)
        };
        let s = screen(&virtual_sim, &Holder::default());
        assert_eq!(
            s.findings,
            vec![Finding::new(ReasonCode::VirtualNumber, None)]
        );
        assert_eq!(s.bank_score, 15, "the operator reads its own segment");
        let bank = NewCard {
            number_virtual: true,
            ..card(&id, None)
        };
        assert!(screen(&bank, &Holder::default()).findings.is_empty());
    }

    #[test]
    fn a_holders_fraud_number_weighs_like_a_mule_account() {
        let id = middle_aged();
        let holder = Holder {
            fraud_number: true,
            ..Holder::default()
        };
        for c in [card(&id, None), phone_card(&id, None)] {
            let s = screen(&c, &holder);
            assert_eq!(s.score, 50);
            assert_eq!(s.level, Level::High);
            assert_eq!(s.bank_level, Level::None, "police-only");
        }
    }

    #[test]
    fn an_ordinary_card_at_home_is_not_flagged() {
        let id = middle_aged();
        let s = screen(&card(&id, Some("330281")), &Holder::default());
        assert_eq!(s.level, Level::None);
        assert_eq!(s.score, 0);
        assert!(s.findings.is_empty());
    }

    #[test]
    fn a_seller_burst_far_from_home_is_high() {
        let id = young();
        let holder = Holder {
            residence: Some("330281101001".into()),
            other_openings: vec![T - DAY_MS, T - 2 * DAY_MS, T - 30 * DAY_MS],
            ..Holder::default()
        };
        let s = screen(&card(&id, Some("653101")), &holder);
        let codes: Vec<_> = s.findings.iter().map(|f| f.code).collect();
        assert_eq!(
            codes,
            vec![
                ReasonCode::CardBurst,
                ReasonCode::FarProvince,
                ReasonCode::Young
            ]
        );
        assert_eq!(
            s.findings[0].value,
            Some(3),
            "the card 30 days ago is outside"
        );
        assert_eq!(s.findings[1].value, Some(653101));
        assert_eq!(s.score, 35 + 25 + 10);
        assert_eq!(s.level, Level::High);
    }

    #[test]
    fn later_cards_count_as_well_as_earlier_ones() {
        let id = middle_aged();
        let holder = Holder {
            other_openings: vec![T + 3 * DAY_MS],
            ..Holder::default()
        };
        let s = screen(&card(&id, None), &holder);
        assert_eq!(
            s.findings,
            vec![Finding::new(ReasonCode::CardPair, Some(2))]
        );
        assert_eq!(s.level, Level::Low);
    }

    #[test]
    fn a_burst_is_counted_inside_one_seven_day_window() {
        let id = middle_aged();
        // Days 0, 6 and 12: no 7-day window holds three, the day-6 card is a pair.
        let spread = Holder {
            other_openings: vec![T - 6 * DAY_MS, T + 6 * DAY_MS],
            ..Holder::default()
        };
        let s = screen(&card(&id, None), &spread);
        assert_eq!(
            s.findings,
            vec![Finding::new(ReasonCode::CardPair, Some(2))]
        );
        // Days 0, 7 and 7: one window [0, 7] holds all three.
        let tight = Holder {
            other_openings: vec![T + 7 * DAY_MS, T + 7 * DAY_MS],
            ..Holder::default()
        };
        let s = screen(&card(&id, None), &tight);
        assert_eq!(
            s.findings,
            vec![Finding::new(ReasonCode::CardBurst, Some(3))]
        );
    }

    #[test]
    fn a_bank_reads_a_score_without_the_polices_reasons() {
        let id = young();
        let holder = Holder {
            key_person: true,
            ..Holder::default()
        };
        let s = screen(&card(&id, Some("653101")), &holder);
        assert_eq!((s.score, s.level), (40 + 25 + 10, Level::High));
        assert_eq!((s.bank_score, s.bank_level), (35, Level::Medium));
    }

    #[test]
    fn odd_codes_and_dates_do_not_panic_or_count() {
        let id = young();
        let holder = Holder {
            residence: Some("浙江余姚".into()),
            ..Holder::default()
        };
        let mut c = card(&id, Some("６５３１０１"));
        // Opened in 1990, before the holder's birth in 2001: no age reason.
        c.opened_at = 631_152_000_000;
        let s = screen(&c, &holder);
        assert!(s.findings.is_empty(), "{:?}", s.findings);
    }

    #[test]
    fn the_id_address_stands_in_for_an_unknown_residence() {
        let id = middle_aged();
        let near = screen(&card(&id, Some("330212")), &Holder::default());
        assert!(
            near.findings.is_empty(),
            "宁波市鄞州区 is the holder's city"
        );
        let other_city = screen(&card(&id, Some("330106")), &Holder::default());
        assert_eq!(other_city.findings[0].code, ReasonCode::FarCity);
        assert_eq!(other_city.level, Level::Low);
    }

    #[test]
    fn history_flags_add_up() {
        let id = middle_aged();
        let holder = Holder {
            punished: true,
            key_person: true,
            gave_card_away: true,
            mule_account: true,
            phone_other_holders: 2,
            ..Holder::default()
        };
        let mut c = card(&id, Some("330281"));
        c.phone_kind = Some(PhoneKind::Virtual);
        let s = screen(&c, &holder);
        assert_eq!(s.score, 60 + 40 + 50 + 50 + 30 + 15);
        assert_eq!(s.findings[0].code, ReasonCode::HolderPunished);
        assert_eq!(
            s.findings.last().unwrap().code,
            ReasonCode::VirtualPhone,
            "heaviest first"
        );
        assert!(s
            .findings
            .contains(&Finding::new(ReasonCode::SharedPhone, Some(2))));
    }

    #[test]
    fn ages_are_taken_on_the_opening_day() {
        let id = young();
        // 2026-03-03 and 2026-03-04, 12:00 Shanghai: 24 the day before the birthday, 25 on it.
        let before = NewCard {
            opened_at: 1_772_510_400_000,
            ..card(&id, None)
        };
        let on = NewCard {
            opened_at: 1_772_596_800_000,
            ..card(&id, None)
        };
        let hb = Holder::default();
        assert_eq!(screen(&before, &hb).findings[0].value, Some(24));
        assert_eq!(screen(&on, &hb).findings[0].value, Some(25));
        let old = NewCard {
            opened_at: T + 365 * 30 * DAY_MS,
            ..card(&id, None)
        };
        assert!(screen(&old, &hb).findings.is_empty(), "55 at opening");
    }

    proptest! {
        /// The score is the sum of the findings' weights, the level follows the score, and a
        /// card never counts itself among the holder's other openings.
        #[test]
        fn score_level_and_findings_agree(
            offsets in proptest::collection::vec(-20i64..20, 0..6),
            flags in 0u8..64,
            numbers in 0u32..8,
            sim in proptest::bool::ANY,
            shared in 0u32..3,
            closings in proptest::collection::vec(-500i64..30, 0..4),
            outlet in prop_oneof![Just(None), Just(Some("330281")), Just(Some("110101")), Just(Some("330106"))],
        ) {
            let id = middle_aged();
            let holder = Holder {
                residence: None,
                punished: flags & 1 != 0,
                key_person: flags & 2 != 0,
                gave_card_away: flags & 4 != 0,
                mule_account: flags & 8 != 0,
                fraud_number: flags & 16 != 0,
                other_openings: offsets.iter().map(|d| T + d * DAY_MS).collect(),
                numbers_held: numbers,
                phone_other_holders: shared,
                short_lived_closings: closings.iter().map(|d| T + d * DAY_MS).collect(),
            };
            let c = if sim {
                NewCard { number_virtual: flags & 32 != 0, ..phone_card(&id, outlet) }
            } else {
                card(&id, outlet)
            };
            let s = screen(&c, &holder);
            prop_assert_eq!(
                s.findings.iter().any(|f| f.code == ReasonCode::ManyNumbers),
                sim && numbers >= MANY_NUMBERS
            );
            prop_assert_eq!(
                s.findings.iter().any(|f| f.code == ReasonCode::VirtualNumber),
                sim && flags & 32 != 0
            );
            let recent = closings.iter().filter(|&&d| d >= -OPEN_CLOSE_LOOKBACK_DAYS).count();
            prop_assert_eq!(
                s.findings.iter().find(|f| f.code == ReasonCode::FrequentOpenClose).map(|f| f.value),
                (recent >= FREQUENT_OPEN_CLOSE as usize).then_some(Some(recent as i64))
            );
            let sum: u32 = s.findings.iter().map(|f| f.code.weight()).sum();
            prop_assert_eq!(s.score, sum);
            prop_assert_eq!(s.level, Level::of_score(s.score));
            // The most cards in any 7-day window [d, d + 7] holding day 0, by brute force.
            let mut days: Vec<i64> = offsets.clone();
            days.push(0);
            let most = (-BURST_WINDOW_DAYS..=0)
                .map(|start| days.iter().filter(|d| **d >= start && **d <= start + BURST_WINDOW_DAYS).count() as i64)
                .max()
                .unwrap();
            let burst = s.findings.iter().find(|f| matches!(f.code, ReasonCode::CardBurst | ReasonCode::CardPair));
            prop_assert_eq!(burst.and_then(|f| f.value), (most >= 2).then_some(if most >= 3 { most } else { 2 }));
            prop_assert_eq!(s.bank_score, s.findings.iter().filter(|f| !f.code.police_only()).map(|f| f.code.weight()).sum::<u32>());
            prop_assert_eq!(s.bank_level, Level::of_score(s.bank_score));
            let weights: Vec<u32> = s.findings.iter().map(|f| f.code.weight()).collect();
            prop_assert!(weights.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
