"""Schemathesis hooks of scripts/fuzz (loaded through SCHEMATHESIS_HOOKS=zx_hooks).

1. The run depends on the accounts it signed in with: the fuzzer must not end their sessions or
   change what they may do halfway through. So, just before a request is sent, a request that
   would disable, reset, move or re-grant one of those accounts is pointed at a user that does
   not exist (the route is still fuzzed, on every other user and on that 404), and a password
   change that happens to carry the account's real current password gets a wrong one.

2. Integers are written as integers. JSON Schema counts `2001.0` as an integer; the server's JSON
   parser (serde) does not take a fraction, even `.0`, where it wants a whole number, and no
   client writes one. A whole number the fuzzer drew as a float is sent as `2001` (the same
   value); every other number is sent as drawn.

3. Refusals a schema cannot state (`EXPECTED` below, the list scripts/fuzz's header repeats): a
   "schema-valid request rejected" failure (ST202) is dropped only when the answer is a problem
   document whose every `errors[]` entry (field and message) is one of them, or a 412/428 on an
   operation that takes `If-Match` (the tag must be the one just read, which no schema can say);
   and "missing required header accepted" (ST203) is dropped only for a missing `If-Match`
   answered with 428 Precondition Required, the status RFC 6585 gives it. Any other field error
   in the same answer keeps the failure, and so does every other check.

4. The long tail of business rules: a 422 whose every field error is expected (3.) or refused by
   a rule no schema can state — by its typed `rule` (`errors[].rule`, domain/src/rule.rs):
   `other` (a rule particular to one operation, such as "needs groups_30plus"), a code outside
   the caller's scope or of another township, a date before another field or after today, a
   division code that names none — is written to `ZX_FUZZ_LONG_TAIL` (listed at the end of
   findings.md) instead of failing the run. A refusal by a rule a schema can state (`required`,
   `too_long`, `length`, `out_of_range`, `at_least`, `at_most`, `year_range`, `area`,
   `percentage`, `one_of`, `not_negative`, `positive`, `format`, `control_characters`), or an
   error without a rule, still fails it: the document must state that check.
"""

import json
import os
import re

import schemathesis

_STATE = json.load(open(os.environ["ZX_FUZZ_STATE"], encoding="utf-8"))
PROTECTED_USERS = {w["id"] for w in _STATE["identities"].values()}
PASSWORDS = {w["password"] for w in _STATE["identities"].values()}
NOBODY = "00000000-0000-4000-8000-000000000000"
USER_ROUTES = {
    ("POST", "/api/v1/users/{id}/disable"),
    ("POST", "/api/v1/users/{id}/password-reset"),
    ("PATCH", "/api/v1/users/{id}"),
    ("POST", "/api/v1/users/{id}/roles"),
    ("DELETE", "/api/v1/users/{id}/roles/{grant_id}"),
}


