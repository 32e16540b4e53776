//! The reference records of a simulated city: residents, phone numbers and accounts
//! (`people`, `phones`, `accounts` files). Signals refer to them by number.

use fanzha_core::event::{AccountNo, EpochMs, Msisdn};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $( $(#[$vm:meta])* $variant:ident => $code:literal, )* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vm])* $variant, )* }
        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            /// The code written in files.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )* }
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( $code => Ok($name::$variant), )*
                    _ => Err(format!("unknown {} {s:?}", stringify!($name))),
                }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    Sex { Male => "m", Female => "f", }
}

code_enum! {
    /// What a resident does for a living; decides daily rhythm, contacts and salary.
    Occupation {
        Child => "child",
        Student => "student",
        Farmer => "farmer",
        Employee => "employee",
        /// 财政供养人员: government-paid staff.
        PublicSector => "public_sector",
        SelfEmployed => "self_employed",
        Courier => "courier",
        Retired => "retired",
        Unemployed => "unemployed",
    }
}

code_enum! {
    /// What a phone number is.
    NumberKind {
        Mobile => "mobile",
        /// A virtual-operator number (170/171/162/165/167 blocks).
        Virtual => "virtual",
        Overseas => "overseas",
        Fixed => "fixed",
        /// A short service number (95xxx banks, 12345, 10086 …).
        Service => "service",
    }
}

code_enum! {
    AccountKind { BankCard => "bank_card", Payment => "payment", }
}

code_enum! {
    /// Who holds an account.
    HolderKind {
        Resident => "resident",
        Merchant => "merchant",
        Employer => "employer",
        /// Someone outside the simulated region.
        NonResident => "non_resident",
    }
}

/// One resident (`people` file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub person_id: u64,
    /// 18-character GB 11643 resident ID number (fictional, valid for the home region).
    pub resident_id: Box<str>,
    pub name: Box<str>,
    pub sex: Sex,
    /// Birth date as `yyyymmdd`.
    pub birth_date: u32,
    /// 12-digit village / community code of the home.
    pub village: u64,
    pub household_id: u64,
    pub occupation: Occupation,
    /// Employer id (0 when none); colleagues share it.
    pub employer_id: u32,
    /// 财政供养人员.
    pub public_sector: bool,
    /// Own mobile number; `None` for young children.
    pub msisdn: Option<Msisdn>,
    /// Own debit card; `None` for young children.
    pub bank_card: Option<AccountNo>,
    /// Own third-party payment account; `None` for young children.
    pub payment_account: Option<AccountNo>,
    /// Registered on the national anti-fraud app (国家反诈中心APP).
    pub anti_fraud_app: bool,
    /// Registered for 金钟罩 joint-defense warnings.
    pub joint_defense: bool,
}

impl Person {
    /// Age in whole years on the given `yyyymmdd` date.
    pub fn age_on(&self, date: u32) -> u32 {
        let years = (date / 10000).saturating_sub(self.birth_date / 10000);
        if date % 10000 < self.birth_date % 10000 {
            years.saturating_sub(1)
        } else {
            years
        }
    }
}

/// One phone number (`phones` file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneRecord {
    pub msisdn: Msisdn,
    pub kind: NumberKind,
    /// Carrier label as in the segment table (移动, 联通虚拟运营商 …); empty when unknown.
    pub carrier: Box<str>,
    pub province: Box<str>,
    pub city: Box<str>,
    /// Resident holding it (0 when none).
    pub holder_person_id: u64,
    /// When the SIM was activated (before the simulation for most numbers).
    pub activated_ts: EpochMs,
}

/// One account (`accounts` file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    pub account_no: AccountNo,
    pub kind: AccountKind,
    /// Bank code from the BIN table (ICBC, ABC …) or the payment platform (ALIPAY, WXPAY).
    pub bank_code: Box<str>,
    pub holder: HolderKind,
    /// Resident holding it (0 when the holder is not a resident).
    pub holder_person_id: u64,
    pub opened_ts: EpochMs,
    /// Balance at the start of the simulation (integer fen); replaying the transfers from here
    /// never takes an account below zero.
    pub opening_balance_fen: i64,
}
