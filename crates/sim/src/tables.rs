//! The reference and truth tables: file name, columns, and how one record is written and read.
//!
//! Values are handed to `decode` as text in column order (empty for a missing value), so one
//! decoder serves CSV and NDJSON.

use crate::format::{Kind, Row};
use crate::fraud_type::{parse_fraud_type, FraudType};
use crate::records::{AccountRecord, Person, PhoneRecord};
use crate::truth::{CardSellerTruth, FraudNumberTruth, MuleAccountTruth, VictimTruth};
use fanzha_core::event::{AccountNo, Msisdn};
use std::str::FromStr;

/// A table of the output directory.
pub trait Table: Sized {
    /// Path inside the output directory, without extension (`people`, `truth/victims`).
    const NAME: &'static str;
    const COLUMNS: &'static [&'static str];
    /// Column types, in the order of `COLUMNS` (the Parquet schema).
    const KINDS: &'static [Kind];
    fn encode(&self, row: &mut Row<'_>);
    fn decode(values: &[&str]) -> Result<Self, String>;
}

fn int<T: FromStr>(values: &[&str], i: usize, columns: &[&str]) -> Result<T, String> {
    values[i]
        .parse()
        .map_err(|_| format!("column {}: {:?} is not a number", columns[i], values[i]))
}

fn opt_int<T: FromStr>(values: &[&str], i: usize, columns: &[&str]) -> Result<Option<T>, String> {
    if values[i].is_empty() {
        Ok(None)
    } else {
        int(values, i, columns).map(Some)
    }
}

fn code<T: FromStr<Err = String>>(
    values: &[&str],
    i: usize,
    columns: &[&str],
) -> Result<T, String> {
    values[i]
        .parse()
        .map_err(|e| format!("column {}: {e}", columns[i]))
}

fn fraud_type(values: &[&str], i: usize, columns: &[&str]) -> Result<FraudType, String> {
    parse_fraud_type(values[i]).map_err(|e| format!("column {}: {e}", columns[i]))
}

fn flag(values: &[&str], i: usize, columns: &[&str]) -> Result<bool, String> {
    match values[i] {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        v => Err(format!("column {}: {v:?} is not 0/1", columns[i])),
    }
}

fn parse_date(values: &[&str], i: usize, columns: &[&str]) -> Result<u32, String> {
    let v = values[i];
    let bad = || format!("column {}: {v:?} is not YYYY-MM-DD", columns[i]);
    let mut parts = v.split('-');
    let (y, m, d) = (parts.next(), parts.next(), parts.next());
    match (y, m, d, parts.next()) {
        (Some(y), Some(m), Some(d), None) => {
            let y: u32 = y.parse().map_err(|_| bad())?;
            let m: u32 = m.parse().map_err(|_| bad())?;
            let d: u32 = d.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return Err(bad());
            }
            Ok(y * 10000 + m * 100 + d)
        }
        _ => Err(bad()),
    }
}

impl Table for Person {
    const NAME: &'static str = "people";
    const COLUMNS: &'static [&'static str] = &[
        "person_id",
        "resident_id",
        "name",
        "sex",
        "birth_date",
        "village",
        "household_id",
        "occupation",
        "employer_id",
        "public_sector",
        "msisdn",
        "bank_card",
        "payment_account",
        "anti_fraud_app",
        "joint_defense",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[
            UInt64, Text, Text, Text, Date, UInt64, UInt64, Text, UInt32, Bool, OptUInt64,
            OptUInt64, OptUInt64, Bool, Bool,
        ]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("person_id", self.person_id)
            .text("resident_id", &self.resident_id)
            .text("name", &self.name)
            .text("sex", self.sex.code())
            .date("birth_date", self.birth_date)
            .int("village", self.village)
            .int("household_id", self.household_id)
            .text("occupation", self.occupation.code())
            .int("employer_id", self.employer_id)
            .boolean("public_sector", self.public_sector)
            .opt_int("msisdn", self.msisdn.map(|m| m.0))
            .opt_int("bank_card", self.bank_card.map(|a| a.0))
            .opt_int("payment_account", self.payment_account.map(|a| a.0))
            .boolean("anti_fraud_app", self.anti_fraud_app)
            .boolean("joint_defense", self.joint_defense)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(Person {
            person_id: int(v, 0, c)?,
            resident_id: v[1].into(),
            name: v[2].into(),
            sex: code(v, 3, c)?,
            birth_date: parse_date(v, 4, c)?,
            village: int(v, 5, c)?,
            household_id: int(v, 6, c)?,
            occupation: code(v, 7, c)?,
            employer_id: int(v, 8, c)?,
            public_sector: flag(v, 9, c)?,
            msisdn: opt_int(v, 10, c)?.map(Msisdn),
            bank_card: opt_int(v, 11, c)?.map(AccountNo),
            payment_account: opt_int(v, 12, c)?.map(AccountNo),
            anti_fraud_app: flag(v, 13, c)?,
            joint_defense: flag(v, 14, c)?,
        })
    }
}

