//! SMS over SMPP 3.4: queued messages are submitted to the operator's SMSC with a delivery
//! receipt requested, and the receipts (`deliver_sm` with `stat:DELIVRD`, `UNDELIV`, …) settle
//! them.
//!
//! Two tasks run per [`SmsDispatcher::spawn`]:
//! - the *listener* ([`super::guardians`]) turns warnings into messages: a 反诈提醒 to the
//!   person of a red warning, and a 金钟罩 alert to each registered guardian;
//! - the *worker* submits due messages over one bound transceiver session, reconnecting when
//!   the session is lost. A submission the SMSC did not accept (unreachable, bind refused, an
//!   error status) is retried after the next delay of [`SmsConfig::retry_delays`] and, after
//!   the last one, dead.
//!
//! Text goes out as UCS-2 (`data_coding` 8), so Chinese is carried exactly. Up to 70
//! characters fit `short_message`; a longer text travels whole in the `message_payload` TLV,
//! so one submission, one SMSC message id and one receipt stand for the whole text.
//!
//! Receipts are matched to messages by the SMSC's message id (the `receipted_message_id` TLV,
//! else the `id:` field of the receipt text). A receipt that arrives before its submission has
//! been recorded waits in memory until it is.

use crate::notify::guardians;
use crate::service::LoopService;
use fanzha_store::{SmsMessage, SmsState, Store, StoreError};
use futures_util::StreamExt;
use rusmpp::pdus::{BindTransceiver, DeliverSm, DeliverSmResp, SubmitSm};
use rusmpp::tlvs::{MessageSubmissionRequestTlvValue, TlvValue};
use rusmpp::types::{AnyOctetString, COctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, InterfaceVersion, MessagePayload, MessageState, MessageType, Npi,
    RegisteredDelivery, Ton,
};
use rusmpp::{CommandId, Pdu};
use rusmppc::{Client, ConnectionBuilder, Event};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Mutex, Notify};
use tokio::task::JoinHandle;

/// Octets that fit `short_message`; longer texts go in `message_payload`.
pub const SHORT_MESSAGE_OCTETS: usize = 140;
/// Unmatched receipts kept in memory at most.
const MAX_ORPHAN_RECEIPTS: usize = 10_000;

/// Where and as whom to bind.
#[derive(Clone)]
pub struct SmppConfig {
    pub host: String,
    pub port: u16,
    /// Up to 15 characters.
    pub system_id: String,
    /// Up to 8 characters.
    pub password: String,
    /// The sender shown on phones (the center's number or short code), up to 20 characters.
    pub source_addr: String,
    /// How long to wait for `bind_resp` and each `submit_sm_resp`.
    pub response_timeout: Duration,
    /// How often the session is kept alive with `enquire_link`.
    pub enquire_link_interval: Duration,
}

impl std::fmt::Debug for SmppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("system_id", &self.system_id)
            .field("password", &"***")
            .field("source_addr", &self.source_addr)
            .finish_non_exhaustive()
    }
}

impl SmppConfig {
    /// A config with the usual timeouts (10 s per response, `enquire_link` every 30 s).
    pub fn new(
        host: impl Into<String>,
        port: u16,
        system_id: impl Into<String>,
        password: impl Into<String>,
        source_addr: impl Into<String>,
    ) -> SmppConfig {
        SmppConfig {
            host: host.into(),
            port,
            system_id: system_id.into(),
            password: password.into(),
            source_addr: source_addr.into(),
            response_timeout: Duration::from_secs(10),
            enquire_link_interval: Duration::from_secs(30),
        }
    }

