//! The benefit-card sheet (一卡兑付, issue 22 seed 5): one row per household, the household named
//! as in the yearly records sheet (户编号 and/or a member's 身份证号), with the bank and the card
//! number. A row is what `PUT /households/{id}/benefit-card` records: the same Luhn check, the
//! same use case (`benefit_cards::set`, `funds:manage` where the household lives), the number
//! encrypted like ID numbers and never echoed in a row error. The card in use already is left as
//! it is, so a file imported twice records nothing the second time; that answer is given only
//! where the caller holds `funds:manage`, elsewhere the household is unknown.

use diesel::pg::PgConnection;
use domain::DomainError;
use domain::benefit_card::CardNumber;

use super::{Env, Written};
use crate::app::Ctx;
use crate::app::benefit_cards;
use crate::app::cases::sheet::{Column, Row, col};

/// The columns, in template order.
pub const COLUMNS: &[Column] = &[
    col("household_number", "户编号", false),
    col("id_number", "身份证号", false),
    col("bank_name", "开户银行", true),
    col("card_number", "卡号", true),
];

/// The template's example row (a made-up number that passes the Luhn check).
pub const EXAMPLE: &[&str] = &[
    "3708310010030001",
    "370831198001010015",
    "泗水县农村商业银行",
    "6217000010000000009",
];

/// An unknown household and another county's get the yearly sheet's one answer.
pub const NOT_FOUND: (&str, &str, &str) = super::yearly::NOT_FOUND;

/// The household, as the file names it.
pub(super) fn identity(r: &Row) -> Option<String> {
    let (n, id) = (r.get("household_number"), r.get("id_number"));
    if n.is_empty() && id.is_empty() {
        return None;
    }
    Some(format!("{n}\u{1f}{}", id.to_uppercase()))
}

/// Records the row's card unless it is the one in use.
pub(super) fn apply(
    conn: &mut PgConnection,
    ctx: &Ctx,
    env: &Env<'_>,
    r: &Row,
) -> Result<Written, DomainError> {
    let card = CardNumber::parse(r.get("card_number"))
        .map_err(|m| DomainError::field("card_number", m))?;
    let bank = r.get("bank_name").trim();
    if bank.is_empty() || bank.chars().count() > 100 {
        return Err(DomainError::field(
            "bank_name",
            domain::Rule::length(1, 100),
        ));
    }
    let household = super::yearly::household(conn, ctx, env, r)?;
    if benefit_cards::is_current(conn, ctx, env.keys, household, bank, &card)? {
        return Ok(Written::Unchanged);
    }
    benefit_cards::set(conn, ctx, env.keys, household, bank, &card)?;
    Ok(Written::Created)
}
