//! Joint-office member departments (联席会议成员单位) are texted when the office assigns them a
//! task, returns their progress report or presses them on an open task (督办), and once when a
//! task is still open past its deadline (催办), at the contact phone the office keeps for them, so a department without an account
//! of its own still hears of its work in time.
//!
//! Reminders come from the deadline watch of every long-running process
//! ([`remind_overdue`]): each overdue open task is claimed once per deadline in the store, so
//! two processes never both remind it, and announced like the office's own steps.
//!
//! The web server announces [`Notice::JointTask`] after committing the step; the SMS listener
//! ([`super::guardians::listen`]) hands it to [`SmsDispatcher::queue_for_joint_task`], which
//! reads the task, its member and (for a return or a press) what the office said. Each
//! message carries the task's id, so the task's page shows whether it was delivered.

use crate::notify::sms::SmsDispatcher;
use crate::service::{JointTaskStep, LoopService, Notice};
use fanzha_core::time::to_shanghai;
use fanzha_store::{NewSms, Scope, SmsPurpose, Store, StoreError, Task, TaskEventKind};

/// Characters of a task's title or of the office's note kept in a message (an SMS of more than
/// 70 characters travels as one long message; the whole text stays on the task's page).
const MAX_QUOTED_CHARS: usize = 40;

