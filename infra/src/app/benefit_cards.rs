//! The household's benefit card (seed 5: 一卡兑付) and the project's payment file for the bank.
//!
//! - A household has one card in use: bank and number; the number is encrypted like ID numbers
//!   (AES-256-GCM, the card row's id as associated data) and stored masked beside it. A new card
//!   replaces the current one (the old row keeps `replaced_at`), so a disbursement keeps naming
//!   the card it was paid to.
//! - Every disbursement to a household is paid to its card in use: without one it is refused
//!   (409 `no_benefit_card`).
//! - The payment file (name, ID number, full card number, yuan, purpose) is personal data: it
//!   needs `funds:payment_file` over the project and a reason, and is audited like a reveal.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use domain::DomainError;
use domain::authz::perm;
use domain::benefit_card::CardNumber;
use serde_json::json;
use uuid::Uuid;

use super::cases::HouseholdRow;
use super::{Ctx, stored_code};
use crate::db::{DbResultExt as _, map_db_error};
use crate::pii::DataKeys;
use crate::schema::{benefit_cards, disbursements, members, projects};

/// A household's card as everyone sees it: masked.
#[derive(Debug, Clone)]
pub struct CardView {
    /// The card row.
    pub id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The bank (开户行).
    pub bank_name: String,
    /// `6222***********1234`.
    pub card_masked: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
}

fn household(conn: &mut PgConnection, id: Uuid) -> Result<HouseholdRow, DomainError> {
    super::cases::find(conn, id)
}

/// The card in use: id, bank, masked number, recorded.
type Current = (Uuid, String, String, DateTime<Utc>);

/// A disbursement with its card: id, household, fen, payee, note, day, card id, bank, key,
/// ciphertext.
type Paid = (
    Uuid,
    Uuid,
    i64,
    String,
    String,
    NaiveDate,
    Uuid,
    String,
    i16,
    Vec<u8>,
);

fn current(conn: &mut PgConnection, h: &HouseholdRow) -> Result<Option<Current>, DomainError> {
    benefit_cards::table
        .filter(benefit_cards::county_code.eq(h.county_code))
        .filter(benefit_cards::household_id.eq(h.id))
        .filter(benefit_cards::replaced_at.is_null())
        .select((
            benefit_cards::id,
            benefit_cards::bank_name,
            benefit_cards::card_masked,
            benefit_cards::created_at,
        ))
        .first(conn)
        .optional()
        .db()
}

/// The household's card in use, masked (`funds:read` and `cases:read` over the household).
///
/// # Errors
/// `NotFound` when the household is outside scope (another county's is unknown) or has no card.
pub fn get(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
) -> Result<CardView, DomainError> {
    let h = household(conn, household_id)?;
    let region = stored_code(h.region_code)?;
    ctx.caller.require_at(perm::FUNDS_READ, region)?;
    // A household's record: readers of aggregates only (observers) are not shown it.
    ctx.caller.require_at(perm::CASES_READ, region)?;
    let (id, bank_name, card_masked, created_at) =
        current(conn, &h)?.ok_or(DomainError::NotFound)?;
    Ok(CardView {
        id,
        household_id,
        bank_name,
        card_masked,
        created_at,
    })
}

