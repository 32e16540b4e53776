//! `fanzha check phone|id|card|code VALUE…`: validate values one by one and print one JSON object
//! per value — `{"input":…, "valid":…, "reason":…}` plus what the value tells (carrier and home
//! city of a phone, birth date and region of an ID, bank of a card, authority of a credit code).
//! An invalid value is a result, not a failure: the command exits 0 unless it is misused.

use crate::error::{CliResult, WithCode};
use crate::Ctx;
use fanzha_core::bank_card::{BankCard, BankCardError};
use fanzha_core::credit_code::CreditCode;
use fanzha_core::error_code::ErrorCode;
use fanzha_core::phone::PhoneNumber;
use fanzha_core::reason::Reasoned;
use fanzha_core::reference::BankBin;
use fanzha_core::resident_id::ResidentId;
use serde::Serialize;
use std::io::Write;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    /// Phone number: mobile, virtual operator, fixed line, service or overseas.
    Phone,
    /// Resident ID number (GB 11643).
    Id,
    /// Bank card number (Luhn, BIN → bank).
    Card,
    /// Unified social credit code (GB 32100).
    Code,
}

#[derive(clap::Args)]
pub struct Args {
    /// What the values are.
    #[arg(value_enum)]
    kind: Kind,
    /// Values to check (quote values that contain spaces).
    #[arg(required = true, num_args = 1..)]
    values: Vec<String>,
    /// Strip whitespace and upper-case before validating ID numbers, cards and credit codes
    /// (default: strict, as the standards write them).
    #[arg(long)]
    normalise: bool,
}

#[derive(Serialize)]
struct Verdict<'a, D: Serialize> {
    input: &'a str,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(flatten)]
    derived: D,
}

#[derive(Serialize, Default)]
struct PhoneFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    canonical: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    carrier: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    province: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    msisdn: Option<u64>,
}

fn phone(input: &str) -> Verdict<'_, PhoneFacts> {
    match PhoneNumber::parse(input) {
        Ok(p) => Verdict {
            input,
            valid: true,
            reason: None,
            derived: PhoneFacts {
                canonical: Some(p.canonical()),
                kind: Some(p.kind().as_str()),
                carrier: p.carrier().map(|c| c.label()),
                province: p.province(),
                city: p.city(),
                area_code: p.area_code().map(str::to_owned),
                service: p.service_kind().map(|s| s.as_str()),
                country: p.country().map(|c| c.name),
                country_code: p.country().map(|c| c.calling_code),
                msisdn: p.to_msisdn().ok().map(|m| m.0),
            },
        },
        Err(e) => Verdict {
            input,
            valid: false,
            reason: Some(e.reason()),
            derived: PhoneFacts::default(),
        },
    }
}

#[derive(Serialize, Default)]
struct IdFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    /// The 18-digit form of a valid 15-digit first-generation number.
    #[serde(skip_serializing_if = "Option::is_none")]
    converted: Option<String>,
}

fn id_facts(id: &ResidentId) -> IdFacts {
    IdFacts {
        birth_date: Some(id.birth_date().to_string()),
        sex: Some(id.sex().label()),
        address_code: Some(format!("{:06}", id.address_code())),
        region: id.region_name(),
        converted: None,
    }
}

fn resident_id(input: &str, normalise: bool) -> Verdict<'_, IdFacts> {
    let parsed = if normalise {
        ResidentId::parse_normalised(input)
    } else {
        ResidentId::parse(input)
    };
    match parsed {
        Ok(id) => Verdict {
            input,
            valid: true,
            reason: None,
            derived: id_facts(&id),
        },
        Err(e) => {
            let derived = match ResidentId::from_legacy15(input) {
                Ok(id) => IdFacts {
                    converted: Some(id.to_string()),
                    ..id_facts(&id)
                },
                Err(_) => IdFacts::default(),
            };
            Verdict {
                input,
                valid: false,
                reason: Some(e.reason()),
                derived,
            }
        }
    }
}

#[derive(Serialize, Default)]
struct CardFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    bank: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_type_name: Option<&'static str>,
    /// Whether the number's length is the one the BIN row gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    length_matches_bin: Option<bool>,
}

fn card_facts(bin: Option<&'static BankBin>, len: usize) -> CardFacts {
    match bin {
        Some(b) => CardFacts {
            bank: Some(&b.bank_name),
            bank_code: Some(&b.bank_code),
            card_type: Some(b.card_type.code()),
            card_type_name: Some(b.card_type.label()),
            length_matches_bin: Some(usize::from(b.card_length) == len),
        },
        None => CardFacts::default(),
    }
}

fn card(input: &str, normalise: bool) -> Verdict<'_, CardFacts> {
    let parsed = if normalise {
        BankCard::parse_normalised(input)
    } else {
        BankCard::parse(input)
    };
    match parsed {
        Ok(c) => Verdict {
            input,
            valid: true,
            reason: None,
            derived: card_facts(c.bin(), c.len()),
        },
        Err(e) => {
            // A known BIN with a failed Luhn check is reported with its bank: a warning.
            let derived = match e {
                BankCardError::BadLuhn { bin } => {
                    card_facts(bin, input.chars().filter(char::is_ascii_digit).count())
                }
                _ => CardFacts::default(),
            };
            Verdict {
                input,
                valid: false,
                reason: Some(e.reason()),
                derived,
            }
        }
    }
}

#[derive(Serialize, Default)]
struct CodeFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authority_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org_type_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    division_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    org_code: Option<String>,
}

fn credit_code(input: &str, normalise: bool) -> Verdict<'_, CodeFacts> {
    let parsed = if normalise {
        CreditCode::parse_normalised(input)
    } else {
        CreditCode::parse(input)
    };
    match parsed {
        Ok(c) => {
            let (auth, auth_name) = c.registration_authority();
            let (ty, ty_name) = c.org_type();
            Verdict {
                input,
                valid: true,
                reason: None,
                derived: CodeFacts {
                    registration_authority: Some(auth.to_string()),
                    authority_name: Some(auth_name),
                    org_type: Some(ty.to_string()),
                    org_type_name: ty_name,
                    division_code: Some(c.division_str().to_owned()),
                    region: c.region_name(),
                    org_code: Some(c.org_code().to_owned()),
                },
            }
        }
        Err(e) => Verdict {
            input,
            valid: false,
            reason: Some(e.reason()),
            derived: CodeFacts::default(),
        },
    }
}

pub fn run(_ctx: &Ctx, args: Args) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for v in &args.values {
        let line = match args.kind {
            Kind::Phone => serde_json::to_string(&phone(v)),
            Kind::Id => serde_json::to_string(&resident_id(v, args.normalise)),
            Kind::Card => serde_json::to_string(&card(v, args.normalise)),
            Kind::Code => serde_json::to_string(&credit_code(v, args.normalise)),
        }
        .code(ErrorCode::Internal)?;
        writeln!(out, "{line}").code(ErrorCode::Io)?;
    }
    Ok(())
}