fn quoted(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_QUOTED_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// A deadline as a Shanghai calendar day, `2026年12月31日`.
fn day(ms: i64) -> String {
    to_shanghai(ms).map_or_else(
        || "限期内".to_string(),
        |t| t.format("%Y年%-m月%-d日").to_string(),
    )
}

/// The text telling a department of a new task.
pub fn joint_task_assigned_text(office: &str, title: &str, due_at: i64) -> String {
    format!(
        "【反诈联席办】{office}反诈联席办向贵单位交办任务“{}”，请于{}前报送落实情况。",
        quoted(title),
        day(due_at)
    )
}

/// The text telling a department that its report was returned.
pub fn joint_task_returned_text(office: &str, title: &str, note: &str, due_at: i64) -> String {
    format!(
        "【反诈联席办】贵单位报送的“{}”落实情况被{office}反诈联席办退回：{}。请于{}前重新报送。",
        quoted(title),
        quoted(note),
        day(due_at)
    )
}

/// The text reminding a department of a task past its deadline.
pub fn joint_task_overdue_text(office: &str, title: &str, due_at: i64) -> String {
    format!(
        "【反诈联席办】{office}反诈联席办督办：贵单位承办的“{}”已超过完成时限（{}），请尽快报送落实情况。",
        quoted(title),
        day(due_at)
    )
}

/// The text of the office pressing a department on an open task, with what it asks.
pub fn joint_task_pressed_text(office: &str, title: &str, note: &str, due_at: i64) -> String {
    format!(
        "【反诈联席办】{office}反诈联席办督办：贵单位承办的“{}”请于{}前报送落实情况。{}",
        quoted(title),
        day(due_at),
        quoted(note)
    )
}

/// Open tasks read per round of the deadline watch; the rest wait for the next round.
const REMINDERS_PER_ROUND: usize = 500;

/// Announces a reminder for every open task past its deadline that was not reminded for that
/// deadline yet (claiming each in the store first); returns how many were announced.
pub async fn remind_overdue(service: &LoopService, now_ms: i64) -> Result<usize, StoreError> {
    let tasks = service.store().joint_tasks();
    let mut announced = 0;
    for t in tasks.to_remind(now_ms, REMINDERS_PER_ROUND).await? {
        if tasks.claim_reminder(&t).await? {
            service.announce(Notice::JointTask {
                task_id: t.id,
                unit_code: t.unit_code.clone(),
                step: JointTaskStep::Overdue,
            });
            announced += 1;
        }
    }
    Ok(announced)
}

impl SmsDispatcher {
    /// Queues the text a joint-office step calls for to the member department's contact, due
    /// at `now_ms`; returns the message's id, or `None` when the config turns these notices off
    /// or the contact's phone cannot take SMS (logged).
    pub async fn queue_for_joint_task(
        &self,
        task_id: i64,
        step: JointTaskStep,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        if !self.config().notify_joint_members {
            return Ok(None);
        }
        let store = self.store();
        let platform = Scope::platform();
        let task = store.joint_tasks().get(&platform, task_id).await?;
        let member = store
            .joint_office()
            .member(&platform, task.member_id)
            .await?;
        let office = match store.units().find(&task.unit_code).await? {
            Some(u) => u.name,
            None => String::new(),
        };
        let text = match step {
            JointTaskStep::Assigned => joint_task_assigned_text(&office, &task.title, task.due_at),
            JointTaskStep::Overdue => joint_task_overdue_text(&office, &task.title, task.due_at),
            JointTaskStep::Returned => {
                let note = last_note(store, &task, TaskEventKind::Returned).await?;
                let note = note.as_deref().unwrap_or("请补充落实情况");
                joint_task_returned_text(&office, &task.title, note, task.due_at)
            }
            JointTaskStep::Pressed => {
                let note = last_note(store, &task, TaskEventKind::Pressed).await?;
                let note = note.as_deref().unwrap_or("请抓紧落实");
                joint_task_pressed_text(&office, &task.title, note, task.due_at)
            }
        };
        let sms = NewSms {
            to_number: member.contact_phone.clone(),
            text,
            purpose: SmsPurpose::JointTask,
            instruction_id: None,
            warning_id: None,
            joint_task_id: Some(task.id),
        };
        match store.sms().enqueue(&sms, now_ms).await {
            Ok(id) => Ok(Some(id)),
            Err(StoreError::Invalid { .. }) => {
                tracing::warn!(
                    task = task.id,
                    member = member.id,
                    "member contact cannot take SMS; skipped"
                );
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// What the office wrote on the task's latest history entry of `kind`.
async fn last_note(
    store: &Store,
    task: &Task,
    kind: TaskEventKind,
) -> Result<Option<String>, StoreError> {
    let events = store.joint_tasks().events(task).await?;
    Ok(events
        .into_iter()
        .rev()
        .find(|e| e.kind == kind)
        .map(|e| e.note))
}

/// The task a notice asks to text about, if it is one.
pub(crate) fn joint_task_of(n: &Notice) -> Option<(i64, JointTaskStep)> {
    match n {
        Notice::JointTask { task_id, step, .. } => Some((*task_id, *step)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-31T15:59:59.999Z = the last millisecond of 2026-12-31 in Shanghai.
    const DUE: i64 = 1_798_732_799_999;

    #[test]
    fn assigned_text_names_the_office_the_task_and_the_shanghai_day() {
        let t = joint_task_assigned_text("余姚市", "组织全员安装国家反诈中心APP", DUE);
        assert!(t.starts_with("【反诈联席办】余姚市反诈联席办"), "{t}");
        assert!(t.contains("“组织全员安装国家反诈中心APP”"), "{t}");
        assert!(t.contains("2026年12月31日前报送"), "{t}");
    }

    #[test]
    fn returned_text_says_what_is_missing_and_long_quotes_are_cut() {
        let note = "缺少".to_string() + &"名单".repeat(40);
        let t = joint_task_returned_text("余姚市", "宣传", &note, DUE);
        assert!(t.contains("被余姚市反诈联席办退回：缺少名单"), "{t}");
        assert!(
            t.contains('…') && t.contains("2026年12月31日前重新报送"),
            "{t}"
        );
        assert_eq!(quoted(&note).chars().count(), MAX_QUOTED_CHARS);
        assert_eq!(quoted(" 两行\n文字 "), "两行 文字");
    }

    #[test]
    fn pressed_text_carries_what_the_office_asks() {
        let t = joint_task_pressed_text("余姚市", "宣传", "本周五前报送名单", DUE);
        assert!(t.contains("余姚市反诈联席办督办"), "{t}");
        assert!(
            t.contains("2026年12月31日前报送落实情况。本周五前报送名单"),
            "{t}"
        );
    }

    #[test]
    fn overdue_text_presses_for_the_report_with_the_deadline_passed() {
        let t = joint_task_overdue_text("余姚市", "宣传", DUE);
        assert!(t.contains("余姚市反诈联席办督办"), "{t}");
        assert!(t.contains("“宣传”已超过完成时限（2026年12月31日）"), "{t}");
    }
}