def _whole(value):
    """`value` with every whole float (2001.0) written as an int."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    route = (case.operation.method.upper(), case.operation.path)
    if route in USER_ROUTES and str((case.path_parameters or {}).get("id")) in PROTECTED_USERS:
        case.path_parameters["id"] = NOBODY
    if route == ("PUT", "/api/v1/me/password") and isinstance(case.body, dict):
        current = case.body.get("current_password")
        if isinstance(current, str) and current in PASSWORDS:
            case.body["current_password"] = "not-the-current-password"
    if isinstance(case.body, (dict, list, float)):
        case.body = _whole(case.body)


# (field, message, why): refusals of a schema-valid request that depend on something no schema
# can state. `field` is matched whole against errors[].field with `[n]` indices replaced by
# `[]`; `message` is matched against the start of errors[].message.
EXPECTED = [
    # What the server issued before: a page cursor is an opaque token of an earlier page.
    (r"cursor", r"is not a cursor this API issued$", "a cursor the API did not issue"),
    # Who asks: a region, village, household, fund or user outside the caller's scope (or in
    # another county than the object the request is about) is "not yours".
    (r"[\w.\[\]]+",
     r"lies outside (your scope|what you may audit)$|(must be|is not) an? [^;]+ in your scope( \(\d+ digits\))?$"
     r"|must be a village of the campaign's county$|is not an enabled user of this county",
     "outside the caller's scope"),
    # The stored division table: a well-formed code that names no division.
    (r"county_code|region|region_code|village_code|township_code|org_unit", r"is not a known division code$",
     "the stored division table"),
    # Which level the stored regions give a code: the operation wants one level of division.
    (r"region_code", r"settings exist only at a province, a city or a county$", "wrong level"),
    (r"region", r"must be a county or a city$", "wrong level"),
    (r"region_code", r"must be a township or county code$", "wrong level (a path's {code} names any division)"),
    (r"village_code", r"must be a village code$", "wrong level (a path's {code} names any division)"),
    # Today and stored periods: a date relative to today or to a stored contract or designation.
    (r"\w+_on|date", r"must not be in the future$|\S+ is more than \d+ days before the day it is entered"
     r"|\S+ is in the future \(today is",
     "relative to today"),
    (r"\w+_on", r"\d{4}-\d\d-\d\d lies outside the contract", "relative to the stored contract"),
    (r"year", r"must lie in the designation", "relative to the stored designation"),
    (r"deadlines\.\w+", r"\S+ is before (the campaign opens|the due date of \w+ \(\S+\), the step it follows)",
     "relative to today and to the previous step"),
    (r"date", r"must not be before the risk was found", "relative to the stored case"),
    (r"month", r"the contract does not cover \d{4}-\d\d$", "relative to the stored contract"),
    (r"progress_pct", r"progress does not go back", "against the stored progress"),
    (r"from_date", r"must be after \S+, when the current leader's link began$", "relative to the stored link"),
    (r"size", r"is larger than the population", "against the stored exits"),
    (r"as_of", r"must not be in the future$", "relative to today"),
    (r"member_id", r"the head cannot be removed", "the stored household's head"),
    (r"manager_user_id", r"is not a user of the project's county holding", "the stored users and grants"),
    (r"project_id", r"must be an ecology subsidy project", "the stored project"),
    (r"kind", r"a sudden_hardship case needs a household that is exited or non_poor", "the stored household"),
    (r"veto", r"the fact arose (on or before|after) the cut-off", "against the batch's stored cut-off"),
    # Settings of the county: the monitoring line of a year.
    (r"year", r"no monitoring line is set for \d+", "a setting"),
    # What the caller knows: the current password.
    (r"current_password", r"is not your current password$", "the stored password"),
    # Check digits and dates inside a number: the 18th character and the birth date of a
    # resident ID number (GB 11643), the Luhn digit of a bank card.
    (r"id_number|members\[\]\.id_number",
     r"has a wrong check character$|contains a birth date outside 1900 to today$|does not contain a real birth date$",
     "GB 11643 check character and birth date"),
    (r"card_number", r"the card number fails its check digit", "Luhn check digit"),
    # A vocabulary kept in the database (GET /api/v1/poverty-causes), not in the document.
    (r"(household\.)?poverty_causes\[\]", r"is not a known cause; use one of", "the stored cause catalogue"),
    # Password policy beyond its length: not the username, not one repeated character, not on
    # the list of the 100,000 most common passwords.
    (r"password|new_password|admin_password",
     r"must not contain the username$|must not repeat one character$|is one of the 100,000 most common passwords",
     "password policy"),
    # A webhook may not call this server's own network (a setting of the server says so).
    (r"url", r"must not point at (this server's own network|an internal address)$", "internal address"),
    # What an uploaded file holds: a workbook or CSV with the template's columns.
    (r"file|header|column \d+|row \d+",
     r"the file (has a header but no data rows|is not a)|the (first )?worksheet|the workbook|cannot read the header"
     r"|unknown column|the required column .* is missing|row \d+:",
     "the file's contents"),
    # U+0000 in any string of any request (PostgreSQL cannot store it; docs/api.md).
    (r".+", r"must not contain the NUL character$", "NUL in any string"),
    # A key used before, with another request: the stored requests of the caller.
    (r"Idempotency-Key", r"was used before with a different request$", "a stored key"),
    # Between fields or items of one body, which JSON Schema cannot relate.
    (r"members", r"exactly one member must be the head", "one head per household"),
    (r"household_id|household", r"give exactly one of household_id and household$", "one of two fields"),
    (r"term_months", r"applies to small loans only$", "depends on kind"),
    (r"postings", r"name each village's posting of the notice$", "depends on the stored round"),
    (r"body", r"change at least one field$", "a change that changes nothing"),
    (r"people", r"must be at least the number of households$", "people against households"),
    (r"to_year", r"must not be before from_year$", "from/to"),
    (r"term_end", r"must not be before term_start$", "from/to"),
    (r"end_date", r"must not be before start_date$", "from/to"),
    (r"to_date", r"must not be before from_date$", "from/to"),
    (r"is_true", r"a hit that is not true takes no date, veto, condition or match$", "depends on is_true"),
    (r"income_min", r"must not exceed income_max$", "min/max"),
    (r"income_year", r"is required with income_min or income_max$", "with income_min/max"),
    (r"exit_people", r"must be at least exit_households", "people against households"),
    (r"term_months", r"is required for a small loan", "depends on kind"),
    (r"amount_fen", r"must be the amount lent, more than zero$", "depends on kind"),
    (r"arose_on", r"is required for a true hit", "depends on the outcome"),
    (r"days\[\]\.date", r"\S+ is not in \d+$", "against the path's year"),
    (r"reason", r"say why (full ID numbers|the full card and ID numbers) are needed, in 4 to 500 characters$",
     "required with reveal=true only"),
]
# Fields required by the value of another field of the same body (a union the document states
# in prose): operation -> the fields that depend on the choice.
DEPENDENT = {
    "POST /api/v1/monitoring-leads/{id}/verification": r"(reason|kind|risk_types|description|rescue_first)(\[\])?",
    "POST /api/v1/monitoring-leads": r"amount_fen",
    "GET /api/v1/reports/{kind}": r"by",  # households only; the other kinds ignore it
    "POST /api/v1/property-hits/{id}/verification": r"veto_condition|arose_on|veto|reason",  # by is_true and the cut-off
}
_EXPECTED = [(re.compile(f"(?:{f})$"), re.compile(m)) for f, m, _ in EXPECTED]
IF_MATCH_STATUSES = {412, 428}


def _takes_if_match(operation) -> bool:
    return any(p.name.lower() == "if-match" for p in operation.headers)


def _cookie_mode_body_missing(case) -> bool:
    """Refresh and logout take their token from the body, or from the cookie with
    `X-Refresh-Cookie: 1`: one of the two must be there (a rule between a header and the body)."""
    if case.operation.path not in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
        return False
    cookie = str((case.headers or {}).get("X-Refresh-Cookie", "")).lower() in ("1", "true")
    return not cookie and not isinstance(case.body, (dict, list, str, bytes))


# Rules a schema states (a length, a range, a pattern, a vocabulary): a schema-valid request
# refused by one of them means the document lacks the check.
STATEABLE = {"required", "too_long", "length", "out_of_range", "at_least", "at_most", "year_range",
             "area", "percentage", "one_of", "not_negative", "positive", "format",
             "control_characters"}
LONG_TAIL = os.environ.get("ZX_FUZZ_LONG_TAIL")


def _problem_errors(response):
    try:
        problem = response.json()
    except Exception:
        return None
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if not errors or (problem.get("errors_total") or len(errors)) > len(errors):
        return None
    return errors


def _long_tail(case, response) -> bool:
    """Every field error of the 422 is expected, or refused by a rule no schema can state (4.
    above); the refusal is then written to `ZX_FUZZ_LONG_TAIL`."""
    errors = _problem_errors(response)
    if errors is None:
        return False
    dependent = DEPENDENT.get(f"{case.operation.method.upper()} {case.operation.path}")
    for e in errors:
        field = re.sub(r"\[\d+\]", "[]", str(e.get("field", "")))
        message = str(e.get("message", ""))
        if dependent and re.fullmatch(dependent, field):
            continue
        if any(f.match(field) and m.match(message) for f, m in _EXPECTED):
            continue
        rule = e.get("rule")
        if not rule or rule in STATEABLE:
            return False
    if LONG_TAIL:
        said = "; ".join(f"{e.get('field')} ({e.get('rule')}): {e.get('message')}" for e in errors)
        with open(LONG_TAIL, "a", encoding="utf-8") as f:
            f.write(f"- `{case.operation.method.upper()} {case.operation.path}` -> 422: {said[:300]}\n")
    return True


def _expected_refusal(case, response) -> bool:
    errors = _problem_errors(response)
    if errors is None:
        return False
    dependent = DEPENDENT.get(f"{case.operation.method.upper()} {case.operation.path}")
    for e in errors:
        field = re.sub(r"\[\d+\]", "[]", str(e.get("field", "")))
        message = str(e.get("message", ""))
        if dependent and re.fullmatch(dependent, field):
            continue
        if not any(f.match(field) and m.match(message) for f, m in _EXPECTED):
            return False
    return True


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """False drops the failure (see 3. above); everything else is kept."""
    if failure.code == "ST202":
        if response.status_code == 422 and _expected_refusal(case, response):
            return False
        if response.status_code == 422 and _long_tail(case, response):
            return False
        if response.status_code in IF_MATCH_STATUSES and _takes_if_match(case.operation):
            return False
        if response.status_code == 415 and _cookie_mode_body_missing(case):
            return False
    if failure.code == "ST203":
        if getattr(failure, "header_name", "").lower() == "if-match" and response.status_code == 428:
            return False
    return True
