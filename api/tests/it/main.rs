//! Integration tests: the real server over HTTP, on a real PostgreSQL, as the app role.

mod helpers;

mod attachments;
mod audit_log;
mod auth;
mod calendar;
mod cases;
mod cluster;
mod console;
mod exit;
mod exit_dates;
mod fair;
mod faults;
mod forms;
mod funds;
mod http;
mod instances;
mod isolation;
mod matrix;
mod monitoring;
mod pgbouncer;
mod plans;
mod printed;
mod property;
mod queue;
mod regions;
mod replica;
mod reports;
mod settings;
mod tasks;
mod throttle;
mod transfer;
mod uploads;
mod users;
mod villages;
mod webhooks;
