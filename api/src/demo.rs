//! The first platform administrator and the demo data set (`zhenxing demo`).
//!
//! Both go through the same use cases as the API, as a platform administrator, so the demo
//! exercises the real rules (scopes, grant levels, audit).

use domain::authz::{Caller, Grant};
use domain::password::check_new_password;
use domain::user::check_username;
use domain::{DomainError, RegionCode};
use infra::app::auth::lookup_login;
use infra::app::users::NewUser;
use infra::app::{Ctx, tenants, users};
use infra::regions;
use uuid::Uuid;

use crate::state::AppState;

/// A context acting as the platform administrator `user_id` (for operator commands and test
/// seeding, which have no HTTP request).
pub fn platform_caller(state: &AppState, user_id: Uuid, username: &str) -> Ctx {
    let perms = state
        .catalog
        .role("platform_admin")
        .map(|r| r.permissions.clone())
        .unwrap_or_default();
    Ctx {
        caller: Caller {
            user_id,
            username: username.to_string(),
            org: RegionCode::PLATFORM,
            session_id: Uuid::nil(),
            grants: vec![(
                Grant {
                    id: Uuid::nil(),
                    role: "platform_admin".into(),
                    unit: RegionCode::PLATFORM,
                },
                perms,
            )],
        },
        request_id: format!("cli-{}", Uuid::new_v4()),
        now: state.clock.now(),
    }
}

/// Creates a platform administrator (there is nobody yet to authorise it: this is the
/// operator's bootstrap, run with database access). Returns its id.
///
/// # Errors
/// Invalid name or password, a taken name, database failures.
pub fn create_platform_admin(
    state: &AppState,
    username: &str,
    password: &str,
) -> anyhow::Result<Uuid> {
    check_username(username).map_err(|m| anyhow::anyhow!("username {m}"))?;
    check_new_password(password, username).map_err(|m| anyhow::anyhow!("password {m}"))?;
    let hash = state.hasher.hash(password)?;
    let id = Uuid::new_v4();
    let ctx = platform_caller(state, id, username);
    let catalog = state.catalog.clone();
    state
        .db
        .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            // The account is created by the bootstrap caller itself.
            users::create_with_id(
                conn,
                &ctx,
                &catalog,
                id,
                &NewUser {
                    username: username.to_string(),
                    display_name: "Platform administrator".into(),
                    org: RegionCode::PLATFORM,
                    password_hash: hash,
                    roles: vec!["platform_admin".into()],
                },
            )
        })
        .map_err(|e| anyhow::anyhow!("cannot create the platform administrator: {e}"))?;
    Ok(id)
}

/// One demo account.
struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    org: RegionCode,
    role: &'static str,
    password: &'static str,
}

fn code(s: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(s).map_err(|m| anyhow::anyhow!("{s}: {m}"))
}

