//! How the store fails. Every variant maps to one stable [`ErrorCode`].

use fanzha_core::error_code::{Coded, ErrorCode};

/// An error of the operational database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("database unavailable at {url}: {source}")]
    Unavailable {
        /// The URL with any password removed.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// The URL names no backend the store speaks.
    #[error("unsupported database URL `{url}`: use sqlite://… or postgres://…")]
    UnsupportedUrl { url: String },
    /// Applying the schema migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database query failed ({context}): {source}")]
    Query {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value could not be read back into its type (a schema defect).
    #[error("stored {what} is malformed: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// The record does not exist, or lies outside the caller's scope.
    #[error("{what} `{key}` not found")]
    NotFound { what: &'static str, key: String },
    /// The org unit does not exist.
    #[error("org unit `{code}` not found")]
    UnitNotFound { code: String },
    /// A uniqueness or concurrency rule was broken.
    #[error("conflict on {what}: {detail}")]
    Conflict { what: &'static str, detail: String },
    /// A record handed to the store breaks one of its rules.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The record asked for exists, still open, under a unit outside the caller's scope (its
    /// subject has moved): that unit, named here, must let it go first.
    #[error("{what} is still open at {unit_name} ({unit_code}), outside your area: {what_to_do}")]
    HeldElsewhere {
        what: &'static str,
        unit_code: String,
        /// The unit's name, or its code when the org tree does not know it.
        unit_name: String,
        what_to_do: &'static str,
    },
    /// The caller may see the record but this step belongs to another party (separation of
    /// duties: e.g. the unit that issued a supervision measure does not record its report).
    #[error("not yours to do on {what}: {detail}")]
    DutySeparated { what: &'static str, detail: String },
    /// A fraud type already belongs to another active analysis group (分类研判组) of the same
    /// unit: a type is analysed by one group.
    #[error(
        "{fraud_type} is already covered by the analysis group {group_name} (#{group_id}) of \
         this unit: remove the type from that group or deactivate it first"
    )]
    TypeCovered {
        /// The type's Chinese name.
        fraud_type: String,
        group_id: i64,
        group_name: String,
    },
}

impl StoreError {
    /// Wraps a query error, turning constraint violations into their own variants.
    pub(crate) fn query(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| {
            if let sqlx::Error::Database(db) = &source {
                if db.is_unique_violation() {
                    return StoreError::Conflict {
                        what: context,
                        detail: db.message().to_string(),
                    };
                }
            }
            StoreError::Query { context, source }
        }
    }

    /// The same failure for another caller of a batch that failed as a whole (the source
    /// error itself cannot be cloned; its text is kept).
    pub fn shared_copy(&self) -> StoreError {
        match self {
            StoreError::NotFound { what, key } => StoreError::NotFound {
                what,
                key: key.clone(),
            },
            StoreError::Conflict { what, detail } => StoreError::Conflict {
                what,
                detail: detail.clone(),
            },
            other => StoreError::Query {
                context: "batch",
                source: sqlx::Error::Protocol(other.to_string()),
            },
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

impl Coded for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            StoreError::Unavailable { .. } => ErrorCode::DatabaseUnavailable,
            StoreError::UnsupportedUrl { .. } => ErrorCode::ConfigInvalid,
            StoreError::Migration(_) => ErrorCode::DatabaseMigration,
            StoreError::Query { .. } | StoreError::Corrupt { .. } => ErrorCode::DatabaseQuery,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::UnitNotFound { .. } => ErrorCode::UnitNotFound,
            StoreError::Conflict { .. } => ErrorCode::Conflict,
            StoreError::Invalid { .. } => ErrorCode::RecordInvalid,
            StoreError::HeldElsewhere { .. } => ErrorCode::OutOfScope,
            StoreError::DutySeparated { .. } => ErrorCode::Forbidden,
            StoreError::TypeCovered { .. } => ErrorCode::AnalysisGroupTypeTaken,
        }
    }
}

/// Result of every store operation.
pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_code() {
        let nf = StoreError::NotFound {
            what: "person",
            key: "x".into(),
        };
        assert_eq!(nf.code(), ErrorCode::NotFound);
        let unf = StoreError::UnitNotFound { code: "33".into() };
        assert_eq!(unf.code(), ErrorCode::UnitNotFound);
        let inv = StoreError::invalid("code", "empty");
        assert_eq!(inv.code(), ErrorCode::RecordInvalid);
        let held = StoreError::HeldElsewhere {
            what: "record",
            unit_code: "330281001".into(),
            unit_name: "阳明街道".into(),
            what_to_do: "ask them",
        };
        assert_eq!(held.code(), ErrorCode::OutOfScope);
        let q = StoreError::query("people.get")(sqlx::Error::RowNotFound);
        assert_eq!(q.code(), ErrorCode::DatabaseQuery);
    }
}
