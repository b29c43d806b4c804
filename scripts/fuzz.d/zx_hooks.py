"""Schemathesis hooks of scripts/fuzz (loaded through SCHEMATHESIS_HOOKS=zx_hooks).

The run depends on the accounts it signed in with: the fuzzer must not end their sessions or
change what they may do halfway through. So, just before a request is sent, a request that would
disable, reset, move or re-grant one of those accounts is pointed at a user that does not exist
(the route is still fuzzed, on every other user and on that 404), and a password change that
happens to carry the account's real current password gets a wrong one. Nothing else is touched.
"""

import json
import os

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


@schemathesis.hook
def before_call(context, case, kwargs):
    route = (case.operation.method.upper(), case.operation.path)
    if route in USER_ROUTES and str((case.path_parameters or {}).get("id")) in PROTECTED_USERS:
        case.path_parameters["id"] = NOBODY
    if route == ("PUT", "/api/v1/me/password") and isinstance(case.body, dict):
        current = case.body.get("current_password")
        if isinstance(current, str) and current in PASSWORDS:
            case.body["current_password"] = "not-the-current-password"
