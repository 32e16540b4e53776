//! The residents of the city: households placed in real villages, age and sex after the 2020
//! census, ID numbers, phones, cards, employers and the contact graph.

use crate::ledger::Ledger;
use crate::names;
use crate::numbers::{self, card_number, mobile, payment_account, scatter};
use crate::records::{
    AccountKind, AccountRecord, HolderKind, NumberKind, Occupation, Person, PhoneRecord, Sex,
};
use crate::region::Region;
use crate::rng::{self, chance, lognormal, pick, range, unit, SimRng, Weighted};
use crate::SimParams;
use chrono::{Datelike, Duration, NaiveDate};
use fanzha_core::event::{EpochMs, Msisdn};
use std::collections::HashMap;

/// Share of the population in 5-year age groups (0–4 … 85+), 2020 census (第七次全国人口普查),
/// rounded; 0–14 ≈ 18 %, 60+ ≈ 18.7 %.
pub const AGE_PYRAMID: [f64; 18] = [
    5.6, 6.4, 6.0, 5.3, 5.4, 6.6, 8.7, 7.0, 6.7, 8.2, 8.7, 7.1, 5.2, 5.2, 3.5, 2.3, 1.5, 1.0,
];
/// Share of men, 2020 census (51.24 %).
pub const MALE_SHARE: f64 = 0.5124;
/// Household sizes 1…6 (2020 census average 2.62 persons per household), approximate.
const HOUSEHOLD_SIZES: [f64; 6] = [25.4, 29.7, 20.9, 13.2, 6.5, 4.3];

/// Per-resident figures the generator needs on every event (kept apart from [`Person`] so the
/// hot loop touches a compact array).
#[derive(Clone, Copy, Debug, Default)]
pub struct Traits {
    pub age: u8,
    pub city: u16,
    /// Outgoing calls, SMS, URL visits and payments per day (0 without a phone).
    pub call_rate: f32,
    pub sms_rate: f32,
    pub url_rate: f32,
    pub pay_rate: f32,
    pub home_cell: u32,
    pub work_cell: u32,
    /// Ledger index of the debit card / payment account (`u32::MAX` when none).
    pub card: u32,
    pub wallet: u32,
    pub monthly_income_fen: i64,
}

/// Compressed adjacency lists.
#[derive(Clone, Debug, Default)]
pub struct Csr {
    pub offsets: Vec<u32>,
    pub items: Vec<u32>,
}

