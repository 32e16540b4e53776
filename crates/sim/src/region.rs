//! The real region a city is built on, extracted once from the reference tables compiled into
//! `fanzha-core`: its villages and communities, the address codes its residents' ID numbers
//! carry, its mobile number segments and fixed-line area code, and the bank BINs in use.

use crate::error::SimError;
use crate::rng::Weighted;
use fanzha_core::division_code::{DivisionCode, DivisionLevel};
use fanzha_core::reference::{
    address_code_history, bank_bins, divisions, phone_segments, CardType, Division,
};

/// One village or community committee (the smallest unit people live in).
#[derive(Clone, Debug)]
pub struct Village {
    /// 12-digit code.
    pub code: u64,
    /// County (6-digit) code.
    pub county: u32,
    /// Address code written into residents' ID numbers (a valid GB/T 2260 code).
    pub id_address: u32,
    /// Index into [`Region::cities`].
    pub city: usize,
    /// Urban community (社区/居委会) rather than a rural village (村).
    pub urban: bool,
}

/// A prefecture-level city of the region with its own number segments.
#[derive(Clone, Debug)]
pub struct City {
    pub code: u32,
    /// Short name as in the segment table (`宁波`).
    pub short_name: String,
    /// Province short name as in the segment table (`浙江`).
    pub province: String,
    /// Non-virtual mobile segments whose home city is this city.
    pub segments: Vec<u32>,
    /// Fixed-line area code without the leading zero (`574`).
    pub area_code: u32,
}

/// A debit-card BIN in use in the city.
#[derive(Clone, Debug)]
pub struct Bin {
    pub bin: String,
    pub bank_code: String,
    pub length: u8,
}

pub struct Region {
    pub code: DivisionCode,
    pub name: String,
    pub villages: Vec<Village>,
    /// Weights for placing households: communities hold more people than villages.
    pub village_weights: Weighted,
    pub cities: Vec<City>,
    pub bins: Vec<Bin>,
    pub bin_weights: Weighted,
    /// Virtual-operator segments anywhere in the country (170/171/162/165/167 …).
    pub virtual_segments: Vec<u32>,
    /// County codes in other provinces, where card sellers go to open cards.
    pub far_counties: Vec<u32>,
}

/// Debit-card banks and rough weights for which bank a resident's card is from.
const BANKS: &[(&str, f64)] = &[
    ("ICBC", 20.0),
    ("ABC", 18.0),
    ("CCB", 18.0),
    ("BOC", 12.0),
    ("PSBC", 10.0),
    ("COMM", 6.0),
    ("CMB", 6.0),
    ("CITIC", 2.0),
    ("SPDB", 2.0),
    ("CEB", 2.0),
    ("CMBC", 2.0),
    ("SPABANK", 2.0),
];

fn short(name: &str) -> &str {
    for suffix in [
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "特别行政区",
        "自治区",
        "省",
        "市",
    ] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s;
        }
    }
    name
}

/// Parses a region argument: 2/4/6/9/12 digits, with `330200`-style six-digit city and
/// province codes read as the city or province.
pub fn parse_region_code(s: &str) -> Result<DivisionCode, SimError> {
    let s = s.trim();
    let code = if s.len() == 6 {
        s.parse::<u32>().ok().and_then(DivisionCode::from_gb2260)
    } else {
        DivisionCode::parse(s).ok()
    };
    code.filter(|c| c.division().is_some())
        .ok_or_else(|| SimError::UnknownRegion(s.to_string()))
}

