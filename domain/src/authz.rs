//! Who may do what, where.
//!
//! Roles and their permissions are data (the `roles` and `role_permissions` tables), loaded into
//! a [`Catalog`]. A role is granted at an org unit; a grant lets its holder use the role's
//! permissions on that unit's subtree. What a user may *read* is their own org unit's subtree.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::error::DomainError;
use crate::region::{Level, RegionCode, Scope};

/// Permission names the code refers to (the database holds the catalog; a test checks they
/// agree).
pub mod perm {
    /// List and read tenants.
    pub const TENANTS_READ: &str = "tenants:read";
    /// Onboard counties.
    pub const TENANTS_MANAGE: &str = "tenants:manage";
    /// List and read users in scope.
    pub const USERS_READ: &str = "users:read";
    /// Create, change, disable users; grant and revoke roles.
    pub const USERS_MANAGE: &str = "users:manage";
    /// Read effective settings.
    pub const SETTINGS_READ: &str = "settings:read";
    /// Change settings at a province or county.
    pub const SETTINGS_MANAGE: &str = "settings:manage";
    /// Query the audit log.
    pub const AUDIT_READ: &str = "audit:read";

    /// Read households, members, records, measures (ID numbers masked).
    pub const CASES_READ: &str = "cases:read";
    /// Register and change cases.
    pub const CASES_WRITE: &str = "cases:write";
    /// See a full ID number, with an audited reason.
    pub const CASES_REVEAL: &str = "cases:reveal";
    /// Above the county: read individual household and member records, not only aggregates.
    pub const CASES_DRILLDOWN: &str = "cases:drilldown";
    /// Import households from spreadsheets.
    pub const CASES_IMPORT: &str = "cases:import";
    /// Export household lists.
    pub const CASES_EXPORT: &str = "cases:export";

    /// Read exit lists, monitoring cases and leads, targets and progress.
    pub const WORKFLOW_READ: &str = "workflow:read";
    /// Village steps of the exit and monitoring workflows.
    pub const WORKFLOW_VILLAGE: &str = "workflow:village";
    /// Township steps.
    pub const WORKFLOW_TOWNSHIP: &str = "workflow:township";
    /// County steps.
    pub const WORKFLOW_COUNTY: &str = "workflow:county";
    /// Sampling inspections of filed exits (督查验收): county approvers, city observers.
    pub const WORKFLOW_INSPECT: &str = "workflow:inspect";
    /// Acknowledge a filed exit list at the city, then the province (逐级备案).
    pub const WORKFLOW_ACKNOWLEDGE: &str = "workflow:acknowledge";

    /// Import batches of property-check hits.
    pub const PROPERTY_IMPORT: &str = "property:import";
    /// See property-check hits (confidential, audited).
    pub const PROPERTY_READ: &str = "property:read";
    /// Village: verify hits, record the appraisal.
    pub const PROPERTY_VERIFY: &str = "property:verify";
    /// Township: submit the statistics table.
    pub const PROPERTY_REVIEW: &str = "property:review";
    /// Township: forward hits to the villages (the station, or the village's liaison leader).
    pub const PROPERTY_FORWARD: &str = "property:forward";
    /// County: confirm tables, reverse vetoes.
    pub const PROPERTY_DECIDE: &str = "property:decide";

    /// Read villages, teams, pairings, visits, coverage.
    pub const VILLAGES_READ: &str = "villages:read";
    /// Enter village profiles.
    pub const VILLAGES_WRITE: &str = "villages:write";
    /// County: key villages, county figures, teams, pairings, advisers.
    pub const VILLAGES_MANAGE: &str = "villages:manage";
    /// Team members: visit logs.
    pub const VISITS_WRITE: &str = "visits:write";

    /// Read funds, projects, ledgers, relocation plans, ranger contracts.
    pub const FUNDS_READ: &str = "funds:read";
    /// Record funds, projects, ledger entries, relocation plans, ranger contracts and payouts.
    pub const FUNDS_MANAGE: &str = "funds:manage";
    /// Print a project's payment file for the bank: names, full ID and card numbers (a reason,
    /// audited).
    pub const FUNDS_PAYMENT_FILE: &str = "funds:payment_file";
    /// Register webhook endpoints of the county and read their deliveries.
    pub const WEBHOOKS_MANAGE: &str = "webhooks:manage";
    /// Set the origins the county's front ends are served from (CORS).
    pub const CORS_MANAGE: &str = "cors:manage";

