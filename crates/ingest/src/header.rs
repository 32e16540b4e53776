//! Header mapping: a file's column names → [`Field`]s, through the alias table in
//! `aliases.toml` (data, not code, so a new alias is a one-line change).

use crate::error::IngestError;
use crate::field::{Field, Presence, RecordKind};
use std::collections::HashMap;
use std::sync::OnceLock;

const ALIASES_TOML: &str = include_str!("../aliases.toml");

#[derive(serde::Deserialize)]
struct AliasFile {
    fields: std::collections::BTreeMap<String, Vec<String>>,
}

/// The alias table: normalised column name → field, and each field's aliases as written.
pub struct Aliases {
    by_name: HashMap<String, Field>,
    written: HashMap<Field, Vec<String>>,
}

impl Aliases {
    /// The table compiled into the binary.
    pub fn builtin() -> &'static Aliases {
        static TABLE: OnceLock<Aliases> = OnceLock::new();
        TABLE.get_or_init(|| {
            Aliases::parse(ALIASES_TOML).expect("aliases.toml is checked by the test suite")
        })
    }

    /// Parses an alias table; an alias claimed by two fields or an unknown field is an error.
    pub fn parse(text: &str) -> Result<Aliases, AliasTableError> {
        let file: AliasFile =
            toml::from_str(text).map_err(|e| AliasTableError::Syntax(e.to_string()))?;
        let mut by_name = HashMap::new();
        let mut written = HashMap::new();
        for (field_name, aliases) in file.fields {
            let field = Field::from_name(&field_name)
                .ok_or_else(|| AliasTableError::UnknownField(field_name.clone()))?;
            for alias in &aliases {
                let key = normalise(alias);
                if let Some(other) = by_name.insert(key, field) {
                    if other != field {
                        return Err(AliasTableError::Ambiguous {
                            alias: alias.clone(),
                            first: other,
                            second: field,
                        });
                    }
                }
            }
            written.insert(field, aliases);
        }
        for field in Field::ALL {
            if !written.contains_key(&field) {
                return Err(AliasTableError::UnknownField(format!("{field} (missing)")));
            }
        }
        Ok(Aliases { by_name, written })
    }

    pub fn field_of(&self, column_name: &str) -> Option<Field> {
        self.by_name.get(&normalise(column_name)).copied()
    }

    /// The aliases accepted for a field, as written in the table.
    pub fn aliases_of(&self, field: Field) -> &[String] {
        self.written.get(&field).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// A defect in an alias table (the built-in one is tested; this guards edited copies).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AliasTableError {
    #[error("alias table is not valid TOML: {0}")]
    Syntax(String),
    #[error("alias table names an unknown field: {0}")]
    UnknownField(String),
    #[error("alias {alias:?} is claimed by both {first} and {second}")]
    Ambiguous {
        alias: String,
        first: Field,
        second: Field,
    },
}

/// Case-, width- and whitespace-insensitive form of a column name.
pub fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-' && *c != '*' && *c != '＊')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each field of a record kind sits in a file's rows.
#[derive(Clone, Debug)]
pub struct HeaderMap {
    kind: RecordKind,
    /// Column index of each field (indexed by `Field as usize`).
    slots: [Option<usize>; Field::ALL.len()],
    width: usize,
    ignored: Vec<String>,
}

impl HeaderMap {
    /// Maps a header row. A required field without a column is a file-level error naming the
    /// field and the aliases accepted for it. Columns that match no field of this kind (or
    /// repeat a field already mapped) are ignored and listed in [`HeaderMap::ignored`].
    pub fn new<S: AsRef<str>>(kind: RecordKind, header: &[S]) -> Result<HeaderMap, IngestError> {
        let aliases = Aliases::builtin();
        let mut slots = [None; Field::ALL.len()];
        let mut ignored = Vec::new();
        let wanted = kind.fields();
        for (i, name) in header.iter().enumerate() {
            let name = name.as_ref();
            match aliases.field_of(name) {
                Some(f) if wanted.iter().any(|(w, _)| *w == f) && slots[f as usize].is_none() => {
                    slots[f as usize] = Some(i)
                }
                _ => ignored.push(name.trim_start_matches('\u{feff}').trim().to_string()),
            }
        }
        for (f, presence) in wanted {
            if *presence == Presence::Required && slots[*f as usize].is_none() {
                return Err(IngestError::HeaderMissingColumn {
                    column: *f,
                    accepted: aliases.aliases_of(*f).to_vec(),
                });
            }
        }
        Ok(HeaderMap {
            kind,
            slots,
            width: header.len(),
            ignored,
        })
    }

    pub fn kind(&self) -> RecordKind {
        self.kind
    }

    /// The column index of a field, if the file has it.
    #[inline]
    pub fn column(&self, field: Field) -> Option<usize> {
        self.slots[field as usize]
    }

    /// Number of columns in the header row; every data row must have as many.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Header names that were not used.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_covers_every_field() {
        let a = Aliases::builtin();
        for f in Field::ALL {
            assert_eq!(a.aliases_of(f)[0], f.as_str(), "first alias is canonical");
            assert_eq!(a.field_of(f.as_str()), Some(f));
        }
    }

    #[test]
    fn chinese_and_english_aliases_match_ignoring_case_and_space() {
        let a = Aliases::builtin();
        assert_eq!(a.field_of("手机号"), Some(Field::Phone));
        assert_eq!(a.field_of(" 电话 号码 "), Some(Field::Phone));
        assert_eq!(a.field_of("主叫号码"), Some(Field::Phone));
        assert_eq!(a.field_of("公民身份号码"), Some(Field::IdNumber));
        assert_eq!(a.field_of("\u{feff}身份证号"), Some(Field::IdNumber));
        assert_eq!(a.field_of("ID_Number"), Some(Field::IdNumber));
        assert_eq!(a.field_of("PHONE NO"), Some(Field::Phone));
        assert_eq!(a.field_of("银行卡号"), Some(Field::AccountNo));
        assert_eq!(a.field_of("开户行"), Some(Field::Bank));
        assert_eq!(a.field_of("姓名*"), Some(Field::Name));
        assert_eq!(a.field_of("备注"), None);
    }

    #[test]
    fn an_alias_claimed_twice_is_rejected() {
        let t = "[fields]\nphone=['tel']\nname=['tel']";
        assert!(matches!(
            Aliases::parse(t),
            Err(AliasTableError::Ambiguous { .. })
        ));
    }

    #[test]
    fn header_maps_fields_and_lists_ignored_columns() {
        let h = HeaderMap::new(
            RecordKind::People,
            &["姓名", "身份证号", "备注", "手机号", "电话"],
        )
        .unwrap();
        assert_eq!(h.column(Field::Name), Some(0));
        assert_eq!(h.column(Field::IdNumber), Some(1));
        assert_eq!(h.column(Field::Phone), Some(3));
        assert_eq!(h.column(Field::Address), None);
        assert_eq!(h.ignored(), &["备注".to_string(), "电话".to_string()]);
        assert_eq!(h.width(), 5);
    }

    #[test]
    fn missing_required_column_names_it_and_its_aliases() {
        let err = HeaderMap::new(RecordKind::People, &["姓名", "手机号"]).unwrap_err();
        match &err {
            IngestError::HeaderMissingColumn { column, accepted } => {
                assert_eq!(*column, Field::IdNumber);
                assert!(accepted.iter().any(|a| a == "身份证号"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            fanzha_core::error_code::Coded::code(&err),
            fanzha_core::error_code::ErrorCode::HeaderMissingColumn
        );
        assert!(err.to_string().contains("id_number"));
    }
}
