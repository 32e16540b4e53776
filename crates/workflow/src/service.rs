//! The closed loop over the store: warnings in, instructions routed, commands checked by the
//! state machine and persisted as events, deadlines watched and escalated, every change
//! audited and announced to live subscribers (the dashboard's server-sent events).
//!
//! This is the only module of the crate that does I/O; the decisions it persists come from
//! [`Instruction::decide`], so the database and a replay can never disagree.

use crate::command::Command;
use crate::error::LoopError;
use crate::event::{Action, Event};
use crate::group_commit::{Committer, Job};
use crate::instruction::{Instruction, Status};
use crate::level::WarningLevel;
use crate::outcome::Outcome;
use crate::routing::{route, OrgTree, Route, RoutingPolicy};
use crate::sla::{SlaKind, SlaPolicy};
use fanzha_store::{
    EventRow, NewAuditEntry, NewInstruction, NewWarning, Projection, Scope, Store, StoreError,
    StoredInstruction,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Login recorded for automatic steps (routing, merging, escalation).
pub const SYSTEM: &str = "system";

/// A warning arriving from detection, the national center's push, or an analyst.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingWarning {
    /// Kept when given (idempotent re-delivery), generated otherwise.
    pub id: Option<String>,
    pub resident_id: Option<String>,
    pub msisdn: Option<String>,
    /// Division code of the residence; looked up from the resident when absent.
    pub residence_code: Option<String>,
    pub level: WarningLevel,
    pub fraud_type: Option<String>,
    pub score_permille: i64,
    /// `engine`, `national_push`, `manual`.
    pub source: String,
    pub signal_at: i64,
    pub evidence: serde_json::Value,
}

/// What happened to a received warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Received {
    pub warning_id: String,
    pub instruction_id: String,
    /// The unit that holds the instruction now.
    pub unit_code: String,
    /// Merged into an open instruction for the same person (no new instruction).
    pub merged: bool,
    /// The merge raised the instruction's level.
    pub raised: bool,
}

/// Who acts: a user for one unit, seeing that unit's subtree.
#[derive(Clone, Debug)]
pub struct Actor {
    pub login: String,
    pub unit_code: String,
    pub scope: Scope,
}

/// An instruction as a reader sees it.
#[derive(Clone, Debug, Serialize)]
pub struct InstructionView {
    #[serde(flatten)]
    pub stored: StoredInstruction,
    pub state: Instruction,
    pub events: Vec<Event>,
}

/// Announced to live subscribers after each committed change (and, from a detection worker,
/// relayed to the web server's live pages over the bus).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    Warning {
        warning_id: String,
        instruction_id: String,
        unit_code: String,
        level: u8,
        merged: bool,
    },
    Instruction {
        instruction_id: String,
        holder_unit: String,
        status: String,
        version: u64,
        action: String,
    },
    Escalated {
        instruction_id: String,
        to_unit: String,
        sla: SlaKind,
    },
    /// A joint-office task assigned or returned to a member department (committed by the web
    /// server, outside the closed loop; its contact is texted).
    JointTask {
        task_id: i64,
        /// The joint office's unit.
        unit_code: String,
        step: JointTaskStep,
    },
}

/// What happened to a joint-office task that the member department must hear of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JointTaskStep {
    /// A new task for the department.
    Assigned,
    /// Its progress report was returned: more to do by a new deadline.
    Returned,
    /// Still open past its deadline (催办), once per deadline.
    Overdue,
    /// Pressed by the office on an open task (督办), with what it asks.
    Pressed,
}

impl Notice {
    /// The unit whose subtree may see this notice (its ancestors see it too).
    pub fn unit_code(&self) -> &str {
        match self {
            Notice::Warning { unit_code, .. } => unit_code,
            Notice::Instruction { holder_unit, .. } => holder_unit,
            Notice::Escalated { to_unit, .. } => to_unit,
            Notice::JointTask { unit_code, .. } => unit_code,
        }
    }
}

