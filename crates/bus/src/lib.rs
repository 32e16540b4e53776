//! The signal bus: the feeds' signals as messages of one NATS JetStream stream, so that
//! detection runs in its own process (`fanzha worker`) or beside the web server (`fanzha serve`)
//! and a restart resumes where the last engine snapshot left off.
//!
//! - [`codec`]: a signal as a JSON message, and the checks that turn a bad one into a reason;
//! - [`Bus`]: connect, make sure the stream exists, publish signals (many in flight), read
//!   them back in stream order from a sequence ([`Reader`]);
//! - notices: the closed loop's notices of a detection worker, relayed to the web server's
//!   live pages on `fanzha.notices.<stream>` (plain NATS, at most once: they only refresh pages;
//!   the changes themselves are in the database).
//!
//! Subjects are `<prefix>.<type>` (`fanzha.signals.call`, `fanzha.signals.transfer`, …), one
//! stream over `<prefix>.>`. The stream's sequence is the engine's offset: a snapshot taken
//! after sequence *n* resumes by reading from *n* + 1.
//!
//! **Invariant: knows nothing of the engine, the store or the loop — signals in, signals out.**

pub mod codec;
mod error;
mod reader;
pub mod testing;

pub use codec::{decode, encode, DecodeError};
pub use error::BusError;
pub use reader::{Delivered, Reader};

use async_nats::jetstream::{self, stream};
use fanzha_core::event::Signal;
use std::collections::VecDeque;
use std::time::Duration;

/// Where the signals go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusConfig {
    /// `nats://host:4222`.
    pub url: String,
    /// The JetStream stream's name.
    pub stream: String,
    /// Subjects are `<prefix>.<type>`.
    pub subject_prefix: String,
    /// How long the server keeps a signal: the longest outage a replay can cover.
    pub retention: Duration,
}

impl BusConfig {
    pub const DEFAULT_STREAM: &'static str = "FANZHA_SIGNALS";
    pub const DEFAULT_PREFIX: &'static str = "fanzha.signals";

    pub fn new(url: impl Into<String>) -> BusConfig {
        BusConfig {
            url: url.into(),
            stream: Self::DEFAULT_STREAM.into(),
            subject_prefix: Self::DEFAULT_PREFIX.into(),
            retention: Duration::from_secs(14 * 24 * 3600),
        }
    }

    /// The stream `stream` on the server at `url`. The default stream's subjects are
    /// `fanzha.signals.<type>`; any other stream (a second region, a rehearsal, a test) takes
    /// `fanzha.streams.<stream>.<type>`, so that no two streams' subjects overlap (the server
    /// refuses that).
    pub fn with_stream(url: impl Into<String>, stream: &str) -> BusConfig {
        let mut config = BusConfig::new(url);
        if stream != Self::DEFAULT_STREAM {
            config.subject_prefix = format!("fanzha.streams.{stream}");
            config.stream = stream.to_string();
        }
        config
    }
}

/// Signals published unacknowledged at once: enough to keep the connection busy, few enough
/// that a failure is reported near the signal that caused it.
const PUBLISH_WINDOW: usize = 512;

/// A connection to the signal stream.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    config: BusConfig,
}

