//! Opening the database and handing out the repositories.

use crate::dialect::{redact_url, Backend};
use crate::error::{StoreError, StoreResult};
use crate::migrations::{self, Migrations};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::AnyPool;
use sqlx::Executor;
use std::time::Duration;

/// A pooled connection idle at least this long is pinged before it is handed out (a server
/// restart or a dropped link shows up there rather than as a failed query).
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(10);

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST/DB`.
    pub url: String,
    /// PostgreSQL only: work inside this schema (created if missing) instead of the default
    /// search path. Lets several platforms, or parallel tests, share one database.
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            schema: None,
            max_connections: 8,
        }
    }

    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }
}

/// What [`Store::migrate`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MigrationReport {
    /// Migrations applied by this call.
    pub applied: Vec<i64>,
    /// The schema version now in the database.
    pub version: i64,
}

/// The operational database: a connection pool plus the backend it talks to.
///
/// Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: write transactions of the closed loop queue here, in process,
    /// instead of colliding in SQLite's busy handler (which sleeps 1, 2, 5, 10 … ms and made
    /// the latency tail). Unused on PostgreSQL, whose row locks order writers.
    write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Connects to the database named by `url` (no schema change; see [`Store::migrate`]).
    pub async fn connect(url: &str) -> StoreResult<Store> {
        Store::connect_with(StoreOptions::new(url)).await
    }

    /// Connects, then brings the schema up to date.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect_with(options: StoreOptions) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(&options.url)?;
        let unavailable = |source| StoreError::Unavailable {
            url: redact_url(&options.url),
            source,
        };
        if let (Backend::Postgres, Some(schema)) = (backend, &options.schema) {
            // The schema must exist before pooled connections point their search path at it.
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&options.url)
                .await
                .map_err(unavailable)?;
            let sql = format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                crate::dialect::quote_ident(schema)
            );
            conn.execute(sql.as_str()).await.map_err(unavailable)?;
            sqlx::Connection::close(conn).await.map_err(unavailable)?;
        }
        let setup = backend.session_setup(options.schema.as_deref());
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            // sqlx pings every connection it hands out by default: one more round trip per
            // query (each group commit batch and each request read). A connection that was in
            // use a moment ago is alive; only one idle for a while is checked first.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE_FOR {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                let setup = setup.clone();
                Box::pin(async move {
                    for statement in &setup {
                        conn.execute(statement.as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect(&options.url)
            .await
            .map_err(unavailable)?;
        tracing::debug!(backend = backend.as_str(), url = %redact_url(&options.url), "store connected");
        Ok(Store {
            pool,
            backend,
            write_lock: std::sync::Arc::default(),
        })
    }

    /// Applies every migration not yet applied; running it again changes nothing.
    pub async fn migrate(&self) -> StoreResult<MigrationReport> {
        let migrator = Migrator::new(Migrations(self.backend)).await?;
        let before = self.applied_versions().await?;
        migrator.run(&self.pool).await?;
        let after = self.applied_versions().await?;
        let applied = after
            .iter()
            .copied()
            .filter(|v| !before.contains(v))
            .collect();
        Ok(MigrationReport {
            applied,
            version: after.iter().copied().max().unwrap_or(0),
        })
    }

    /// The schema version in the database (0 when never migrated).
    pub async fn schema_version(&self) -> StoreResult<i64> {
        Ok(self
            .applied_versions()
            .await?
            .into_iter()
            .max()
            .unwrap_or(0))
    }

    async fn applied_versions(&self) -> StoreResult<Vec<i64>> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(StoreError::query("schema version"))?;
        conn.ensure_migrations_table().await?;
        let applied = conn.list_applied_migrations().await?;
        Ok(applied.into_iter().map(|m| m.version).collect())
    }

    /// The newest schema version this build knows.
    pub fn latest_schema_version() -> i64 {
        migrations::latest_version()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Held across a write transaction on SQLite; `None` on PostgreSQL.
    pub(crate) async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        }
    }

    /// Opens a transaction that will write. SQLite: `BEGIN IMMEDIATE`, which takes the write
    /// lock up front and waits for it under the busy timeout. A plain (deferred) `BEGIN` that
    /// reads first and writes later fails at once with `SQLITE_BUSY` when another connection
    /// writes in between, because SQLite never waits to upgrade an open read transaction.
    pub(crate) async fn begin_write(
        &self,
        what: &'static str,
    ) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend.begin_write_statement() {
            Some(statement) => self.pool.begin_with(statement).await,
            None => self.pool.begin().await,
        };
        tx.map_err(StoreError::query(what))
    }

    /// Writes a consistent copy of an SQLite database to `path` while it is in use
    /// (`VACUUM INTO`: one read transaction, compacted, without the WAL). PostgreSQL is backed
    /// up with its own tool (`pg_dump`); asking it here is an error.
    pub async fn copy_sqlite_into(&self, path: &std::path::Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::invalid(
                "database_url",
                "VACUUM INTO copies SQLite databases only; back up PostgreSQL with pg_dump",
            ));
        }
        let target = path.to_string_lossy().replace('\'', "''");
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("vacuum into"))?;
        Ok(())
    }

    /// The connection pool, for queries no repository offers (tests, maintenance).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection; pending work finishes first.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn units(&self) -> crate::units::Units<'_> {
        crate::units::Units::new(self)
    }

    pub fn people(&self) -> crate::people::People<'_> {
        crate::people::People::new(self)
    }

    pub fn phones(&self) -> crate::phones::Phones<'_> {
        crate::phones::Phones::new(self)
    }

    pub fn accounts(&self) -> crate::accounts::Accounts<'_> {
        crate::accounts::Accounts::new(self)
    }

    /// The activated detection rules, every version.
    pub fn detection_rules(&self) -> crate::detection_rules::DetectionRules<'_> {
        crate::detection_rules::DetectionRules::new(self)
    }

    /// The runs of live detection on the signal stream.
    pub fn detection_runs(&self) -> crate::detection_runs::DetectionRuns<'_> {
        crate::detection_runs::DetectionRuns::new(self)
    }

    /// Who holds which phone number and account (the live engine's directory).
    pub fn holdings(&self) -> crate::holdings::Holdings<'_> {
        crate::holdings::Holdings::new(self)
    }

    pub fn users(&self) -> crate::users::Users<'_> {
        crate::users::Users::new(self)
    }

    pub fn audit(&self) -> crate::audit::Audit<'_> {
        crate::audit::Audit::new(self)
    }

    /// A writer for the batches of one file import (one transaction per 100,000 rows).
    pub fn import_writer(&self) -> crate::import_writer::ImportWriter<'_> {
        crate::import_writer::ImportWriter::new(self)
    }

    pub fn imports(&self) -> crate::imports::Imports<'_> {
        crate::imports::Imports::new(self)
    }

    pub fn warnings(&self) -> crate::warnings::Warnings<'_> {
        crate::warnings::Warnings::new(self)
    }

    pub fn instructions(&self) -> crate::instructions::Instructions<'_> {
        crate::instructions::Instructions::new(self)
    }

    pub fn cases(&self) -> crate::cases::Cases<'_> {
        crate::cases::Cases::new(self)
    }

    pub fn stop_payments(&self) -> crate::stop_payments::StopPayments<'_> {
        crate::stop_payments::StopPayments::new(self)
    }

    pub fn webhooks(&self) -> crate::webhooks::Webhooks<'_> {
        crate::webhooks::Webhooks::new(self)
    }

    pub fn sms(&self) -> crate::sms::SmsMessages<'_> {
        crate::sms::SmsMessages::new(self)
    }

    pub fn guardians(&self) -> crate::guardians::Guardians<'_> {
        crate::guardians::Guardians::new(self)
    }

    pub fn call_tasks(&self) -> crate::call_tasks::CallTasks<'_> {
        crate::call_tasks::CallTasks::new(self)
    }

    pub fn mule_accounts(&self) -> crate::mule_accounts::MuleAccounts<'_> {
        crate::mule_accounts::MuleAccounts::new(self)
    }

    pub fn key_persons(&self) -> crate::key_persons::KeyPersons<'_> {
        crate::key_persons::KeyPersons::new(self)
    }

    pub fn outreach(&self) -> crate::outreach::Outreach<'_> {
        crate::outreach::Outreach::new(self)
    }

    /// 提请惩戒 / 不准出境报备 and their decisions.
    pub fn key_person_proposals(&self) -> crate::key_person_proposals::KeyPersonProposals<'_> {
        crate::key_person_proposals::KeyPersonProposals::new(self)
    }

    /// Operators' monthly interception figures (运营商反制数据).
    pub fn operator_figures(&self) -> crate::operator_figures::OperatorFigures<'_> {
        crate::operator_figures::OperatorFigures::new(self)
    }

    /// Tips about fraud reported to the police (举报线索) and their checks.
    pub fn tips(&self) -> crate::tips::Tips<'_> {
        crate::tips::Tips::new(self)
    }

    /// 订单信息泄露溯源: the order a case's caller knew, and the shops and outlets shared.
    pub fn case_order_sources(&self) -> crate::case_order_sources::CaseOrderSources<'_> {
        crate::case_order_sources::CaseOrderSources::new(self)
    }

    /// 劝阻队伍: the "四位一体" team serving each village.
    pub fn team_members(&self) -> crate::team_members::TeamMembers<'_> {
        crate::team_members::TeamMembers::new(self)
    }

    /// 国家反诈中心APP推广: drives, their promoters and the residents they brought.
    pub fn app_drives(&self) -> crate::app_drives::AppDrives<'_> {
        crate::app_drives::AppDrives::new(self)
    }

    pub fn quiz_questions(&self) -> crate::quiz_questions::QuizQuestions<'_> {
        crate::quiz_questions::QuizQuestions::new(self)
    }

    pub fn quiz_campaigns(&self) -> crate::quiz_campaigns::QuizCampaigns<'_> {
        crate::quiz_campaigns::QuizCampaigns::new(self)
    }

    pub fn quiz_attempts(&self) -> crate::quiz_attempts::QuizAttempts<'_> {
        crate::quiz_attempts::QuizAttempts::new(self)
    }

    /// Banks' monthly figures (银行反诈数据): customers dissuaded, reminders pushed.
    pub fn bank_figures(&self) -> crate::bank_figures::BankFigures<'_> {
        crate::bank_figures::BankFigures::new(self)
    }

    /// Numbered bulletins (通报) to the units below, and their receipts.
    pub fn bulletins(&self) -> crate::bulletins::Bulletins<'_> {
        crate::bulletins::Bulletins::new(self)
    }

    /// Criminal cases filed per unit and month (刑事案件立案数).
    pub fn crime_counts(&self) -> crate::crime_counts::CrimeCounts<'_> {
        crate::crime_counts::CrimeCounts::new(self)
    }

    /// Targeted outreach lists (精准宣防名单) and what the visits found.
    pub fn outreach_lists(&self) -> crate::outreach_lists::OutreachLists<'_> {
        crate::outreach_lists::OutreachLists::new(self)
    }

    /// New-media outreach posts (新媒体宣传) and their views.
    pub fn outreach_posts(&self) -> crate::outreach_posts::OutreachPosts<'_> {
        crate::outreach_posts::OutreachPosts::new(self)
    }

    /// 劝阻话术 the center wrote, per fraud type.
    pub fn talking_points(&self) -> crate::talking_points::TalkingPoints<'_> {
        crate::talking_points::TalkingPoints::new(self)
    }

    /// 存量卡清理: requests to banks to check and clean the cards risky residents hold.
    pub fn card_cleanups(&self) -> crate::card_cleanups::CardCleanups<'_> {
        crate::card_cleanups::CardCleanups::new(self)
    }

    /// 涉诈号码处置: requests to operators to shut down, bar or intercept numbers.
    pub fn number_disposals(&self) -> crate::number_disposals::NumberDisposals<'_> {
        crate::number_disposals::NumberDisposals::new(self)
    }

    pub fn two_card_leads(&self) -> crate::two_card_leads::TwoCardLeads<'_> {
        crate::two_card_leads::TwoCardLeads::new(self)
    }

    /// 预警推送: pushed warnings' upstream identity, the imported lists and the feedback.
    pub fn solved_elsewhere(&self) -> crate::solved_elsewhere::SolvedElsewhereCases<'_> {
        crate::solved_elsewhere::SolvedElsewhereCases::new(self)
    }

    pub fn fund_warnings(&self) -> crate::fund_warnings::FundWarnings<'_> {
        crate::fund_warnings::FundWarnings::new(self)
    }

    pub fn warning_pushes(&self) -> crate::warning_pushes::WarningPushes<'_> {
        crate::warning_pushes::WarningPushes::new(self)
    }

    /// 打击成效: cases' investigation status, suspects and measures, gangs dismantled.
    pub fn campaigns(&self) -> crate::campaigns::Campaigns<'_> {
        crate::campaigns::Campaigns::new(self)
    }

    /// 反诈示范点: the titles awarded to the units of an area.
    pub fn model_sites(&self) -> crate::model_sites::ModelSites<'_> {
        crate::model_sites::ModelSites::new(self)
    }

    /// 联席办: member departments, responsibility letters, meetings, spot checks.
    pub fn joint_office(&self) -> crate::joint_office::JointOffice<'_> {
        crate::joint_office::JointOffice::new(self)
    }

    /// 联席办 任务清单: tasks assigned to member departments, their reports and acceptance.
    pub fn joint_tasks(&self) -> crate::joint_tasks::JointTasks<'_> {
        crate::joint_tasks::JointTasks::new(self)
    }

    /// 企业反诈联盟: the enterprises of the alliance and what the platform knows of them.
    pub fn alliance(&self) -> crate::alliance::Alliance<'_> {
        crate::alliance::Alliance::new(self)
    }

    /// 集群战役: coordinated strikes on a case cluster, their targets and results.
    pub fn cluster_operations(&self) -> crate::cluster_operations::ClusterOperations<'_> {
        crate::cluster_operations::ClusterOperations::new(self)
    }

    pub fn enforcement(&self) -> crate::enforcement::Enforcement<'_> {
        crate::enforcement::Enforcement::new(self)
    }

    /// New-card screening (新开卡审查): the banks' lists, screened, and their review.
    pub fn new_cards(&self) -> crate::new_cards::NewCards<'_> {
        crate::new_cards::NewCards::new(self)
    }

    /// The supervision register (督导整治: 约谈, 挂牌整治, 警示单 …).
    pub fn supervision(&self) -> crate::supervision::SupervisionRegister<'_> {
        crate::supervision::SupervisionRegister::new(self)
    }

    /// The employer notices (提示单) of public-sector victims' cases.
    pub fn employer_notices(&self) -> crate::employer_notices::EmployerNotices<'_> {
        crate::employer_notices::EmployerNotices::new(self)
    }

    /// Analysis groups (分类研判组) per fraud type, their members and figures.
    pub fn analysis_groups(&self) -> crate::analysis_groups::AnalysisGroups<'_> {
        crate::analysis_groups::AnalysisGroups::new(self)
    }

    /// The typical cases (典型案例) picked to warn others.
    pub fn typical_cases(&self) -> crate::typical_cases::TypicalCases<'_> {
        crate::typical_cases::TypicalCases::new(self)
    }
}

/// Now, as epoch milliseconds UTC.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
