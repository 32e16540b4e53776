//! Bank card BINs (`bank_bins.csv.gz`, `banks.csv.gz`; caijf/bankcard ∪ hexindai/bcbc): the
//! longest BIN that prefixes a card number names the issuing bank and card type; when two rows
//! share that BIN, the one whose card length matches the number wins.

use super::gz;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

static BANK_BINS_GZ: &[u8] = include_bytes!("../../data/bank_bins.csv.gz");
static BANKS_GZ: &[u8] = include_bytes!("../../data/banks.csv.gz");

/// Shortest and longest BIN in the table.
const MIN_BIN: usize = 3;
const MAX_BIN: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CardType {
    /// 储蓄卡 (debit)
    #[serde(rename = "DC")]
    Debit,
    /// 信用卡 (credit)
    #[serde(rename = "CC")]
    Credit,
    /// 准贷记卡 (semi-credit)
    #[serde(rename = "SCC")]
    SemiCredit,
    /// 预付费卡 (prepaid)
    #[serde(rename = "PC")]
    Prepaid,
}

impl CardType {
    pub fn from_code(s: &str) -> Option<CardType> {
        Some(match s {
            "DC" => CardType::Debit,
            "CC" => CardType::Credit,
            "SCC" => CardType::SemiCredit,
            "PC" => CardType::Prepaid,
            _ => return None,
        })
    }
    /// `DC`, `CC`, `SCC`, `PC`.
    pub fn code(self) -> &'static str {
        match self {
            CardType::Debit => "DC",
            CardType::Credit => "CC",
            CardType::SemiCredit => "SCC",
            CardType::Prepaid => "PC",
        }
    }
    /// `储蓄卡`, `信用卡`, `准贷记卡`, `预付费卡`.
    pub fn label(self) -> &'static str {
        match self {
            CardType::Debit => "储蓄卡",
            CardType::Credit => "信用卡",
            CardType::SemiCredit => "准贷记卡",
            CardType::Prepaid => "预付费卡",
        }
    }
}

/// One BIN row.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct BankBin {
    pub bin: Box<str>,
    /// Short bank code (`ABC`), joins [`Bank`].
    pub bank_code: Box<str>,
    pub bank_name: Box<str>,
    pub card_type: CardType,
    /// Card-number length for this BIN (15–19).
    pub card_length: u8,
}

/// One bank.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Bank {
    pub code: Box<str>,
    pub name: Box<str>,
    /// The other source's name where the two differ (`江西银行` for `南昌银行`).
    pub alt_name: Option<Box<str>>,
}

/// The result of a BIN lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinMatch<'a> {
    pub row: &'a BankBin,
    /// Whether the number's length equals the row's `card_length`.
    pub length_matches: bool,
}

pub struct BankBins {
    rows: Vec<BankBin>,
    /// `(bin length, bin value)` → row indices.
    by_bin: HashMap<(u8, u64), Vec<u32>>,
    banks: Vec<Bank>,
}

impl BankBins {
    fn load() -> BankBins {
        const T: &str = "bank_bins";
        let mut rows = Vec::with_capacity(1_800);
        let mut by_bin: HashMap<(u8, u64), Vec<u32>> = HashMap::new();
        gz::for_each_record(BANK_BINS_GZ, T, |rec| {
            let f = |i| gz::field(rec, i, T);
            let bin = f(0);
            assert!(
                (MIN_BIN..=MAX_BIN).contains(&bin.len()),
                "embedded table {T}: BIN {bin} has an unexpected length"
            );
            let ct = f(3);
            let card_type = CardType::from_code(ct)
                .unwrap_or_else(|| panic!("embedded table {T}: unknown card type {ct}"));
            by_bin
                .entry((bin.len() as u8, gz::digits_u64(bin, T)))
                .or_default()
                .push(rows.len() as u32);
            rows.push(BankBin {
                bin: bin.into(),
                bank_code: f(1).into(),
                bank_name: f(2).into(),
                card_type,
                card_length: gz::digits_u64(f(5), T) as u8,
            });
        });
        let mut banks = Vec::with_capacity(300);
        gz::for_each_record(BANKS_GZ, "banks", |rec| {
            let f = |i| gz::field(rec, i, "banks");
            let alt = f(3);
            banks.push(Bank {
                code: f(0).into(),
                name: f(1).into(),
                alt_name: (!alt.is_empty()).then(|| alt.into()),
            });
        });
        banks.sort_by(|a, b| a.code.cmp(&b.code));
        BankBins {
            rows,
            by_bin,
            banks,
        }
    }