impl Csr {
    pub fn of(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// What the event loop reads of a resident it has picked at random (a contact, a stranger):
/// own number (0 = none) and household, packed so that one lookup touches one cache line
/// instead of a whole [`Person`]. Derived from `people` when the world is built.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reach {
    pub msisdn: u64,
    pub household_id: u64,
}

impl Reach {
    #[inline]
    pub fn msisdn(self) -> Option<Msisdn> {
        (self.msisdn != 0).then_some(Msisdn(self.msisdn))
    }
}

pub struct Employer {
    pub account: u32,
    pub public: bool,
    pub cell: u32,
    pub members: Vec<u32>,
}

/// Numbers of businesses and services residents deal with.
pub struct Services {
    /// Bank customer-service numbers (95588 …).
    pub banks: Vec<Msisdn>,
    /// 12345, 10086, 10010, 10000.
    pub public: Vec<Msisdn>,
    /// A2P SMS senders (106…).
    pub sms_senders: Vec<Msisdn>,
    /// Shops' fixed lines.
    pub shops: Vec<Msisdn>,
    /// Merchant payment accounts (ledger indices); the first `local_merchants` are in the city.
    pub merchants: Vec<u32>,
    pub landlords_pool: Vec<u32>,
    /// Accounts outside the city that receive large legitimate payments (car dealers, schools).
    pub big_payees: Vec<u32>,
    pub pension_fund: u32,
}

pub struct World {
    pub region: Region,
    pub start: NaiveDate,
    /// Epoch ms of local midnight of the first day.
    pub start_ms: EpochMs,
    pub people: Vec<Person>,
    pub traits: Vec<Traits>,
    pub households: Csr,
    pub contacts: Csr,
    pub employers: Vec<Employer>,
    pub couriers: Vec<u32>,
    pub services: Services,
    pub phones: Vec<PhoneRecord>,
    pub ledger: Ledger,
    /// Residents with a phone, for picking strangers.
    pub reachable: Vec<u32>,
    /// Per resident (same index as `people`): number and household, for random lookups.
    pub reach: Vec<Reach>,
    /// Per-segment counters so numbers never repeat.
    segment_use: HashMap<u32, u32>,
    card_counter: u64,
    wallet_counter: u64,
}

pub const NONE: u32 = u32::MAX;

/// Epoch ms of local (UTC+8) midnight of `date`.
pub fn local_midnight_ms(date: NaiveDate) -> EpochMs {
    let days = date.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch"));
    days.num_days() * 86_400_000 - 8 * 3_600_000
}

impl World {
    pub fn build(params: &SimParams, region: Region) -> World {
        let mut rng = rng::stream(params.seed, rng::domain::POPULATION, 0);
        let start_ms = local_midnight_ms(params.start);
        let mut w = World {
            region,
            start: params.start,
            start_ms,
            people: Vec::with_capacity(params.people as usize),
            traits: Vec::with_capacity(params.people as usize),
            households: Csr::default(),
            contacts: Csr::default(),
            employers: Vec::new(),
            couriers: Vec::new(),
            services: Services {
                banks: Vec::new(),
                public: Vec::new(),
                sms_senders: Vec::new(),
                shops: Vec::new(),
                merchants: Vec::new(),
                landlords_pool: Vec::new(),
                big_payees: Vec::new(),
                pension_fund: 0,
            },
            phones: Vec::new(),
            ledger: Ledger::default(),
            reachable: Vec::new(),
            reach: Vec::new(),
            segment_use: HashMap::new(),
            card_counter: 0,
            wallet_counter: 0,
        };
        w.place_households(params, &mut rng);
        w.assign_employers(&mut rng);
        w.open_services(&mut rng);
        w.build_contacts(params.seed);
        w.reach = w
            .people
            .iter()
            .map(|p| Reach {
                msisdn: p.msisdn.map_or(0, |m| m.0),
                household_id: p.household_id,
            })
            .collect();
        w
    }

    fn place_households(&mut self, params: &SimParams, rng: &mut SimRng) {
        let ages = Weighted::new(AGE_PYRAMID).expect("positive");
        let adult_ages =
            Weighted::new(
                AGE_PYRAMID
                    .iter()
                    .enumerate()
                    .map(|(i, w)| if i >= 4 { *w } else { 0.0 }),
            )
            .expect("positive");
        let sizes = Weighted::new(HOUSEHOLD_SIZES).expect("positive");
        let mut id_seq: HashMap<(u32, u32, bool), u32> = HashMap::new();
        let mut offsets = vec![0u32];
        let n = params.people as usize;
        let mut household = 0u64;
        while self.people.len() < n {
            household += 1;
            let size = (sizes.sample(rng) + 1).min(n - self.people.len());
            let village = self.region.village_weights.sample(rng);
            let g = adult_ages.sample(rng);
            let head_age = age_in_group(rng, g);
            let head_sex = if chance(rng, MALE_SHARE) {
                Sex::Male
            } else {
                Sex::Female
            };
            for m in 0..size {
                let (age, sex) = match m {
                    0 => (head_age, head_sex),
                    1 if head_age >= 22 && chance(rng, 0.8) => (
                        (head_age as i64 + range(rng, 0, 7) as i64 - 3).clamp(20, 99) as u32,
                        opposite(head_sex),
                    ),
                    _ => {
                        let child = head_age as i64 - range(rng, 22, 36) as i64;
                        let age = if child >= 0 && chance(rng, 0.8) {
                            child as u32
                        } else if head_age < 60 {
                            (head_age + range(rng, 24, 32) as u32).min(99)
                        } else {
                            let g = ages.sample(rng);
                            age_in_group(rng, g)
                        };
                        let sex = if chance(rng, MALE_SHARE) {
                            Sex::Male
                        } else {
                            Sex::Female
                        };
                        (age, sex)
                    }
                };
                self.add_person(rng, &mut id_seq, household, village, age, sex);
            }
            offsets.push(self.people.len() as u32);
        }
        self.households = Csr {
            offsets,
            items: (0..self.people.len() as u32).collect(),
        };
    }

