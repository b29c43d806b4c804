//! The campaign's rows and views: the stored campaign, its due dates, a village's progress and
//! the counts and totals of the table.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use domain::campaign::{Status, Step, StepState};
use domain::{DomainError, RegionCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::schema::campaigns;

/// A campaign row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// The county's node.
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// `open` or `closed`.
    pub status: String,
    /// Opened on (China date).
    pub opened_on: NaiveDate,
    /// Due dates, `[{step, nominal, due_on}]`.
    pub deadlines: Value,
    /// Note.
    pub note: Option<String>,
    /// Version.
    pub version: i32,
    /// Opened by.
    pub created_by: Uuid,
    /// Opened at.
    pub created_at: DateTime<Utc>,
    /// Closed by.
    pub closed_by: Option<Uuid>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
}

/// One step's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The step.
    pub step: Step,
    /// The day set or defaulted.
    pub nominal: NaiveDate,
    /// The day it falls due: the nominal day, or the next working day after a rest day.
    pub due_on: NaiveDate,
}

impl CampaignRow {
    /// The due dates, in step order.
    ///
    /// # Errors
    /// A corrupt stored value.
    pub fn deadlines(&self) -> Result<Vec<Deadline>, DomainError> {
        serde_json::from_value(self.deadlines.clone())
            .map_err(|e| DomainError::Unexpected(anyhow::anyhow!(e)))
    }

    /// The status.
    ///
    /// # Errors
    /// A corrupt stored value.
    pub fn status(&self) -> Result<Status, DomainError> {
        Status::parse(&self.status).map_err(|m| DomainError::Unexpected(anyhow::anyhow!(m)))
    }
}

/// A campaign to open.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    /// The county.
    pub county: RegionCode,
    /// The year whose exits and intakes it follows.
    pub year: i32,
    /// Due dates given instead of the settings' defaults.
    pub deadlines: Vec<(Step, NaiveDate)>,
    /// Note.
    pub note: Option<String>,
}

/// A village's row of the campaign table.
#[derive(Debug, Clone)]
pub struct VillageProgress {
    /// Village code.
    pub code: i64,
    /// Name.
    pub name: String,
    /// Its township.
    pub township: i64,
    /// State per step, in step order.
    pub steps: Vec<(Step, StepState)>,
    /// Exit lists and intake lists of the year.
    pub lists: i64,
    /// The excuse, if any: reason, when.
    pub excuse: Option<(String, DateTime<Utc>)>,
}

impl VillageProgress {
    /// Whether any step is late.
    pub fn late(&self) -> bool {
        self.steps.iter().any(|(_, s)| *s == StepState::Late)
    }

    /// Whether every step is done.
    pub fn done(&self) -> bool {
        self.steps.iter().all(|(_, s)| *s == StepState::Done)
    }
}

/// Per step, how many villages are in each state.
#[derive(Debug, Clone)]
pub struct StepCounts {
    /// The step.
    pub step: Step,
    /// Villages per state, in the order of [`StepState::ALL`].
    pub counts: Vec<(StepState, i64)>,
}

/// Counts of a table.
pub fn counts(rows: &[VillageProgress]) -> Vec<StepCounts> {
    Step::ALL
        .iter()
        .enumerate()
        .map(|(i, step)| StepCounts {
            step: *step,
            counts: StepState::ALL
                .iter()
                .map(|st| {
                    let n = rows
                        .iter()
                        .filter(|r| r.steps.get(i).is_some_and(|(_, s)| s == st))
                        .count();
                    (*st, i64::try_from(n).unwrap_or(i64::MAX))
                })
                .collect(),
        })
        .collect()
}

/// Households and people of one kind of change in the year.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Flow {
    /// Households whose change took effect (exit filed, intake announced).
    pub households: i64,
    /// Their people.
    pub people: i64,
    /// Households on lists still in the procedure.
    pub in_procedure_households: i64,
    /// Their people.
    pub in_procedure_people: i64,
    /// The year's target in people, where one is set.
    pub target_people: Option<i64>,
}

/// Exits, entries and returns of the year against the targets (总量控制).
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Exits (脱贫).
    pub exits: Flow,
    /// Newly identified households (新识别).
    pub entries: Flow,
    /// Returns to poverty (返贫).
    pub returns: Flow,
}

/// A campaign with its counts and totals over the caller's villages.
#[derive(Debug, Clone)]
pub struct CampaignView {
    /// The campaign.
    pub campaign: CampaignRow,
    /// Villages in the caller's scope.
    pub villages: i64,
    /// Villages with a step late.
    pub late_villages: i64,
    /// Villages excused.
    pub excused_villages: i64,
    /// Counts per step.
    pub counts: Vec<StepCounts>,
    /// Totals.
    pub totals: Totals,
}