    /// Look up a card number given as ASCII digits: the longest matching BIN, preferring the row
    /// whose card length equals the number's length. Allocation-free.
    pub fn lookup(&self, digits: &[u8]) -> Option<BinMatch<'_>> {
        let max = MAX_BIN.min(digits.len());
        let mut prefix_values = [0u64; MAX_BIN + 1];
        let mut v = 0u64;
        for (i, &b) in digits[..max].iter().enumerate() {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u64::from(b - b'0');
            prefix_values[i + 1] = v;
        }
        for len in (MIN_BIN..=max).rev() {
            if let Some(ids) = self.by_bin.get(&(len as u8, prefix_values[len])) {
                let row_of = |id: &u32| &self.rows[*id as usize];
                let exact = ids
                    .iter()
                    .map(row_of)
                    .find(|r| usize::from(r.card_length) == digits.len());
                return Some(match exact {
                    Some(row) => BinMatch {
                        row,
                        length_matches: true,
                    },
                    None => BinMatch {
                        row: row_of(&ids[0]),
                        length_matches: false,
                    },
                });
            }
        }
        None
    }

    /// The bank with this short code.
    pub fn bank(&self, code: &str) -> Option<&Bank> {
        self.banks
            .binary_search_by(|b| (*b.code).cmp(code))
            .ok()
            .map(|i| &self.banks[i])
    }

    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    /// The bank a report names as people write it: its code (`ICBC`, any case), its name or
    /// the other source's name, a common short name (工行, 建行, 邮储 …), or a branch's name
    /// holding the bank's (`中国工商银行余姚支行`, `工商银行余姚支行`: the longest bank name
    /// found, with or without its leading 中国). `None` when nothing, or two banks equally,
    /// match.
    pub fn by_name(&self, text: &str) -> Option<&Bank> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if let Some(b) = self.bank(&t.to_ascii_uppercase()) {
            return Some(b);
        }
        if let Some(b) = self
            .banks
            .iter()
            .find(|b| *b.name == *t || b.alt_name.as_deref() == Some(t))
        {
            return Some(b);
        }
        const SHORT: [(&str, &str); 15] = [
            ("工行", "ICBC"),
            ("农行", "ABC"),
            ("中行", "BOC"),
            ("建行", "CCB"),
            ("交行", "COMM"),
            ("邮储", "PSBC"),
            ("邮政储蓄", "PSBC"),
            ("招行", "CMB"),
            ("浦发", "SPDB"),
            ("民生", "CMBC"),
            ("光大", "CEB"),
            ("中信", "CITIC"),
            ("兴业", "CIB"),
            ("华夏", "HXBANK"),
            ("平安", "SPABANK"),
        ];
        if let Some((_, code)) = SHORT.iter().find(|(short, _)| t.starts_with(short)) {
            return self.bank(code);
        }
        // The longest bank name the text holds; a tie between two banks is no answer.
        let mut best: Option<(usize, &Bank)> = None;
        let mut tied = false;
        for b in &self.banks {
            let names = [Some(&*b.name), b.alt_name.as_deref()];
            for name in names.into_iter().flatten() {
                for form in [name, name.strip_prefix("中国").unwrap_or("")] {
                    let len = form.chars().count();
                    // A bare "银行" or a one-character stem names nothing.
                    if len < 4 || !t.contains(form) {
                        continue;
                    }
                    match best {
                        Some((l, held)) if l == len && held.code != b.code => tied = true,
                        Some((l, _)) if l >= len => {}
                        _ => {
                            best = Some((len, b));
                            tied = false;
                        }
                    }
                }
            }
        }
        best.filter(|_| !tied).map(|(_, b)| b)
    }

    pub fn rows(&self) -> &[BankBin] {
        &self.rows
    }
}

/// The BIN table (decompressed on first use).
pub fn bank_bins() -> &'static BankBins {
    static TABLE: OnceLock<BankBins> = OnceLock::new();
    TABLE.get_or_init(BankBins::load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        assert_eq!(bank_bins().rows().len(), 1_739);
        assert_eq!(bank_bins().banks().len(), 278);
        assert_eq!(&*bank_bins().bank("ABC").unwrap().name, "中国农业银行");
        assert!(bank_bins().bank("NOPE").is_none());
    }

    #[test]
    fn banks_are_found_by_the_names_reports_give() {
        let code = |t: &str| bank_bins().by_name(t).map(|b| b.code.to_string());
        for (text, want) in [
            ("ICBC", "ICBC"),
            ("icbc", "ICBC"),
            ("中国工商银行", "ICBC"),
            ("工商银行", "ICBC"),
            ("中国工商银行余姚支行", "ICBC"),
            ("工商银行余姚分理处", "ICBC"),
            ("工行", "ICBC"),
            ("建行余姚支行", "CCB"),
            ("中国银行余姚支行", "BOC"),
            ("中国农业银行股份有限公司余姚市支行", "ABC"),
            ("邮储银行", "PSBC"),
            ("宁波银行余姚支行", "NBBANK"),
            ("交通银行", "COMM"),
            ("常熟农商银行", "CSRCB"),
        ] {
            assert_eq!(code(text).as_deref(), Some(want), "{text}");
        }
        for text in ["", "银行", "某某信用社", "余姚支行"] {
            assert_eq!(code(text), None, "{text}");
        }
    }

    #[test]
    fn verified_bins_resolve() {
        for (card, code, len) in [
            ("6228480123456789015", "ABC", 19),
            ("6217000123456789019", "CCB", 19),
            ("6222020123456789015", "ICBC", 19),
            ("6225880123456783", "CMB", 16),
            ("6216610123456789013", "BOC", 19),
            ("6222620123456789019", "COMM", 19),
        ] {
            let m = bank_bins().lookup(card.as_bytes()).unwrap();
            assert_eq!(&*m.row.bank_code, code, "{card}");
            assert_eq!(m.row.card_length, len);
            assert!(m.length_matches);
        }
    }

    #[test]
    fn shared_bin_is_split_by_length() {
        let m18 = bank_bins().lookup(b"622305000000000000").unwrap();
        let m16 = bank_bins().lookup(b"6223050000000000").unwrap();
        assert_eq!(&*m18.row.bank_name, "中国工商银行");
        assert_eq!(&*m16.row.bank_name, "南京银行");
    }

    #[test]
    fn unknown_bin_and_junk() {
        assert!(bank_bins().lookup(b"7777770123456788").is_none());
        // The reference data set's notes call 999999 unknown, but the table has a 华夏银行 row.
        assert_eq!(
            &*bank_bins()
                .lookup(b"9999990123456788")
                .unwrap()
                .row
                .bank_code,
            "HXBANK"
        );
        assert!(bank_bins().lookup(b"62").is_none());
        assert!(bank_bins().lookup(b"62a848").is_none());
        assert!(bank_bins().lookup(b"").is_none());
    }
}
