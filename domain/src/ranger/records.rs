//! Checks of a ranger's daily records (patrols, inspections) as entered, shared by the
//! single routes and the bulk import of the ranger sheets.

/// Checks a day's patrol as entered (route or area 1 to 200 characters, findings up to 2000),
/// for `POST /ranger-contracts/{id}/patrols` and the patrol sheet alike. Returns both trimmed.
///
/// # Errors
/// Every field error, named as the request body names the field.
pub fn validate_patrol(
    area: &str,
    findings: &str,
) -> Result<(String, String), Vec<crate::FieldError>> {
    let mut errs = Vec::new();
    let area = crate::input::text(&mut errs, "area", area, true, 200);
    let findings = crate::input::text(&mut errs, "findings", findings, false, 2000);
    if errs.is_empty() {
        Ok((area, findings))
    } else {
        Err(errs)
    }
}

/// Checks an inspection's note (up to 500 characters), for the route and the sheet alike.
///
/// # Errors
/// The field error.
pub fn validate_inspection_note(note: &str) -> Result<String, Vec<crate::FieldError>> {
    let mut errs = Vec::new();
    let note = crate::input::text(&mut errs, "note", note, false, 500);
    if errs.is_empty() { Ok(note) } else { Err(errs) }
}
