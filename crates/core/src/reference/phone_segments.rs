//! Mobile number segments: the first seven digits of a mainland mobile number → home province,
//! city, area code and carrier (`phone_segments.csv.gz`, ls0f/phone, December 2023).

use super::gz;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

static PHONE_SEGMENTS_GZ: &[u8] = include_bytes!("../../data/phone_segments.csv.gz");

/// First 7-digit prefix the dense index covers.
const FIRST_PREFIX: u32 = 1_300_000;
/// One past the last 7-digit prefix the dense index covers.
const END_PREFIX: u32 = 2_000_000;
/// Index value meaning "no segment".
const NONE: u16 = u16::MAX;

/// The network a number belongs to, as the segment table names it. The `*Mvno` variants are
/// virtual operators (虚拟运营商) reselling that network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    ChinaMobile,
    ChinaUnicom,
    ChinaTelecom,
    ChinaBroadnet,
    ChinaMobileMvno,
    ChinaUnicomMvno,
    ChinaTelecomMvno,
    ChinaBroadnetMvno,
}

impl Carrier {
    /// Parse the table's Chinese carrier label.
    pub fn from_label(s: &str) -> Option<Carrier> {
        Some(match s {
            "移动" => Carrier::ChinaMobile,
            "联通" => Carrier::ChinaUnicom,
            "电信" => Carrier::ChinaTelecom,
            "广电" => Carrier::ChinaBroadnet,
            "移动虚拟运营商" => Carrier::ChinaMobileMvno,
            "联通虚拟运营商" => Carrier::ChinaUnicomMvno,
            "电信虚拟运营商" => Carrier::ChinaTelecomMvno,
            "广电虚拟运营商" => Carrier::ChinaBroadnetMvno,
            _ => return None,
        })
    }

    /// The Chinese label, as in the segment table (`移动`, `联通虚拟运营商` …).
    pub fn label(self) -> &'static str {
        match self {
            Carrier::ChinaMobile => "移动",
            Carrier::ChinaUnicom => "联通",
            Carrier::ChinaTelecom => "电信",
            Carrier::ChinaBroadnet => "广电",
            Carrier::ChinaMobileMvno => "移动虚拟运营商",
            Carrier::ChinaUnicomMvno => "联通虚拟运营商",
            Carrier::ChinaTelecomMvno => "电信虚拟运营商",
            Carrier::ChinaBroadnetMvno => "广电虚拟运营商",
        }
    }

    /// Whether this is a virtual operator (虚拟运营商).
    pub fn is_virtual(self) -> bool {
        matches!(
            self,
            Carrier::ChinaMobileMvno
                | Carrier::ChinaUnicomMvno
                | Carrier::ChinaTelecomMvno
                | Carrier::ChinaBroadnetMvno
        )
    }

    /// The network owner (a virtual operator maps to the network it resells).
    pub fn network(self) -> Carrier {
        match self {
            Carrier::ChinaMobileMvno => Carrier::ChinaMobile,
            Carrier::ChinaUnicomMvno => Carrier::ChinaUnicom,
            Carrier::ChinaTelecomMvno => Carrier::ChinaTelecom,
            Carrier::ChinaBroadnetMvno => Carrier::ChinaBroadnet,
            c => c,
        }
    }

    /// The code of the network operator answering for numbers of this carrier
    /// (`china_mobile` …; a virtual operator's numbers answer through the network it resells),
    /// as the operator liaisons' accounts and the number-disposal requests name it.
    pub fn operator_code(self) -> &'static str {
        match self.network() {
            Carrier::ChinaUnicom => "china_unicom",
            Carrier::ChinaTelecom => "china_telecom",
            Carrier::ChinaBroadnet => "china_broadnet",
            _ => "china_mobile",
        }
    }

    /// The network operator's name (`中国移动` …), see [`Carrier::operator_code`].
    pub fn operator_name(self) -> &'static str {
        match self.network() {
            Carrier::ChinaUnicom => "中国联通",
            Carrier::ChinaTelecom => "中国电信",
            Carrier::ChinaBroadnet => "中国广电",
            _ => "中国移动",
        }
    }
}

/// The home location and carrier of one 7-digit segment (shared by all segments with the same
/// values).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Province, short form as in the table (`浙江`).
    pub province: Box<str>,
    /// Prefecture-level city, short form (`宁波`).
    pub city: Box<str>,
    pub zip: Box<str>,
    /// Long-distance area code with its leading zero (`0574`).
    pub area_code: Box<str>,
    pub carrier: Carrier,
}

/// A long-distance area code and the city it is most often used for in the segment table.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct AreaCode {
    /// With its leading zero (`010`, `0574`).
    pub code: Box<str>,
    pub province: Box<str>,
    pub city: Box<str>,
}

