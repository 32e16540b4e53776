//! What every long-running command of the platform runs beside its own work (`demo`, `serve`,
//! `worker`): the notification dispatchers of the closed loop, the deadline watch, and the wait
//! for the signal to stop (Ctrl-C, SIGTERM from a service manager, or a set duration).

use crate::error::{CliError, CliResult};
use fanzha_core::error_code::ErrorCode;
use fanzha_workflow::notify::{SmsConfig, SmsDispatcher};
use fanzha_workflow::{LoopService, WebhookConfig, WebhookDispatcher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The dispatchers of one process: each sends the notices of the changes this process commits.
pub struct Dispatchers {
    webhooks: fanzha_workflow::notify::DispatcherHandle,
    sms: fanzha_workflow::notify::SmsHandle,
}

impl Dispatchers {
    /// Webhook subscriptions (table `webhooks`) get every notice of their subtree, signed; SMS
    /// over SMPP (`FANZHA_SMPP_HOST`, …; off when unset) sends 反诈提醒 to the person on red
    /// warnings and 金钟罩 alerts to registered guardians. Call inside the runtime.
    pub fn start(service: &Arc<LoopService>) -> CliResult<Dispatchers> {
        Ok(Dispatchers::start_with(service, sms_from_env()?))
    }

    /// [`Dispatchers::start`] with the SMS settings given (the demo's simulated SMSC).
    pub fn start_with(service: &Arc<LoopService>, sms: SmsConfig) -> Dispatchers {
        Dispatchers {
            webhooks: WebhookDispatcher::spawn(service.clone(), WebhookConfig::default()),
            sms: SmsDispatcher::spawn(service.clone(), sms),
        }
    }

    /// Sends what is queued, then stops.
    pub async fn shutdown(self) {
        self.webhooks.shutdown().await;
        self.sms.shutdown().await;
    }
}

/// The SMS settings of the environment (`FANZHA_SMPP_HOST`, …; SMS off without a host).
pub fn sms_from_env() -> CliResult<SmsConfig> {
    SmsConfig::from_env()
        .map_err(|e| CliError::new(ErrorCode::ConfigInvalid, format!("SMPP settings: {e}")))
}

/// Escalates breached deadlines, and reminds joint-office member departments of tasks past
/// theirs, every few seconds (and once at start, for what passed while the platform was down)
/// until `running` is cleared.
pub async fn watch_deadlines(service: Arc<LoopService>, running: Arc<AtomicBool>) {
    while running.load(Ordering::Relaxed) {
        let now = fanzha_core::time::now_ms();
        if let Err(e) = service.escalate_due(now).await {
            tracing::warn!(error = %e, "deadline check failed");
        }
        if let Err(e) = fanzha_workflow::notify::remind_overdue(&service, now).await {
            tracing::warn!(error = %e, "joint task reminder check failed");
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

/// Returns on Ctrl-C, on SIGTERM (how service managers stop a process), or after
/// `duration_s` seconds when given.
pub async fn stopped(duration_s: Option<u64>) {
    let terminate = async {
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot watch SIGTERM; stop with Ctrl-C");
                    std::future::pending::<()>().await;
                }
            }
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await;
    };
    let elapsed = async {
        match duration_s {
            Some(s) => tokio::time::sleep(std::time::Duration::from_secs(s)).await,
            None => std::future::pending::<()>().await,
        }
    };
    let interrupted = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot watch Ctrl-C; stop with SIGTERM");
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = interrupted => tracing::info!("interrupted (Ctrl-C): stopping"),
        _ = terminate => tracing::info!("SIGTERM: stopping"),
        _ = elapsed => tracing::info!("the set duration has passed: stopping"),
    }
}
