//! The history of GB/T 2260 county-and-above codes 1981–2024 (`address_code_history.csv.gz`,
//! yescallop/areacodes): which 6-digit codes were ever in use and when. Resident ID numbers keep
//! the address code of the place and time they were issued, so an abolished code is still a valid
//! ID prefix (`440524` 潮阳县, 1983–1993).

use super::gz;
use serde::Serialize;
use std::sync::OnceLock;

static HISTORY_GZ: &[u8] = include_bytes!("../../data/address_code_history.csv.gz");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryLevel {
    /// 省级
    Province,
    /// 地级
    Prefecture,
    /// 县级
    County,
}

/// One record of a code's history (a code renamed over time has several).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct HistoryRecord {
    pub code: u32,
    /// Province-level name at the time.
    pub province: Box<str>,
    /// Parent prefecture at the time; empty for provinces, `直辖` for counties directly under a
    /// province-level unit.
    pub prefecture: Box<str>,
    pub name: Box<str>,
    pub level: HistoryLevel,
    /// Whether the record is still in use (`在用`).
    pub in_use: bool,
    /// First year of use (1981 means "1981 or earlier").
    pub start_year: u16,
    /// First year the record no longer applied; `None` while in use.
    pub end_year: Option<u16>,
}

impl HistoryRecord {
    /// Whether the record applied in `year` (`start_year <= year < end_year`).
    pub fn valid_in(&self, year: u16) -> bool {
        self.start_year <= year && self.end_year.is_none_or(|e| year < e)
    }

    /// A readable region name (`广东省汕头市潮阳县`).
    pub fn full_name(&self) -> String {
        let mut s = String::with_capacity(48);
        s.push_str(&self.province);
        if self.level != HistoryLevel::Province {
            let pref = &*self.prefecture;
            if !pref.is_empty() && pref != "直辖" && pref != &*self.province && pref != &*self.name
            {
                s.push_str(pref);
            }
            if self.name != self.province {
                s.push_str(&self.name);
            }
        }
        s
    }
}

/// The history table, sorted by code then start year.
pub struct AddressCodeHistory {
    records: Vec<HistoryRecord>,
}

impl AddressCodeHistory {
    fn load() -> AddressCodeHistory {
        const T: &str = "address_code_history";
        let mut records = Vec::with_capacity(7_000);
        gz::for_each_record(HISTORY_GZ, T, |rec| {
            let f = |i| gz::field(rec, i, T);
            let level = match f(4) {
                "省级" => HistoryLevel::Province,
                "地级" => HistoryLevel::Prefecture,
                "县级" => HistoryLevel::County,
                other => panic!("embedded table {T}: unknown level {other}"),
            };
            let end = f(7);
            records.push(HistoryRecord {
                code: gz::digits_u64(f(0), T) as u32,
                province: f(1).into(),
                prefecture: f(2).into(),
                name: f(3).into(),
                level,
                in_use: f(5) == "在用",
                start_year: gz::digits_u64(f(6), T) as u16,
                end_year: (!end.is_empty()).then(|| gz::digits_u64(end, T) as u16),
            });
        });
        records.sort_by_key(|r| (r.code, r.start_year));
        AddressCodeHistory { records }
    }

    /// All records of a 6-digit code, oldest first (empty when the code was never used).
    pub fn records(&self, code6: u32) -> &[HistoryRecord] {
        let start = self.records.partition_point(|r| r.code < code6);
        let end = self.records.partition_point(|r| r.code <= code6);
        &self.records[start..end]
    }

    /// Whether the code was ever a GB/T 2260 code (1981–2024).
    pub fn ever_valid(&self, code6: u32) -> bool {
        !self.records(code6).is_empty()
    }

    /// Whether the code was in use in `year`.
    pub fn valid_in(&self, code6: u32, year: u16) -> bool {
        self.records(code6).iter().any(|r| r.valid_in(year))
    }

    /// The span of years the code was in use: first start year and last end year (`None` while
    /// still in use).
    pub fn years(&self, code6: u32) -> Option<(u16, Option<u16>)> {
        let rs = self.records(code6);
        let first = rs.iter().map(|r| r.start_year).min()?;
        let last = if rs.iter().any(|r| r.end_year.is_none()) {
            None
        } else {
            rs.iter().filter_map(|r| r.end_year).max()
        };
        Some((first, last))
    }

    /// The most recent record of the code.
    pub fn latest(&self, code6: u32) -> Option<&HistoryRecord> {
        self.records(code6).last()
    }

    /// Every record, by code then start year.
    pub fn iter(&self) -> impl Iterator<Item = &HistoryRecord> + '_ {
        self.records.iter()
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The address-code history (decompressed on first use).
pub fn address_code_history() -> &'static AddressCodeHistory {
    static TABLE: OnceLock<AddressCodeHistory> = OnceLock::new();
    TABLE.get_or_init(AddressCodeHistory::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_rows_load() {
        assert_eq!(address_code_history().len(), 6_823);
    }

    #[test]
    fn abolished_code_is_known_with_its_years() {
        let h = address_code_history();
        assert!(h.ever_valid(440524));
        assert!(h.valid_in(440524, 1990));
        assert!(!h.valid_in(440524, 1995));
        assert_eq!(h.years(440524), Some((1983, Some(1993))));
        assert_eq!(h.latest(440524).unwrap().full_name(), "广东省汕头市潮阳县");
        assert!(!h.ever_valid(990101));
    }

    #[test]
    fn current_codes_have_open_end() {
        let h = address_code_history();
        assert_eq!(h.years(110101).map(|y| y.1), Some(None));
        assert_eq!(h.latest(110101).unwrap().full_name(), "北京市东城区");
        assert_eq!(h.latest(330106).unwrap().full_name(), "浙江省杭州市西湖区");
        assert_eq!(h.latest(330000).unwrap().full_name(), "浙江省");
    }
}
