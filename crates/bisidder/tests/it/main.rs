//! One integration-test binary. Every scenario runs on SQLite and, when scripts/test.sh
//! has started one, on PostgreSQL (see helpers::backends).

mod helpers;

mod access_matrix;
mod api;
mod audit;
mod auth;
mod backup;
mod bad_input;
mod case_flow;
mod cases;
mod cli;
mod crash;
mod demo;
mod directory;
mod import;
mod intake;
mod knowledge;
mod mail;
mod matching_flow;
mod minsag;
mod privacy;
mod reliability;
mod routes;
mod security;
mod server;
mod snapshot;
mod stats;
mod stats_store;
mod volunteers;
mod web;
