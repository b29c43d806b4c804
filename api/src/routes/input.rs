//! Checks of request input shared by the handlers: ids in paths, free text, years, areas, the
//! region filter, and turning collected field errors into one 422.

use domain::{DomainError, RegionCode, Scope};
use uuid::Uuid;

/// An id in a path; a malformed one is simply not found.
///
/// # Errors
/// `NotFound`.
pub fn id_of(path: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(path).map_err(|_| DomainError::NotFound)
}

pub use domain::input::{check_year, done, mu_tenths, text};

/// The `region` filter: a region inside `scope` narrows it; absent, the whole scope.
///
/// # Errors
/// 422 naming `region` when it is not a code or lies outside the scope.
pub fn within(region: Option<&str>, scope: Scope) -> Result<Scope, DomainError> {
    match region {
        None => Ok(scope),
        Some(r) => {
            let code = RegionCode::parse(r).map_err(|m| DomainError::field("region", m))?;
            if scope.contains(code) {
                Ok(code.subtree())
            } else {
                Err(DomainError::field("region", domain::Rule::OutsideScope))
            }
        }
    }
}

/// A string the handler takes only as one of `values` (a closed vocabulary checked by hand), as
/// a schema: the document states the values.
fn one_of(values: &[&str]) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// `dismiss` or `open_case` (a lead's verification).
pub fn dismiss_or_open_case() -> utoipa::openapi::schema::Object {
    one_of(&["dismiss", "open_case"])
}

/// A position on a resident work team.
pub fn team_positions() -> utoipa::openapi::schema::Object {
    one_of(domain::villages::TEAM_POSITIONS)
}

/// `gap` or `code` (the key-village order), or absent.
pub fn key_village_orders() -> utoipa::openapi::schema::Object {
    one_of(&["gap", "code"])
}

/// A list of texts, each 1–`max` characters and not blank.
fn texts(max: usize) -> utoipa::openapi::schema::ArrayBuilder {
    utoipa::openapi::schema::ArrayBuilder::new().items(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .pattern(Some("[^\\s\\u0085]|\\ufeff")),
    )
}

/// The names of the people who verified (1 to 20 of them, each 1–50 characters).
pub fn verifier_names() -> utoipa::openapi::schema::Array {
    texts(50).min_items(Some(1)).max_items(Some(20)).build()
}

/// Browser origins (`https://host[:port]`, `http://` only for localhost), at most 20.
pub fn cors_origins() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .pattern(Some(
                    "^\\s*([hH][tT][tT][pP][sS]://[^/?#@ *]+|[hH][tT][tT][pP]://([lL][oO][cC][aA][lL][hH][oO][sS][tT]|127\\.0\\.0\\.1|\\[::1\\])(:[0-9]+)?)/*\\s*$",
                )),
        )
        .max_items(Some(20))
        .build()
}

/// `open`, `upheld` or `dismissed` (the objection filter).
pub fn objection_statuses() -> utoipa::openapi::schema::Object {
    one_of(&["open", "upheld", "dismissed"])
}

/// `upheld` or `dismissed` (an objection's resolution).
pub fn objection_outcomes() -> utoipa::openapi::schema::Object {
    one_of(&["upheld", "dismissed"])
}

/// `medical_expense` or `disaster` (the leads a person reports; the others come from scans).
pub fn reported_lead_rules() -> utoipa::openapi::schema::Object {
    one_of(&["medical_expense", "disaster"])
}

/// `active` or `exited` (the key-village filter).
pub fn key_village_statuses() -> utoipa::openapi::schema::Object {
    one_of(&["active", "exited"])
}

/// A property-check hit's status (the hit filter).
pub fn hit_statuses() -> utoipa::openapi::schema::Object {
    one_of(&["pending", "verified", "appraised", "submitted", "confirmed"])
}

/// The webhook-delivery status filter.
pub fn delivery_statuses() -> utoipa::openapi::schema::Object {
    one_of(&["pending", "delivered", "failed"])
}

/// `province` or `city` (a demonstration village's level).
pub fn demonstration_levels() -> utoipa::openapi::schema::Object {
    one_of(&["province", "city"])
}

/// A key village's planned projects: each 1–200 characters.
pub fn project_names() -> utoipa::openapi::schema::Array {
    texts(200).build()
}

/// A village's industries (主要产业, 特色产业): at most 10, each 1–50 characters.
pub fn industry_names() -> utoipa::openapi::schema::Array {
    texts(50).max_items(Some(10)).build()
}

/// At least one risk type.
pub fn risk_types_at_least_one() -> utoipa::openapi::schema::Array {
    let mut a = domain::monitoring::RiskType::input_list_schema();
    a.min_items = Some(1);
    a
}

/// At least one event kind.
pub fn event_kinds_at_least_one() -> utoipa::openapi::schema::Array {
    let mut a = domain::webhooks::EventKind::input_list_schema();
    a.min_items = Some(1);
    a
}

/// At least one event kind, or `null` (no change).
pub fn event_kinds_at_least_one_or_null() -> utoipa::openapi::schema::Array {
    let mut a = domain::webhooks::EventKind::input_list_schema_or_null();
    a.min_items = Some(1);
    a
}