    /// The workflow permission of a level's steps.
    pub fn workflow_at(level: crate::region::Level) -> &'static str {
        match level {
            crate::region::Level::Village => WORKFLOW_VILLAGE,
            crate::region::Level::Township => WORKFLOW_TOWNSHIP,
            _ => WORKFLOW_COUNTY,
        }
    }

    /// Permissions that only read or administer: a role carrying nothing else is not
    /// operational (see [`super::RoleDef::is_operational`]).
    pub const NOT_OPERATIONAL: &[&str] = &[
        TENANTS_READ,
        TENANTS_MANAGE,
        USERS_READ,
        USERS_MANAGE,
        SETTINGS_READ,
        SETTINGS_MANAGE,
        WEBHOOKS_MANAGE,
        CORS_MANAGE,
        CASES_READ,
        CASES_DRILLDOWN,
        WORKFLOW_READ,
        VILLAGES_READ,
        FUNDS_READ,
        AUDIT_READ,
    ];

    /// Every permission the code uses.
    pub const ALL: &[&str] = &[
        WEBHOOKS_MANAGE,
        CORS_MANAGE,
        CASES_DRILLDOWN,
        FUNDS_READ,
        FUNDS_MANAGE,
        FUNDS_PAYMENT_FILE,
        VILLAGES_READ,
        VILLAGES_WRITE,
        VILLAGES_MANAGE,
        VISITS_WRITE,
        PROPERTY_IMPORT,
        PROPERTY_READ,
        PROPERTY_VERIFY,
        PROPERTY_REVIEW,
        PROPERTY_FORWARD,
        PROPERTY_DECIDE,
        WORKFLOW_READ,
        WORKFLOW_VILLAGE,
        WORKFLOW_TOWNSHIP,
        WORKFLOW_COUNTY,
        WORKFLOW_INSPECT,
        WORKFLOW_ACKNOWLEDGE,
        CASES_READ,
        CASES_WRITE,
        CASES_REVEAL,
        CASES_IMPORT,
        CASES_EXPORT,
        TENANTS_READ,
        TENANTS_MANAGE,
        USERS_READ,
        USERS_MANAGE,
        SETTINGS_READ,
        SETTINGS_MANAGE,
        AUDIT_READ,
    ];

    /// The permission that reads what an audit entry's details and reason tell about its
    /// object, by the object's type: `audit:read` shows who did what to which object and
    /// when, but what a household's entry records (names, phone numbers, health, reasons
    /// for removal) only to those who may read households there (security.md §18; a
    /// property check's entries too: its hits are household members' property). `None`
    /// for the administration's own objects (users, settings, tenants, webhooks, the
    /// calendar, targets), whose details `audit:read` covers; an object type not listed
    /// here needs `cases:read`, so that a new kind of entry is withheld until it is placed.
    pub fn audit_details(object_type: &str) -> Option<&'static str> {
        match object_type {
            "calendar_year" | "county_figure" | "demo_clock" | "exit_target" | "intake_target"
            | "grant_request" | "import" | "report" | "route" | "session" | "settings"
            | "tenant" | "user" | "webhook_delivery" | "webhook_endpoint" => None,
            // Months of the growing tables retired (row counts, archive checksums).
            "audit_log" | "household_events" | "login_attempts" | "job_errors"
            | "webhook_deliveries" => None,
            "exit_list" | "exit_objection" | "exit_filing" | "exit_inspection" | "exit_round"
            | "intake_list" | "intake_objection" | "monitoring_case" | "monitoring_lead"
            | "campaign" | "township_plan" => Some(WORKFLOW_READ),
            "fund" | "project" | "allocation" | "disbursement" | "ranger_contract"
            | "relocation_plan" => Some(FUNDS_READ),
            "key_village"
            | "demonstration_village"
            | "team"
            | "team_member"
            | "pairing"
            | "village_pairing"
            | "visit"
            | "adviser"
            | "township"
            | "village_profile" => Some(VILLAGES_READ),
            _ => Some(CASES_READ),
        }
    }
}

/// A role as the catalog defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    /// `village_clerk`, …
    pub name: String,
    /// Highest org unit (smallest level number) the role may be granted at.
    pub min_level: Level,
    /// Lowest org unit the role may be granted at.
    pub max_level: Level,
    /// What the role is for.
    pub description: String,
    /// Its Chinese name (`村文书`), as front ends show it.
    pub label: String,
    /// Permission names.
    pub permissions: BTreeSet<String>,
}