/// Records the household's card (`funds:manage` over the household), replacing the one in use.
/// The number is encrypted; only its masked form is returned or logged.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without the permission.
pub fn set(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    household_id: Uuid,
    bank_name: &str,
    card: &CardNumber,
) -> Result<CardView, DomainError> {
    let h = household(conn, household_id)?;
    let region = stored_code(h.region_code)?;
    ctx.caller.require_at(perm::FUNDS_MANAGE, region)?;
    let replaced = current(conn, &h)?;
    if let Some((old, ..)) = &replaced {
        diesel::update(
            benefit_cards::table
                .filter(benefit_cards::county_code.eq(h.county_code))
                .filter(benefit_cards::id.eq(old)),
        )
        .set(benefit_cards::replaced_at.eq(ctx.now))
        .execute(conn)
        .db()?;
    }
    let id = Uuid::new_v4();
    let (key, cipher) = keys.encrypt_text(id, card.expose())?;
    let masked = card.masked();
    diesel::insert_into(benefit_cards::table)
        .values((
            benefit_cards::county_code.eq(h.county_code),
            benefit_cards::id.eq(id),
            benefit_cards::household_id.eq(h.id),
            benefit_cards::region_code.eq(h.region_code),
            benefit_cards::bank_name.eq(bank_name),
            benefit_cards::card_cipher.eq(cipher),
            benefit_cards::card_key.eq(key),
            benefit_cards::card_masked.eq(&masked),
            benefit_cards::created_by.eq(ctx.caller.user_id),
            benefit_cards::created_at.eq(ctx.now),
        ))
        .execute(conn)
        .map_err(map_db_error)?;
    ctx.audit(
        conn,
        "benefit_card.set",
        "household",
        household_id,
        region,
        json!({ "card_id": id, "bank_name": bank_name, "card_masked": masked,
                "replaces": replaced.map(|r| r.0) }),
    )?;
    Ok(CardView {
        id,
        household_id,
        bank_name: bank_name.to_string(),
        card_masked: masked,
        created_at: ctx.now,
    })
}

/// Whether the household's card in use is `bank_name` and `card` already (a re-imported row
/// writes nothing). Asked only where the caller may record the card ([`set`]'s
/// `funds:manage`): the answer tells whether a number is the household's card. Elsewhere the
/// household is unknown, as outside the caller's scope (an import's row says no more).
///
/// # Errors
/// `NotFound` outside scope or where the caller lacks the permission; a stored number that
/// does not decrypt.
pub fn is_current(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    household_id: Uuid,
    bank_name: &str,
    card: &CardNumber,
) -> Result<bool, DomainError> {
    let h = household(conn, household_id)?;
    if !ctx
        .caller
        .can_at(perm::FUNDS_MANAGE, stored_code(h.region_code)?)
    {
        return Err(DomainError::NotFound);
    }
    let row: Option<(Uuid, String, i16, Vec<u8>)> = benefit_cards::table
        .filter(benefit_cards::county_code.eq(h.county_code))
        .filter(benefit_cards::household_id.eq(h.id))
        .filter(benefit_cards::replaced_at.is_null())
        .select((
            benefit_cards::id,
            benefit_cards::bank_name,
            benefit_cards::card_key,
            benefit_cards::card_cipher,
        ))
        .first(conn)
        .optional()
        .db()?;
    match row {
        Some((id, bank, key, cipher)) if bank == bank_name => {
            Ok(keys.decrypt(key, id, &cipher)? == card.expose())
        }
        _ => Ok(false),
    }
}

/// The card a disbursement to household `household_id` is paid to: `(card id, masked)`. The
/// caller must hold `funds:manage` where the household lives, as for recording its card ([`set`]):
/// the answer tells whether it has a card, the payment puts the card's full number in the
/// project's payment file, and the project's permission alone does not cover a household of
/// another township (a user holding it at two townships reads the county's range).
///
/// # Errors
/// `Validation` on `household_id` when the household is outside scope or where the caller
/// lacks `funds:manage` (one message for both); `Conflict` `no_benefit_card` when it has no
/// card in use.
pub(crate) fn card_for_payment(
    conn: &mut PgConnection,
    ctx: &Ctx,
    household_id: Uuid,
) -> Result<(Uuid, String), DomainError> {
    let unknown = || {
        DomainError::field(
            "household_id",
            domain::Rule::not_in_scope(domain::ScopeKind::Household),
        )
    };
    let h = household(conn, household_id).map_err(|_| unknown())?;
    if !ctx
        .caller
        .can_at(perm::FUNDS_MANAGE, stored_code(h.region_code)?)
    {
        return Err(unknown());
    }
    let (id, _, masked, _) = current(conn, &h)?.ok_or_else(|| DomainError::Conflict {
        code: domain::ErrorCode::NoBenefitCard,
        message: format!(
            "household {} has no benefit card on record: payments to households go to their card \
             (一卡兑付), never in cash; record it with PUT /api/v1/households/{household_id}/benefit-card",
            h.household_number
        ),
    })?;
    Ok((id, masked))
}

