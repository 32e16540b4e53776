//! Group commit of officers' commands: concurrent [`LoopService::act`] calls queue here, and one
//! task reads their instructions in two queries, lets the state machine decide each command
//! separately, and writes every change in one transaction.
//!
//! Under load this turns seven database round trips per command into seven per batch, which
//! is what lets a county's whole staff sign and feed back at once. Each change keeps its own
//! guarantees: decided against the state replayed from its events, committed only if the
//! instruction still has that version (else a conflict for that change alone), its audit
//! entries in the same transaction. When idle a command is committed alone, so latency does
//! not wait for company.
//!
//! [`LoopService::act`]: crate::service::LoopService::act

use crate::command::Command;
use crate::error::LoopError;
use crate::event::{Action, Event};
use crate::instruction::Instruction;
use crate::routing::OrgTree;
use crate::service::{event_row, projection, Actor, InstructionView, Notice, UnitTree};
use fanzha_store::{
    InstructionChange, LoadedInstruction, NewAuditEntry, Store, StoreError, StoredInstruction,
};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Changes per transaction at most.
const MAX_BATCH: usize = 64;

/// A change that lost a race and named no version is decided again this often.
const RETRIES: u8 = 3;

/// One officer's commands for one instruction, waiting for the next batch.
pub(crate) struct Job {
    pub actor: Actor,
    pub id: String,
    pub expected_version: Option<u64>,
    pub commands: Vec<Command>,
    pub note: Option<String>,
    pub now_ms: i64,
    pub reply: oneshot::Sender<Result<InstructionView, LoopError>>,
    retries: u8,
}

impl Job {
    pub fn new(
        actor: Actor,
        id: String,
        expected_version: Option<u64>,
        commands: Vec<Command>,
        note: Option<String>,
        now_ms: i64,
        reply: oneshot::Sender<Result<InstructionView, LoopError>>,
    ) -> Job {
        Job {
            actor,
            id,
            expected_version,
            commands,
            note,
            now_ms,
            reply,
            retries: 0,
        }
    }
}

/// What the committing task needs of the service.
pub(crate) struct Committer {
    pub store: Store,
    pub tree: Arc<RwLock<UnitTree>>,
    pub notices: broadcast::Sender<Notice>,
}

/// A decided change waiting for its transaction.
struct Decided {
    job: Job,
    decision: Decision,
}

/// What the state machine decided for one job.
struct Decision {
    stored: StoredInstruction,
    earlier: Vec<Event>,
    state: Instruction,
    events: Vec<Event>,
    change: InstructionChange,
}

impl Committer {
    /// Starts the committing task; it ends when every sender is dropped.
    pub fn start(self) -> mpsc::UnboundedSender<Job> {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(self.run(rx));
        tx
    }

    async fn run(self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let mut waiting: VecDeque<Job> = VecDeque::new();
        loop {
            if waiting.is_empty() {
                match rx.recv().await {
                    Some(job) => waiting.push_back(job),
                    None => return,
                }
            }
            while waiting.len() < MAX_BATCH * 2 {
                match rx.try_recv() {
                    Ok(job) => waiting.push_back(job),
                    Err(_) => break,
                }
            }
            // One change per instruction per batch; a second command for the same instruction
            // waits for the next batch and is decided against the first one's result.
            let mut batch = Vec::new();
            let mut ids = HashSet::new();
            let mut later = VecDeque::new();
            for job in waiting.drain(..) {
                if batch.len() < MAX_BATCH && ids.insert(job.id.clone()) {
                    batch.push(job);
                } else {
                    later.push_back(job);
                }
            }
            let retry = self.commit(batch).await;
            waiting = retry.into_iter().collect();
            waiting.extend(later);
        }
    }