    fn add_person(
        &mut self,
        rng: &mut SimRng,
        id_seq: &mut HashMap<(u32, u32, bool), u32>,
        household: u64,
        village: usize,
        age: u32,
        sex: Sex,
    ) {
        let v = &self.region.villages[village];
        let (v_code, v_city, id_address, urban) = (v.code, v.city, v.id_address, v.urban);
        let idx = self.people.len() as u32;
        let birth = self.start
            - Duration::days(i64::from(age) * 365 + i64::from(age / 4) + range(rng, 1, 365) as i64);
        let birth_date = birth.year() as u32 * 10000 + birth.month() * 100 + birth.day();
        let male = sex == Sex::Male;
        let k = id_seq.entry((id_address, birth_date, male)).or_insert(0);
        let base = (scatter(u64::from(id_address) ^ u64::from(birth_date), 3) % 400) as u32;
        let slot = (base + *k) % 499;
        *k += 1;
        let seq = if male { slot * 2 + 1 } else { slot * 2 + 2 };
        let resident_id = numbers::resident_id(id_address, birth_date, seq);

        let occupation = occupation(rng, age, urban);
        let has_phone = match age {
            0..=11 => false,
            12..=15 => chance(rng, 0.6),
            16..=74 => chance(rng, 0.98),
            _ => chance(rng, 0.8),
        };
        let home_cell = (village as u32) * 8 + 1 + range(rng, 0, 4) as u32;
        let mut t = Traits {
            age: age.min(255) as u8,
            city: v_city as u16,
            home_cell,
            work_cell: home_cell,
            card: NONE,
            wallet: NONE,
            ..Traits::default()
        };
        let msisdn = if has_phone {
            let activity = lognormal(rng, 1.0, 0.6);
            let (calls, sms, url, pay) = match age {
                0..=17 => (0.9, 0.4, 3.0, 0.3),
                18..=34 => (2.4, 0.5, 4.0, 1.2),
                35..=59 => (2.6, 0.4, 2.5, 0.9),
                60..=74 => (1.5, 0.2, 0.8, 0.4),
                _ => (0.9, 0.1, 0.2, 0.15),
            };
            t.call_rate = (calls * activity) as f32;
            t.sms_rate = (sms * activity) as f32;
            t.url_rate = (url * activity) as f32;
            t.pay_rate = (pay * activity) as f32;
            let m = self.new_mobile(rng, v_city);
            self.phones.push(PhoneRecord {
                msisdn: m,
                kind: NumberKind::Mobile,
                carrier: String::new().into(),
                province: String::new().into(),
                city: String::new().into(),
                holder_person_id: u64::from(idx) + 1,
                activated_ts: self.start_ms - range(rng, 30, 3650) as i64 * 86_400_000,
            });
            Some(m)
        } else {
            None
        };
        let (mut bank_card, mut wallet) = (None, None);
        if age >= 16 {
            let median = match age {
                16..=22 => 2_000.0,
                23..=59 => 30_000.0,
                _ => 50_000.0,
            };
            let balance = (lognormal(rng, median, 1.1) * 100.0) as i64;
            let opened = self.start_ms - range(rng, 30, 7300) as i64 * 86_400_000;
            let c = self.new_card(
                rng,
                HolderKind::Resident,
                u64::from(idx) + 1,
                opened,
                balance,
            );
            t.card = c;
            bank_card = Some(self.ledger.number(c));
            if has_phone && chance(rng, 0.92) {
                let b = (lognormal(rng, 800.0, 1.0) * 100.0) as i64;
                let p = self.new_wallet(HolderKind::Resident, u64::from(idx) + 1, opened, b);
                t.wallet = p;
                wallet = Some(self.ledger.number(p));
            }
        }
        if occupation == Occupation::Courier {
            self.couriers.push(idx);
        }
        let adult = (16..=60).contains(&age);
        self.people.push(Person {
            person_id: u64::from(idx) + 1,
            resident_id: resident_id.into(),
            name: names::name(rng, sex).into(),
            sex,
            birth_date,
            village: v_code,
            household_id: household,
            occupation,
            employer_id: 0,
            public_sector: occupation == Occupation::PublicSector,
            msisdn,
            bank_card,
            payment_account: wallet,
            anti_fraud_app: msisdn.is_some() && chance(rng, if adult { 0.42 } else { 0.15 }),
            joint_defense: msisdn.is_some() && chance(rng, if age >= 18 { 0.12 } else { 0.02 }),
        });
        if msisdn.is_some() {
            self.reachable.push(idx);
        }
        self.traits.push(t);
    }