/// The segment table, indexed for O(1) lookup.
pub struct PhoneSegments {
    /// Dense index: slot `prefix - 1300000` holds an index into `entries`, or `NONE`.
    /// Hand-built rather than a hash map: 700,000 two-byte slots (1.4 MB) give a lookup that is
    /// one bounds check and one load.
    index: Vec<u16>,
    entries: Vec<Segment>,
    /// The carrier of each entry, apart from the entries (one byte each, so the table stays
    /// in the first-level cache: telling a virtual operator costs no miss on a 72-byte entry).
    carriers: Vec<Carrier>,
    rows: usize,
    /// Area codes by `area_slot` (value of the digits, offset by length).
    area_index: Vec<u16>,
    area_codes: Vec<AreaCode>,
}

/// Slot of an area code's digits in `area_index`: 3-digit codes (`010`, `02x`) and 4-digit codes
/// get separate ranges so `057` and `0057` could never collide.
fn area_slot(code: &[u8]) -> Option<usize> {
    if !(code.len() == 3 || code.len() == 4) || code[0] != b'0' {
        return None;
    }
    let mut v = 0usize;
    for &b in code {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + usize::from(b - b'0');
    }
    Some(if code.len() == 3 { v } else { 1000 + v })
}

const AREA_SLOTS: usize = 11_000;

impl PhoneSegments {
    fn load() -> PhoneSegments {
        const T: &str = "phone_segments";
        let mut index = vec![NONE; (END_PREFIX - FIRST_PREFIX) as usize];
        let mut entries: Vec<Segment> = Vec::new();
        let mut interned: HashMap<(String, String, String, String, Carrier), u16> = HashMap::new();
        // area code → (entry → rows) to pick the city an area code is most used for.
        let mut area_use: HashMap<String, HashMap<u16, u32>> = HashMap::new();
        let mut rows = 0usize;
        gz::for_each_record(PHONE_SEGMENTS_GZ, T, |rec| {
            let prefix = gz::digits_u64(gz::field(rec, 0, T), T) as u32;
            let carrier_label = gz::field(rec, 5, T);
            let carrier = Carrier::from_label(carrier_label)
                .unwrap_or_else(|| panic!("embedded table {T}: unknown carrier {carrier_label}"));
            let key = (
                gz::field(rec, 1, T).to_owned(),
                gz::field(rec, 2, T).to_owned(),
                gz::field(rec, 3, T).to_owned(),
                gz::field(rec, 4, T).to_owned(),
                carrier,
            );
            let next = entries.len();
            let id = *interned.entry(key).or_insert_with_key(|k| {
                entries.push(Segment {
                    province: k.0.as_str().into(),
                    city: k.1.as_str().into(),
                    zip: k.2.as_str().into(),
                    area_code: k.3.as_str().into(),
                    carrier: k.4,
                });
                u16::try_from(next).expect("fewer than 65535 distinct segment records")
            });
            assert!(
                (FIRST_PREFIX..END_PREFIX).contains(&prefix),
                "embedded table {T}: prefix {prefix} out of range"
            );
            index[(prefix - FIRST_PREFIX) as usize] = id;
            *area_use
                .entry(gz::field(rec, 4, T).to_owned())
                .or_default()
                .entry(id)
                .or_default() += 1;
            rows += 1;
        });
        let mut area_index = vec![NONE; AREA_SLOTS];
        let mut area_codes = Vec::new();
        let mut codes: Vec<_> = area_use.into_iter().collect();
        codes.sort_by(|a, b| a.0.cmp(&b.0));
        for (code, uses) in codes {
            let Some(slot) = area_slot(code.as_bytes()) else {
                continue;
            };
            // Most rows first; ties broken by entry id so the choice is deterministic.
            let (&best, _) = uses
                .iter()
                .max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id)))
                .expect("an area code has at least one row");
            let e = &entries[usize::from(best)];
            area_index[slot] = area_codes.len() as u16;
            area_codes.push(AreaCode {
                code: code.as_str().into(),
                province: e.province.clone(),
                city: e.city.clone(),
            });
        }
        PhoneSegments {
            index,
            carriers: entries.iter().map(|e| e.carrier).collect(),
            entries,
            rows,
            area_index,
            area_codes,
        }
    }

    /// The segment of a 7-digit prefix (`1380013`).
    #[inline]
    pub fn get(&self, prefix7: u32) -> Option<&Segment> {
        self.segment(self.segment_id(prefix7)?)
    }

    /// The number of the segment of a 7-digit prefix, for [`PhoneSegments::segment`] (a
    /// `u16`: what a phone number keeps instead of a pointer).
    #[inline]
    pub fn segment_id(&self, prefix7: u32) -> Option<u16> {
        let slot = prefix7.checked_sub(FIRST_PREFIX)? as usize;
        match *self.index.get(slot)? {
            NONE => None,
            id => Some(id),
        }
    }

    /// The carrier of the segment numbered `id` (what [`PhoneSegments::segment`] says, from
    /// a table that stays in cache).
    #[inline]
    pub fn carrier(&self, id: u16) -> Option<Carrier> {
        self.carriers.get(usize::from(id)).copied()
    }

    /// The segment numbered `id` by [`PhoneSegments::segment_id`].
    #[inline]
    pub fn segment(&self, id: u16) -> Option<&Segment> {
        self.entries.get(usize::from(id))
    }

    /// The segment of a mobile number given as ASCII digits (at least its first seven).
    #[inline]
    pub fn lookup(&self, digits: &[u8]) -> Option<&Segment> {
        self.get(PhoneSegments::prefix7(digits)?)
    }

    /// The 7-digit prefix of a mobile number given as ASCII digits (at least its first
    /// seven), the key of [`PhoneSegments::get`]; `None` when they are not digits.
    #[inline]
    pub fn prefix7(digits: &[u8]) -> Option<u32> {
        digits.get(..7)?.iter().try_fold(0u32, |v, &b| {
            b.is_ascii_digit().then(|| v * 10 + u32::from(b - b'0'))
        })
    }

    /// Hints that the segment of `digits` will be looked up soon (see [`crate::prefetch`]):
    /// when they look like a bare mobile number, its index slot is requested from memory.
    #[inline]
    pub fn prefetch(&self, digits: &[u8]) {
        if digits.len() < 8 {
            return;
        }
        // The first eight bytes read as digits in one step (any other bytes give a slot that
        // is merely useless: the hint is bounds-checked and never faults).
        let v = (crate::chars::eight_digits_value(crate::chars::word_at(digits, 0)) / 10) as u32;
        if let Some(slot) = v.checked_sub(FIRST_PREFIX) {
            crate::prefetch::slot(&self.index, slot as usize);
        }
    }

    /// A long-distance area code given as ASCII digits with its leading zero (`0574`).
    #[inline]
    pub fn area_code(&self, code: &[u8]) -> Option<&AreaCode> {
        self.area_codes.get(usize::from(self.area_code_id(code)?))
    }

    /// The position in [`PhoneSegments::area_codes`] of an area code given as ASCII digits
    /// with its leading zero.
    pub fn area_code_id(&self, code: &[u8]) -> Option<u16> {
        match *self.area_index.get(area_slot(code)?)? {
            NONE => None,
            id => Some(id),
        }
    }

    /// Every known area code.
    pub fn area_codes(&self) -> &[AreaCode] {
        &self.area_codes
    }

    /// Every known 7-digit prefix with its segment, ascending.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Segment)> + '_ {
        self.index
            .iter()
            .enumerate()
            .filter(|(_, &id)| id != NONE)
            .map(|(i, &id)| (FIRST_PREFIX + i as u32, &self.entries[usize::from(id)]))
    }

    /// Number of 7-digit prefixes in the table.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// The segment table (decompressed on first use).
