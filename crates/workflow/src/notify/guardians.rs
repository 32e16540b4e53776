//! 金钟罩 joint defense: when a person receives a warning, their registered guardians are told by
//! SMS, in the name of the person's grid unit; a red warning also sends the person a 反诈提醒.
//!
//! The listener follows [`LoopService::subscribe`] like the webhook dispatcher: for each new
//! [`Notice::Warning`] it reads the warning, its person and the person's guardians (scoped
//! through the person's unit) and queues the messages; the SMS worker sends them. A warning
//! merged into an instruction that is already open queues nothing: the people it concerns
//! were told when the instruction opened.
//! The same listener hands each [`Notice::JointTask`] to [`super::joint_tasks`].

use crate::notify::joint_tasks::joint_task_of;
use crate::notify::sms::{now_ms, stopped, SmsDispatcher};
use crate::service::{LoopService, Notice};
use fanzha_core::FraudType;
use fanzha_store::{NewSms, Person, Scope, SmsPurpose, StoreError, StoredWarning};
use std::sync::Arc;
use tokio::sync::{broadcast, watch, Notify};

/// The level number of a red warning (fraud in progress).
const RED: u8 = 1;

/// A name with all but its first character masked: 张三 → 张*, 欧阳娜娜 → 欧***.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => "*".into(),
    }
}

/// The fraud type in Chinese for a message, or a general hint when unknown.
pub fn fraud_hint(fraud_type: Option<&str>) -> String {
    match fraud_type.map(FraudType::parse_label) {
        Some(Ok(t)) if t.is_fraud() && t != FraudType::Other => format!("“{}”类", t.zh()),
        _ => "电信网络".into(),
    }
}

/// The 金钟罩 alert to a guardian.
pub fn guardian_alert_text(
    person_name: &str,
    relationship: &str,
    fraud_type: Option<&str>,
    unit_name: &str,
) -> String {
    format!(
        "【反诈预警】您登记守护的家人{}（{}）疑似正遭遇{}诈骗，{}正在劝阻处置。请立即联系家人核实，提醒其切勿转账汇款、切勿透露验证码。如有疑问请拨打{}。",
        mask_name(person_name),
        relationship,
        fraud_hint(fraud_type),
        unit_name,
        fanzha_core::hotline::number()
    )
}

/// The 反诈提醒 to the person of a red warning.
pub fn warning_to_person_text(fraud_type: Option<&str>, unit_name: &str) -> String {
    format!(
        "【反诈提醒】您可能正在遭遇{}诈骗！请立即停止转账汇款，不要向陌生人透露验证码或下载陌生软件。{}工作人员将与您联系。如有疑问请拨打{}。",
        fraud_hint(fraud_type),
        unit_name,
        fanzha_core::hotline::number()
    )
}

impl SmsDispatcher {
    /// Queues the messages a new warning calls for, due at `now_ms`: a 金钟罩 alert to each
    /// guardian of a registered person, and a 反诈提醒 to the person when the warning is red
    /// (each as the config allows). Returns the new messages' ids; a warning without a known
    /// person queues nothing.
    pub async fn queue_for_warning(
        &self,
        warning_id: &str,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let store = self.store();
        let platform = Scope::platform();
        let warning: StoredWarning = store.warnings().get(&platform, warning_id).await?;
        let Some(resident_id) = warning.resident_id.as_deref() else {
            return Ok(Vec::new());
        };
        let person: Person = match store.people().get(&platform, resident_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        // The grid unit the person lives in; it also scopes the guardians read.
        let (unit_name, scope) = match store.units().find(&person.unit_code).await? {
            Some(u) => (u.name, store.units().scope(&u.code).await?),
            None => ("属地派出所".to_string(), platform.clone()),
        };
        let fraud_type = warning.fraud_type.as_deref();
        let mut queued = Vec::new();
        let config = self.config();
        if config.alert_guardians && person.joint_defense_registered {
            for g in store.guardians().for_resident(&scope, resident_id).await? {
                let sms = NewSms {
                    to_number: g.phone.clone(),
                    text: guardian_alert_text(
                        &person.name,
                        &g.relationship,
                        fraud_type,
                        &unit_name,
                    ),
                    purpose: SmsPurpose::GuardianAlert,
                    instruction_id: warning.instruction_id.clone(),
                    warning_id: Some(warning.id.clone()),
                    joint_task_id: None,
                };
                match store.sms().enqueue(&sms, now_ms).await {
                    Ok(id) => queued.push(id),
                    Err(StoreError::Invalid { .. }) => {
                        tracing::warn!(guardian = g.id, "guardian phone cannot take SMS; skipped")
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        if config.warn_person_on_red && warning.level == RED {
            let number = person.phone.clone().or_else(|| warning.msisdn.clone());
            if let Some(number) = number {
                let sms = NewSms {
                    to_number: number,
                    text: warning_to_person_text(fraud_type, &unit_name),
                    purpose: SmsPurpose::WarningToPerson,
                    instruction_id: warning.instruction_id.clone(),
                    warning_id: Some(warning.id.clone()),
                    joint_task_id: None,
                };
                match store.sms().enqueue(&sms, now_ms).await {
                    Ok(id) => queued.push(id),
                    Err(StoreError::Invalid { .. }) => {
                        tracing::warn!(warning = %warning.id, "person's phone cannot take SMS; skipped")
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(queued)
    }
}

/// Queues SMS for new warnings and joint-office task steps until stopped.
pub(crate) async fn listen(
    dispatcher: SmsDispatcher,
    _service: Arc<LoopService>,
    mut notices: broadcast::Receiver<Notice>,
    mut stop: watch::Receiver<bool>,
    wake: Arc<Notify>,
) {
    loop {
        let notice = tokio::select! {
            _ = stopped(&mut stop) => return,
            n = notices.recv() => n,
        };
        let notice = match notice {
            Ok(n) => n,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::error!(missed, "SMS listener fell behind; warnings were not texted");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if let Some((task_id, step)) = joint_task_of(&notice) {
            match dispatcher
                .queue_for_joint_task(task_id, step, now_ms())
                .await
            {
                Ok(Some(_)) => wake.notify_one(),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(task = task_id, error = %e, "joint task SMS could not be queued")
                }
            }
            continue;
        }
        let Notice::Warning {
            warning_id, merged, ..
        } = notice
        else {
            continue;
        };
        if merged {
            continue;
        }
        match dispatcher.queue_for_warning(&warning_id, now_ms()).await {
            Ok(ids) if !ids.is_empty() => wake.notify_one(),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(warning = %warning_id, error = %e, "warning SMS could not be queued")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "*");
    }

    #[test]
    fn alert_names_the_unit_the_type_and_96110_but_not_the_full_name() {
        let t = guardian_alert_text("王小明", "儿子", Some("fake_investment"), "舜水社区");
        assert!(t.contains("王**") && !t.contains("王小明"), "{t}");
        assert!(t.contains("虚假投资理财") && t.contains("舜水社区") && t.contains("96110"));
        assert!(guardian_alert_text("王小明", "儿子", None, "x").contains("电信网络"));
        let p = warning_to_person_text(Some("impersonating_police"), "阳明街道");
        assert!(p.contains("冒充公检法") && p.contains("96110"), "{p}");
    }
}
