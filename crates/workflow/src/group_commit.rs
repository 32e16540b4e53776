//! Group commit of officers' commands: concurrent [`LoopService::act`] calls queue here; a
//! batch's instructions are read in two queries, the state machine decides each command
//! separately, and every change of the batch is written in one transaction. Up to
//! [`MAX_IN_FLIGHT`] batches are under way at once, never two holding the same instruction.
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
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, RwLock};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::{self, JoinSet};

/// Changes per transaction at most.
const MAX_BATCH: usize = 64;

/// Batches being decided or committed at once. A commit waits mostly for the database (a
/// WAL flush, round trips), so while one batch waits the next is read and decided, and
/// PostgreSQL flushes several transactions' WAL together.
const MAX_IN_FLIGHT: usize = 4;

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
        let me = Arc::new(self);
        let mut waiting: VecDeque<Job> = VecDeque::new();
        // Ids of the batches being committed: a job for one of them waits, so commands on one
        // instruction are decided in the order they came, each against the one before.
        let mut busy: HashSet<String> = HashSet::new();
        let mut in_flight: JoinSet<Vec<Job>> = JoinSet::new();
        let mut batch_ids: HashMap<task::Id, Vec<String>> = HashMap::new();
        let mut open = true;
        loop {
            while waiting.len() < MAX_BATCH * 4 {
                match rx.try_recv() {
                    Ok(job) => waiting.push_back(job),
                    Err(_) => break,
                }
            }
            if in_flight.len() < MAX_IN_FLIGHT {
                let batch = take_batch(&mut waiting, &busy);
                if !batch.is_empty() {
                    let ids: Vec<String> = batch.iter().map(|j| j.id.clone()).collect();
                    busy.extend(ids.iter().cloned());
                    let me = me.clone();
                    let task = in_flight.spawn(async move { me.commit(batch).await });
                    batch_ids.insert(task.id(), ids);
                    continue;
                }
            }
            if !open && in_flight.is_empty() && waiting.is_empty() {
                return;
            }
            tokio::select! {
                job = rx.recv(), if open => match job {
                    Some(job) => waiting.push_back(job),
                    None => open = false,
                },
                Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                    let (task, retry) = match done {
                        Ok((task, retry)) => (task, retry),
                        // A batch that panicked dropped its jobs' reply channels, which
                        // answers their officers with an error; nothing of it is retried.
                        Err(e) => {
                            tracing::error!(error = %e, "instruction batch task failed");
                            (e.id(), Vec::new())
                        }
                    };
                    for id in batch_ids.remove(&task).unwrap_or_default() {
                        busy.remove(&id);
                    }
                    // Retries go first: they came before anything still waiting.
                    for job in retry.into_iter().rev() {
                        waiting.push_front(job);
                    }
                }
            }
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
            // Nobody calls a person whose case is settled: the open calls end with the change.
            cancel_calls: crate::notify::calls::is_final(state.status)
                .then(|| state.status_code().to_string()),
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

/// The next batch: at most [`MAX_BATCH`] jobs, one per instruction, none for an instruction
/// whose batch is still committing; the rest keep their order in `waiting`.
fn take_batch(waiting: &mut VecDeque<Job>, busy: &HashSet<String>) -> Vec<Job> {
    let mut batch = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut later = VecDeque::with_capacity(waiting.len());
    for job in waiting.drain(..) {
        if batch.len() < MAX_BATCH && !busy.contains(&job.id) && ids.insert(job.id.clone()) {
            batch.push(job);
        } else {
            later.push_back(job);
        }
    }
    *waiting = later;
    batch
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

#[cfg(test)]
mod tests {
    use super::*;
    use fanzha_store::Scope;

    fn job(id: &str, note: &str) -> Job {
        let actor = Actor {
            login: "commander".into(),
            unit_code: "330281".into(),
            scope: Scope::platform(),
        };
        let (reply, _) = oneshot::channel();
        Job::new(
            actor,
            id.into(),
            None,
            Vec::new(),
            Some(note.into()),
            0,
            reply,
        )
    }

    fn notes(jobs: &[Job]) -> Vec<&str> {
        jobs.iter().filter_map(|j| j.note.as_deref()).collect()
    }

    #[test]
    fn a_batch_takes_one_job_per_instruction_and_none_of_a_busy_one() {
        let mut waiting: VecDeque<Job> = [
            job("a", "a1"),
            job("b", "b1"),
            job("a", "a2"),
            job("c", "c1"),
            job("b", "b2"),
        ]
        .into_iter()
        .collect();
        let busy: HashSet<String> = ["c".to_string()].into_iter().collect();
        let batch = take_batch(&mut waiting, &busy);
        assert_eq!(notes(&batch), ["a1", "b1"]);
        let left: Vec<Job> = waiting.into_iter().collect();
        assert_eq!(
            notes(&left),
            ["a2", "c1", "b2"],
            "the rest keep their order"
        );
    }

    #[test]
    fn a_batch_is_capped() {
        let mut waiting: VecDeque<Job> = (0..MAX_BATCH + 5)
            .map(|k| job(&format!("i{k}"), &k.to_string()))
            .collect();
        let batch = take_batch(&mut waiting, &HashSet::new());
        assert_eq!(batch.len(), MAX_BATCH);
        assert_eq!(waiting.len(), 5);
        assert_eq!(waiting.front().and_then(|j| j.note.as_deref()), Some("64"));
    }
}
