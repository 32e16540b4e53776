//! Fund tracing and stop-payment tests, as one test binary: trace behaviour on built graphs and
//! properties (money conserved, no hop back in time) over random ones.

mod stop_payment_properties;
mod trace_behaviour;
mod trace_properties;
