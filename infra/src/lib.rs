//! Zhenxing's adapters: PostgreSQL through diesel and r2d2 (scoped transactions, repositories,
//! migrations), password hashing, token signing, and the region import.
//!
//! The use cases that combine domain rules with storage live in [`app`]: each runs inside one
//! scoped transaction handed to it by [`db::Db`], so a failure part-way writes nothing.

pub mod app;
pub mod audit;
pub mod clock;
pub mod crypto;
pub mod db;
pub mod files;
pub mod jwt;
pub mod key_check;
pub mod migrate;
pub mod offboard;
pub mod partitions;
pub mod pii;
pub mod regions;
pub mod retire;
pub mod schema;
pub mod wal;
