//! Use cases: each combines the domain's rules with storage inside one scoped transaction, and
//! writes its audit entry in that same transaction.
//!
//! `api` calls these from `web::block`; they are synchronous and take the connection the
//! scoped transaction provides, so they cannot forget the scope.

pub mod attachments;
pub mod auth;
pub mod benefit_cards;
pub mod calendar;
pub mod campaign;
pub mod cases;
pub mod catalog;
pub mod cors;
pub mod coverage;
pub mod demonstration_villages;
pub mod exit;
pub mod exit_inspections;
pub mod fund_documents;
pub mod fund_matching;
pub mod funds;
pub mod grant_requests;
pub mod idempotency;
pub mod imports;
pub mod intake;
pub mod intake_objections;
pub mod jobs;
pub mod key_village_leaders;
pub mod monitoring;
pub mod monitoring_contact;
pub mod project_rules;
pub mod property;
pub mod property_appraisals;
pub mod property_documents;
pub mod property_routing;
pub mod ranger_documents;
pub mod rangers;
pub mod reports;
pub mod settings;
pub mod tasks;
pub mod teams;
pub mod tenants;
pub mod township_plans;
pub mod users;
pub mod village_indicators;
pub mod villages;
pub mod webhooks;

use diesel::pg::PgConnection;
use domain::authz::Caller;
use domain::{DomainError, RegionCode};

use crate::audit::{self, Actor, Entry};

/// The caller and request a use case runs for.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Who is calling, as loaded for this request.
    pub caller: Caller,
    /// The request id (echoed in `X-Request-Id`, stored in audit rows).
    pub request_id: String,
    /// The time of the request, from the server's clock (tests advance it).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Ctx {
    /// Today in China at the time of the request.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::clock::china_date(self.now)
    }
}

impl Ctx {
    /// The caller as an audit actor.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.caller.user_id),
            username: Some(self.caller.username.clone()),
            roles: self.caller.role_names(),
            org: Some(self.caller.org),
            request_id: Some(self.request_id.clone()),
        }
    }

    /// Writes an audit entry for this caller.
    ///
    /// # Errors
    /// Database failures.
    pub fn audit(
        &self,
        conn: &mut PgConnection,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
        region: RegionCode,
        details: serde_json::Value,
    ) -> Result<(), DomainError> {
        audit::record(
            conn,
            &self.actor(),
            &Entry {
                action,
                object_type,
                object_id: Some(object_id.to_string()),
                region,
                reason: None,
                details,
            },
        )
    }
}

/// Parses a stored code, treating corruption as unexpected.
pub(crate) fn stored_code(v: i64) -> Result<RegionCode, DomainError> {
    RegionCode::from_i64(v).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
}