impl Table for PhoneRecord {
    const NAME: &'static str = "phones";
    const COLUMNS: &'static [&'static str] = &[
        "msisdn",
        "kind",
        "carrier",
        "province",
        "city",
        "holder_person_id",
        "activated_ts",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[UInt64, Text, Text, Text, Text, UInt64, Time]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("msisdn", self.msisdn.0)
            .text("kind", self.kind.code())
            .text("carrier", &self.carrier)
            .text("province", &self.province)
            .text("city", &self.city)
            .int("holder_person_id", self.holder_person_id)
            .int("activated_ts", self.activated_ts)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(PhoneRecord {
            msisdn: Msisdn(int(v, 0, c)?),
            kind: code(v, 1, c)?,
            carrier: v[2].into(),
            province: v[3].into(),
            city: v[4].into(),
            holder_person_id: int(v, 5, c)?,
            activated_ts: int(v, 6, c)?,
        })
    }
}

impl Table for AccountRecord {
    const NAME: &'static str = "accounts";
    const COLUMNS: &'static [&'static str] = &[
        "account_no",
        "kind",
        "bank_code",
        "holder",
        "holder_person_id",
        "opened_ts",
        "opening_balance_fen",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[UInt64, Text, Text, Text, UInt64, Time, Int64]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("account_no", self.account_no.0)
            .text("kind", self.kind.code())
            .text("bank_code", &self.bank_code)
            .text("holder", self.holder.code())
            .int("holder_person_id", self.holder_person_id)
            .int("opened_ts", self.opened_ts)
            .int("opening_balance_fen", self.opening_balance_fen)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(AccountRecord {
            account_no: AccountNo(int(v, 0, c)?),
            kind: code(v, 1, c)?,
            bank_code: v[2].into(),
            holder: code(v, 3, c)?,
            holder_person_id: int(v, 4, c)?,
            opened_ts: int(v, 5, c)?,
            opening_balance_fen: int(v, 6, c)?,
        })
    }
}

impl Table for VictimTruth {
    const NAME: &'static str = "truth/victims";
    const COLUMNS: &'static [&'static str] = &[
        "person_id",
        "msisdn",
        "fraud_type",
        "campaign_id",
        "fraud_number",
        "first_contact_ts",
        "long_call_ts",
        "link_ts",
        "app_install_ts",
        "first_transfer_ts",
        "last_transfer_ts",
        "transfers",
        "loss_fen",
        "dissuadable",
        "repeat",
        "outcome",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[
            UInt64, UInt64, Text, UInt32, UInt64, Time, OptTime, OptTime, OptTime, OptTime,
            OptTime, UInt32, Int64, Bool, Bool, Text,
        ]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("person_id", self.person_id)
            .int("msisdn", self.msisdn.0)
            .text("fraud_type", self.fraud_type.code())
            .int("campaign_id", self.campaign_id)
            .int("fraud_number", self.fraud_number.0)
            .int("first_contact_ts", self.first_contact_ts)
            .opt_int("long_call_ts", self.long_call_ts)
            .opt_int("link_ts", self.link_ts)
            .opt_int("app_install_ts", self.app_install_ts)
            .opt_int("first_transfer_ts", self.first_transfer_ts)
            .opt_int("last_transfer_ts", self.last_transfer_ts)
            .int("transfers", self.transfers)
            .int("loss_fen", self.loss_fen)
            .boolean("dissuadable", self.dissuadable)
            .boolean("repeat", self.repeat)
            .text("outcome", self.outcome.code())
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(VictimTruth {
            person_id: int(v, 0, c)?,
            msisdn: Msisdn(int(v, 1, c)?),
            fraud_type: fraud_type(v, 2, c)?,
            campaign_id: int(v, 3, c)?,
            fraud_number: Msisdn(int(v, 4, c)?),
            first_contact_ts: int(v, 5, c)?,
            long_call_ts: opt_int(v, 6, c)?,
            link_ts: opt_int(v, 7, c)?,
            app_install_ts: opt_int(v, 8, c)?,
            first_transfer_ts: opt_int(v, 9, c)?,
            last_transfer_ts: opt_int(v, 10, c)?,
            transfers: int(v, 11, c)?,
            loss_fen: int(v, 12, c)?,
            dissuadable: flag(v, 13, c)?,
            repeat: flag(v, 14, c)?,
            outcome: code(v, 15, c)?,
        })
    }
}

