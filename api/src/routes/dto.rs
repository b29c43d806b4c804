//! Response shapes shared by several resources.

use chrono::{DateTime, Utc};
use domain::RegionCode;
use infra::app::users::{GrantView, SplitView, UserView};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An org unit: a node of the division hierarchy.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnit {
    /// 12-digit division code.
    #[schema(example = "370831101201")]
    pub code: String,
    /// Name.
    pub name: String,
    /// `platform`, `province`, `city`, `county`, `township` or `village`.
    #[schema(example = "village")]
    #[schema(value_type = domain::Level)]
    pub level: String,
}

impl OrgUnit {
    /// From a code and its name.
    pub fn new(code: RegionCode, name: String) -> Self {
        Self {
            code: code.to_code_string(),
            name,
            level: code.level().name().into(),
        }
    }
}

/// A role held at an org unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantDto {
    /// Grant id (for revoking).
    pub id: Uuid,
    /// Role name.
    #[schema(example = "village_clerk")]
    pub role: String,
    /// Where the role applies (with its subtree).
    pub org_unit: OrgUnit,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
}

impl From<GrantView> for GrantDto {
    fn from(g: GrantView) -> Self {
        Self {
            id: g.id,
            role: g.role,
            org_unit: OrgUnit::new(g.unit, g.unit_name),
            granted_at: g.granted_at,
        }
    }
}

/// A permission the account holds at several units with no grant covering them all (a
/// covering grant was revoked): every request needing it is refused until a grant covers them
/// again or all but one go.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitGrantsDto {
    /// The permission.
    #[schema(example = "cases:read")]
    pub permission: String,
    /// The nearest unit covering its grants: a request would read all of it.
    pub covering_unit: OrgUnit,
}

impl From<SplitView> for SplitGrantsDto {
    fn from(s: SplitView) -> Self {
        Self {
            permission: s.permission,
            covering_unit: OrgUnit::new(s.unit, s.unit_name),
        }
    }
}

/// A user account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// The org unit the user belongs to; they read its subtree.
    pub org_unit: OrgUnit,
    /// Disabled users cannot log in.
    pub disabled: bool,
    /// Roles held.
    pub roles: Vec<GrantDto>,
    /// Permissions whose grants are split (usually none): requests needing them are refused.
    pub split_grants: Vec<SplitGrantsDto>,
    /// Version (the `ETag`).
    pub version: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<UserView> for UserDto {
    fn from(v: UserView) -> Self {
        Self {
            id: v.user.id,
            username: v.user.username,
            display_name: v.user.display_name,
            org_unit: OrgUnit::new(v.org, v.org_name),
            disabled: v.user.disabled,
            roles: v.grants.into_iter().map(Into::into).collect(),
            split_grants: v.split.into_iter().map(Into::into).collect(),
            version: v.user.version,
            created_at: v.user.created_at,
            updated_at: v.user.updated_at,
        }
    }
}
