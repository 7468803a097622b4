//! The matching crate's behaviour through its public API, in one test binary.

mod batch;
mod optimality;
mod properties;
mod ranking;
mod support;
