//! Seed 5's 一卡兑付 (issue 22): the household's benefit card, masked everywhere, and the
//! project's payment file for the county's bank (full card and ID numbers: its own permission,
//! a reason, audited).

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::FieldError;
use domain::benefit_card::CardNumber;
use infra::app::benefit_cards::{self, CardView, PaymentLine};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::input::{done, id_of, text};
use super::transfer::{XLSX, attachment, is_xlsx};
use crate::error::answers::NotSignedIn;
use crate::error::{ApiResult, Problem};
use crate::http::json::ValidJson;
use crate::state::{AppState, Auth};

/// A household's benefit card (一卡通), the number masked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenefitCardDto {
    /// The card record (a new card is a new record).
    pub id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The bank (开户行).
    pub bank_name: String,
    /// The number masked: first four and last four digits, `6222***********1234`. The full
    /// number is printed only on a payment file.
    pub card_masked: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

impl From<CardView> for BenefitCardDto {
    fn from(c: CardView) -> Self {
        Self {
            id: c.id,
            household_id: c.household_id,
            bank_name: c.bank_name,
            card_masked: c.card_masked,
            created_at: c.created_at,
        }
    }
}

/// A household's benefit card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitCardBody {
    /// The bank (开户行), 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\ufeff")]
    pub bank_name: String,
    /// The card number: 12 to 19 digits passing the Luhn check (spaces and hyphens ignored).
    #[schema(pattern = "^[ -]*([0-9][ -]*){12,19}$")]
    pub card_number: String,
}

/// The household's benefit card in use, masked.
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    responses(
        (status = 200, description = "The card, masked", body = BenefitCardDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:read or cases:read (household records) there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household in your scope, or no card recorded", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/households/{id}/benefit-card")]
pub async fn get_benefit_card(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let c = state
        .run(auth, move |conn, ctx| benefit_cards::get(conn, ctx, id))
        .await?;
    Ok(HttpResponse::Ok().json(BenefitCardDto::from(c)))
}

/// Records the household's benefit card (一卡兑付: payments to the household go to it),
/// replacing the one in use; earlier disbursements keep naming the card they were paid to. The
/// number is stored encrypted and answered masked. Audited (`benefit_card.set`, masked).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Household id")),
    request_body = BenefitCardBody,
    responses(
        (status = 200, description = "The card in use, masked", body = BenefitCardDto),
        NotSignedIn,
        (status = 403, description = "Lacks funds:manage there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such household in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad field: card_number not 12–19 digits or failing the Luhn check; bank_name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/households/{id}/benefit-card")]
pub async fn put_benefit_card(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: ValidJson<BenefitCardBody>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let b = body.0;
    let st = state.clone();
    // Validated once the caller's permission is checked (by `run`), so a caller without it
    // learns nothing about the body.
    let c = state
        .run(auth, move |conn, ctx| {
            let mut errs = Vec::new();
            let bank = text(&mut errs, "bank_name", &b.bank_name, true, 100);
            let card = CardNumber::parse(&b.card_number)
                .map_err(|m| errs.push(FieldError::new("card_number", m)))
                .ok();
            done(errs)?;
            let card = card.ok_or_else(|| {
                domain::DomainError::field(
                    "card_number",
                    domain::Rule::format(domain::Format::CardNumber),
                )
            })?;
            benefit_cards::set(conn, ctx, &st.data_keys, id, &bank, &card)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BenefitCardDto::from(c)))
}

/// Payment file options.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentFileParams {
    /// `csv` (UTF-8 with BOM; the default) or `xlsx`.
    #[param(inline, value_type = Option<crate::documents::SheetFormat>)]
    pub format: Option<String>,
    /// Only the disbursements paid on this day (all that stand when absent).
    pub paid_on: Option<NaiveDate>,
    /// Why the full card and ID numbers are needed, 4 to 500 characters (audited).
    pub reason: Option<String>,
}

/// The payment file's columns, as the county's bank takes them.
pub const HEADER: [&str; 7] = [
    "姓名",
    "身份证号",
    "开户行",
    "卡号",
    "金额(元)",
    "用途",
    "发放日期",
];

/// Amount in yuan with two decimals: `1234.50`.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

