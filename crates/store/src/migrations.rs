//! The one set of schema migrations, rendered for the backend in use and applied with sqlx's
//! migrator (checksums, a lock against concurrent runs, one transaction per migration).
//!
//! The SQL lives in `crates/store/migrations/*.sql`; the only backend-specific parts are
//! placeholders filled from [`crate::dialect`]: `{{ID_PK}}`, `{{BINARY_TEXT}}`,
//! `{{AUDIT_APPEND_ONLY}}`, and `{{RESYNC_ID:table}}` after a table with a generated key is
//! rebuilt.

use crate::dialect::Backend;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

type BoxDynError = Box<dyn std::error::Error + Send + Sync>;

/// `(version, description, SQL template)`, in order. Never edit a released migration: add one.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "org units",
        include_str!("../migrations/0001_org_units.sql"),
    ),
    (
        2,
        "people phones accounts",
        include_str!("../migrations/0002_people_phones_accounts.sql"),
    ),
    (3, "users", include_str!("../migrations/0003_users.sql")),
    (
        4,
        "audit log",
        include_str!("../migrations/0004_audit_log.sql"),
    ),
    (5, "imports", include_str!("../migrations/0005_imports.sql")),
    (
        6,
        "warnings instructions",
        include_str!("../migrations/0006_warnings_instructions.sql"),
    ),
    (
        7,
        "webhooks",
        include_str!("../migrations/0007_webhooks.sql"),
    ),
    (
        8,
        "cases stop payments",
        include_str!("../migrations/0008_cases_stop_payments.sql"),
    ),
    (
        9,
        "sms guardians",
        include_str!("../migrations/0009_sms_guardians.sql"),
    ),
    (
        10,
        "call tasks",
        include_str!("../migrations/0010_call_tasks.sql"),
    ),
    (
        11,
        "case import",
        include_str!("../migrations/0011_case_import.sql"),
    ),
    (
        12,
        "key persons",
        include_str!("../migrations/0012_key_persons.sql"),
    ),
    (
        13,
        "outreach",
        include_str!("../migrations/0013_outreach.sql"),
    ),
    (
        14,
        "two-card leads",
        include_str!("../migrations/0014_two_card_leads.sql"),
    ),
    (
        15,
        "new-card screening",
        include_str!("../migrations/0015_new_cards.sql"),
    ),
    (
        16,
        "supervision",
        include_str!("../migrations/0016_supervision.sql"),
    ),
    (
        17,
        "supervision returns",
        include_str!("../migrations/0017_supervision_returns.sql"),
    ),
    (
        18,
        "new-card screening: the bank's view",
        include_str!("../migrations/0018_new_cards_bank_view.sql"),
    ),
    (
        19,
        "warning pushes",
        include_str!("../migrations/0019_warning_pushes.sql"),
    ),
    (
        20,
        "case enforcement",
        include_str!("../migrations/0020_case_enforcement.sql"),
    ),
    (
        21,
        "protective stop-payments",
        include_str!("../migrations/0021_protective_stops.sql"),
    ),
    (
        22,
        "guardians unique per resident and phone",
        include_str!("../migrations/0022_guardians_unique.sql"),
    ),
    (
        23,
        "suspect measures history, a person once per case",
        include_str!("../migrations/0023_suspect_measures.sql"),
    ),
    (
        24,
        "employer notices for public-sector victims",
        include_str!("../migrations/0024_employer_notices.sql"),
    ),
    (
        25,
        "the victim's occupation on cases",
        include_str!("../migrations/0025_case_occupation.sql"),
    ),
    (
        26,
        "key persons' responsible officer and visit cycle",
        include_str!("../migrations/0026_key_person_visits.sql"),
    ),
    (
        27,
        "typical cases",
        include_str!("../migrations/0027_typical_cases.sql"),
    ),
    (
        28,
        "number disposals and operator liaisons",
        include_str!("../migrations/0028_number_disposals.sql"),
    ),
    (
        29,
        "96110 call attempts",
        include_str!("../migrations/0029_call_attempts.sql"),
    ),
    (
        30,
        "two-card lead numbers",
        include_str!("../migrations/0030_two_card_lead_ids.sql"),
    ),
    (
        31,
        "suspect charges and prosecution",
        include_str!("../migrations/0031_suspect_charges.sql"),
    ),
    (
        32,
        "two-card lead measures",
        include_str!("../migrations/0032_two_card_lead_measures.sql"),
    ),
    (
        33,
        "talking points",
        include_str!("../migrations/0033_talking_points.sql"),
    ),
    (
        34,
        "outreach materials, new-media posts, victims' prior outreach",
        include_str!("../migrations/0034_outreach_media.sql"),
    ),
    (
        35,
        "criminal case counts",
        include_str!("../migrations/0035_criminal_case_counts.sql"),
    ),
    (
        36,
        "roaming leads",
        include_str!("../migrations/0036_roaming_leads.sql"),
    ),
    (
        37,
        "bulletins",
        include_str!("../migrations/0037_bulletins.sql"),
    ),
    (
        38,
        "operator figures",
        include_str!("../migrations/0038_operator_figures.sql"),
    ),
    (
        39,
        "key-person proposals",
        include_str!("../migrations/0039_key_person_proposals.sql"),
    ),
    (
        40,
        "new phone cards",
        include_str!("../migrations/0040_new_phone_cards.sql"),
    ),
    (
        41,
        "analysis groups",
        include_str!("../migrations/0041_analysis_groups.sql"),
    ),
    (
        42,
        "card closures",
        include_str!("../migrations/0042_card_closures.sql"),
    ),
    (
        43,
        "case supervision",
        include_str!("../migrations/0043_case_supervision.sql"),
    ),
    (
        44,
        "suspects wanted",
        include_str!("../migrations/0044_suspect_wanted.sql"),
    ),
    (
        45,
        "new card clerk",
        include_str!("../migrations/0045_new_card_clerk.sql"),
    ),
    (
        46,
        "warnings by instruction",
        include_str!("../migrations/0046_warnings_instruction_index.sql"),
    ),
    (
        47,
        "campaigns",
        include_str!("../migrations/0047_campaigns.sql"),
    ),
    (
        48,
        "card cleanups",
        include_str!("../migrations/0048_card_cleanups.sql"),
    ),
    (
        49,
        "cluster operations",
        include_str!("../migrations/0049_cluster_operations.sql"),
    ),
    (
        50,
        "alliance members",
        include_str!("../migrations/0050_alliance_members.sql"),
    ),
    (
        51,
        "model sites",
        include_str!("../migrations/0051_model_sites.sql"),
    ),
    (
        52,
        "joint office",
        include_str!("../migrations/0052_joint_office.sql"),
    ),
    (
        53,
        "outreach alliance member",
        include_str!("../migrations/0053_outreach_alliance_member.sql"),
    ),
    (
        54,
        "detection rules",
        include_str!("../migrations/0054_detection_rules.sql"),
    ),
    (
        55,
        "detection runs",
        include_str!("../migrations/0055_detection_runs.sql"),
    ),
    (
        56,
        "member liaisons",
        include_str!("../migrations/0056_joint_member_users.sql"),
    ),
    (
        57,
        "joint task SMS",
        include_str!("../migrations/0057_sms_joint_tasks.sql"),
    ),
    (
        58,
        "joint task reminders",
        include_str!("../migrations/0058_joint_task_reminders.sql"),
    ),
    (
        59,
        "joint task press",
        include_str!("../migrations/0059_joint_task_press.sql"),
    ),
    (
        60,
        "person case lookups",
        include_str!("../migrations/0060_person_case_lookups.sql"),
    ),
    (
        61,
        "card checks",
        include_str!("../migrations/0061_card_checks.sql"),
    ),
    (
        62,
        "key person control",
        include_str!("../migrations/0062_key_person_control.sql"),
    ),
    (
        63,
        "returnee checks",
        include_str!("../migrations/0063_returnee_checks.sql"),
    ),
    (
        64,
        "two card lead forwards",
        include_str!("../migrations/0064_two_card_lead_forwards.sql"),
    ),
    (
        65,
        "outreach lists",
        include_str!("../migrations/0065_outreach_lists.sql"),
    ),
    (
        66,
        "operator awareness",
        include_str!("../migrations/0066_operator_awareness.sql"),
    ),
    (
        67,
        "seized cards",
        include_str!("../migrations/0067_seized_cards.sql"),
    ),
    (
        68,
        "bulletin partners",
        include_str!("../migrations/0068_bulletin_partners.sql"),
    ),
    (
        69,
        "bank figures",
        include_str!("../migrations/0069_bank_figures.sql"),
    ),
    (
        70,
        "border crossing charge and insider role",
        include_str!("../migrations/0070_border_crossing_charge.sql"),
    ),
    (71, "tips", include_str!("../migrations/0071_tips.sql")),
    (
        72,
        "quizzes",
        include_str!("../migrations/0072_quizzes.sql"),
    ),
    (
        73,
        "app drives",
        include_str!("../migrations/0073_app_drives.sql"),
    ),
    (
        74,
        "case order sources",
        include_str!("../migrations/0074_case_order_sources.sql"),
    ),
    (
        75,
        "leak source tasks",
        include_str!("../migrations/0075_leak_source_tasks.sql"),
    ),
    (
        76,
        "team members",
        include_str!("../migrations/0076_team_members.sql"),
    ),
    (
        77,
        "fund warnings",
        include_str!("../migrations/0077_fund_warnings.sql"),
    ),
    (
        78,
        "cases solved elsewhere",
        include_str!("../migrations/0078_solved_elsewhere.sql"),
    ),
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// A migration's SQL with the backend's fragments filled in.
pub(crate) fn render(template: &str, backend: Backend) -> String {
    let mut sql = template
        .replace("{{ID_PK}}", backend.id_primary_key())
        .replace("{{BINARY_TEXT}}", backend.binary_text())
        .replace("{{AUDIT_APPEND_ONLY}}", backend.audit_append_only())
        .replace("{{EVENTS_APPEND_ONLY}}", backend.events_append_only());
    const RESYNC: &str = "{{RESYNC_ID:";
    while let Some(start) = sql.find(RESYNC) {
        let Some(len) = sql[start..].find("}}") else {
            break;
        };
        let table = sql[start + RESYNC.len()..start + len].to_string();
        sql.replace_range(start..start + len + 2, &backend.resync_identity(&table));
    }
    sql
}

