//! The role catalog.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::error::answers::NotSignedIn;
use crate::state::{AppState, Auth};

/// A role and what it allows.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    /// Name.
    #[schema(example = "village_clerk")]
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its Chinese name, as front ends show it.
    #[schema(example = "村文书")]
    pub label: String,
    /// Highest level it may be granted at.
    #[schema(example = "village")]
    #[schema(value_type = domain::Level)]
    pub min_level: String,
    /// Lowest level it may be granted at.
    #[schema(example = "village")]
    #[schema(value_type = domain::Level)]
    pub max_level: String,
    /// Permissions it carries.
    pub permissions: Vec<String>,
}

/// Every role, with the levels it may be granted at and its permissions.
#[utoipa::path(
    tag = "roles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The catalog", body = Vec<RoleDto>),
        NotSignedIn,
    )
)]
#[get("/roles")]
pub async fn list_roles(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    // Authenticates like every route; the catalog itself is held in memory.
    state.run(auth, |_, _| Ok(())).await?;
    let roles: Vec<RoleDto> = state
        .catalog
        .roles()
        .map(|r| RoleDto {
            name: r.name.clone(),
            description: r.description.clone(),
            label: r.label.clone(),
            min_level: r.min_level.name().into(),
            max_level: r.max_level.name().into(),
            permissions: r.permissions.iter().cloned().collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(roles))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_roles => Authenticated,
    },
}
