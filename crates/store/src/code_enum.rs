//! `code_enum!`: an enum of stored codes with its Chinese and English names — `ALL`,
//! `as_str`, `parse`, `zh`, `en` — for the registers' kinds, states and results.

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident => $code:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $v,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $code,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|k| k.as_str() == s)
            }

            pub fn zh(self) -> &'static str {
                match self {
                    $($name::$v => $zh,)*
                }
            }

            pub fn en(self) -> &'static str {
                match self {
                    $($name::$v => $en,)*
                }
            }
        }
    };
}

pub(crate) use code_enum;
