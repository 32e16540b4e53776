//! A simulated operator SMSC: an SMPP 3.4 server on a local port that accepts what
//! [`super::SmsDispatcher`] sends and answers as an operator's gateway would — it checks the
//! bind, gives each `submit_sm` a message id, and a few seconds later sends the delivery
//! receipt (`stat:DELIVRD`, or `stat:UNDELIV` for a phone that cannot be reached).
//!
//! The demo runs one so that its texts (反诈提醒, 金钟罩 alerts, joint-office notices) travel the
//! whole way and show as delivered or undeliverable on the pages, on a machine with no operator
//! to talk to; the SMS tests run one with their own choices (which numbers fail, a receipt that
//! overtakes its response). Built on the PDU types and codec of `rusmpp`, the crate the client
//! uses; no SMPP server library is maintained for Rust, and the server side needed here is a
//! few PDUs.

use super::sms::decode_ucs2;
use futures_util::{SinkExt, StreamExt};
use rusmpp::pdus::{BindTransceiverResp, DeliverSm, SubmitSmResp};
use rusmpp::tlvs::TlvValue;
use rusmpp::tokio_codec::CommandCodec;
use rusmpp::types::{COctetString, OctetString};
use rusmpp::values::{EsmClass, MessageType};
use rusmpp::{Command, CommandId, CommandStatus, Pdu};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

/// How the simulated SMSC behaves.
#[derive(Clone, Debug)]
pub struct SmscBehaviour {
    /// The credentials a bind must carry.
    pub system_id: String,
    pub password: String,
    /// The wait between a submission and its receipt: from `receipt_delay.0` to
    /// `receipt_delay.1`, spread by the message id (a handset answers in seconds, not at once).
    pub receipt_delay: (Duration, Duration),
    /// Numbers the network cannot reach (their receipt is `UNDELIV`).
    pub undeliverable: HashSet<String>,
    /// Per 1,000 other numbers, how many are switched off or out of coverage (decided by the
    /// number's digits, so the same number always fails).
    pub unreachable_per_mille: u32,
    /// Numbers whose receipt is sent before the `submit_sm_resp` (an SMSC's race the client
    /// must survive).
    pub receipt_first: HashSet<String>,
}

impl SmscBehaviour {
    /// Receipts at once, every number reachable.
    pub fn new(system_id: &str, password: &str) -> SmscBehaviour {
        SmscBehaviour {
            system_id: system_id.into(),
            password: password.into(),
            receipt_delay: (Duration::ZERO, Duration::ZERO),
            undeliverable: HashSet::new(),
            unreachable_per_mille: 0,
            receipt_first: HashSet::new(),
        }
    }

    fn reachable(&self, to: &str) -> bool {
        if self.undeliverable.contains(to) {
            return false;
        }
        // FNV-1a of the digits: stable across runs, unlike std's keyed hasher.
        let hash = to.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        hash % 1000 >= u64::from(self.unreachable_per_mille)
    }

    fn delay(&self, serial: u64) -> Duration {
        let (low, high) = self.receipt_delay;
        let span = high.saturating_sub(low).as_millis() as u64;
        let extra = if span == 0 {
            0
        } else {
            serial.wrapping_mul(7919) % (span + 1)
        };
        low + Duration::from_millis(extra)
    }
}

/// One `submit_sm` as the SMSC decoded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
    pub to: String,
    pub data_coding: u8,
    /// Whether the text came in `message_payload` (else `short_message`).
    pub via_payload: bool,
    pub text: String,
    pub registered_delivery: u8,
    pub message_id: String,
    pub delivered: bool,
}

#[derive(Default)]
struct Counters {
    submitted: Mutex<Vec<Submitted>>,
    binds: AtomicUsize,
    receipts_acked: AtomicUsize,
    next_id: AtomicU64,
}