impl RoleDef {
    /// Whether the role acts on cases, workflows, funds, property checks or the audit log
    /// (anything beyond reading and administration): granting one is audited with an alert.
    pub fn is_operational(&self) -> bool {
        self.permissions
            .iter()
            .any(|p| !perm::NOT_OPERATIONAL.contains(&p.as_str()))
    }
}

/// The role catalog.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    roles: BTreeMap<String, RoleDef>,
    permission_labels: BTreeMap<String, String>,
}

impl Catalog {
    /// Builds a catalog from role definitions.
    pub fn new(roles: impl IntoIterator<Item = RoleDef>) -> Self {
        Self {
            roles: roles.into_iter().map(|r| (r.name.clone(), r)).collect(),
            permission_labels: BTreeMap::new(),
        }
    }

    /// The catalog with the Chinese label of each permission (`cases:read` → `查看农户`).
    #[must_use]
    pub fn with_permission_labels(
        mut self,
        labels: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        self.permission_labels = labels.into_iter().collect();
        self
    }

    /// Every permission with its Chinese label, by name.
    pub fn permission_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.permission_labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The role called `name`.
    pub fn role(&self, name: &str) -> Option<&RoleDef> {
        self.roles.get(name)
    }

    /// Every role, by name.
    pub fn roles(&self) -> impl Iterator<Item = &RoleDef> {
        self.roles.values()
    }
}

/// For the units where one permission is held: the nearest unit covering them all, when none
/// of them is that unit (a request needing the permission is then refused, see
/// [`Caller::grants_split`]); `None` otherwise. A request reads one range, and that unit's
/// would take in the units between the grants: two counties' city holds a third county, two
/// townships' county a third township, two villages' township a third village.
pub fn split_span(units: impl Iterator<Item = RegionCode> + Clone) -> Option<RegionCode> {
    let span = units.clone().reduce(RegionCode::common_ancestor)?;
    let mut units = units;
    (!units.any(|u| u == span)).then_some(span)
}

/// Every permission that grants (each a unit and the permissions its role carries) hold split,
/// with the unit covering its grants ([`split_span`]), by permission name. What an account's
/// grants were left as when a covering grant was revoked: requests needing these are refused
/// until a grant covers them again or the others go.
pub fn split_permissions<'a>(
    grants: impl Iterator<Item = (RegionCode, &'a BTreeSet<String>)> + Clone,
) -> Vec<(String, RegionCode)> {
    let held: BTreeSet<&String> = grants.clone().flat_map(|(_, p)| p.iter()).collect();
    held.into_iter()
        .filter_map(|permission| {
            let units = grants
                .clone()
                .filter(|(_, p)| p.contains(permission))
                .map(|(u, _)| u);
            split_span(units).map(|span| (permission.clone(), span))
        })
        .collect()
}

/// One role held at one org unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The grant's id.
    pub id: Uuid,
    /// Role name.
    pub role: String,
    /// Org unit where it applies (with its subtree).
    pub unit: RegionCode,
}

/// The authenticated user making a request, as loaded from the database for that request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// User id.
    pub user_id: Uuid,
    /// Login name (for audit rows).
    pub username: String,
    /// The org unit the user belongs to.
    pub org: RegionCode,
    /// The session (refresh family) the access token belongs to.
    pub session_id: Uuid,
    /// Roles held, each with the permissions it carries.
    pub grants: Vec<(Grant, BTreeSet<String>)>,
    /// Set for one request when the route's permission is granted only below the caller's
    /// org unit (a city user holding a role at one county): the unit whose subtree covers
    /// every grant carrying it, which then bounds the request instead of the org unit.
    pub bound: Option<RegionCode>,
}

impl Caller {
    /// What the caller may read: their org unit's subtree, or for a request bounded by where
    /// its permission is granted, that unit's subtree.
    pub fn scope(&self) -> Scope {
        self.unit().subtree()
    }

    /// The unit a request covers when it names none: the caller's org unit, or the unit
    /// bounding the request (see [`Caller::bound`]).
    pub fn unit(&self) -> RegionCode {
        self.bound.unwrap_or(self.org)
    }

    /// The smallest unit whose subtree covers every grant carrying `permission`, when that
    /// lies strictly below the caller's org unit; `None` when the org unit itself is the
    /// bound (or no grant carries it).
    pub fn grants_bound(&self, permission: &str) -> Option<RegionCode> {
        let bound = self
            .grants
            .iter()
            .filter(|(_, p)| p.contains(permission))
            .map(|(g, _)| g.unit)
            .reduce(RegionCode::common_ancestor)?;
        (bound != self.org && self.org.subtree().contains(bound)).then_some(bound)
    }