/// Loads the demo: Sishui (370831) and Wenshang (370830) as tenants, one user per role and
/// level, and prints their passwords. Safe to run again: what exists is left alone.
///
/// # Errors
/// Database failures, or region data missing (import the regions first).
pub fn load(state: &AppState) -> anyhow::Result<()> {
    const PLATFORM_USER: &str = "platform.admin";
    const PLATFORM_PASSWORD: &str = "demo-platform-2026";
    let platform_id = match lookup_login(&state.db, PLATFORM_USER)? {
        Some(c) => c.id,
        None => create_platform_admin(state, PLATFORM_USER, PLATFORM_PASSWORD)?,
    };
    let ctx = platform_caller(state, platform_id, PLATFORM_USER);
    let sishui = code("370831")?;
    let (township, village) = state
        .db
        .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            let township = regions::children(conn, sishui, None, 1)?
                .pop()
                .ok_or(DomainError::NotFound)?;
            let village = regions::children(conn, township.code, None, 1)?
                .pop()
                .ok_or(DomainError::NotFound)?;
            Ok((township, village))
        })
        .map_err(|_| anyhow::anyhow!("Sishui's regions are missing: import data/regions first"))?;
    let mut accounts = vec![(
        PLATFORM_USER,
        PLATFORM_PASSWORD,
        "platform_admin",
        "全国 (platform)".to_string(),
    )];
    for (county, admin, name, password) in [
        ("370831", "admin.sishui", "泗水县管理员", "demo-admin-2026"),
        (
            "370830",
            "admin.wenshang",
            "汶上县管理员",
            "demo-wenshang-2026",
        ),
    ] {
        let county = code(county)?;
        let exists = state.db.in_scope(RegionCode::PLATFORM.subtree(), |conn| {
            Ok(tenants::get(conn, county.county_code()).is_ok())
        })?;
        if !exists {
            let hash = state.hasher.hash(password)?;
            let catalog = state.catalog.clone();
            state
                .db
                .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
                    tenants::onboard(conn, &ctx, &catalog, county, admin, name, &hash)
                })
                .map_err(|e| anyhow::anyhow!("cannot onboard {county}: {e}"))?;
        }
        accounts.push((admin, password, "tenant_admin", county.to_code_string()));
    }
    let users = [
        DemoUser {
            username: "observer.shandong",
            display_name: "山东省观察员",
            org: code("37")?,
            role: "observer",
            password: "demo-province-2026",
        },
        DemoUser {
            username: "observer.jining",
            display_name: "济宁市观察员",
            org: code("3708")?,
            role: "observer",
            password: "demo-city-2026",
        },
        DemoUser {
            username: "approver.sishui",
            display_name: "泗水县审批人",
            org: sishui,
            role: "county_approver",
            password: "demo-approver-2026",
        },
        DemoUser {
            username: "auditor.sishui",
            display_name: "泗水县审计员",
            org: sishui,
            role: "auditor",
            password: "demo-auditor-2026",
        },
        DemoUser {
            username: "funds.sishui",
            display_name: "泗水县资金专管员",
            org: sishui,
            role: "fund_officer",
            password: "demo-funds-2026",
        },
        DemoUser {
            username: "reviewer.sishui",
            display_name: "乡镇审核员",
            org: township.code,
            role: "township_reviewer",
            password: "demo-reviewer-2026",
        },
        DemoUser {
            username: "clerk.sishui",
            display_name: "村文书",
            org: village.code,
            role: "village_clerk",
            password: "demo-clerk-2026",
        },
    ];
    for u in &users {
        if lookup_login(&state.db, u.username)?.is_none() {
            let hash = state.hasher.hash(u.password)?;
            let catalog = state.catalog.clone();
            let new = NewUser {
                username: u.username.into(),
                display_name: u.display_name.into(),
                org: u.org,
                password_hash: hash,
                roles: vec![u.role.into()],
            };
            state
                .db
                .in_scope(RegionCode::PLATFORM.subtree(), |conn| {
                    users::create(conn, &ctx, &catalog, &new)
                })
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", u.username))?;
        }
        let org_name = if u.org == village.code {
            format!("{} {}", u.org, village.name)
        } else if u.org == township.code {
            format!("{} {}", u.org, township.name)
        } else {
            u.org.to_code_string()
        };
        accounts.push((u.username, u.password, u.role, org_name));
    }
    load_households(state, sishui)?;
    load_exit_list(state, village.code)?;
    // Statistics for what the demo wrote, before anyone lists it (autovacuum may be off).
    state.db.in_scope(sishui.subtree(), |conn| {
        infra::db::analyze(
            conn,
            &[
                "households",
                "members",
                "household_years",
                "household_events",
                "audit_events",
            ],
        )
    })?;
    eprintln!("\nDemo accounts (username / password / role / org unit):");
    for (user, password, role, org) in &accounts {
        eprintln!("  {user:<20} {password:<22} {role:<18} {org}");
    }
    eprintln!();
    Ok(())
}

