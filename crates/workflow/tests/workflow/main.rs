//! The closed loop's integration tests, as one test binary: the state machine as a
//! specification, the service over a real store, 96110 calls, SMS over SMPP and webhooks against
//! real peers on 127.0.0.1.

mod calls;
mod service;
mod smpp;
mod state_machine;
mod webhooks;
