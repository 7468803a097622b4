//! One integration-test binary. Every scenario runs on SQLite and, when scripts/test.sh
//! has started one, on PostgreSQL (see helpers::backends).

mod helpers;

mod api;
mod audit;
mod auth;
mod backup;
mod cli;
mod demo;
mod import;
mod intake;
mod mail;
mod matching_flow;
mod routes;
mod stats;
mod stats_store;
mod web;