impl Bus {
    /// Connects and creates the stream when it does not exist yet.
    pub async fn connect(config: &BusConfig) -> Result<Bus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name("fanzha")
            .connection_timeout(Duration::from_secs(5))
            .connect(config.url.as_str())
            .await
            .map_err(|e| BusError::Connect {
                url: config.url.clone(),
                detail: e.to_string(),
            })?;
        let js = jetstream::new(client.clone());
        js.get_or_create_stream(stream::Config {
            name: config.stream.clone(),
            subjects: vec![format!("{}.>", config.subject_prefix)],
            max_age: config.retention,
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await
        .map_err(|e| BusError::Stream {
            stream: config.stream.clone(),
            detail: e.to_string(),
        })?;
        Ok(Bus {
            client,
            js,
            config: config.clone(),
        })
    }

    pub fn config(&self) -> &BusConfig {
        &self.config
    }

    /// The subject a signal is published on.
    pub fn subject(&self, signal: &Signal) -> String {
        format!("{}.{}", self.config.subject_prefix, codec::type_of(signal))
    }

    /// Publishes one message body as is on `<prefix>.<kind>` (for adapters and tests that send
    /// what a feed sent, checked or not). Returns the stream sequence it was stored at.
    pub async fn publish_raw(&self, kind: &str, body: Vec<u8>) -> Result<u64, BusError> {
        let subject = format!("{}.{kind}", self.config.subject_prefix);
        let ack = self
            .js
            .publish(subject, body.into())
            .await
            .map_err(|e| self.publish_error(e))?;
        let ack = ack.await.map_err(|e| self.publish_error(e))?;
        Ok(ack.sequence)
    }

    /// Publishes the signals in order, up to [`PUBLISH_WINDOW`] awaiting their acknowledgement;
    /// returns when every one is stored. `progress` is called with the count acknowledged so far
    /// every 10,000 signals.
    pub async fn publish_all<I>(
        &self,
        signals: I,
        mut progress: impl FnMut(u64),
    ) -> Result<Published, BusError>
    where
        I: IntoIterator<Item = Signal>,
    {
        let mut pending = VecDeque::with_capacity(PUBLISH_WINDOW);
        let mut done = Published::default();
        for signal in signals {
            if pending.len() == PUBLISH_WINDOW {
                self.settle(pending.pop_front(), &mut done, &mut progress)
                    .await?;
            }
            let ack = self
                .js
                .publish(self.subject(&signal), codec::encode(&signal).into())
                .await
                .map_err(|e| self.publish_error(e))?;
            pending.push_back(ack);
        }
        while let Some(ack) = pending.pop_front() {
            self.settle(Some(ack), &mut done, &mut progress).await?;
        }
        Ok(done)
    }

    async fn settle(
        &self,
        ack: Option<jetstream::context::PublishAckFuture>,
        done: &mut Published,
        progress: &mut impl FnMut(u64),
    ) -> Result<(), BusError> {
        let Some(ack) = ack else { return Ok(()) };
        let ack = ack.await.map_err(|e| self.publish_error(e))?;
        done.signals += 1;
        done.first_sequence = done.first_sequence.or(Some(ack.sequence));
        done.last_sequence = ack.sequence;
        if done.signals % 10_000 == 0 {
            progress(done.signals);
        }
        Ok(())
    }

    fn publish_error(&self, e: impl std::fmt::Display) -> BusError {
        BusError::Publish {
            stream: self.config.stream.clone(),
            detail: e.to_string(),
        }
    }

    /// The subject the stream's notices are relayed on (outside the stream's subjects, so they
    /// are not stored).
    pub fn notices_subject(&self) -> String {
        format!("fanzha.notices.{}", self.config.stream)
    }

    /// Relays one notice (its JSON) to whoever listens now.
    pub async fn publish_notice(&self, body: Vec<u8>) -> Result<(), BusError> {
        self.client
            .publish(self.notices_subject(), body.into())
            .await
            .map_err(|e| self.publish_error(e))
    }

    /// The notices relayed from now on, as message bodies.
    pub async fn notices(&self) -> Result<Notices, BusError> {
        let subscriber = self
            .client
            .subscribe(self.notices_subject())
            .await
            .map_err(|e| BusError::Read {
                stream: self.config.stream.clone(),
                detail: e.to_string(),
            })?;
        // A flush only writes the SUB out. A request on the same connection that nobody
        // answers comes back from the server ("no responders") after it has processed the
        // SUB before it, so a notice relayed once this returns is not missed.
        let ready = format!("fanzha.ready.{}", self.config.stream);
        match self.client.request(ready, Default::default()).await {
            Ok(_) => {}
            Err(e) if e.kind() == async_nats::client::RequestErrorKind::NoResponders => {}
            Err(e) => {
                return Err(BusError::Read {
                    stream: self.config.stream.clone(),
                    detail: e.to_string(),
                })
            }
        }
        Ok(Notices { subscriber })
    }

    /// The sequence of the last message in the stream (0 when empty).
    pub async fn last_sequence(&self) -> Result<u64, BusError> {
        Ok(self.extent().await?.1)
    }

    /// The first sequence the stream still holds (older messages passed its retention) and the
    /// last; `first` is `last + 1` when it holds none.
    pub async fn extent(&self) -> Result<(u64, u64), BusError> {
        let mut stream = self.stream().await?;
        let info = stream.info().await.map_err(|e| self.stream_error(e))?;
        Ok((info.state.first_sequence, info.state.last_sequence))
    }

    /// Removes the messages before `sequence`, as the stream's retention does with old ones.
    pub async fn discard_before(&self, sequence: u64) -> Result<(), BusError> {
        let stream = self.stream().await?;
        stream
            .purge()
            .sequence(sequence)
            .await
            .map(|_| ())
            .map_err(|e| self.stream_error(e))
    }

    /// Reads the stream in order from `start` (the first sequence is 1).
    pub async fn read_from(&self, start: u64) -> Result<Reader, BusError> {
        let stream = self.stream().await?;
        Reader::open(stream, &self.config, start.max(1)).await
    }

    /// Deletes the stream and every signal in it (tests, and a center starting over).
    pub async fn delete_stream(&self) -> Result<(), BusError> {
        self.js
            .delete_stream(&self.config.stream)
            .await
            .map(|_| ())
            .map_err(|e| self.stream_error(e))
    }

    async fn stream(&self) -> Result<stream::Stream, BusError> {
        self.js
            .get_stream(&self.config.stream)
            .await
            .map_err(|e| self.stream_error(e))
    }

    fn stream_error(&self, e: impl std::fmt::Display) -> BusError {
        BusError::Stream {
            stream: self.config.stream.clone(),
            detail: e.to_string(),
        }
    }
}

/// What [`Bus::publish_all`] stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Published {
    pub signals: u64,
    pub first_sequence: Option<u64>,
    pub last_sequence: u64,
}

/// Relayed notices as they arrive.
pub struct Notices {
    subscriber: async_nats::Subscriber,
}

impl Notices {
    /// The next notice's body; `None` when the connection is closed for good.
    pub async fn next(&mut self) -> Option<Vec<u8>> {
        use futures_util::StreamExt;
        self.subscriber.next().await.map(|m| m.payload.to_vec())
    }
}