    /// From `FANZHA_SMPP_HOST`, `FANZHA_SMPP_PORT` (2775 when unset), `FANZHA_SMPP_SYSTEM_ID`,
    /// `FANZHA_SMPP_PASSWORD` and `FANZHA_SMPP_SOURCE_ADDR`; `Ok(None)` when no host is set
    /// (SMS disabled), an error naming the variable when one is missing or invalid.
    pub fn from_env() -> Result<Option<SmppConfig>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(host) = var("FANZHA_SMPP_HOST") else {
            return Ok(None);
        };
        let port = match var("FANZHA_SMPP_PORT") {
            Some(p) => p
                .trim()
                .parse::<u16>()
                .map_err(|_| format!("FANZHA_SMPP_PORT: not a port number: {p}"))?,
            None => 2775,
        };
        let need = |name: &str| var(name).ok_or_else(|| format!("{name} must be set"));
        let config = SmppConfig::new(
            host.trim(),
            port,
            need("FANZHA_SMPP_SYSTEM_ID")?,
            need("FANZHA_SMPP_PASSWORD")?,
            need("FANZHA_SMPP_SOURCE_ADDR")?,
        );
        config.validate()?;
        Ok(Some(config))
    }

    /// Checks the lengths SMPP 3.4 allows.
    pub fn validate(&self) -> Result<(), String> {
        if self.host.is_empty() {
            return Err("SMPP host must be set".into());
        }
        if self.system_id.is_empty() || self.system_id.len() > 15 {
            return Err("SMPP system_id must be 1 to 15 characters".into());
        }
        if self.password.len() > 8 {
            return Err("SMPP password must be at most 8 characters".into());
        }
        if self.source_addr.is_empty() || self.source_addr.len() > 20 {
            return Err("SMPP source address must be 1 to 20 characters".into());
        }
        Ok(())
    }
}

/// How messages are queued and submitted.
#[derive(Clone, Debug)]
pub struct SmsConfig {
    /// The SMSC; `None` disables SMS (nothing is queued or sent).
    pub smpp: Option<SmppConfig>,
    /// The wait after each failed submission; `len() + 1` attempts in all, then dead.
    pub retry_delays: Vec<Duration>,
    /// How often the worker looks for due messages when nothing wakes it.
    pub poll_interval: Duration,
    /// Messages submitted per round.
    pub batch: usize,
    /// Queue a 金钟罩 alert to each guardian of a registered person who receives a warning.
    pub alert_guardians: bool,
    /// Queue a 反诈提醒 to the person's own number for red warnings.
    pub warn_person_on_red: bool,
    /// Text a joint-office member department's contact when a task is assigned or returned
    /// to it.
    pub notify_joint_members: bool,
}

impl Default for SmsConfig {
    /// Disabled; when an SMSC is set: 10 s, 30 s, 2 min, 10 min: five attempts.
    fn default() -> Self {
        SmsConfig {
            smpp: None,
            retry_delays: [10, 30, 120, 600]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            poll_interval: Duration::from_secs(1),
            batch: 32,
            alert_guardians: true,
            warn_person_on_red: true,
            notify_joint_members: true,
        }
    }
}

impl SmsConfig {
    /// The default schedule with the SMSC from the environment ([`SmppConfig::from_env`]).
    pub fn from_env() -> Result<SmsConfig, String> {
        Ok(SmsConfig {
            smpp: SmppConfig::from_env()?,
            ..SmsConfig::default()
        })
    }

    /// Whether an SMSC is configured.
    pub fn enabled(&self) -> bool {
        self.smpp.is_some()
    }

    /// Submission attempts per message before it is dead.
    pub fn max_attempts(&self) -> usize {
        self.retry_delays.len() + 1
    }

    fn delays_ms(&self) -> Vec<i64> {
        self.retry_delays
            .iter()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4))
            .collect()
    }
}

/// `text` as UCS-2 (UTF-16 big-endian; characters beyond the BMP as surrogate pairs).
pub fn encode_ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

/// UCS-2 (UTF-16 big-endian) octets back to text; an odd trailing octet is dropped and
/// invalid sequences become U+FFFD.
pub fn decode_ucs2(octets: &[u8]) -> String {
    let units: Vec<u16> = octets
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// A delivery receipt, as read from a `deliver_sm`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The SMSC's message id the receipt is for.
    pub message_id: String,
    /// `DELIVRD`, `UNDELIV`, `EXPIRED`, `REJECTD`, `DELETED`, `UNKNOWN`, `ACCEPTD`, `ENROUTE`.
    pub stat: String,
    /// The `err:` field (network-specific error code), when present.
    pub err: Option<String>,
}

impl Receipt {
    /// Whether the message reached the phone.
    pub fn delivered(&self) -> bool {
        self.stat == "DELIVRD"
    }

    /// Whether this is the final outcome (not `ENROUTE` or `ACCEPTD`).
    pub fn is_final(&self) -> bool {
        !matches!(self.stat.as_str(), "ENROUTE" | "ACCEPTD")
    }