/// One line of a payment file.
#[derive(Debug, Clone)]
pub struct PaymentLine {
    /// The disbursement.
    pub disbursement_id: Uuid,
    /// The household head's name (the cardholder), else the payee.
    pub name: String,
    /// The head's full ID number (empty when the household has no head on record).
    pub id_number: String,
    /// The bank.
    pub bank_name: String,
    /// The full card number.
    pub card_number: String,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Purpose: the project's name, and the note when there is one.
    pub purpose: String,
    /// Paid on.
    pub paid_on: NaiveDate,
}

/// The payment file of a project: its disbursements to households that stand (neither reversed
/// nor reversals), optionally of one day, with full names, ID and card numbers. Needs
/// `funds:payment_file` over the project and a reason of 4 to 500 characters; audited with the
/// reason and the number of lines.
///
/// # Errors
/// `NotFound` outside scope; `Forbidden` without the permission; `Validation` on `reason`.
pub fn payment_file(
    conn: &mut PgConnection,
    ctx: &Ctx,
    keys: &DataKeys,
    project_id: Uuid,
    paid_on: Option<NaiveDate>,
    reason: &str,
) -> Result<(String, Vec<PaymentLine>), DomainError> {
    let (county, region, name): (i32, i64, String) = projects::table
        .filter(projects::id.eq(project_id))
        .select((projects::county_code, projects::region_code, projects::name))
        .first(conn)
        .db()?;
    let region = stored_code(region)?;
    ctx.caller.require_at(perm::FUNDS_PAYMENT_FILE, region)?;
    let reason = reason.trim();
    if !(4..=500).contains(&reason.chars().count()) {
        return Err(DomainError::field(
            "reason",
            domain::Rule::other(
                "say why the full card and ID numbers are needed, in 4 to 500 characters",
                "请用 4 至 500 个字符说明为何需要完整卡号和身份证号",
            ),
        ));
    }
    let reversed: Vec<Uuid> = disbursements::table
        .filter(disbursements::county_code.eq(county))
        .filter(disbursements::project_id.eq(project_id))
        .filter(disbursements::reverses.is_not_null())
        .select(disbursements::reverses.assume_not_null())
        .load(conn)
        .db()?;
    // Every standing payment of the file paid to a card, whoever can see the card: a payee
    // outside the caller's scope (the project's region is theirs, the household's village is
    // not) would drop out of the file silently and the bank would never pay what the ledger
    // says is paid. Read before the lines: a payment recorded in between only adds a line.
    // (Payments from before cards were kept name none and are left out, as they always were.)
    let mut all = disbursements::table
        .filter(disbursements::county_code.eq(county))
        .filter(disbursements::project_id.eq(project_id))
        .filter(disbursements::reverses.is_null())
        .filter(disbursements::household_id.is_not_null())
        .filter(disbursements::card_id.is_not_null())
        .into_boxed();
    if let Some(day) = paid_on {
        all = all.filter(disbursements::paid_on.eq(day));
    }
    let standing: Vec<Uuid> = all.select(disbursements::id).load(conn).db()?;
    let mut q = disbursements::table
        .inner_join(
            benefit_cards::table.on(benefit_cards::county_code
                .eq(disbursements::county_code)
                .and(benefit_cards::id.nullable().eq(disbursements::card_id))),
        )
        .filter(disbursements::county_code.eq(county))
        .filter(disbursements::project_id.eq(project_id))
        .filter(disbursements::reverses.is_null())
        .filter(disbursements::household_id.is_not_null())
        .into_boxed();
    if let Some(day) = paid_on {
        q = q.filter(disbursements::paid_on.eq(day));
    }
    let rows: Vec<Paid> = q
        .order((
            disbursements::paid_on,
            disbursements::created_at,
            disbursements::id,
        ))
        .select((
            disbursements::id,
            disbursements::household_id.assume_not_null(),
            disbursements::amount_fen,
            disbursements::payee,
            disbursements::note,
            disbursements::paid_on,
            benefit_cards::id,
            benefit_cards::bank_name,
            benefit_cards::card_key,
            benefit_cards::card_cipher,
        ))
        .load(conn)
        .db()?;
    let shown: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.0).collect();
    let missing = standing
        .iter()
        .filter(|i| !reversed.contains(i) && !shown.contains(i))
        .count();
    if missing > 0 {
        return Err(DomainError::Forbidden(format!(
            "{missing} of the file's payments go to households outside your area: the whole \
             file is printed by someone whose area holds every payee (the county's funds office)"
        )));
    }
    let households: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let heads: Vec<(Uuid, Uuid, String, i16, Vec<u8>)> = members::table
        .filter(members::county_code.eq(county))
        .filter(members::household_id.eq_any(&households))
        .filter(members::relationship.eq("head"))
        .select((
            members::household_id,
            members::id,
            members::name,
            members::id_key,
            members::id_cipher,
        ))
        .load(conn)
        .db()?;
    let mut head_of = std::collections::HashMap::new();
    for (h, m, n, k, c) in heads {
        head_of.insert(h, (n, keys.decrypt(k, m, &c)?));
    }
    let mut lines = Vec::new();
    for (id, h, amount, payee, note, day, card, bank, key, cipher) in rows {
        if reversed.contains(&id) {
            continue;
        }
        let (holder, id_number) = head_of.get(&h).cloned().unwrap_or((payee, String::new()));
        lines.push(PaymentLine {
            disbursement_id: id,
            name: holder,
            id_number,
            bank_name: bank,
            card_number: keys.decrypt(key, card, &cipher)?,
            amount_fen: amount,
            purpose: if note.is_empty() {
                name.clone()
            } else {
                format!("{name}:{note}")
            },
            paid_on: day,
        });
    }
    crate::audit::record(
        conn,
        &ctx.actor(),
        &crate::audit::Entry {
            action: "disbursement.payment_file",
            object_type: "project",
            object_id: Some(project_id.to_string()),
            region,
            reason: Some(reason.to_string()),
            details: json!({
                "lines": lines.len(),
                "paid_on": paid_on,
                "total_fen": lines.iter().map(|l| l.amount_fen).sum::<i64>(),
            }),
        },
    )?;
    Ok((name, lines))
}