fn row(l: &PaymentLine) -> [String; 7] {
    [
        l.name.clone(),
        l.id_number.clone(),
        l.bank_name.clone(),
        l.card_number.clone(),
        yuan(l.amount_fen),
        l.purpose.clone(),
        l.paid_on.to_string(),
    ]
}

fn csv_file(lines: &[PaymentLine]) -> Result<Vec<u8>, domain::DomainError> {
    let fail = |e: &dyn std::fmt::Display| {
        domain::DomainError::Unexpected(anyhow::anyhow!("payment file csv: {e}"))
    };
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(HEADER).map_err(|e| fail(&e))?;
    // A cell a spreadsheet would read as a formula gets a leading `'` (names, banks and
    // purposes are typed by people; the numbers are digits).
    for l in lines {
        w.write_record(row(l).iter().map(|c| infra::app::cases::sheet::guard(c)))
            .map_err(|e| fail(&e))?;
    }
    w.into_inner().map_err(|e| fail(&e))
}

fn xlsx_file(lines: &[PaymentLine]) -> Result<Vec<u8>, domain::DomainError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        domain::DomainError::Unexpected(anyhow::anyhow!("payment file xlsx: {e}"))
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet
            .write_string(0, u16::try_from(c).unwrap_or(0), *h)
            .map_err(fail)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        // Every cell is text: an 18-digit ID or 19-digit card number as a number loses digits.
        for (c, v) in row(l).iter().enumerate() {
            sheet
                .write_string(r, u16::try_from(c).unwrap_or(0), v)
                .map_err(fail)?;
        }
    }
    // In memory only: the file holds full card numbers and is never written to disk here.
    book.save_to_buffer().map_err(fail)
}

/// The project's payment file for the county's bank (一卡兑付): one line per disbursement to a
/// household that stands (neither reversed nor a reversal), optionally of one day — the
/// household head's name and full ID number, the bank, the **full card number** it was paid
/// to, the amount in yuan, the purpose (the project, and the note) and the day. Personal data:
/// needs `funds:payment_file` over the project and a `reason`, and is audited
/// (`disbursement.payment_file`, with the reason, the number of lines and the total). The file
/// is whole or refused: a payee living outside the caller's area is 403 naming how many
/// payments they cannot print (the county's funds office prints it).
#[utoipa::path(
    tag = "funds",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Project id"), PaymentFileParams),
    responses(
        (status = 200, description = "The file", content((String = "text/csv"), (crate::documents::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotSignedIn,
        (status = 403, description = "Lacks funds:payment_file over the project, or a payee lives outside the caller's area", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` missing or outside 4–500 characters; `format` not csv or xlsx", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/projects/{id}/payment-file")]
pub async fn payment_file(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: crate::http::query::Query<PaymentFileParams>,
) -> ApiResult<HttpResponse> {
    let id = id_of(&path)?;
    let q = q.into_inner();
    let xlsx = is_xlsx(q.format.as_deref())?;
    let reason = q.reason.unwrap_or_default();
    let paid_on = q.paid_on;
    let st = state.clone();
    let lines = state
        .run(auth, move |conn, ctx| {
            benefit_cards::payment_file(conn, ctx, &st.data_keys, id, paid_on, &reason)
                .map(|(_, lines)| lines)
        })
        .await?;
    let name = format!("payment-{id}");
    if xlsx {
        let bytes = web::block(move || xlsx_file(&lines)).await??;
        Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header(attachment(&format!("{name}.xlsx")))
            .insert_header(("cache-control", "no-store"))
            .body(bytes))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header(attachment(&format!("{name}.csv")))
            .insert_header(("cache-control", "no-store"))
            .body(csv_file(&lines)?))
    }
}

// This module's routes, in the order they are matched: each handler (its method and path come
// from its own attribute) with what it requires. The gate's table and the service registration
// both read this one list (`super::routes!`).
super::routes! {
    "/api/v1" => {
        get_benefit_card => Permission(perm::FUNDS_READ),
        put_benefit_card => Permission(perm::FUNDS_MANAGE),
        payment_file => Permission(perm::FUNDS_PAYMENT_FILE),
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_has_two_decimals() {
        assert_eq!(yuan(150_000_000), "1500000.00");
        assert_eq!(yuan(1_005), "10.05");
        assert_eq!(yuan(-50), "-0.50");
    }
}
