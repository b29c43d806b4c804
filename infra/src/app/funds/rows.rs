//! The fund ledger's rows: funds, projects and ledger entries as stored and answered.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use uuid::Uuid;

use crate::schema::{funds, projects};

/// A fund.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = funds)]
pub struct FundRow {
    /// Tenant.
    #[serde(skip)]
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// The receiving county.
    #[serde(skip)]
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Level code.
    pub level: String,
    /// Source (department, programme).
    pub source: String,
    /// Purpose code.
    pub purpose: String,
    /// Bundled from another department (purpose kept).
    pub bundled: bool,
    /// Linking funds (衔接资金): counted for the key-village share.
    pub linking: bool,
    /// Received, fen.
    pub amount_fen: i64,
    /// Document number.
    pub document_no: String,
    /// Received on.
    pub received_on: NaiveDate,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// A project.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub struct ProjectRow {
    /// Tenant.
    pub county_code: i32,
    /// Id.
    pub id: Uuid,
    /// Village (or county, for county-wide projects).
    pub region_code: i64,
    /// Year.
    pub year: i32,
    /// Name.
    pub name: String,
    /// Purpose code.
    pub purpose: String,
    /// Budget, fen.
    pub budget_fen: i64,
    /// Paid by progress.
    pub pay_by_progress: bool,
    /// Dedicated account (专户).
    pub account: String,
    /// Latest progress.
    pub progress_pct: i32,
    /// Status code.
    pub status: String,
    /// Assets it creates.
    pub assets: String,
    /// Who holds them (the village collective).
    pub asset_holder: String,
    /// Version.
    pub version: i32,
    /// Created by.
    pub created_by: Uuid,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Changed.
    pub updated_at: DateTime<Utc>,
    /// The named manager (专人, seed 5): a user of the county with `funds:manage`.
    pub manager_user_id: Option<Uuid>,
    /// Created while `funds.require_project_posting` was on (construction projects only): no
    /// money is paid and no progress recorded until its public posting (张榜公布) has ended.
    pub posting_required: bool,
}

/// A ledger entry (allocation or disbursement).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Id.
    pub id: Uuid,
    /// Amount (negative for a reversal).
    pub amount_fen: i64,
    /// The entry it reverses.
    pub reverses: Option<Uuid>,
    /// Fund (allocations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fund_id: Option<Uuid>,
    /// Project.
    pub project_id: Uuid,
    /// `progress` or `subsidy` (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Payee (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payee: Option<String>,
    /// Household paid (subsidies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_id: Option<Uuid>,
    /// The household's benefit card it was paid to, masked (一卡兑付).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_masked: Option<String>,
    /// Paid on (disbursements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<NaiveDate>,
    /// Note.
    pub note: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}