/// The migrations for one backend, as sqlx's migrator consumes them.
#[derive(Debug)]
pub(crate) struct Migrations(pub Backend);

impl<'s> MigrationSource<'s> for Migrations {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, description, template)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    Cow::Owned(render(template, self.0)),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_each_other_and_every_placeholder_is_filled() {
        let mut last = 0;
        for (version, _, template) in MIGRATIONS {
            // One after the other: `migrate` reports one applied migration per version.
            assert_eq!(*version, last + 1, "migration {version} out of sequence");
            last = *version;
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let sql = render(template, backend);
                assert!(!sql.contains("{{"), "unfilled placeholder in {version}");
            }
        }
        assert_eq!(latest_version(), last);
    }

    #[test]
    fn rebuilt_tables_move_the_postgres_key_past_their_ids() {
        let template = "INSERT INTO t SELECT * FROM t_old;\n{{RESYNC_ID:t}}\nDROP TABLE t_old;";
        assert_eq!(
            render(template, Backend::Sqlite),
            "INSERT INTO t SELECT * FROM t_old;\n\nDROP TABLE t_old;"
        );
        let pg = render(template, Backend::Postgres);
        assert!(
            pg.contains("setval(pg_get_serial_sequence('t', 'id'), COALESCE((SELECT MAX(id) FROM t), 0) + 1, false);"),
            "{pg}"
        );
    }

    /// Replacing `case_suspects`' charge and role columns (0070) keeps every suspect's values,
    /// and the keys that point at the table, on SQLite (PostgreSQL alters columns in place).
    #[tokio::test]
    async fn replacing_the_suspects_columns_keeps_their_values() {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let run = |sql: String| sqlx::raw_sql(Box::leak(sql.into_boxed_str()));
        sqlx::raw_sql("PRAGMA foreign_keys = ON")
            .execute(&mut conn)
            .await
            .unwrap();
        for (version, _, template) in MIGRATIONS.iter().filter(|m| m.0 < 70) {
            run(render(template, Backend::Sqlite))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("migration {version}: {e}"));
        }
        // Two suspects of a case, one charged, one with a measure on record.
        sqlx::raw_sql(
            "PRAGMA foreign_keys = OFF; \
             INSERT INTO case_suspects (id, case_id, name, role, note, created_by, created_at, \
             updated_at, charge) VALUES (1, 'C1', '甲', 'card_seller', '', 'x', 1, 1, 'helping'), \
             (2, 'C1', '乙', 'cash_mule', '', 'x', 1, 1, NULL); \
             INSERT INTO suspect_measures (suspect_id, measure, measure_at, created_by, \
             created_at) VALUES (2, 'arrest', 5, 'x', 5); \
             PRAGMA foreign_keys = ON;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let last = MIGRATIONS.iter().find(|m| m.0 == 70).unwrap();
        run(render(last.2, Backend::Sqlite))
            .execute(&mut conn)
            .await
            .unwrap();
        let rows: Vec<(i64, String, Option<String>)> =
            sqlx::query_as("SELECT id, role, charge FROM case_suspects ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            rows,
            [
                (1, "card_seller".into(), Some("helping".into())),
                (2, "cash_mule".into(), None)
            ]
        );
        // The new codes are accepted, an unknown one still refused.
        sqlx::raw_sql("UPDATE case_suspects SET charge = 'border', role = 'insider' WHERE id = 1")
            .execute(&mut conn)
            .await
            .unwrap();
        assert!(
            sqlx::raw_sql("UPDATE case_suspects SET charge = 'theft' WHERE id = 1")
                .execute(&mut conn)
                .await
                .is_err()
        );
        // The measures still point at their suspects (the fixture has no case rows, so the
        // suspects' own key to `cases` is not checked).
        let dangling: Vec<(String,)> = sqlx::query_as(
            "SELECT \"table\" FROM pragma_foreign_key_check WHERE \"table\" = 'suspect_measures'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert!(dangling.is_empty(), "{dangling:?}");
    }

    #[test]
    fn postgres_paths_compare_bytewise() {
        let sql = render(MIGRATIONS[0].2, Backend::Postgres);
        assert!(sql.contains("path          TEXT COLLATE \"C\""), "{sql}");
    }
}
