//! The closed vocabularies with their Chinese labels, so front ends show the server's labels
//! instead of copying lists that drift (issue 20: "Chinese labels for every code, from the API's
//! vocabularies"), and the role and permission catalogs with their Chinese names.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::error::answers::NotSignedIn;
use crate::state::{AppState, Auth};

/// One code of a vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyEntry {
    /// The stable code, as requests and responses carry it.
    #[schema(example = "non_poor")]
    pub code: String,
    /// The Chinese label (requests also accept it in place of the code).
    #[schema(example = "一般农户")]
    pub label: String,
}

/// A closed vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyDto {
    /// The schema's name in this document (`HouseholdStatus`, `ExitStep`, `Level`, …), or
    /// `Role` and `Permission` for the platform's catalogs of roles (`GET /roles`) and of the
    /// permissions they carry.
    #[schema(example = "HouseholdStatus")]
    pub name: String,
    /// Its codes in their order, with labels.
    pub entries: Vec<VocabularyEntry>,
}

/// Every closed vocabulary of the contract with the Chinese label of each code, by schema
/// name, and the role (`Role`) and permission (`Permission`) catalogs with their Chinese names.
/// The same for every caller; it changes only with a server release.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The vocabularies, by name", body = Vec<VocabularyDto>),
        NotSignedIn,
    )
)]
#[get("/vocabularies")]
pub async fn list_vocabularies(state: web::Data<AppState>, _auth: Auth) -> ApiResult<HttpResponse> {
    let entry = |code: &str, label: &str| VocabularyEntry {
        code: code.into(),
        label: label.into(),
    };
    let mut body: Vec<VocabularyDto> = domain::vocabularies::all()
        .into_iter()
        .map(|(name, entries)| VocabularyDto {
            name: name.into(),
            entries: entries.into_iter().map(|(c, l)| entry(c, l)).collect(),
        })
        .collect();
    // The catalogs are data (the `roles` and `permissions` tables), held in memory.
    body.push(VocabularyDto {
        name: "Permission".into(),
        entries: state
            .catalog
            .permission_labels()
            .map(|(c, l)| entry(c, l))
            .collect(),
    });
    body.push(VocabularyDto {
        name: "Role".into(),
        entries: state
            .catalog
            .roles()
            .map(|r| entry(&r.name, &r.label))
            .collect(),
    });
    body.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        .json(body))
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        list_vocabularies => Authenticated,
    },
}