    /// A fresh mobile number from the city's segments.
    pub fn new_mobile(&mut self, rng: &mut SimRng, city: usize) -> Msisdn {
        loop {
            let prefix = pick(rng, &self.region.cities[city].segments);
            let used = self.segment_use.entry(prefix).or_insert(0);
            if *used < 10_000 {
                let suffix = scatter(u64::from(*used) + u64::from(prefix), 4) as u32;
                *used += 1;
                return mobile(prefix, suffix);
            }
        }
    }

    /// A fresh virtual-operator number.
    pub fn new_virtual(&mut self, rng: &mut SimRng) -> Msisdn {
        loop {
            let prefix = pick(rng, &self.region.virtual_segments);
            let used = self.segment_use.entry(prefix).or_insert(0);
            if *used < 10_000 {
                let suffix = scatter(u64::from(*used) + u64::from(prefix), 4) as u32;
                *used += 1;
                return mobile(prefix, suffix);
            }
        }
    }

    pub fn new_card(
        &mut self,
        rng: &mut SimRng,
        holder: HolderKind,
        person_id: u64,
        opened_ts: EpochMs,
        balance: i64,
    ) -> u32 {
        loop {
            let b = &self.region.bins[self.region.bin_weights.sample(rng)];
            self.card_counter += 1;
            if let Some(n) = card_number(&b.bin, b.length, self.card_counter) {
                if self.ledger.index_of(n).is_some() {
                    continue;
                }
                let bank_code = b.bank_code.clone().into();
                return self.ledger.open(AccountRecord {
                    account_no: n,
                    kind: AccountKind::BankCard,
                    bank_code,
                    holder,
                    holder_person_id: person_id,
                    opened_ts,
                    opening_balance_fen: balance,
                });
            }
        }
    }

    pub fn new_wallet(
        &mut self,
        holder: HolderKind,
        person_id: u64,
        opened_ts: EpochMs,
        balance: i64,
    ) -> u32 {
        self.wallet_counter += 1;
        let n = payment_account(self.wallet_counter);
        let platform = if self.wallet_counter % 5 < 3 {
            "ALIPAY"
        } else {
            "WXPAY"
        };
        self.ledger.open(AccountRecord {
            account_no: n,
            kind: AccountKind::Payment,
            bank_code: platform.into(),
            holder,
            holder_person_id: person_id,
            opened_ts,
            opening_balance_fen: balance,
        })
    }

    fn assign_employers(&mut self, rng: &mut SimRng) {
        let workers: Vec<u32> = (0..self.people.len() as u32)
            .filter(|&i| {
                matches!(
                    self.people[i as usize].occupation,
                    Occupation::Employee | Occupation::PublicSector
                )
            })
            .collect();
        let public_count = workers
            .iter()
            .filter(|&&i| self.people[i as usize].public_sector)
            .count();
        let n_public = public_count.div_ceil(40).max(1);
        let n_private = (workers.len() - public_count).div_ceil(25).max(1);
        let villages = self.region.villages.len() as u64;
        for e in 0..n_public + n_private {
            let cell = range(rng, 0, villages) as u32 * 8 + 5;
            self.employers.push(Employer {
                account: NONE,
                public: e < n_public,
                cell,
                members: Vec::new(),
            });
        }
        for &i in &workers {
            let p = &self.people[i as usize];
            let e = if p.public_sector {
                range(rng, 0, n_public as u64) as usize
            } else {
                n_public + range(rng, 0, n_private as u64) as usize
            };
            self.employers[e].members.push(i);
            let median = if p.public_sector { 8_000.0 } else { 6_500.0 };
            let t = &mut self.traits[i as usize];
            t.work_cell = self.employers[e].cell;
            t.monthly_income_fen = (lognormal(rng, median, 0.4) * 100.0) as i64;
            self.people[i as usize].employer_id = e as u32 + 1;
        }
        for e in 0..self.employers.len() {
            let payroll: i64 = self.employers[e]
                .members
                .iter()
                .map(|&m| self.traits[m as usize].monthly_income_fen)
                .sum();
            let opened = self.start_ms - 3650 * 86_400_000;
            let acc = self.new_card(
                rng,
                HolderKind::Employer,
                0,
                opened,
                payroll * 3 + 1_000_000,
            );
            self.employers[e].account = acc;
        }
        for i in 0..self.people.len() {
            if self.people[i].occupation == Occupation::Retired {
                self.traits[i].monthly_income_fen = (lognormal(rng, 3_500.0, 0.5) * 100.0) as i64;
            }
        }
    }

