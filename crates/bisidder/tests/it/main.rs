//! One integration-test binary. Every scenario runs on SQLite and, when scripts/test.sh
//! has started one, on PostgreSQL (see helpers::backends).

mod helpers;

mod api;
mod audit;
mod auth;
mod backup;
mod cli;
mod demo;
mod mail;
mod routes;
mod web;