    /// The nearest unit covering the grants that carry `permission`, when none of them is at
    /// that unit: one range (what a request is bounded by) cannot hold two counties without
    /// the ones between, nor two townships without the county's others, so such a request is
    /// refused rather than given the range (`None` otherwise).
    pub fn grants_split(&self, permission: &str) -> Option<RegionCode> {
        split_span(
            self.grants
                .iter()
                .filter(|(_, p)| p.contains(permission))
                .map(|(g, _)| g.unit),
        )
    }

    /// Every permission whose grants are split ([`split_permissions`]).
    pub fn split_permissions(&self) -> Vec<(String, RegionCode)> {
        split_permissions(self.grants.iter().map(|(g, p)| (g.unit, p)))
    }

    /// The tenant key of where the request acts: the caller's org unit's, or for a request
    /// bounded by where its permission is granted, the bound's. The caller's own rows (their
    /// account, grants) are keyed by the org unit: `self.org.county_code()`.
    pub fn county_code(&self) -> i32 {
        self.unit().county_code()
    }

    /// Role names held (for audit rows).
    pub fn role_names(&self) -> Vec<String> {
        let names: BTreeSet<&str> = self.grants.iter().map(|(g, _)| g.role.as_str()).collect();
        names.into_iter().map(str::to_owned).collect()
    }