    /// The reason kept with a failed message: `stat:UNDELIV err:001`.
    pub fn reason(&self) -> String {
        match &self.err {
            Some(e) => format!("stat:{} err:{e}", self.stat),
            None => format!("stat:{}", self.stat),
        }
    }
}

/// Reads the SMPP 3.4 appendix B receipt text
/// (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`); `None` when it has no
/// `id:` or `stat:`. Field names are matched case-insensitively.
pub fn parse_receipt_text(text: &str) -> Option<Receipt> {
    let field = |name: &str| -> Option<String> {
        let lower = text.to_ascii_lowercase();
        let key = format!("{name}:");
        let mut from = 0;
        while let Some(pos) = lower[from..].find(&key) {
            let at = from + pos;
            // A whole field name: at the start or after a space.
            if at == 0 || lower.as_bytes()[at - 1] == b' ' {
                let rest = &text[at + key.len()..];
                let value = rest.split(' ').next().unwrap_or("").trim();
                return Some(value.to_string());
            }
            from = at + key.len();
        }
        None
    };
    let message_id = field("id").filter(|v| !v.is_empty())?;
    let stat = field("stat")
        .filter(|v| !v.is_empty())?
        .to_ascii_uppercase();
    let err = field("err").filter(|v| !v.is_empty());
    Some(Receipt {
        message_id,
        stat,
        err,
    })
}

fn stat_of_state(state: MessageState) -> Option<&'static str> {
    Some(match state {
        MessageState::Delivered => "DELIVRD",
        MessageState::Expired => "EXPIRED",
        MessageState::Deleted => "DELETED",
        MessageState::Undeliverable => "UNDELIV",
        MessageState::Accepted => "ACCEPTD",
        MessageState::Unknown => "UNKNOWN",
        MessageState::Rejected => "REJECTD",
        MessageState::Enroute => "ENROUTE",
        _ => return None,
    })
}

/// The receipt a `deliver_sm` carries, if it is one: the TLVs `receipted_message_id` and
/// `message_state` when present, the receipt text otherwise.
pub fn receipt_of(deliver: &DeliverSm) -> Option<Receipt> {
    let receipt_type = matches!(
        deliver.esm_class.message_type,
        MessageType::ShortMessageContainsMCDeliveryReceipt
    );
    let mut text = String::from_utf8_lossy(deliver.short_message().as_ref()).into_owned();
    let mut tlv_id = None;
    let mut tlv_state = None;
    for tlv in deliver.tlvs() {
        match tlv.value() {
            Some(TlvValue::ReceiptedMessageId(id)) => tlv_id = Some(id.as_str().to_string()),
            Some(TlvValue::MessageState(s)) => tlv_state = stat_of_state(*s),
            Some(TlvValue::MessagePayload(p)) if text.is_empty() => {
                text = String::from_utf8_lossy(p.value.as_ref()).into_owned();
            }
            _ => {}
        }
    }
    let parsed = parse_receipt_text(&text);
    if !receipt_type && parsed.is_none() && tlv_id.is_none() {
        return None;
    }
    let message_id = tlv_id.or_else(|| parsed.as_ref().map(|r| r.message_id.clone()))?;
    let stat = match (tlv_state, &parsed) {
        (Some(s), _) => s.to_string(),
        (None, Some(r)) => r.stat.clone(),
        (None, None) => return None,
    };
    Some(Receipt {
        message_id,
        stat,
        err: parsed.and_then(|r| r.err),
    })
}

/// The `submit_sm` for one message: UCS-2, receipt requested, the text in `short_message` when
/// it fits 140 octets and in `message_payload` otherwise.
pub fn submit_sm_for(source_addr: &str, to: &str, text: &str) -> Result<SubmitSm, String> {
    let octets = encode_ucs2(text);
    let source = COctetString::<1, 21>::from_str(source_addr)
        .map_err(|e| format!("source address {source_addr:?}: {e}"))?;
    let dest = COctetString::<1, 21>::from_str(to).map_err(|e| format!("number: {e}"))?;
    let international = to.starts_with('+');
    let dest = if international {
        COctetString::<1, 21>::from_str(&to[1..]).map_err(|e| format!("number: {e}"))?
    } else {
        dest
    };
    let builder = SubmitSm::builder()
        .source_addr_ton(Ton::Alphanumeric)
        .source_addr_npi(Npi::Unknown)
        .source_addr(source)
        .dest_addr_ton(if international {
            Ton::International
        } else {
            Ton::Unknown
        })
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(dest)
        .esm_class(EsmClass::default())
        .registered_delivery(RegisteredDelivery::from(1u8))
        .data_coding(DataCoding::Ucs2);
    let submit = if octets.len() <= SHORT_MESSAGE_OCTETS {
        builder
            .short_message(OctetString::from_vec(octets).map_err(|e| format!("text: {e}"))?)
            .build()
    } else {
        builder
            .short_message(OctetString::empty())
            .push_tlv(MessageSubmissionRequestTlvValue::MessagePayload(
                MessagePayload::new(AnyOctetString::from_vec(octets)),
            ))
            .build()
    };
    Ok(submit)
}

