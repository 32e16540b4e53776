//! The column aliases of bank extracts, declared as data in `columns.toml`.

use super::IoError;
use fanzha_core::event::TransferChannel;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Table {
    fields: BTreeMap<String, Vec<String>>,
    channels: BTreeMap<String, Vec<String>>,
}

/// A field of a transfer extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Time,
    From,
    To,
    Amount,
    TxnId,
    Channel,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Time,
        Field::From,
        Field::To,
        Field::Amount,
        Field::TxnId,
        Field::Channel,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::Time => "time",
            Field::From => "from",
            Field::To => "to",
            Field::Amount => "amount",
            Field::TxnId => "txn_id",
            Field::Channel => "channel",
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Field::TxnId | Field::Channel)
    }
}

/// Parsed alias table.
#[derive(Debug)]
pub struct Columns {
    fields: BTreeMap<String, Vec<String>>,
    channels: Vec<(String, TransferChannel)>,
}

/// Header cells and values compare trimmed, lower-case, with full-width brackets folded.
pub fn normalise(s: &str) -> String {
    s.trim()
        .trim_start_matches('\u{feff}')
        .replace('（', "(")
        .replace('）', ")")
        .to_lowercase()
}

impl Columns {
    /// The table compiled into the binary.
    pub fn builtin() -> Result<Columns, IoError> {
        Columns::parse(include_str!("columns.toml"))
    }

    pub fn parse(text: &str) -> Result<Columns, IoError> {
        let t: Table = toml::from_str(text).map_err(|e| IoError::Columns(e.to_string()))?;
        for f in Field::ALL {
            if !t.fields.contains_key(f.key()) {
                return Err(IoError::Columns(format!("no aliases for {}", f.key())));
            }
        }
        let mut channels = Vec::new();
        // Substring matches prefer cash-out, then platforms, then bank ("支付宝转账" is a
        // platform transfer).
        let mut named: Vec<(&String, &Vec<String>)> = t.channels.iter().collect();
        named.sort_by_key(|(name, _)| match name.as_str() {
            "cash_out" => 0,
            "third_party_payment" => 1,
            _ => 2,
        });
        for (name, values) in named {
            let ch = match name.as_str() {
                "bank" => TransferChannel::Bank,
                "third_party_payment" => TransferChannel::ThirdPartyPayment,
                "cash_out" => TransferChannel::CashOut,
                other => return Err(IoError::Columns(format!("unknown channel {other}"))),
            };
            channels.extend(values.iter().map(|v| (normalise(v), ch)));
        }
        let fields = t
            .fields
            .into_iter()
            .map(|(k, v)| (k, v.iter().map(|a| normalise(a)).collect()))
            .collect();
        Ok(Columns { fields, channels })
    }

    /// Column index per field, from a header row.
    pub fn map_header(&self, header: &[String]) -> Vec<(Field, Option<usize>)> {
        let norm: Vec<String> = header.iter().map(|h| normalise(h)).collect();
        Field::ALL
            .iter()
            .map(|&f| {
                let aliases = &self.fields[f.key()];
                (f, norm.iter().position(|h| aliases.contains(h)))
            })
            .collect()
    }

    pub fn aliases(&self, f: Field) -> String {
        self.fields[f.key()].join(", ")
    }

    /// The channel a value of the channel column names; unknown values are bank transfers.
    pub fn channel(&self, value: &str) -> Option<TransferChannel> {
        let v = normalise(value);
        self.channels
            .iter()
            .find(|(name, _)| *name == v)
            .or_else(|| {
                self.channels
                    .iter()
                    .find(|(name, _)| !name.is_empty() && v.contains(name.as_str()))
            })
            .map(|(_, c)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_chinese_and_english_headers() {
        let c = Columns::builtin().unwrap();
        let header: Vec<String> = [
            "交易日期",
            "转出账号",
            "对方账号",
            "金额（元）",
            "交易流水号",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = c.map_header(&header);
        assert_eq!(m[0], (Field::Time, Some(0)));
        assert_eq!(m[1], (Field::From, Some(1)));
        assert_eq!(m[2], (Field::To, Some(2)));
        assert_eq!(m[3], (Field::Amount, Some(3)));
        assert_eq!(m[4], (Field::TxnId, Some(4)));
        assert_eq!(m[5], (Field::Channel, None));
        assert_eq!(c.channel("ATM取款"), Some(TransferChannel::CashOut));
        assert_eq!(
            c.channel("支付宝转账"),
            Some(TransferChannel::ThirdPartyPayment)
        );
    }
}