impl Region {
    pub fn load(code: &str) -> Result<Region, SimError> {
        let code = parse_region_code(code)?;
        let division = code
            .division()
            .ok_or_else(|| SimError::UnknownRegion(code.value().to_string()))?;
        let segments = phone_segments();
        let history = address_code_history();

        let mut cities: Vec<City> = Vec::new();
        let mut villages = Vec::new();
        for v in division
            .subtree()
            .filter(|d| d.level() == DivisionLevel::Village)
        {
            let vc = v.code();
            let county = vc
                .ancestor(DivisionLevel::County)
                .and_then(|c| c.gb2260())
                .unwrap_or(0);
            let city_code = vc
                .ancestor(DivisionLevel::City)
                .map(|c| c.value() as u32)
                .unwrap_or(0);
            let city = match cities.iter().position(|c| c.code == city_code) {
                Some(i) => i,
                None => {
                    cities.push(city_of(v, city_code));
                    cities.len() - 1
                }
            };
            let id_address = if history.ever_valid(county) {
                county
            } else {
                // Statistical functional zones have no GB/T 2260 code; their residents carry
                // the city's district code, as many real IDs do.
                city_code * 100 + 1
            };
            let name = v.name();
            villages.push(Village {
                code: vc.value(),
                county,
                id_address,
                city,
                urban: name.contains("社区") || name.contains("居委会"),
            });
        }
        if villages.is_empty() {
            return Err(SimError::UnknownRegion(code.value().to_string()));
        }

        // Mobile segments and area codes per city (one pass over the segment table).
        for (prefix, seg) in segments.iter() {
            if seg.carrier.is_virtual() {
                continue;
            }
            for c in cities.iter_mut() {
                if *seg.province == c.province && c.short_name.starts_with(&*seg.city) {
                    c.segments.push(prefix);
                    if c.area_code == 0 {
                        c.area_code = seg.area_code.trim_start_matches('0').parse().unwrap_or(0);
                    }
                }
            }
        }
        for c in cities.iter_mut() {
            if c.segments.is_empty() {
                // A county directly under the province: fall back to the province's segments.
                for (prefix, seg) in segments.iter() {
                    if !seg.carrier.is_virtual() && *seg.province == c.province {
                        c.segments.push(prefix);
                        if c.area_code == 0 {
                            c.area_code =
                                seg.area_code.trim_start_matches('0').parse().unwrap_or(0);
                        }
                    }
                }
            }
            if c.segments.is_empty() {
                return Err(SimError::UnknownRegion(format!(
                    "{} (no mobile segments for {})",
                    code.value(),
                    c.short_name
                )));
            }
            c.segments.sort_unstable();
        }
        let virtual_segments: Vec<u32> = segments
            .iter()
            .filter(|(_, s)| s.carrier.is_virtual())
            .map(|(p, _)| p)
            .collect();

        let mut bins = Vec::new();
        let mut weights = Vec::new();
        for row in bank_bins().rows() {
            if row.card_type != CardType::Debit
                || row.bin.len() != 6
                || !(16..=19).contains(&row.card_length)
            {
                continue;
            }
            if let Some(&(_, w)) = BANKS.iter().find(|(b, _)| **b == *row.bank_code) {
                bins.push(Bin {
                    bin: row.bin.to_string(),
                    bank_code: row.bank_code.to_string(),
                    length: row.card_length,
                });
                weights.push(w);
            }
        }
        // Spread each bank's weight over its BINs.
        let per_bank: Vec<f64> = bins
            .iter()
            .map(|b| bins.iter().filter(|o| o.bank_code == b.bank_code).count() as f64)
            .collect();
        let bin_weights = Weighted::new(weights.iter().zip(&per_bank).map(|(w, n)| w / n))
            .ok_or_else(|| SimError::Params("no debit BINs in the reference table".into()))?;

        let province = code.province();
        let far_counties: Vec<u32> = divisions()
            .iter()
            .filter(|d| d.level() == DivisionLevel::County && !province.contains(d.code()))
            .filter_map(|d| d.code().gb2260())
            .filter(|c| history.ever_valid(*c))
            .step_by(37)
            .collect();

        let village_weights =
            Weighted::new(villages.iter().map(|v| if v.urban { 3.0 } else { 1.0 }))
                .ok_or_else(|| SimError::UnknownRegion(code.value().to_string()))?;
        Ok(Region {
            code,
            name: division.full_name(),
            villages,
            village_weights,
            cities,
            bins,
            bin_weights,
            virtual_segments,
            far_counties,
        })
    }
}

fn city_of(village: Division<'_>, city_code: u32) -> City {
    let mut province = String::new();
    let mut city = String::new();
    for a in village.ancestors() {
        match a.level() {
            DivisionLevel::Province => province = short(a.name()).to_string(),
            DivisionLevel::City => city = a.name().to_string(),
            _ => {}
        }
    }
    // Municipalities list their districts under 市辖区 / 县: the city is the municipality.
    if city == "市辖区" || city == "县" || city.is_empty() {
        city = province.clone();
    }
    City {
        code: city_code,
        short_name: short(&city).to_string(),
        province,
        segments: Vec::new(),
        area_code: 0,
    }
}