/// What one [`SmsDispatcher::submit_due`] round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SmsRoundReport {
    /// Accepted by the SMSC (now waiting for their receipts).
    pub submitted: usize,
    /// Not accepted, to be retried.
    pub retrying: usize,
    /// Not accepted for the last time: now in the dead-letter list.
    pub dead: usize,
}

impl SmsRoundReport {
    pub fn attempted(&self) -> usize {
        self.submitted + self.retrying + self.dead
    }
}

/// One bound session.
struct Session {
    client: Client,
    events: JoinHandle<()>,
}

/// Submits queued messages over SMPP and settles them with the SMSC's receipts.
#[derive(Clone)]
pub struct SmsDispatcher {
    store: Store,
    config: SmsConfig,
    session: Arc<Mutex<Option<Session>>>,
    /// Receipts whose message was not (yet) recorded as submitted, by SMSC id.
    orphans: Arc<Mutex<HashMap<String, Receipt>>>,
    /// Signalled after every receipt is applied (tests and the CLI wait on it).
    receipts: Arc<Notify>,
}

impl std::fmt::Debug for SmsDispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsDispatcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SmsDispatcher {
    pub fn new(store: Store, config: SmsConfig) -> SmsDispatcher {
        SmsDispatcher {
            store,
            config,
            session: Arc::new(Mutex::new(None)),
            orphans: Arc::new(Mutex::new(HashMap::new())),
            receipts: Arc::new(Notify::new()),
        }
    }

    pub fn config(&self) -> &SmsConfig {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Notified after each receipt is applied.
    pub fn receipts_applied(&self) -> Arc<Notify> {
        self.receipts.clone()
    }

    /// The bound session, connecting and binding as a transceiver when there is none.
    async fn client(&self) -> Result<Client, String> {
        let Some(smpp) = &self.config.smpp else {
            return Err("SMS is not configured".into());
        };
        let mut slot = self.session.lock().await;
        if let Some(s) = slot.as_ref() {
            if !s.client.is_closed() {
                return Ok(s.client.clone());
            }
        }
        if let Some(old) = slot.take() {
            old.events.abort();
        }
        let url = format!("smpp://{}:{}", smpp.host, smpp.port);
        let connect = ConnectionBuilder::new()
            .response_timeout(smpp.response_timeout)
            .enquire_link_interval(smpp.enquire_link_interval)
            .disable_interface_version_check()
            .connect(&url);
        let (client, events) = match tokio::time::timeout(smpp.response_timeout, connect).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(format!("SMSC {}:{} unreachable: {e}", smpp.host, smpp.port)),
            Err(_) => {
                return Err(format!(
                    "SMSC {}:{} did not answer within {:?}",
                    smpp.host, smpp.port, smpp.response_timeout
                ))
            }
        };
        let bind = BindTransceiver::builder()
            .system_id(
                COctetString::from_str(&smpp.system_id).map_err(|e| format!("system_id: {e}"))?,
            )
            .password(COctetString::from_str(&smpp.password).map_err(|e| format!("password: {e}"))?)
            .system_type(COctetString::empty())
            .interface_version(InterfaceVersion::Smpp3_4)
            .addr_ton(Ton::Unknown)
            .addr_npi(Npi::Unknown)
            .address_range(COctetString::empty())
            .build();
        // The event loop runs from before the bind so that nothing the SMSC sends is missed.
        let events = tokio::spawn(handle_events(self.clone(), client.clone(), events));
        if let Err(e) = client.bind_transceiver(bind).await {
            events.abort();
            let _ = client.close().await;
            return Err(format!("bind_transceiver refused: {e}"));
        }
        tracing::info!(host = %smpp.host, port = smpp.port, "bound to the SMSC as a transceiver");
        *slot = Some(Session {
            client: client.clone(),
            events,
        });
        Ok(client)
    }