    /// Whether any grant carries `permission`.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.grants.iter().any(|(_, p)| p.contains(permission))
    }

    /// The broadest org unit where the caller holds `permission` (the first of equals): what a
    /// read that needs it may cover. A user's org unit may lie above their grants (a city user
    /// holding a role at one county): the grants, not the org unit, bound such reads.
    pub fn widest_with(&self, permission: &str) -> Option<RegionCode> {
        self.grants
            .iter()
            .filter(|(_, p)| p.contains(permission))
            .map(|(g, _)| g.unit)
            .min_by_key(|u| u.level())
    }

    /// Whether a grant carrying `permission` covers `code`.
    pub fn can_at(&self, permission: &str, code: RegionCode) -> bool {
        self.grants
            .iter()
            .any(|(g, p)| p.contains(permission) && g.unit.subtree().contains(code))
    }

    /// Whether one grant with `permission` covers the whole of `scope` (a read of that range).
    pub fn can_over(&self, permission: &str, scope: Scope) -> bool {
        self.grants
            .iter()
            .any(|(g, p)| p.contains(permission) && g.unit.subtree().covers(scope))
    }

    /// Requires a grant with `permission` covering `code`.
    ///
    /// # Errors
    /// `Forbidden` naming the permission when no grant covers the node.
    pub fn require_at(&self, permission: &str, code: RegionCode) -> Result<(), DomainError> {
        if self.can_at(permission, code) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "{permission} is not granted to you at {code}"
            )))
        }
    }

    /// Requires a grant with `permission` held at an org unit of `level` whose subtree covers
    /// `code`: workflow steps belong to one level (a township step is taken by a township's
    /// user, never by a village's or the county's).
    ///
    /// # Errors
    /// `Forbidden` naming the permission and the level.
    pub fn require_at_level(
        &self,
        permission: &str,
        level: Level,
        code: RegionCode,
    ) -> Result<(), DomainError> {
        let ok = self.grants.iter().any(|(g, p)| {
            p.contains(permission) && g.unit.level() == level && g.unit.subtree().contains(code)
        });
        if ok {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "this step is taken at the {} level with {permission} over {code}",
                level.name()
            )))
        }
    }

    /// Checks that the caller may grant `role` at `unit` to a user of org unit `grantee_org`.
    ///
    /// A role may be granted only at a level its definition allows, only inside the grantee's
    /// own org unit subtree, and only by someone holding `users:manage` over that unit — so
    /// nobody grants outside their subtree or above their own level.
    ///
    /// # Errors
    /// `Validation` when the role or unit is unfit, `Forbidden` when the caller lacks the right.
    pub fn check_grant(
        &self,
        catalog: &Catalog,
        role: &str,
        unit: RegionCode,
        grantee_org: RegionCode,
    ) -> Result<(), DomainError> {
        let Some(def) = catalog.role(role) else {
            return Err(DomainError::field(
                "role",
                crate::Rule::other("is not a known role", "不是已知的角色"),
            ));
        };
        self.require_at(perm::USERS_MANAGE, unit)?;
        let level = unit.level();
        if level < def.min_level || level > def.max_level {
            return Err(DomainError::field(
                "org_unit",
                crate::Rule::other(
                    format!(
                        "{role} may be granted only at levels {:?} to {:?}, not {level:?}",
                        def.min_level, def.max_level
                    ),
                    format!(
                        "{role} 只能在 {:?} 至 {:?} 级授予,不能在 {level:?} 级",
                        def.min_level, def.max_level
                    ),
                ),
            ));
        }
        if !grantee_org.subtree().contains(unit) {
            return Err(DomainError::field(
                "org_unit",
                crate::Rule::other(
                    "must lie within the user's own org unit",
                    "必须在该用户自己的机构范围内",
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_details_need_the_read_permission_of_their_object() {
        assert_eq!(perm::audit_details("household"), Some(perm::CASES_READ));
        assert_eq!(perm::audit_details("property_hit"), Some(perm::CASES_READ));
        assert_eq!(perm::audit_details("allocation"), Some(perm::FUNDS_READ));
        assert_eq!(perm::audit_details("exit_list"), Some(perm::WORKFLOW_READ));
        assert_eq!(
            perm::audit_details("village_profile"),
            Some(perm::VILLAGES_READ)
        );
        assert_eq!(perm::audit_details("user"), None);
        assert_eq!(perm::audit_details("audit_log"), None, "a month retired");
        assert_eq!(
            perm::audit_details("something_new"),
            Some(perm::CASES_READ),
            "withheld until placed"
        );
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap_or(RegionCode::PLATFORM)
    }

    fn catalog() -> Catalog {
        let role = |name: &str, min, max, perms: &[&str]| RoleDef {
            name: name.into(),
            min_level: min,
            max_level: max,
            description: String::new(),
            label: String::new(),
            permissions: perms.iter().map(|p| (*p).to_string()).collect(),
        };
        Catalog::new([
            role(
                "tenant_admin",
                Level::County,
                Level::County,
                &[perm::USERS_MANAGE],
            ),
            role("village_clerk", Level::Village, Level::Village, &[]),
            role("observer", Level::Province, Level::City, &[]),
        ])
    }

    fn county_admin() -> Caller {
        Caller {
            user_id: Uuid::nil(),
            username: "admin".into(),
            org: code("370831"),
            session_id: Uuid::nil(),
            grants: vec![(
                Grant {
                    id: Uuid::nil(),
                    role: "tenant_admin".into(),
                    unit: code("370831"),
                },
                [perm::USERS_MANAGE.to_string()].into(),
            )],
            bound: None,
        }
    }

    #[test]
    fn admin_grants_inside_own_county_only() {
        let c = catalog();
        let admin = county_admin();
        let village = code("370831101201");
        assert!(
            admin
                .check_grant(&c, "village_clerk", village, village)
                .is_ok()
        );
        // Another county → forbidden; the city above → forbidden.
        let other = code("370830101201");
        assert!(matches!(
            admin.check_grant(&c, "village_clerk", other, other),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            admin.check_grant(&c, "observer", code("3708"), code("3708")),
            Err(DomainError::Forbidden(_))
        ));
    }

    #[test]
    fn grant_level_and_grantee_unit_are_checked() {
        let c = catalog();
        let admin = county_admin();
        // A clerk role at the county level is the wrong level.
        assert!(matches!(
            admin.check_grant(&c, "village_clerk", code("370831"), code("370831")),
            Err(DomainError::Validation(_))
        ));
        // The unit must be inside the grantee's org unit.
        assert!(matches!(
            admin.check_grant(
                &c,
                "village_clerk",
                code("370831101201"),
                code("370831101202")
            ),
            Err(DomainError::Validation(_))
        ));
        assert!(matches!(
            admin.check_grant(&c, "no_such_role", code("370831"), code("370831")),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn a_request_is_bounded_by_the_units_that_grant_its_permission() {
        let at = |org: &str, units: &[(&str, &str)]| Caller {
            user_id: Uuid::nil(),
            username: "u".into(),
            org: code(org),
            session_id: Uuid::nil(),
            grants: units
                .iter()
                .map(|(unit, p)| {
                    (
                        Grant {
                            id: Uuid::nil(),
                            role: "r".into(),
                            unit: code(unit),
                        },
                        [(*p).to_string()].into(),
                    )
                })
                .collect(),
            bound: None,
        };
        let (read, manage) = (perm::CASES_READ, perm::USERS_MANAGE);
        // A city user holding the permission at one county: that county.
        let one = at("3708", &[("370831", read), ("3708", manage)]);
        assert_eq!(one.grants_bound(read), Some(code("370831")));
        // Held at the org unit itself, or at two counties (the city covers both): no narrowing.
        assert_eq!(one.grants_bound(manage), None);
        let two = at("3708", &[("370831", read), ("370830", read)]);
        assert_eq!(two.grants_bound(read), None);
        // … but the city's range would hold its other counties too: such requests are refused.
        assert_eq!(two.grants_split(read), Some(code("3708")));
        let covered = at("3708", &[("370831", read), ("3708", read)]);
        assert_eq!(covered.grants_split(read), None);
        assert_eq!(one.grants_split(read), None);
        // A county in another city: the province would be the range.
        let apart = at("37", &[("370831", read), ("370102", read)]);
        assert_eq!(apart.grants_split(read), Some(code("37")));
        // Two townships of one county, under a city user or the county's own: the county's
        // range would hold its other townships too, so such requests are refused as well.
        let towns = at("3708", &[("370831101", read), ("370831102", read)]);
        assert_eq!(towns.grants_split(read), Some(code("370831")));
        let own = at("370831", &[("370831101", read), ("370831102", read)]);
        assert_eq!(own.grants_bound(read), None);
        assert_eq!(own.grants_split(read), Some(code("370831")));
        // Two villages of one township: the township.
        let villages = at(
            "370831101",
            &[("370831101201", read), ("370831101202", read)],
        );
        assert_eq!(villages.grants_split(read), Some(code("370831101")));
        // A township and a village in it: the township's grant covers both.
        let nested = at("370831", &[("370831101", read), ("370831101201", read)]);
        assert_eq!(nested.grants_split(read), None);
        assert_eq!(nested.grants_bound(read), Some(code("370831101")));
        // Listed per permission: only the split one, with its covering unit.
        let mixed = at(
            "370831",
            &[
                ("370831101", read),
                ("370831102", read),
                ("370831101", manage),
            ],
        );
        assert_eq!(
            mixed.split_permissions(),
            vec![(read.to_owned(), code("370831"))]
        );
        assert!(nested.split_permissions().is_empty());
        // Not held at all: nothing to bound by (the route refuses it before).
        assert_eq!(one.grants_bound(perm::AUDIT_READ), None);
        // Bounded, the caller's scope and default unit follow the bound.
        let mut bounded = one.clone();
        bounded.bound = one.grants_bound(read);
        assert_eq!(bounded.scope(), code("370831").subtree());
        assert_eq!(bounded.unit(), code("370831"));
        assert_eq!(one.unit(), code("3708"));
    }

    #[test]
    fn a_step_needs_its_permission_held_at_its_level() {
        let village = code("370831101201");
        let holder = |unit: &str| Caller {
            user_id: Uuid::nil(),
            username: "u".into(),
            org: code(unit),
            session_id: Uuid::nil(),
            grants: vec![(
                Grant {
                    id: Uuid::nil(),
                    role: "r".into(),
                    unit: code(unit),
                },
                [perm::WORKFLOW_TOWNSHIP.to_string()].into(),
            )],
            bound: None,
        };
        // Held at the township above the village: allowed.
        assert!(
            holder("370831101")
                .require_at_level(perm::WORKFLOW_TOWNSHIP, Level::Township, village)
                .is_ok()
        );
        // The same permission held at the county (the wrong level) or at another township.
        assert!(
            holder("370831")
                .require_at_level(perm::WORKFLOW_TOWNSHIP, Level::Township, village)
                .is_err()
        );
        assert!(
            holder("370831102")
                .require_at_level(perm::WORKFLOW_TOWNSHIP, Level::Township, village)
                .is_err()
        );
        // Another permission at the right level.
        assert!(
            holder("370831101")
                .require_at_level(perm::WORKFLOW_COUNTY, Level::Township, village)
                .is_err()
        );
        assert_eq!(perm::workflow_at(Level::Village), perm::WORKFLOW_VILLAGE);
        assert_eq!(perm::workflow_at(Level::County), perm::WORKFLOW_COUNTY);
    }

    #[test]
    fn scope_and_permissions() {
        let admin = county_admin();
        assert!(admin.scope().contains(code("370831101201")));
        assert!(!admin.scope().contains(code("370830101201")));
        assert!(admin.has_permission(perm::USERS_MANAGE));
        assert!(!admin.has_permission(perm::AUDIT_READ));
        assert_eq!(admin.role_names(), vec!["tenant_admin".to_string()]);
    }
}
