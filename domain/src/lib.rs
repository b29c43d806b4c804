//! Zhenxing's business rules, free of I/O: region codes and scopes, roles and who may grant
//! what, the typed settings record, validation of user input, and the login throttle.
//!
//! Everything here is synchronous and deterministic (time comes in as an argument), so it is
//! unit-tested without a database. Adapters live in `infra`, HTTP in `api`.

pub mod authz;
pub mod cases;
pub mod error;
pub mod password;
pub mod region;
pub mod settings;
pub mod throttle;
pub mod user;

pub use error::{DomainError, FieldError};
pub use region::{Level, RegionCode, Scope};