    /// Submits the messages due at `now_ms` (at most [`SmsConfig::batch`]) and records each
    /// outcome at `now_ms`.
    pub async fn submit_due(&self, now_ms: i64) -> Result<SmsRoundReport, StoreError> {
        let due = self
            .store
            .sms()
            .due(now_ms, self.config.batch.max(1))
            .await?;
        let mut report = SmsRoundReport::default();
        if due.is_empty() {
            return Ok(report);
        }
        let delays = self.config.delays_ms();
        let client = self.client().await;
        for m in due {
            let outcome = match &client {
                Ok(c) => self.submit(c, &m).await,
                Err(e) => Err(e.clone()),
            };
            match self.record(&m, outcome, now_ms, &delays).await? {
                Some(SmsState::Submitted) => report.submitted += 1,
                Some(SmsState::Dead) => report.dead += 1,
                Some(_) => report.retrying += 1,
                None => {}
            }
        }
        Ok(report)
    }

    async fn submit(&self, client: &Client, m: &SmsMessage) -> Result<String, String> {
        let smpp = self.config.smpp.as_ref().ok_or("SMS is not configured")?;
        let submit = submit_sm_for(&smpp.source_addr, &m.to_number, &m.text)?;
        match client.submit_sm(submit).await {
            Ok(resp) => {
                let id = resp.message_id().as_str().trim().to_string();
                if id.is_empty() {
                    Err("submit_sm_resp without a message id".into())
                } else {
                    Ok(id)
                }
            }
            Err(e) => {
                if client.is_closed() {
                    // Reconnect on the next round.
                    if let Some(s) = self.session.lock().await.take() {
                        s.events.abort();
                    }
                }
                Err(format!("submit_sm: {e}"))
            }
        }
    }

    /// Records one submission's outcome; `None` when the row changed meanwhile.
    async fn record(
        &self,
        m: &SmsMessage,
        outcome: Result<String, String>,
        now_ms: i64,
        delays_ms: &[i64],
    ) -> Result<Option<SmsState>, StoreError> {
        let repo = self.store.sms();
        let recorded = match &outcome {
            Ok(smsc_id) => repo
                .mark_submitted(m.id, smsc_id, now_ms)
                .await
                .map(|()| SmsState::Submitted),
            Err(e) => repo.mark_submit_failed(m.id, e, now_ms, delays_ms).await,
        };
        let state = match recorded {
            Ok(s) => s,
            Err(StoreError::Conflict { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        match (&outcome, state) {
            (Ok(smsc_id), _) => {
                tracing::debug!(sms = m.id, smsc_id, "SMS submitted");
                // A receipt may have come before the submission was recorded.
                let early = self.orphans.lock().await.remove(smsc_id);
                if let Some(r) = early {
                    self.apply(&r, now_ms).await?;
                }
            }
            (Err(e), SmsState::Dead) => tracing::warn!(
                sms = m.id,
                attempts = m.attempts + 1,
                error = %e,
                "SMS dead after its last submission attempt"
            ),
            (Err(e), _) => tracing::info!(
                sms = m.id,
                attempt = m.attempts + 1,
                error = %e,
                "SMS submission failed; will retry"
            ),
        }
        Ok(Some(state))
    }

    /// Applies a receipt to its message; returns the message when one was settled.
    async fn apply(&self, r: &Receipt, now_ms: i64) -> Result<Option<SmsMessage>, StoreError> {
        let reason = r.reason();
        let settled = self
            .store
            .sms()
            .record_receipt(&r.message_id, r.delivered(), Some(&reason), now_ms)
            .await?;
        self.receipts.notify_waiters();
        Ok(settled)
    }

    /// Applies a receipt from the SMSC, or keeps it until its submission is recorded.
    pub async fn on_receipt(&self, r: Receipt, now_ms: i64) -> Result<(), StoreError> {
        if !r.is_final() {
            tracing::debug!(smsc_id = %r.message_id, stat = %r.stat, "intermediate SMS receipt");
            return Ok(());
        }
        // Held across the lookup so that a submission recorded meanwhile sees the orphan.
        let mut orphans = self.orphans.lock().await;
        match self.apply(&r, now_ms).await? {
            Some(m) => tracing::debug!(sms = m.id, state = m.state.as_str(), "SMS receipt"),
            None => {
                if orphans.len() >= MAX_ORPHAN_RECEIPTS {
                    orphans.clear();
                }
                orphans.insert(r.message_id.clone(), r);
            }
        }
        Ok(())
    }

    /// Unbinds and closes the session, if one is open.
    pub async fn disconnect(&self) {
        if let Some(s) = self.session.lock().await.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), s.client.unbind()).await;
            let _ = s.client.close().await;
            s.events.abort();
        }
    }

