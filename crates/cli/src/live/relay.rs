//! Notices between processes: a detection worker relays the closed loop's notices of what it
//! commits over the bus; the web server shows them on its live pages (`AppState::relayed`). At
//! most once — a notice only refreshes a page; the change itself is in the database, and each
//! process dispatches (webhooks, SMS) the notices of its own changes only.

use fanzha_bus::Bus;
use fanzha_workflow::Notice;
use tokio::sync::broadcast;

/// Relays this process's notices until the loop service is dropped.
pub async fn relay_out(mut notices: broadcast::Receiver<Notice>, bus: Bus) {
    loop {
        match notices.recv().await {
            Ok(n) => {
                let body = serde_json::to_vec(&n).unwrap_or_default();
                if let Err(e) = bus.publish_notice(body).await {
                    tracing::debug!(error = %e, "notice not relayed");
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "notices missed by the relay");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Shows the notices other processes relay on `notices` (subscribed by the caller, so none
/// relayed after the subscription is missed), until the bus connection closes.
pub async fn relay_in(mut notices: fanzha_bus::Notices, shown: broadcast::Sender<Notice>) {
    while let Some(body) = notices.next().await {
        match serde_json::from_slice::<Notice>(&body) {
            // No page listening is fine.
            Ok(n) => {
                let _ = shown.send(n);
            }
            Err(e) => tracing::debug!(error = %e, "a relayed notice is not one"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_workers_notice_reaches_the_web_servers_live_pages() {
        let Some(config) = fanzha_bus::testing::test_config() else {
            return;
        };
        let worker_bus = Bus::connect(&config).await.unwrap();
        let server_bus = Bus::connect(&config).await.unwrap();
        let (shown, mut page) = broadcast::channel(16);
        let inbound = tokio::spawn(relay_in(server_bus.notices().await.unwrap(), shown));
        let (committed, _) = broadcast::channel(16);
        let outbound = tokio::spawn(relay_out(committed.subscribe(), worker_bus.clone()));
        let notice = Notice::Warning {
            warning_id: "YJ20261205143000S42".into(),
            instruction_id: "ZL202612051430000001".into(),
            unit_code: "330281".into(),
            level: 1,
            merged: false,
        };
        committed.send(notice.clone()).unwrap();
        let got = tokio::time::timeout(Duration::from_secs(5), page.recv())
            .await
            .expect("relayed in time")
            .unwrap();
        assert_eq!(got, notice);
        outbound.abort();
        inbound.abort();
        worker_bus.delete_stream().await.unwrap();
    }
}