    fn open_services(&mut self, rng: &mut SimRng) {
        let opened = self.start_ms - 3650 * 86_400_000;
        for (digits, carrier) in [
            (95588u64, "ICBC"),
            (95599, "ABC"),
            (95533, "CCB"),
            (95566, "BOC"),
            (95580, "PSBC"),
            (95559, "COMM"),
            (95555, "CMB"),
        ] {
            let m = numbers::domestic(digits);
            self.services.banks.push(m);
            self.push_service_phone(m, carrier);
        }
        for digits in [12345u64, 10086, 10010, 10000, 12315] {
            let m = numbers::domestic(digits);
            self.services.public.push(m);
            self.push_service_phone(m, "");
        }
        for k in 0..40u64 {
            let m = numbers::domestic(106_900_000_000 + scatter(k, 8));
            self.services.sms_senders.push(m);
            self.push_service_phone(m, "");
        }
        let n = self.people.len() as u64;
        let area = u64::from(self.region.cities[0].area_code.max(10));
        let area_digits = area.ilog10() + 1;
        for k in 0..(n / 80).max(5) {
            let local = 60_000_000 + scatter(k, 7);
            let m = numbers::domestic(area * 10u64.pow(8) + local);
            debug_assert!(area_digits <= 3);
            self.services.shops.push(m);
            self.phones.push(PhoneRecord {
                msisdn: m,
                kind: NumberKind::Fixed,
                carrier: "电信".into(),
                province: self.region.cities[0].province.clone().into(),
                city: self.region.cities[0].short_name.clone().into(),
                holder_person_id: 0,
                activated_ts: opened,
            });
        }
        for k in 0..(n / 40).max(10) {
            let local = k < (n / 40).max(10) * 2 / 5;
            let holder = if local {
                HolderKind::Merchant
            } else {
                HolderKind::NonResident
            };
            let balance = (lognormal(rng, 20_000.0, 1.0) * 100.0) as i64;
            let acc = self.new_wallet(holder, 0, opened, balance);
            self.services.merchants.push(acc);
        }
        for _ in 0..(n / 2000).max(5) {
            let acc = self.new_card(rng, HolderKind::NonResident, 0, opened, 5_000_000);
            self.services.big_payees.push(acc);
        }
        let total_pension: i64 = self
            .traits
            .iter()
            .zip(&self.people)
            .filter(|(_, p)| p.occupation == Occupation::Retired)
            .map(|(t, _)| t.monthly_income_fen)
            .sum();
        self.services.pension_fund = self.new_card(
            rng,
            HolderKind::Employer,
            0,
            opened,
            total_pension * 3 + 1_000_000,
        );
        // Landlords: a few residents with a card who rent out rooms.
        for (i, t) in self.traits.iter().enumerate() {
            if t.card != NONE && t.age >= 40 && i % 53 == 0 {
                self.services.landlords_pool.push(i as u32);
            }
        }
    }

    fn push_service_phone(&mut self, m: Msisdn, _operator: &str) {
        self.phones.push(PhoneRecord {
            msisdn: m,
            kind: NumberKind::Service,
            carrier: String::new().into(),
            province: String::new().into(),
            city: String::new().into(),
            holder_person_id: 0,
            activated_ts: self.start_ms - 3650 * 86_400_000,
        });
    }

