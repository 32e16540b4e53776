//! What every handler can reach.

use crate::auth::session::Sessions;
use crate::auth::throttle::LoginThrottle;
use fanzha_store::{Scope, Store, StoreError};
use fanzha_workflow::{LoopError, LoopService};
use std::sync::Arc;

/// Time source; tests substitute a fixed or stepping clock.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub sessions: Arc<Sessions>,
    pub throttle: Arc<LoginThrottle>,
    pub clock: Arc<dyn Clock>,
    /// The closed loop: warnings in, instructions, deadlines.
    pub loop_service: Arc<LoopService>,
    /// The detection rules the live engine runs (edited and activated on the rules page).
    pub rules: Arc<crate::rules_lab::ActiveRules>,
    /// The 综合考核 scheme units are ranked by (indicators, weights, scoring).
    pub assessment: Arc<crate::assessment::Scheme>,
    /// Numbers the live detection engine should put on its lists (an operator executed a
    /// disposal); drained by the engine's thread.
    pub engine_feed: Arc<crate::engine_feed::EngineFeed>,
    /// Notices of changes another process committed (a detection worker's warnings, relayed
    /// over the bus): shown on the live pages with this process's own, never dispatched again.
    pub relayed: tokio::sync::broadcast::Sender<fanzha_workflow::Notice>,
    /// The signal archive of the platform's stream on this machine, if any (the rules page
    /// lists its days and test-runs drafts on them).
    pub archive: Option<crate::rules_lab::ArchiveSource>,
    /// Where `/api/v1/signals` publishes (the signal stream; `None`: pushes are refused).
    pub intake: Option<Arc<dyn crate::api::signals::SignalIntake>>,
    /// The address residents reach the public quiz pages at (`https://fz.example.gov.cn`), for
    /// the links and QR codes of quiz campaigns; `None`: the address the page was requested at.
    pub public_url: Option<String>,
    /// Unit → subtree scope, read on every request; kept a minute (units move only on import).
    scopes: Arc<std::sync::RwLock<std::collections::HashMap<String, (Scope, i64)>>>,
}

/// How long a cached scope is trusted.
const SCOPE_TTL_MS: i64 = 60_000;

impl AppState {
    /// The standard closed loop ([`LoopService::standard`]) with the activated detection rules.
    pub async fn new(store: Store) -> Result<Self, LoopError> {
        let service = LoopService::standard(store.clone()).await?;
        let state = AppState::with_loop(store, Arc::new(service));
        state.rules.load_latest(&state.store).await?;
        Ok(state)
    }

    pub fn with_loop(store: Store, loop_service: Arc<LoopService>) -> Self {
        AppState {
            store,
            sessions: Arc::default(),
            throttle: Arc::default(),
            clock: Arc::new(SystemClock),
            loop_service,
            rules: Arc::default(),
            archive: None,
            intake: None,
            public_url: None,
            assessment: Arc::default(),
            engine_feed: Arc::default(),
            relayed: tokio::sync::broadcast::channel(1024).0,
            scopes: Arc::default(),
        }
    }

    /// The unit `code` if it lies in the subtree of `own_unit`; a unit outside answers
    /// not-found, like any record outside the caller's area.
    /// Today in Asia/Shanghai by the state's clock; a clock outside the calendar's range is a
    /// bad request, as every page that reads the date says it.
    pub fn today(&self) -> Result<chrono::NaiveDate, crate::error::WebError> {
        fanzha_core::time::shanghai_date(self.clock.now_ms())
            .ok_or_else(|| crate::error::WebError::BadRequest("the clock is out of range".into()))
    }

    pub async fn unit_within(
        &self,
        own_unit: &str,
        code: &str,
    ) -> Result<fanzha_store::Unit, crate::error::WebError> {
        let own = self.scope_of(own_unit).await?;
        let unit = self.store.units().get(code).await?;
        if !own.contains_path(&unit.path) {
            return Err(crate::error::WebError::NotFound);
        }
        Ok(unit)
    }

    /// The scope a list is narrowed to: `unit` when given (it must lie in the subtree of
    /// `own_unit`, else not-found), `own_unit` otherwise; with the chosen unit's code.
    pub async fn narrowed_scope(
        &self,
        own_unit: &str,
        unit: Option<&str>,
    ) -> Result<(String, Scope), crate::error::WebError> {
        let code = match unit {
            Some(code) if code != own_unit => self.unit_within(own_unit, code).await?.code,
            _ => own_unit.to_string(),
        };
        let scope = self.scope_of(&code).await?;
        Ok((code, scope))
    }

    /// A unit's name for display; its code when the unit is unknown (or the look-up failed), so
    /// a page always shows something a person can act on.
    pub async fn unit_name(&self, code: &str) -> String {
        match self.store.units().find(code).await {
            Ok(Some(u)) => u.name,
            _ => code.to_string(),
        }
    }

    /// Unit names for a list: each unit looked up once however many rows name it.
    pub fn unit_names(&self) -> UnitNames<'_> {
        UnitNames {
            state: self,
            names: std::collections::HashMap::new(),
        }
    }

    /// The org subtree a user may see.
    pub async fn scope_of(&self, unit_code: &str) -> Result<Scope, StoreError> {
        let now = self.clock.now_ms();
        if let Some((scope, until)) = self
            .scopes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(unit_code)
        {
            if *until > now {
                return Ok(scope.clone());
            }
        }
        let scope = self.store.units().scope(unit_code).await?;
        self.scopes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(unit_code.to_string(), (scope.clone(), now + SCOPE_TTL_MS));
        Ok(scope)
    }
}

/// [`AppState::unit_name`] remembered per code, for the rows of one list or export.
pub struct UnitNames<'a> {
    state: &'a AppState,
    names: std::collections::HashMap<String, String>,
}

impl UnitNames<'_> {
    /// The unit's name for display (its code when unknown).
    pub async fn get(&mut self, code: &str) -> String {
        if let Some(n) = self.names.get(code) {
            return n.clone();
        }
        let n = self.state.unit_name(code).await;
        self.names.insert(code.to_string(), n.clone());
        n
    }
}