/// The org tree in memory for routing and push-down checks (thousands of units at most).
#[derive(Clone, Debug, Default)]
pub struct UnitTree {
    parent: HashMap<String, Option<String>>,
}

impl UnitTree {
    pub async fn load(store: &Store) -> Result<UnitTree, StoreError> {
        let mut parent = HashMap::new();
        for root in store.units().roots().await? {
            for u in store.units().subtree(&root.code, None).await? {
                parent.insert(u.code, u.parent_code);
            }
        }
        Ok(UnitTree { parent })
    }

    /// Whether `unit` lies strictly below `ancestor`.
    pub fn is_below(&self, unit: &str, ancestor: &str) -> bool {
        let mut cur = self.parent(unit);
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            cur = self.parent(&c);
        }
        false
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }
}

impl OrgTree for UnitTree {
    fn contains(&self, code: &str) -> bool {
        self.parent.contains_key(code)
    }
    fn parent(&self, code: &str) -> Option<String> {
        self.parent.get(code).cloned().flatten()
    }
}

/// The closed-loop service. Cheap to share behind an `Arc`.
pub struct LoopService {
    store: Store,
    sla: SlaPolicy,
    routing: RoutingPolicy,
    tree: Arc<RwLock<UnitTree>>,
    notices: broadcast::Sender<Notice>,
    counter: AtomicU64,
    /// Which warnings become 96110 call tasks ([`crate::notify::calls`]).
    pub(crate) calls: crate::notify::calls::CallPolicy,
    /// Officers' commands, committed in groups (see [`crate::group_commit`]).
    jobs: mpsc::UnboundedSender<Job>,
}

impl LoopService {
    /// The default closed loop: DESIGN.md's deadlines, the first root unit as the center, red
    /// straight down, orange and yellow reviewed first.
    pub async fn standard(store: Store) -> Result<LoopService, LoopError> {
        let center = store
            .units()
            .roots()
            .await?
            .into_iter()
            .next()
            .map(|u| u.code)
            .unwrap_or_default();
        LoopService::new(store, SlaPolicy::default(), RoutingPolicy::new(center)).await
    }

