//! 小额信贷 (seed 4: 扎实做好脱贫人口小额信贷工作): a small loan is an assistance measure with the
//! amount lent and its term in months.

use super::MeasureKind;
use crate::FieldError;

/// The longest term of a small loan the register takes, months. Seed 4 names 小额信贷 without
/// limits; ten years is the project's bound on plausible input, not a policy figure.
pub const SMALL_LOAN_MAX_TERM_MONTHS: i32 = 120;

/// Checks a measure's loan terms: a small loan needs an amount above zero and a term of 1 to
/// [`SMALL_LOAN_MAX_TERM_MONTHS`] months; any other kind takes no term.
pub fn check(
    errs: &mut Vec<FieldError>,
    kind: Option<MeasureKind>,
    amount_fen: i64,
    term: Option<i32>,
) {
    let loan = kind == Some(MeasureKind::SmallLoan);
    match term {
        None if loan => errs.push(FieldError::new(
            "term_months",
            crate::Rule::other(
                "is required for a small loan (months)",
                "小额信贷必填(月数)",
            ),
        )),
        Some(t) if loan && !(1..=SMALL_LOAN_MAX_TERM_MONTHS).contains(&t) => {
            errs.push(FieldError::new(
                "term_months",
                crate::Rule::other(
                    format!("must be 1 to {SMALL_LOAN_MAX_TERM_MONTHS} months"),
                    format!("须为 1 至 {SMALL_LOAN_MAX_TERM_MONTHS} 个月"),
                ),
            ));
        }
        Some(_) if kind.is_some() && !loan => errs.push(FieldError::new(
            "term_months",
            crate::Rule::other("applies to small loans only", "仅适用于小额信贷"),
        )),
        _ => {}
    }
    if loan && amount_fen == 0 {
        errs.push(FieldError::new(
            "amount_fen",
            crate::Rule::other(
                "must be the amount lent, more than zero",
                "必须是贷款金额,大于零",
            ),
        ));
    }
}