    /// Starts the listener and the worker for `service`'s notices. With no SMSC configured
    /// nothing is started (SMS is disabled). Keep the handle: dropping it stops both tasks.
    pub fn spawn(service: Arc<LoopService>, config: SmsConfig) -> SmsHandle {
        SmsDispatcher::new(service.store().clone(), config).start(service)
    }

    /// Starts the listener and the worker with this dispatcher's store and config.
    pub fn start(self, service: Arc<LoopService>) -> SmsHandle {
        let (stop_tx, stop_rx) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        if !self.config.enabled() {
            tracing::info!("SMS disabled: no SMSC configured");
            return SmsHandle {
                stop: stop_tx,
                wake,
                tasks: Vec::new(),
                dispatcher: self,
            };
        }
        // Subscribe before returning, so that no notice after `start` is missed.
        let notices = service.subscribe();
        let listener = tokio::spawn(guardians::listen(
            self.clone(),
            service,
            notices,
            stop_rx.clone(),
            wake.clone(),
        ));
        let worker = tokio::spawn(work(self.clone(), stop_rx, wake.clone()));
        SmsHandle {
            stop: stop_tx,
            wake,
            tasks: vec![listener, worker],
            dispatcher: self,
        }
    }
}

/// The running listener and worker. Dropping it stops them.
#[must_use = "dropping the handle stops SMS dispatch"]
#[derive(Debug)]
pub struct SmsHandle {
    stop: watch::Sender<bool>,
    wake: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
    dispatcher: SmsDispatcher,
}

impl SmsHandle {
    /// Whether SMS is running (an SMSC is configured).
    pub fn enabled(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// Makes the worker look for due messages now (after a dead letter was requeued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn dispatcher(&self) -> &SmsDispatcher {
        &self.dispatcher
    }

    /// Stops both tasks, waits for them, and unbinds from the SMSC.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
        self.dispatcher.disconnect().await;
    }
}

impl Drop for SmsHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    // A dropped sender also means stop.
    let _ = stop.wait_for(|s| *s).await;
}

/// Answers what the SMSC sends on the session: receipts are applied, everything is
/// acknowledged (`enquire_link` is answered by the client itself).
async fn handle_events(
    dispatcher: SmsDispatcher,
    client: Client,
    mut events: impl futures_util::Stream<Item = Event> + Unpin,
) {
    while let Some(event) = events.next().await {
        match event {
            Event::Incoming(command) if command.id() == CommandId::DeliverSm => {
                let receipt = match command.pdu() {
                    Some(Pdu::DeliverSm(d)) => receipt_of(d),
                    _ => None,
                };
                match receipt {
                    Some(r) => {
                        if let Err(e) = dispatcher.on_receipt(r, now_ms()).await {
                            tracing::error!(error = %e, "SMS receipt could not be recorded");
                        }
                    }
                    None => tracing::debug!("deliver_sm that is not a receipt ignored"),
                }
                let _ = client
                    .deliver_sm_resp(command.sequence_number(), DeliverSmResp::default())
                    .await;
            }
            Event::Incoming(command) if command.id() == CommandId::Unbind => {
                let _ = client.unbind_resp(command.sequence_number()).await;
                let _ = client.close().await;
            }
            Event::Incoming(command) => {
                tracing::debug!(id = ?command.id(), "SMPP command from the SMSC");
            }
            Event::Error(e) => tracing::warn!(error = %e, "SMPP session error"),
        }
    }
    tracing::info!("SMPP session closed");
}