    pub async fn new(
        store: Store,
        sla: SlaPolicy,
        routing: RoutingPolicy,
    ) -> Result<LoopService, LoopError> {
        let tree = Arc::new(RwLock::new(UnitTree::load(&store).await?));
        let (notices, _) = broadcast::channel(1024);
        let jobs = Committer {
            store: store.clone(),
            tree: tree.clone(),
            notices: notices.clone(),
        }
        .start();
        Ok(LoopService {
            store,
            sla,
            routing,
            tree,
            notices,
            counter: AtomicU64::new(0),
            calls: Default::default(),
            jobs,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn sla(&self) -> &SlaPolicy {
        &self.sla
    }

    /// Re-reads the org tree (after units were imported or moved).
    pub async fn reload_tree(&self) -> Result<(), LoopError> {
        let tree = UnitTree::load(&self.store).await?;
        *self.tree.write().unwrap_or_else(|e| e.into_inner()) = tree;
        Ok(())
    }

    /// The org tree as last loaded.
    pub fn tree(&self) -> std::sync::RwLockReadGuard<'_, UnitTree> {
        self.tree.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Live notices of committed changes.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    /// Announces a change committed outside the closed loop (a joint-office task) to the same
    /// subscribers: live pages, webhooks and the SMS dispatcher.
    pub fn announce(&self, n: Notice) {
        // No subscriber is fine: nobody is watching the dashboard.
        let _ = self.notices.send(n);
    }

    /// `PREFIX` + Asia/Shanghai time to the second + a per-process counter: readable on the
    /// phone, sortable, unique within a process; a clash across processes is a conflict the
    /// caller retries.
    fn new_id(&self, prefix: &str, now_ms: i64) -> String {
        let stamp = fanzha_core::time::shanghai_stamp(now_ms);
        let n = self.counter.fetch_add(1, Ordering::Relaxed) % 10_000;
        let salt = (now_ms.rem_euclid(1000) as u64 * 7 + n) % 10_000;
        format!("{prefix}{stamp}{salt:04}")
    }

    /// Records a warning and routes it: merges into the person's open instruction (raising its
    /// level when the new warning is more urgent) or issues a new instruction.
    ///
    /// The steps (warning stored, instruction issued or merged, warning linked, audited) are
    /// separate writes: should one after the first fail, the warning is stored without its
    /// instruction, and [`LoopService::resume`] completes it later (an import received again
    /// does so).
    pub async fn receive(
        &self,
        mut w: IncomingWarning,
        now_ms: i64,
    ) -> Result<Received, LoopError> {
        normalise_names(&mut w);
        let route = self.route_of(&mut w).await?;
        let warning_id = w.id.clone().unwrap_or_else(|| self.new_id("YJ", now_ms));
        self.store
            .warnings()
            .insert(&NewWarning {
                id: warning_id.clone(),
                resident_id: w.resident_id.clone(),
                msisdn: w.msisdn.clone(),
                unit_code: route.owner.clone(),
                level: w.level.number(),
                fraud_type: w.fraud_type.clone(),
                score_permille: w.score_permille.clamp(0, 1000),
                source: w.source.clone(),
                signal_at: w.signal_at,
                detected_at: now_ms,
                evidence: w.evidence.clone(),
            })
            .await?;
        self.complete(&w, warning_id, &route, now_ms).await
    }

    /// Completes the loop for a stored warning that has no instruction — one whose receiving
    /// stopped after the warning was stored (a database error, a crash): merges it into the
    /// person's open instruction or issues a new one, links, audits and announces it, exactly
    /// as [`LoopService::receive`] would have. Answers `None` when the warning has its
    /// instruction already (nothing to do); an unknown warning is `StoreError::NotFound`.
    pub async fn resume(
        &self,
        warning_id: &str,
        now_ms: i64,
    ) -> Result<Option<Received>, LoopError> {
        let stored = self
            .store
            .warnings()
            .get(&Scope::platform(), warning_id)
            .await?;
        if stored.instruction_id.is_some() {
            return Ok(None);
        }
        let level = WarningLevel::from_number(stored.level).ok_or_else(|| {
            LoopError::Store(StoreError::Corrupt {
                what: "warning level",
                detail: format!("{warning_id}: level {}", stored.level),
            })
        })?;
        let mut w = IncomingWarning {
            id: Some(stored.id.clone()),
            resident_id: stored.resident_id,
            msisdn: stored.msisdn,
            residence_code: None,
            level,
            fraud_type: stored.fraud_type,
            score_permille: stored.score_permille,
            source: stored.source,
            signal_at: stored.signal_at,
            evidence: stored.evidence,
        };
        let route = self.route_of(&mut w).await?;
        self.complete(&w, stored.id, &route, now_ms).await.map(Some)
    }

    /// Finds the person (by the phone's registered holder when only the phone is known) and
    /// routes the warning by residence.
    async fn route_of(&self, w: &mut IncomingWarning) -> Result<Route, LoopError> {
        // The national center's pushes name the phone: find its registered holder.
        if w.resident_id.is_none() {
            if let Some(phone) = &w.msisdn {
                if let Some(p) = self
                    .store
                    .people()
                    .by_phone(&Scope::platform(), phone)
                    .await?
                {
                    w.resident_id = Some(p.resident_id);
                    w.residence_code.get_or_insert(p.residence_code);
                }
            }
        }
        let residence = match (&w.residence_code, &w.resident_id) {
            (Some(code), _) => Some(code.clone()),
            (None, Some(rid)) => match self.store.people().get(&Scope::platform(), rid).await {
                Ok(p) => Some(p.residence_code),
                Err(StoreError::NotFound { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            (None, None) => None,
        };
        let tree = self.tree();
        Ok(route(residence.as_deref(), w.level, &*tree, &self.routing))
    }

    /// The steps after the warning is stored: merge or issue, link, audit, announce.
    async fn complete(
        &self,
        w: &IncomingWarning,
        warning_id: String,
        route: &Route,
        now_ms: i64,
    ) -> Result<Received, LoopError> {
        let open = match &w.resident_id {
            Some(rid) => self.store.instructions().open_for_resident(rid).await?,
            None => None,
        };
        let received = match open {
            Some(id) => self.merge(&id, &warning_id, w.level, now_ms).await?,
            None => {
                let id = self.new_id("ZL", now_ms);
                let deadlines = self.sla.deadlines(w.level, now_ms);
                let first = Event {
                    seq: 1,
                    at_ms: now_ms,
                    actor: SYSTEM.into(),
                    unit: route.unit.clone(),
                    note: None,
                    action: Action::Issued {
                        unit: route.unit.clone(),
                        level: w.level,
                        warning_id: warning_id.clone(),
                        deadlines,
                        review: route.review,
                    },
                };
                let state = Instruction::replay([&first])?;
                self.store
                    .instructions()
                    .create(&NewInstruction {
                        id: id.clone(),
                        resident_id: w.resident_id.clone(),
                        owner_unit: route.owner.clone(),
                        fraud_type: w.fraud_type.clone(),
                        issued_at: now_ms,
                        projection: projection(&state)?,
                        first_event: event_row(&first)?,
                    })
                    .await?;
                Received {
                    warning_id: warning_id.clone(),
                    instruction_id: id,
                    unit_code: route.unit.clone(),
                    merged: false,
                    raised: false,
                }
            }
        };
        self.store
            .warnings()
            .link_instruction(&warning_id, &received.instruction_id)
            .await?;
        self.audit(
            SYSTEM,
            "warning_received",
            "warning",
            &warning_id,
            &received.unit_code,
            serde_json::json!({
                "instruction_id": received.instruction_id,
                "level": w.level.number(),
                "source": w.source,
                "merged": received.merged,
                "raised": received.raised,
            }),
        )
        .await?;
        self.calls_after_receive(w, &received, now_ms).await;
        self.announce(Notice::Warning {
            warning_id,
            instruction_id: received.instruction_id.clone(),
            unit_code: received.unit_code.clone(),
            level: w.level.number(),
            merged: received.merged,
        });
        Ok(received)
    }

    async fn merge(
        &self,
        id: &str,
        warning_id: &str,
        level: WarningLevel,
        now_ms: i64,
    ) -> Result<Received, LoopError> {
        // Retry on a concurrent change: merging must not be lost to a race with an officer.
        for _ in 0..5 {
            let (stored, mut state) = self.load(&Scope::platform(), id).await?;
            let mut actions = vec![Action::WarningMerged {
                warning_id: warning_id.to_string(),
            }];
            let raised = level.more_urgent_than(state.level);
            if raised {
                actions.push(Action::LevelRaised {
                    level,
                    deadlines: self.sla.deadlines(level, now_ms),
                });
            }
            let mut events = Vec::new();
            for action in actions {
                let e = state.decide(
                    state.version,
                    now_ms,
                    SYSTEM,
                    &stored.projection.holder_unit,
                    None,
                    action,
                )?;
                state.apply(&e)?;
                events.push(e);
            }
            match self.persist(id, &stored, &state, &events).await {
                Ok(()) => {
                    return Ok(Received {
                        warning_id: warning_id.to_string(),
                        instruction_id: id.to_string(),
                        unit_code: state.holder_unit.clone(),
                        merged: true,
                        raised,
                    })
                }
                Err(LoopError::Store(StoreError::Conflict { .. })) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(LoopError::Busy(id.to_string()))
    }

    async fn load(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(StoredInstruction, Instruction), LoopError> {
        let stored = self.store.instructions().get(scope, id).await?;
        let state: Instruction =
            serde_json::from_str(&stored.projection.state).map_err(|e| LoopError::Corrupt {
                id: id.to_string(),
                detail: e.to_string(),
            })?;
        Ok((stored, state))
    }

    async fn persist(
        &self,
        id: &str,
        before: &StoredInstruction,
        state: &Instruction,
        events: &[Event],
    ) -> Result<(), LoopError> {
        self.persist_audited(id, before, state, events, &[]).await
    }

    /// Persists the events, the new projection and their audit entries in one transaction.
    async fn persist_audited(
        &self,
        id: &str,
        before: &StoredInstruction,
        state: &Instruction,
        events: &[Event],
        audit: &[NewAuditEntry],
    ) -> Result<(), LoopError> {
        let rows = events
            .iter()
            .map(event_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.store
            .instructions()
            .append_audited(
                id,
                before.projection.version,
                &rows,
                &projection(state)?,
                audit,
            )
            .await?;
        Ok(())
    }

    async fn events_of(&self, id: &str) -> Result<Vec<Event>, LoopError> {
        let rows = self.store.instructions().events_for_system(id).await?;
        rows.iter()
            .map(|r| serde_json::from_str::<Event>(&r.event))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| LoopError::Corrupt {
                id: id.to_string(),
                detail: e.to_string(),
            })
    }

    /// An instruction with its derived state and history, if it is held inside `scope`.
    pub async fn view(&self, scope: &Scope, id: &str) -> Result<InstructionView, LoopError> {
        let stored = self.store.instructions().get(scope, id).await?;
        // The scope was checked on the projection; the events belong to it.
        let events = self.events_of(id).await?;
        // The events are the truth: the cached state is re-derived from them on every view.
        let state = Instruction::replay(&events)?;
        Ok(InstructionView {
            stored,
            state,
            events,
        })
    }

    /// Applies an officer's commands to one instruction, in order, as one atomic change.
    /// `expected_version` is the version the officer saw (None: whatever is current, decided
    /// again if another change wins the race). Concurrent calls are committed together.
    pub async fn act(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<u64>,
        commands: &[Command],
        note: Option<String>,
        now_ms: i64,
    ) -> Result<InstructionView, LoopError> {
        if commands.is_empty() {
            return Err(LoopError::Invalid("no command given".into()));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job::new(
            actor.clone(),
            id.to_string(),
            expected_version,
            commands.to_vec(),
            note,
            now_ms,
            reply,
        );
        let stopped = || LoopError::Busy(id.to_string());
        self.jobs.send(job).map_err(|_| stopped())?;
        let view = answer.await.map_err(|_| stopped())??;
        self.calls_after_change(&view, now_ms).await;
        Ok(view)
    }

    /// Escalates every breached deadline once: the parent unit of the holder is alerted and
    /// the instruction marked overdue. Idempotent — an escalated deadline is never due again —
    /// so running it after a restart escalates what was missed exactly once.
    pub async fn escalate_due(&self, now_ms: i64) -> Result<Vec<Notice>, LoopError> {
        let mut done = Vec::new();
        loop {
            let ids = self.store.instructions().due(now_ms, 200).await?;
            if ids.is_empty() {
                break;
            }
            let mut progressed = false;
            for id in ids {
                match self.escalate_one(&id, now_ms).await {
                    Ok(mut notices) => {
                        progressed |= !notices.is_empty();
                        done.append(&mut notices);
                    }
                    // Someone acted meanwhile; the next round sees the new state.
                    Err(LoopError::Store(StoreError::Conflict { .. })) => progressed = true,
                    Err(e) => return Err(e),
                }
            }
            if !progressed {
                break;
            }
        }
        for n in &done {
            self.announce(n.clone());
        }
        Ok(done)
    }

    async fn escalate_one(&self, id: &str, now_ms: i64) -> Result<Vec<Notice>, LoopError> {
        let (stored, mut state) = self.load(&Scope::platform(), id).await?;
        let due = state.due_escalations(now_ms);
        let to_unit = self
            .tree()
            .parent(&state.holder_unit)
            .unwrap_or_else(|| state.holder_unit.clone());
        let mut events = Vec::new();
        let mut notices = Vec::new();
        for sla in due {
            let e = state.decide(
                state.version,
                now_ms,
                SYSTEM,
                &state.holder_unit,
                None,
                Action::Escalated {
                    sla,
                    to_unit: to_unit.clone(),
                },
            )?;
            state.apply(&e)?;
            events.push(e);
            notices.push(Notice::Escalated {
                instruction_id: id.to_string(),
                to_unit: to_unit.clone(),
                sla,
            });
        }
        if events.is_empty() {
            return Ok(notices);
        }
        let audit: Vec<NewAuditEntry> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::Escalated { sla, to_unit, .. } => Some(NewAuditEntry {
                    actor: SYSTEM.into(),
                    action: "instruction_escalated".into(),
                    target_type: "instruction".into(),
                    target_id: Some(id.to_string()),
                    unit_code: Some(stored.projection.holder_unit.clone()),
                    detail: serde_json::json!({"sla": sla, "to_unit": to_unit}),
                }),
                _ => None,
            })
            .collect();
        self.persist_audited(id, &stored, &state, &events, &audit)
            .await?;
        Ok(notices)
    }

    async fn audit(
        &self,
        actor: &str,
        action: &str,
        target_type: &str,
        target_id: &str,
        unit_code: &str,
        detail: serde_json::Value,
    ) -> Result<(), LoopError> {
        self.store
            .audit()
            .append(&NewAuditEntry {
                actor: actor.to_string(),
                action: action.to_string(),
                target_type: target_type.to_string(),
                target_id: Some(target_id.to_string()),
                unit_code: Some(unit_code.to_string()),
                detail,
            })
            .await?;
        Ok(())
    }
}

/// The queryable projection of a state.
pub fn projection(state: &Instruction) -> Result<Projection, LoopError> {
    let loss_fen = match state.outcome {
        Some(Outcome::Defrauded { loss_fen }) => loss_fen,
        _ => 0,
    };
    Ok(Projection {
        holder_unit: state.holder_unit.clone(),
        level: state.level.number(),
        status: state.status_code().to_string(),
        assignee: state.assignee.clone(),
        next_due_at: next_due_at(state),
        overdue: state.is_overdue(),
        open: state.status != Status::Closed,
        saved_fen: state.saved_fen,
        loss_fen,
        version: state.version as i64,
        state: serde_json::to_string(state).map_err(|e| LoopError::Invalid(e.to_string()))?,
    })
}

/// The earliest deadline that can still breach (not met, not escalated), if any.
pub fn next_due_at(state: &Instruction) -> Option<i64> {
    if state.status == Status::Closed {
        return None;
    }
    SlaKind::ALL
        .into_iter()
        .filter(|k| !state.escalated.contains(k))
        .filter(|k| match k {
            SlaKind::Sign => state.first_signed_at.is_none(),
            SlaKind::FirstContact => state.first_contact_at.is_none(),
            SlaKind::Close => state.closed_at.is_none(),
        })
        .map(|k| state.deadlines.of(k))
        .min()
}

pub(crate) fn event_row(e: &Event) -> Result<EventRow, LoopError> {
    Ok(EventRow {
        seq: e.seq as i64,
        at: e.at_ms,
        actor: e.actor.clone(),
        unit_code: e.unit.clone(),
        action: e.action.name().to_string(),
        event: serde_json::to_string(e).map_err(|err| LoopError::Invalid(err.to_string()))?,
    })
}

/// Stores one spelling of each name a sender may write several ways, so that searches and
/// statistics group them: a fraud type by its code (`虚假投资理财`, `investment` →
/// `fake_investment`) and a phone number in canonical form (`+86 138-1234-5678` →
/// `13812345678`). A value that does not parse is kept as it came.
fn normalise_names(w: &mut IncomingWarning) {
    if let Some(t) = &mut w.fraud_type {
        if let Ok(ft) = fanzha_core::FraudType::parse_label(t) {
            *t = ft.code().to_string();
        }
    }
    if let Some(m) = &mut w.msisdn {
        if let Ok(p) = fanzha_core::PhoneNumber::parse(m) {
            *m = p.canonical();
        }
    }
}