    fn build_contacts(&mut self, seed: u64) {
        let mut rng = rng::stream(seed, rng::domain::CONTACTS, 0);
        let n = self.people.len();
        // Residents by village, for neighbours.
        let mut by_village: Vec<u32> = self.reachable.clone();
        by_village.sort_by_key(|&i| (self.people[i as usize].village, i));
        let mut village_start: HashMap<u64, (u32, u32)> = HashMap::new();
        for (pos, &i) in by_village.iter().enumerate() {
            let v = self.people[i as usize].village;
            let e = village_start.entry(v).or_insert((pos as u32, pos as u32));
            e.1 = pos as u32 + 1;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut items = Vec::with_capacity(n * 16);
        offsets.push(0u32);
        for i in 0..n {
            if self.people[i].msisdn.is_some() {
                let start = items.len();
                let h = self.people[i].household_id as usize;
                for &m in self.households.of(h - 1) {
                    if m as usize != i && self.people[m as usize].msisdn.is_some() {
                        items.push(m);
                    }
                }
                let e = self.people[i].employer_id;
                if e > 0 {
                    let members = &self.employers[e as usize - 1].members;
                    for _ in 0..range(&mut rng, 3, 9) {
                        let m = pick(&mut rng, members);
                        if m as usize != i {
                            items.push(m);
                        }
                    }
                }
                if let Some(&(s, e)) = village_start.get(&self.people[i].village) {
                    for _ in 0..range(&mut rng, 2, 6) {
                        let m = by_village[range(&mut rng, u64::from(s), u64::from(e)) as usize];
                        if m as usize != i {
                            items.push(m);
                        }
                    }
                }
                let friends = if self.traits[i].age < 60 {
                    range(&mut rng, 3, 10)
                } else {
                    range(&mut rng, 1, 4)
                };
                for _ in 0..friends {
                    let m = pick(&mut rng, &self.reachable);
                    if m as usize != i {
                        items.push(m);
                    }
                }
                let slice = &mut items[start..];
                slice.sort_unstable();
                let mut keep = start;
                for j in start..items.len() {
                    if j == start || items[j] != items[keep - 1] {
                        items[keep] = items[j];
                        keep += 1;
                    }
                }
                items.truncate(keep);
            }
            offsets.push(items.len() as u32);
        }
        self.contacts = Csr { offsets, items };
        let _ = unit(&mut rng);
    }

    /// Fills the carrier, province and city of resident mobiles from the segment table.
    pub fn describe_phones(&mut self) {
        let seg = fanzha_core::reference::phone_segments();
        for p in self.phones.iter_mut() {
            if p.kind == NumberKind::Mobile || p.kind == NumberKind::Virtual {
                if let Some(d) = numbers::mobile_digits(p.msisdn) {
                    if let Some(s) = seg.get((d / 10_000) as u32) {
                        p.carrier = s.carrier.label().into();
                        p.province = s.province.clone();
                        p.city = s.city.clone();
                    }
                }
            }
        }
    }
}

fn opposite(s: Sex) -> Sex {
    match s {
        Sex::Male => Sex::Female,
        Sex::Female => Sex::Male,
    }
}

fn age_in_group(rng: &mut SimRng, group: usize) -> u32 {
    if group == AGE_PYRAMID.len() - 1 {
        85 + range(rng, 0, 11) as u32
    } else {
        group as u32 * 5 + range(rng, 0, 5) as u32
    }
}

fn occupation(rng: &mut SimRng, age: u32, urban: bool) -> Occupation {
    match age {
        0..=5 => Occupation::Child,
        6..=17 => Occupation::Student,
        18..=22 if chance(rng, 0.5) => Occupation::Student,
        18..=59 => {
            let u = unit(rng);
            let farm = if urban { 0.03 } else { 0.25 };
            if u < farm {
                Occupation::Farmer
            } else if u < farm + 0.07 {
                Occupation::PublicSector
            } else if u < farm + 0.22 {
                Occupation::SelfEmployed
            } else if u < farm + 0.235 {
                Occupation::Courier
            } else if u < farm + 0.29 {
                Occupation::Unemployed
            } else {
                Occupation::Employee
            }
        }
        _ => {
            if !urban && age < 70 && chance(rng, 0.4) {
                Occupation::Farmer
            } else {
                Occupation::Retired
            }
        }
    }
}