/// A running simulated SMSC; it stops when dropped.
pub struct SimulatedSmsc {
    addr: SocketAddr,
    counters: Arc<Counters>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for SimulatedSmsc {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl SimulatedSmsc {
    /// Listens on `addr` (port 0: any free port) and serves every connection.
    pub async fn start(addr: SocketAddr, behaviour: SmscBehaviour) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let behaviour = Arc::new(behaviour);
        let shared = counters.clone();
        let server = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(session(stream, shared.clone(), behaviour.clone()));
            }
        });
        Ok(SimulatedSmsc {
            addr,
            counters,
            server,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every submission so far, in order.
    pub fn submitted(&self) -> Vec<Submitted> {
        self.counters
            .submitted
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Successful binds so far.
    pub fn binds(&self) -> usize {
        self.counters.binds.load(Ordering::SeqCst)
    }

    /// Receipts the client acknowledged (`deliver_sm_resp`).
    pub fn receipts_acked(&self) -> usize {
        self.counters.receipts_acked.load(Ordering::SeqCst)
    }
}

/// The text of a delivery receipt (SMPP 3.4 appendix B).
fn receipt_text(id: &str, delivered: bool) -> String {
    let (dlvrd, stat, err) = if delivered {
        ("001", "DELIVRD", "000")
    } else {
        ("000", "UNDELIV", "001")
    };
    format!(
        "id:{id} sub:001 dlvrd:{dlvrd} submit date:2611231800 done date:2611231801 \
         stat:{stat} err:{err} text:"
    )
}

fn receipt(to: &str, from: &COctetString<1, 21>, id: &str, delivered: bool) -> Option<Pdu> {
    Some(Pdu::DeliverSm(
        DeliverSm::builder()
            .source_addr(COctetString::from_str(to).ok()?)
            .destination_addr(from.clone())
            .esm_class(EsmClass {
                message_type: MessageType::ShortMessageContainsMCDeliveryReceipt,
                ..EsmClass::default()
            })
            .short_message(OctetString::from_vec(receipt_text(id, delivered).into_bytes()).ok()?)
            .build(),
    ))
}

async fn session(
    stream: tokio::net::TcpStream,
    counters: Arc<Counters>,
    behaviour: Arc<SmscBehaviour>,
) {
    let mut framed = Framed::new(stream, CommandCodec::new());
    let seq = AtomicU32::new(1);
    // Receipts due later come back through this channel, so the session alone writes.
    let (later, mut due) = mpsc::unbounded_channel::<Pdu>();
    loop {
        let command = tokio::select! {
            next = framed.next() => match next {
                Some(Ok(command)) => command,
                _ => return,
            },
            Some(pdu) = due.recv() => {
                let cmd = Command::new(CommandStatus::EsmeRok, seq.fetch_add(1, Ordering::SeqCst), pdu);
                if framed.send(cmd).await.is_err() {
                    return;
                }
                continue;
            }
        };
        let n = command.sequence_number();
        let reply = |status, pdu: Pdu| Command::new(status, n, pdu);
        match command.pdu() {
            Some(Pdu::BindTransceiver(b)) => {
                let ok = b.system_id.as_str() == behaviour.system_id
                    && b.password.as_str() == behaviour.password;
                let resp = BindTransceiverResp::builder()
                    .system_id(COctetString::from_str("SIMSMSC").unwrap_or_default())
                    .build();
                let status = if ok {
                    counters.binds.fetch_add(1, Ordering::SeqCst);
                    CommandStatus::EsmeRok
                } else {
                    CommandStatus::EsmeRinvpaswd
                };
                if framed.send(reply(status, resp.into())).await.is_err() || !ok {
                    return;
                }
            }
            Some(Pdu::SubmitSm(s)) => {
                let mut octets = s.short_message().as_ref().to_vec();
                let mut via_payload = false;
                for tlv in s.tlvs() {
                    if let Some(TlvValue::MessagePayload(p)) = tlv.value() {
                        octets = p.value.as_ref().to_vec();
                        via_payload = true;
                    }
                }
                let data_coding = u8::from(s.data_coding);
                let text = if data_coding == 8 {
                    decode_ucs2(&octets)
                } else {
                    String::from_utf8_lossy(&octets).into_owned()
                };
                let serial = counters.next_id.fetch_add(1, Ordering::SeqCst) + 1;
                let id = format!("SMSC{serial:06}");
                let to = s.destination_addr.as_str().to_string();
                let delivered = behaviour.reachable(&to);
                if let Ok(mut all) = counters.submitted.lock() {
                    all.push(Submitted {
                        to: to.clone(),
                        data_coding,
                        via_payload,
                        text,
                        registered_delivery: u8::from(s.registered_delivery),
                        message_id: id.clone(),
                        delivered,
                    });
                }
                let resp = SubmitSmResp::builder()
                    .message_id(COctetString::from_str(&id).unwrap_or_default())
                    .build();
                let resp = reply(CommandStatus::EsmeRok, resp.into());
                let Some(pdu) = receipt(&to, &s.source_addr, &id, delivered) else {
                    continue;
                };
                if behaviour.receipt_first.contains(&to) {
                    // The receipt overtakes the response.
                    let cmd = Command::new(
                        CommandStatus::EsmeRok,
                        seq.fetch_add(1, Ordering::SeqCst),
                        pdu,
                    );
                    if framed.send(cmd).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if framed.send(resp).await.is_err() {
                        return;
                    }
                    continue;
                }
                if framed.send(resp).await.is_err() {
                    return;
                }
                let wait = behaviour.delay(serial);
                let later = later.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    let _ = later.send(pdu);
                });
            }
            _ => match command.id() {
                CommandId::EnquireLink => {
                    let _ = framed
                        .send(reply(CommandStatus::EsmeRok, Pdu::EnquireLinkResp))
                        .await;
                }
                CommandId::Unbind => {
                    let _ = framed
                        .send(reply(CommandStatus::EsmeRok, Pdu::UnbindResp))
                        .await;
                    return;
                }
                CommandId::DeliverSmResp => {
                    counters.receipts_acked.fetch_add(1, Ordering::SeqCst);
                }
                _ => {
                    let _ = framed
                        .send(reply(CommandStatus::EsmeRinvcmdid, Pdu::GenericNack))
                        .await;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_number_always_fails_or_always_reaches() {
        let mut b = SmscBehaviour::new("x", "y");
        b.unreachable_per_mille = 30;
        let numbers: Vec<String> = (0..10_000).map(|n| format!("138{n:08}")).collect();
        let failing = numbers.iter().filter(|n| !b.reachable(n)).count();
        assert!((200..400).contains(&failing), "about 3 %: {failing}");
        for n in &numbers[..100] {
            assert_eq!(b.reachable(n), b.reachable(n));
        }
        b.undeliverable.insert(numbers[0].clone());
        assert!(!b.reachable(&numbers[0]));
        b.unreachable_per_mille = 0;
        assert!(b.reachable(&numbers[1]));
    }

    #[test]
    fn receipts_wait_within_the_delay_range() {
        let mut b = SmscBehaviour::new("x", "y");
        assert_eq!(b.delay(5), Duration::ZERO);
        b.receipt_delay = (Duration::from_secs(2), Duration::from_secs(8));
        let waits: Vec<Duration> = (1..200).map(|s| b.delay(s)).collect();
        assert!(waits
            .iter()
            .all(|w| *w >= Duration::from_secs(2) && *w <= Duration::from_secs(8)));
        assert!(waits.iter().any(|w| *w > Duration::from_secs(5)));
        assert!(waits.iter().any(|w| *w < Duration::from_secs(4)));
    }
}
