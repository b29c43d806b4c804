//! Response shapes of the team resources (pairings, advisers, village pairings, coverage): the
//! same JSON as the rows they come from, typed in the OpenAPI document.

use chrono::NaiveDate;
use infra::app::teams::{
    AdviserRow, Coverage, CoverageCounts, MemberRow, PairingRow, TeamView, VillagePairingRow,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A cadre (team member) paired with a household (帮扶责任人).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PairingDto {
    /// Id.
    pub id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The household's village (12 digits).
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// The cadre (team member id).
    pub member_id: Uuid,
    /// From.
    pub start_date: NaiveDate,
    /// Until; open while null.
    pub end_date: Option<NaiveDate>,
}

impl From<PairingRow> for PairingDto {
    fn from(p: PairingRow) -> Self {
        Self {
            id: p.id,
            household_id: p.household_id,
            region_code: format!("{:012}", p.region_code),
            member_id: p.member_id,
            start_date: p.start_date,
            end_date: p.end_date,
        }
    }
}

/// An expert adviser of a village (专家特派员).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdviserDto {
    /// Id.
    pub id: Uuid,
    /// The village (12 digits).
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Field.
    pub specialty: String,
    /// Unit.
    pub unit: String,
    /// From.
    pub from_date: NaiveDate,
    /// Until; open while null.
    pub to_date: Option<NaiveDate>,
}

impl From<AdviserRow> for AdviserDto {
    fn from(a: AdviserRow) -> Self {
        Self {
            id: a.id,
            region_code: format!("{:012}", a.region_code),
            name: a.name,
            specialty: a.specialty,
            unit: a.unit,
            from_date: a.from_date,
            to_date: a.to_date,
        }
    }
}

/// A strong village paired with a weak one (强村带弱村).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VillagePairingDto {
    /// Id.
    pub id: Uuid,
    /// The weak village (12 digits).
    #[schema(example = "370831101201")]
    pub region_code: String,
    /// The strong village (12 digits).
    #[schema(example = "370831101202")]
    pub strong_village: String,
    /// From (year).
    pub from_year: i32,
    /// Until (year).
    pub to_year: i32,
    /// What the strong village does.
    pub content: String,
}

impl From<VillagePairingRow> for VillagePairingDto {
    fn from(p: VillagePairingRow) -> Self {
        Self {
            id: p.id,
            region_code: format!("{:012}", p.region_code),
            strong_village: format!("{:012}", p.strong_village),
            from_year: p.from_year,
            to_year: p.to_year,
            content: p.content,
        }
    }
}

/// Coverage counts of one region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageCountsDto {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// Active key villages.
    pub key_villages: i64,
    /// Of which without a team whose first secretary is in term.
    pub key_villages_without_first_secretary: i64,
    /// Of which without an expert adviser (专家特派员) in term.
    pub key_villages_without_adviser: i64,
    /// Of which without a county-level leader linked (县级领导联系).
    pub key_villages_without_leader: i64,
    /// Province- and city-level demonstration villages (示范村).
    pub demonstration_villages: i64,
    /// Of which helping no active key village that year.
    pub demonstration_villages_unpaired: i64,
    /// Registered, returned or monitored households.
    pub households: i64,
    /// Of which without a paired cadre.
    pub households_without_cadre: i64,
    /// Of which not visited within the interval.
    pub households_unvisited: i64,
}

impl From<CoverageCounts> for CoverageCountsDto {
    fn from(c: CoverageCounts) -> Self {
        Self {
            region_code: c.region_code,
            name: c.name,
            key_villages: c.key_villages,
            key_villages_without_first_secretary: c.key_villages_without_first_secretary,
            key_villages_without_adviser: c.key_villages_without_adviser,
            key_villages_without_leader: c.key_villages_without_leader,
            demonstration_villages: c.demonstration_villages,
            demonstration_villages_unpaired: c.demonstration_villages_unpaired,
            households: c.households,
            households_without_cadre: c.households_without_cadre,
            households_unvisited: c.households_unvisited,
        }
    }
}

/// Coverage of a region as of a date: counts for it and each region one level down, and the
/// gaps themselves (up to 1000 each).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageDto {
    /// The date.
    pub as_of: NaiveDate,
    /// The visit interval applied (days, `teams.visit_interval_days`).
    pub visit_interval_days: i32,
    /// The region.
    pub total: CoverageCountsDto,
    /// Each child region.
    pub children: Vec<CoverageCountsDto>,
    /// Key villages without a first secretary in term (village codes).
    pub villages_without_first_secretary: Vec<String>,
    /// Key villages without an expert adviser in term (village codes; seed 4: one per village).
    pub villages_without_adviser: Vec<String>,
    /// Key villages without a county-level leader linked (village codes; seed 4: 一名县处级领导).
    pub villages_without_leader: Vec<String>,
    /// Demonstration villages helping no active key village that year (village codes; seed 4:
    /// 每个省级、市级乡村振兴示范村应帮带不少于1个重点帮扶村).
    pub demonstration_villages_unpaired: Vec<String>,
    /// Households without a paired cadre (ids).
    pub households_without_cadre: Vec<Uuid>,
    /// Households not visited within the interval (ids).
    pub households_unvisited: Vec<Uuid>,
}

impl From<Coverage> for CoverageDto {
    fn from(c: Coverage) -> Self {
        Self {
            as_of: c.as_of,
            visit_interval_days: c.visit_interval_days,
            total: c.total.into(),
            children: c.children.into_iter().map(Into::into).collect(),
            villages_without_first_secretary: c.villages_without_first_secretary,
            villages_without_adviser: c.villages_without_adviser,
            villages_without_leader: c.villages_without_leader,
            demonstration_villages_unpaired: c.demonstration_villages_unpaired,
            households_without_cadre: c.households_without_cadre,
            households_unvisited: c.households_unvisited,
        }
    }
}

/// A team member as shown (ID number masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberDto {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// ID number, masked.
    pub id_masked: String,
    /// 派出单位.
    pub dispatching_unit: String,
    /// `first_secretary` (第一书记), `leader` (队长), `member` (队员).
    pub position: String,
    /// Term start.
    pub term_start: NaiveDate,
    /// Term end.
    pub term_end: NaiveDate,
    /// The account that writes visit logs as this member.
    pub user_id: Option<Uuid>,
}

impl From<MemberRow> for TeamMemberDto {
    fn from(m: MemberRow) -> Self {
        Self {
            id: m.id,
            name: m.name,
            id_masked: m.id_masked,
            dispatching_unit: m.dispatching_unit,
            position: m.position,
            term_start: m.term_start,
            term_end: m.term_end,
            user_id: m.user_id,
        }
    }
}

/// A resident work team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    /// Id.
    pub id: Uuid,
    /// Village.
    pub village_code: String,
    /// Name.
    pub name: String,
    /// Members with their terms.
    pub members: Vec<TeamMemberDto>,
}

impl From<TeamView> for TeamDto {
    fn from(v: TeamView) -> Self {
        Self {
            id: v.team.id,
            village_code: format!("{:012}", v.team.region_code),
            name: v.team.name,
            members: v.members.into_iter().map(TeamMemberDto::from).collect(),
        }
    }
}