pub fn phone_segments() -> &'static PhoneSegments {
    static TABLE: OnceLock<PhoneSegments> = OnceLock::new();
    TABLE.get_or_init(PhoneSegments::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_every_row() {
        let t = phone_segments();
        assert_eq!(t.len(), 499_527);
        assert_eq!(t.iter().count(), 499_527);
    }

    #[test]
    fn spot_checks_from_source_match() {
        let t = phone_segments();
        let s = t.get(1_380_013).unwrap();
        assert_eq!(
            (&*s.province, &*s.city, &*s.area_code),
            ("北京", "北京", "010")
        );
        assert_eq!(s.carrier, Carrier::ChinaMobile);
        let s = t.get(1_521_147).unwrap();
        assert_eq!((&*s.city, &*s.area_code), ("衡阳", "0734"));
        let s = t.lookup(b"18957501234").unwrap();
        assert_eq!((&*s.city, s.carrier), ("绍兴", Carrier::ChinaTelecom));
        assert_eq!(t.get(1_920_000).unwrap().carrier, Carrier::ChinaBroadnet);
        assert!(t.get(1_991_147).is_none());
        assert!(t.get(1_299_999).is_none());
        assert!(t.get(2_000_000).is_none());
        assert!(t.lookup(b"13800").is_none());
    }

    #[test]
    fn area_codes_come_from_the_segment_table() {
        let t = phone_segments();
        assert_eq!(&*t.area_code(b"0574").unwrap().city, "宁波");
        assert_eq!(&*t.area_code(b"010").unwrap().city, "北京");
        assert_eq!(&*t.area_code(b"021").unwrap().city, "上海");
        assert!(t.area_code(b"0001").is_none());
        assert!(t.area_code(b"57").is_none());
        assert!(t.area_codes().len() > 300);
    }

    #[test]
    fn carrier_labels_round_trip() {
        for label in [
            "移动",
            "联通",
            "电信",
            "广电",
            "移动虚拟运营商",
            "联通虚拟运营商",
            "电信虚拟运营商",
            "广电虚拟运营商",
        ] {
            let c = Carrier::from_label(label).unwrap();
            assert_eq!(c.label(), label);
            assert_eq!(c.is_virtual(), label.ends_with("虚拟运营商"));
        }
        assert_eq!(Carrier::ChinaUnicomMvno.network(), Carrier::ChinaUnicom);
        assert!(Carrier::from_label("其他").is_none());
    }
}
