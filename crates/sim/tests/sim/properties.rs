//! Properties that hold for any seed and any region: valid IDs for the region, phone segments in
//! the region's province, conserved money, ordered victim timelines.

use fanzha_core::event::{Signal, TransferChannel};
use fanzha_sim::records::NumberKind;
use fanzha_sim::{SimParams, Simulation};
use proptest::prelude::*;
use std::collections::HashMap;

const REGIONS: &[&str] = &["330281", "3302", "110101", "510104", "4403", "65"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn any_city_is_valid(seed in any::<u64>(), region in 0..REGIONS.len()) {
        let params = SimParams {
            region: REGIONS[region].to_string(),
            people: 400,
            days: 2,
            seed,
            victims_per_10k_year: 100_000.0,
            card_sellers_per_10k_year: 2_000.0,
            ..SimParams::default()
        };
        let province: u32 = REGIONS[region][..2].parse().expect("digits");
        let mut sim = Simulation::new(params).expect("city");
        let signals: Vec<Signal> = sim.by_ref().collect();
        let (world, truth) = sim.finish();

        let history = fanzha_core::reference::address_code_history();
        let segments = fanzha_core::reference::phone_segments();
        let provinces = fanzha_core::reference::divisions();
        let province_name = fanzha_core::division_code::DivisionCode::from_gb2260(province * 10_000)
            .and_then(|c| provinces.get(c))
            .map(|d| d.name().to_string())
            .expect("province exists");
        for p in &world.people {
            let id = p.resident_id.as_bytes();
            prop_assert_eq!(id.len(), 18);
            let mut first17 = [0u8; 17];
            first17.copy_from_slice(&id[..17]);
            prop_assert_eq!(fanzha_sim::numbers::resident_id_check(&first17), id[17]);
            let address: u32 = p.resident_id[..6].parse().expect("digits");
            prop_assert!(history.ever_valid(address), "address {}", address);
            prop_assert_eq!(address / 10_000, province);
            prop_assert_eq!((p.village / 10_000_000_000) as u32, province);
        }
        for ph in &world.phones {
            if ph.kind != NumberKind::Mobile || ph.holder_person_id == 0 {
                continue;
            }
            let national = fanzha_sim::numbers::mobile_digits(ph.msisdn).expect("mobile");
            let seg = segments.get((national / 10_000) as u32).expect("segment");
            prop_assert!(province_name.starts_with(&*seg.province), "{} vs {}", province_name, seg.province);
        }

        let mut balance: HashMap<u64, i64> = world
            .ledger
            .accounts
            .iter()
            .map(|a| (a.account_no.0, a.opening_balance_fen))
            .collect();
        let opening: i128 = balance.values().map(|&b| i128::from(b)).sum();
        let mut cash = 0i128;
        let mut last_ts = i64::MIN;
        for s in &signals {
            prop_assert!(s.ts() >= last_ts);
            last_ts = s.ts();
            if let Signal::Transfer(t) = s {
                let from = balance.get_mut(&t.from.0).expect("known sender");
                *from -= t.amount_fen;
                prop_assert!(*from >= 0);
                if t.channel == TransferChannel::CashOut {
                    cash += i128::from(t.amount_fen);
                } else {
                    *balance.get_mut(&t.to.0).expect("known receiver") += t.amount_fen;
                }
            }
        }
        let closing: i128 = balance.values().map(|&b| i128::from(b)).sum();
        prop_assert_eq!(opening, closing + cash);

        prop_assert!(!truth.victims.is_empty());
        for v in &truth.victims {
            for t in [v.long_call_ts, v.link_ts, v.app_install_ts, v.first_transfer_ts].into_iter().flatten() {
                prop_assert!(t >= v.first_contact_ts);
            }
            if let (Some(a), Some(b)) = (v.first_transfer_ts, v.last_transfer_ts) {
                prop_assert!(a <= b);
            }
            prop_assert_eq!(v.transfers > 0, v.loss_fen > 0);
        }
    }
}