/// How many card numbers are under another key than the active one.
///
/// # Errors
/// Database failures.
pub fn under_other_keys(conn: &mut PgConnection, keys: &DataKeys) -> Result<i64, DomainError> {
    benefit_cards::table
        .filter(benefit_cards::card_key.ne(keys.active()))
        .count()
        .get_result(conn)
        .db()
}

/// Re-encrypts card numbers under another key than the active one (after a key rotation), in
/// batches; returns how many were moved.
///
/// # Errors
/// Database failures, or a value that does not decrypt.
pub fn reencrypt_batch(
    conn: &mut PgConnection,
    keys: &DataKeys,
    batch: i64,
) -> Result<usize, DomainError> {
    let rows: Vec<(i32, Uuid, i16, Vec<u8>)> = benefit_cards::table
        .filter(benefit_cards::card_key.ne(keys.active()))
        .select((
            benefit_cards::county_code,
            benefit_cards::id,
            benefit_cards::card_key,
            benefit_cards::card_cipher,
        ))
        .limit(batch)
        .for_update()
        .skip_locked()
        .load(conn)
        .db()?;
    for (county, id, key, cipher) in &rows {
        let plain = keys.decrypt(*key, *id, cipher)?;
        let (new_key, new_cipher) = keys.encrypt_text(*id, &plain)?;
        diesel::update(
            benefit_cards::table
                .filter(benefit_cards::county_code.eq(county))
                .filter(benefit_cards::id.eq(id)),
        )
        .set((
            benefit_cards::card_key.eq(new_key),
            benefit_cards::card_cipher.eq(new_cipher),
        ))
        .execute(conn)
        .db()?;
    }
    Ok(rows.len())
}