    /// Decides and commits one batch; answers every job except those to decide again.
    async fn commit(&self, batch: Vec<Job>) -> Vec<Job> {
        let ids: Vec<&str> = batch.iter().map(|j| j.id.as_str()).collect();
        let mut loaded = match self.store.instructions().load_many(&ids).await {
            Ok(l) => l,
            Err(e) => {
                for job in batch {
                    let _ = job.reply.send(Err(e.shared_copy().into()));
                }
                return Vec::new();
            }
        };
        let mut decided = Vec::with_capacity(batch.len());
        for job in batch {
            let l = loaded.remove(&job.id);
            match self.decide(&job, l) {
                Ok(decision) => decided.push(Decided { job, decision }),
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                }
            }
        }
        let changes: Vec<InstructionChange> =
            decided.iter().map(|d| d.decision.change.clone()).collect();
        let results = self.store.instructions().commit_many(&changes).await;
        let mut retry = Vec::new();
        for (d, result) in decided.into_iter().zip(results) {
            match result {
                Ok(()) => self.answer(d),
                Err(StoreError::Conflict { .. })
                    if d.job.expected_version.is_none() && d.job.retries < RETRIES =>
                {
                    let mut job = d.job;
                    job.retries += 1;
                    retry.push(job);
                }
                Err(e) => {
                    let _ = d.job.reply.send(Err(e.into()));
                }
            }
        }
        retry
    }

    /// Checks the scope, replays the events and lets the state machine decide each command.
    fn decide(&self, job: &Job, loaded: Option<LoadedInstruction>) -> Result<Decision, LoopError> {
        let not_found = || {
            LoopError::Store(StoreError::NotFound {
                what: "instruction",
                key: job.id.clone(),
            })
        };
        let l = loaded.ok_or_else(not_found)?;
        let visible = match &l.holder_path {
            Some(path) => job.actor.scope.contains_path(path),
            // A holder outside the org tree is seen by the whole platform only.
            None => job.actor.scope.unit_code().is_none(),
        };
        if !visible {
            return Err(not_found());
        }
        let earlier = l
            .events
            .iter()
            .map(|r| serde_json::from_str::<Event>(&r.event))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| LoopError::Corrupt {
                id: job.id.clone(),
                detail: e.to_string(),
            })?;
        // The events are the truth: the state is replayed, not read from the projection.
        let mut state = Instruction::replay(&earlier)?;
        let before = state.version;
        let expected = job.expected_version.unwrap_or(before);
        let mut events = Vec::with_capacity(job.commands.len());
        {
            let tree = self.tree.read().unwrap_or_else(|e| e.into_inner());
            for (i, command) in job.commands.iter().enumerate() {
                let action = authorize(&tree, &job.actor, &state, command)?;
                let version = if i == 0 { expected } else { state.version };
                let e = state.decide(
                    version,
                    job.now_ms,
                    &job.actor.login,
                    &job.actor.unit_code,
                    job.note.clone(),
                    action,
                )?;
                state.apply(&e)?;
                events.push(e);
            }
        }
        let audit: Vec<NewAuditEntry> = events
            .iter()
            .map(|e| NewAuditEntry {
                actor: job.actor.login.clone(),
                action: format!("instruction_{}", e.action.name()),
                target_type: "instruction".into(),
                target_id: Some(job.id.clone()),
                unit_code: Some(l.stored.projection.holder_unit.clone()),
                detail: serde_json::json!({"seq": e.seq, "action": e.action, "note": e.note}),
            })
            .collect();
        let change = InstructionChange {
            id: job.id.clone(),
            expected_version: before as i64,
            events: events.iter().map(event_row).collect::<Result<_, _>>()?,
            projection: projection(&state)?,
            audit,
        };
        Ok(Decision {
            stored: l.stored,
            earlier,
            state,
            events,
            change,
        })
    }

    /// Announces a committed change and answers its officer from what was committed.
    fn answer(&self, done: Decided) {
        let Decided { job, decision: d } = done;
        let id = job.id.clone();
        let last = d.events.last().map(|e| e.action.name()).unwrap_or_default();
        // No subscriber is fine: nobody is watching the dashboard.
        let _ = self.notices.send(Notice::Instruction {
            instruction_id: id,
            holder_unit: d.state.holder_unit.clone(),
            status: d.state.status_code().to_string(),
            version: d.state.version,
            action: last.to_string(),
        });
        let mut events = d.earlier;
        events.extend(d.events);
        let updated_at = job.now_ms;
        let view = InstructionView {
            stored: StoredInstruction {
                updated_at,
                projection: d.change.projection,
                ..d.stored
            },
            state: d.state,
            events,
        };
        let _ = job.reply.send(Ok(view));
    }
}

/// Turns a command into an action after the checks the state machine cannot make: where
/// an instruction may be pushed, who may be assigned.
fn authorize(
    tree: &UnitTree,
    actor: &Actor,
    state: &Instruction,
    command: &Command,
) -> Result<Action, LoopError> {
    Ok(match command {
        Command::Delegate { to_unit } => {
            if !tree.is_below(to_unit, &state.holder_unit) {
                return Err(LoopError::Invalid(format!(
                    "unit `{to_unit}` is not below `{}`: an instruction is pushed down its own subtree",
                    state.holder_unit
                )));
            }
            Action::Delegated {
                to_unit: to_unit.clone(),
            }
        }
        Command::ApproveReview { to_unit } => {
            let unit = to_unit.clone().unwrap_or_else(|| state.holder_unit.clone());
            if !tree.contains(&unit) {
                return Err(LoopError::Invalid(format!("unknown unit `{unit}`")));
            }
            Action::ReviewApproved { unit }
        }
        Command::Assign { user } => {
            if user.trim().is_empty() {
                return Err(LoopError::Invalid("assignee is empty".into()));
            }
            Action::Assigned { user: user.clone() }
        }
        other => other.to_action(actor),
    })
}