async fn work(dispatcher: SmsDispatcher, mut stop: watch::Receiver<bool>, wake: Arc<Notify>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let full = match dispatcher.submit_due(now_ms()).await {
            Ok(r) => r.attempted() >= dispatcher.config.batch.max(1),
            Err(e) => {
                tracing::error!(error = %e, "SMS worker round failed");
                false
            }
        };
        if full {
            continue;
        }
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(dispatcher.config.poll_interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_text_is_read() {
        let r = parse_receipt_text(
            "id:0A1B2C sub:001 dlvrd:001 submit date:2611231800 done date:2611231801 \
             stat:DELIVRD err:000 text:反诈",
        )
        .unwrap();
        assert_eq!(r.message_id, "0A1B2C");
        assert!(r.delivered() && r.is_final());
        let r = parse_receipt_text("id:7 sub:001 dlvrd:000 stat:UNDELIV err:013 text:").unwrap();
        assert!(!r.delivered());
        assert_eq!(r.reason(), "stat:UNDELIV err:013");
        // `id:` inside another field name is not the id.
        assert_eq!(parse_receipt_text("msgid:9 stat:DELIVRD"), None);
        assert_eq!(parse_receipt_text("hello"), None);
    }

    #[test]
    fn receipt_tlvs_take_precedence_over_the_text() {
        use rusmpp::tlvs::MessageDeliveryRequestTlvValue as V;
        let receipt_class = EsmClass {
            message_type: MessageType::ShortMessageContainsMCDeliveryReceipt,
            ..EsmClass::default()
        };
        let d = DeliverSm::builder()
            .esm_class(receipt_class)
            .short_message(
                OctetString::from_static_slice(b"id:text-id stat:DELIVRD err:000").unwrap(),
            )
            .push_tlv(V::ReceiptedMessageId(
                COctetString::from_str("tlv-id").unwrap(),
            ))
            .push_tlv(V::MessageState(MessageState::Undeliverable))
            .build();
        let r = receipt_of(&d).unwrap();
        assert_eq!(
            (r.message_id.as_str(), r.stat.as_str()),
            ("tlv-id", "UNDELIV")
        );
        assert_eq!(r.err.as_deref(), Some("000"));
        // A text receipt alone is read too.
        let d = DeliverSm::builder()
            .esm_class(receipt_class)
            .short_message(OctetString::from_static_slice(b"id:42 stat:EXPIRED err:005").unwrap())
            .build();
        let r = receipt_of(&d).unwrap();
        assert_eq!(r.reason(), "stat:EXPIRED err:005");
        // An ordinary incoming message is not a receipt.
        let d = DeliverSm::builder()
            .short_message(OctetString::from_static_slice(b"hello").unwrap())
            .build();
        assert_eq!(receipt_of(&d), None);
    }

    #[test]
    fn ucs2_round_trips_chinese_and_beyond_the_bmp() {
        let text = "反诈提醒：请勿转账 96110 𠀀";
        let octets = encode_ucs2(text);
        assert_eq!(&octets[..2], &[0x53, 0xcd]); // 反 U+53CD
        assert_eq!(decode_ucs2(&octets), text);
    }

    #[test]
    fn long_texts_go_in_message_payload() {
        let short = submit_sm_for("96110", "13800000000", &"诈".repeat(70)).unwrap();
        assert_eq!(short.short_message().len(), 140);
        assert!(short.tlvs().is_empty());
        assert_eq!(short.data_coding, DataCoding::Ucs2);
        let long = submit_sm_for("96110", "+8613800000000", &"诈".repeat(71)).unwrap();
        assert!(long.short_message().is_empty());
        assert_eq!(long.tlvs().len(), 1);
        assert_eq!(long.dest_addr_ton, Ton::International);
        assert_eq!(long.destination_addr.as_str(), "8613800000000");
    }

    #[test]
    fn config_checks_lengths_and_hides_the_password() {
        let c = SmppConfig::new("127.0.0.1", 2775, "fanzha", "secret", "96110");
        assert!(c.validate().is_ok());
        assert!(!format!("{c:?}").contains("secret"));
        let mut long = c.clone();
        long.password = "123456789".into();
        assert!(long.validate().is_err());
        assert!(!SmsConfig::default().enabled());
        assert_eq!(SmsConfig::default().max_attempts(), 5);
    }
}
