//! Reading the stream back in order from a sequence: an ordered pull consumer (ephemeral, no
//! acknowledgements; the client recreates it from the last sequence seen when the server loses
//! it), so the engine's snapshot offset alone says where to resume.

use crate::codec::{self, DecodeError};
use crate::{BusConfig, BusError};
use async_nats::jetstream::consumer::{pull, DeliverPolicy};
use async_nats::jetstream::stream::Stream;
use fanzha_core::event::Signal;
use futures_util::StreamExt;
use std::time::Duration;

/// One message as read: its stream sequence, and the signal or why it is not one (with the body,
/// for the quarantine).
#[derive(Debug)]
pub struct Delivered {
    pub sequence: u64,
    pub subject: String,
    pub signal: Result<Signal, DecodeError>,
    /// The message body when it is not a signal (empty otherwise).
    pub rejected_body: Vec<u8>,
}

pub struct Reader {
    messages: pull::Ordered,
    stream: String,
}

impl Reader {
    pub(crate) async fn open(
        stream: Stream,
        config: &BusConfig,
        start: u64,
    ) -> Result<Reader, BusError> {
        let read_error = |e: &dyn std::fmt::Display| BusError::Read {
            stream: config.stream.clone(),
            detail: e.to_string(),
        };
        let consumer = stream
            .create_consumer(pull::OrderedConfig {
                // No subject filter: the stream holds only `<prefix>.>`, and a wildcard filter
                // makes a 2.9 server scan for every message delivered after a start sequence
                // (a millisecond of server time each, measured).
                deliver_policy: DeliverPolicy::ByStartSequence {
                    start_sequence: start,
                },
                ..Default::default()
            })
            .await
            .map_err(|e| read_error(&e))?;
        let messages = consumer.messages().await.map_err(|e| read_error(&e))?;
        Ok(Reader {
            messages,
            stream: config.stream.clone(),
        })
    }

    /// The next message, or `None` when none arrives within `wait` (the engine uses the pause
    /// to snapshot).
    pub async fn next(&mut self, wait: Duration) -> Result<Option<Delivered>, BusError> {
        let message = match tokio::time::timeout(wait, self.messages.next()).await {
            Err(_elapsed) => return Ok(None),
            Ok(None) => {
                return Err(self.error("the server closed the consumer".to_string()));
            }
            Ok(Some(Err(e))) => return Err(self.error(e.to_string())),
            Ok(Some(Ok(m))) => m,
        };
        let sequence = message
            .info()
            .map_err(|e| self.error(format!("message without JetStream metadata: {e}")))?
            .stream_sequence;
        let signal = codec::decode(&message.payload);
        let rejected_body = match &signal {
            Ok(_) => Vec::new(),
            Err(_) => message.payload.to_vec(),
        };
        Ok(Some(Delivered {
            sequence,
            subject: message.subject.to_string(),
            signal,
            rejected_body,
        }))
    }

    fn error(&self, detail: String) -> BusError {
        BusError::Read {
            stream: self.stream.clone(),
            detail,
        }
    }
}