impl Table for FraudNumberTruth {
    const NAME: &'static str = "truth/fraud_numbers";
    const COLUMNS: &'static [&'static str] = &[
        "msisdn",
        "kind",
        "fraud_type",
        "campaign_id",
        "active_from_ts",
        "calls",
        "sms",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[UInt64, Text, Text, UInt32, Time, UInt64, UInt64]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("msisdn", self.msisdn.0)
            .text("kind", self.kind.code())
            .text("fraud_type", self.fraud_type.code())
            .int("campaign_id", self.campaign_id)
            .int("active_from_ts", self.active_from_ts)
            .int("calls", self.calls)
            .int("sms", self.sms)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(FraudNumberTruth {
            msisdn: Msisdn(int(v, 0, c)?),
            kind: code(v, 1, c)?,
            fraud_type: fraud_type(v, 2, c)?,
            campaign_id: int(v, 3, c)?,
            active_from_ts: int(v, 4, c)?,
            calls: int(v, 5, c)?,
            sms: int(v, 6, c)?,
        })
    }
}

impl Table for MuleAccountTruth {
    const NAME: &'static str = "truth/mule_accounts";
    const COLUMNS: &'static [&'static str] = &[
        "account_no",
        "level",
        "campaign_id",
        "fraud_type",
        "holder_person_id",
        "first_in_ts",
        "received_fen",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[UInt64, UInt8, UInt32, Text, UInt64, OptTime, Int64]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("account_no", self.account_no.0)
            .int("level", self.level)
            .int("campaign_id", self.campaign_id)
            .text("fraud_type", self.fraud_type.code())
            .int("holder_person_id", self.holder_person_id)
            .opt_int("first_in_ts", self.first_in_ts)
            .int("received_fen", self.received_fen)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(MuleAccountTruth {
            account_no: AccountNo(int(v, 0, c)?),
            level: int(v, 1, c)?,
            campaign_id: int(v, 2, c)?,
            fraud_type: fraud_type(v, 3, c)?,
            holder_person_id: int(v, 4, c)?,
            first_in_ts: opt_int(v, 5, c)?,
            received_fen: int(v, 6, c)?,
        })
    }
}

impl Table for CardSellerTruth {
    const NAME: &'static str = "truth/card_sellers";
    const COLUMNS: &'static [&'static str] = &[
        "person_id",
        "first_open_ts",
        "last_open_ts",
        "bank_cards",
        "sim_cards",
        "opened_in_division",
    ];
    const KINDS: &'static [Kind] = {
        use Kind::*;
        &[UInt64, Time, Time, UInt32, UInt32, UInt32]
    };
    fn encode(&self, row: &mut Row<'_>) {
        row.int("person_id", self.person_id)
            .int("first_open_ts", self.first_open_ts)
            .int("last_open_ts", self.last_open_ts)
            .int("bank_cards", self.bank_cards)
            .int("sim_cards", self.sim_cards)
            .int("opened_in_division", self.opened_in_division)
            .end();
    }
    fn decode(v: &[&str]) -> Result<Self, String> {
        let c = Self::COLUMNS;
        Ok(CardSellerTruth {
            person_id: int(v, 0, c)?,
            first_open_ts: int(v, 1, c)?,
            last_open_ts: int(v, 2, c)?,
            bank_cards: int(v, 3, c)?,
            sim_cards: int(v, 4, c)?,
            opened_in_division: int(v, 5, c)?,
        })
    }
}