/// An exit list of the demo clerk's village for 2020, taken by the clerk through appraisal and
/// verification into its first public notice, so the demo shows the procedure under way.
/// Skipped when the village has a list already.
fn load_exit_list(state: &AppState, village: RegionCode) -> anyhow::Result<()> {
    use infra::app::exit::{self, Nomination, StepInput};
    let ctx = crate::ops::acting_as(state, "clerk.sishui")?;
    let year = 2020;
    let made = state.db.in_scope(village.subtree(), |conn| {
        let filter = exit::ListFilter {
            within: village.subtree(),
            year: None,
            stage: None,
        };
        if !exit::list(conn, &ctx, &filter, None, 1)?.is_empty() {
            return Ok(0);
        }
        let rows = infra::app::cases::households::list(
            conn,
            &infra::app::cases::households::HouseholdFilter {
                within: village.subtree(),
                status: Some(domain::cases::Status::Registered),
                attribute: None,
                cause: None,
                year_identified: None,
                income_year: None,
                income_min: None,
                income_max: None,
                head_name_prefix: None,
            },
            None,
            200,
        )?;
        let mut eligible = Vec::new();
        for h in rows {
            if exit::criteria(conn, &ctx, h.id, year)?
                .2
                .iter()
                .all(|c| c.met)
            {
                eligible.push(h.id);
            }
            if eligible.len() == 3 {
                break;
            }
        }
        if eligible.is_empty() {
            return Ok(0);
        }
        let today = ctx.today();
        let list = exit::nominate(
            conn,
            &ctx,
            &Nomination {
                village,
                year,
                villager_group: "第一村民小组".into(),
                nominated_on: today,
                households: eligible.clone(),
                attachments: Vec::new(),
            },
        )?;
        let id = list.list.id;
        let votes = eligible
            .iter()
            .map(|h| {
                (
                    *h,
                    domain::exit::Votes {
                        for_: 25,
                        against: 3,
                        abstain: 2,
                    },
                )
            })
            .collect();
        let steps = [
            (
                domain::exit::Step::Appraisal,
                StepInput::Appraisal {
                    held_on: today,
                    attendees: 30,
                    minutes: "村民代表大会对村民小组提名的退出户逐户评议,举手表决。".into(),
                    votes,
                },
            ),
            (
                domain::exit::Step::Verification,
                StepInput::Verification {
                    verified_on: today,
                    verifiers: vec!["村委会主任".into(), "驻村第一书记".into()],
                    findings: "经入户核实,收入和两不愁三保障情况属实。".into(),
                },
            ),
            (
                domain::exit::Step::FirstNotice,
                StepInput::Notice {
                    location: "村委会公示栏".into(),
                    posted_on: None,
                },
            ),
        ];
        for (step, input) in steps {
            exit::take_step(conn, &ctx, id, step, &input, &[])?;
        }
        Ok(eligible.len())
    })?;
    if made > 0 {
        eprintln!("demo: an exit list of {made} households in its first notice (year {year})");
    }
    Ok(())
}

/// Synthetic households for Sishui (about three per village), imported as the county approver
/// through the import job code. Skipped when the county has households already.
fn load_households(state: &AppState, sishui: RegionCode) -> anyhow::Result<()> {
    let ctx = crate::ops::acting_as(state, "approver.sishui")?;
    let existing = state.db.in_scope(sishui.subtree(), |conn| {
        infra::app::cases::households::count(
            conn,
            &infra::app::cases::households::HouseholdFilter {
                within: sishui.subtree(),
                status: None,
                attribute: None,
                cause: None,
                year_identified: None,
                income_year: None,
                income_min: None,
                income_max: None,
                head_name_prefix: None,
            },
        )
    })?;
    if existing > 0 {
        return Ok(());
    }
    let villages = crate::ops::nodes_under(state, sishui, domain::Level::Village)?;
    let dir = std::env::temp_dir().join(format!("zhenxing-demo-{}", Uuid::new_v4()));
    let generated = crate::generate::generate(&villages, 1500, &dir, 2026)?;
    let (members, secs) = crate::ops::import_files(state, &ctx, &generated.files, false)?;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "demo: {} households with {members} members imported into Sishui in {secs:.1} s",
        generated.households
    );
    Ok(())
}
