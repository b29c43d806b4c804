"""Helpers of scripts/fuzz (run with the fuzzing venv's python).

  zx_fuzz.py identities URL STATE   log in the demo users of both counties, give Wenshang the
                                    same roles as Sishui (new users), seed a few objects in
                                    each county; write tokens, ids and passwords to STATE
  zx_fuzz.py wfc STATE AUTH_JSON    the Web Fuzzing Commons auth file schemathesis reads
  zx_fuzz.py cross-county STATE     the cross-county pass (see `Pass`); exit 1 on a leak
  zx_fuzz.py nul-probe STATE        a NUL character in every string query parameter: no 5xx
  zx_fuzz.py summary JUNIT...       schemathesis' failures as Markdown, one line per operation

The cross-county pass is ours, not schemathesis': schemathesis' `object_level_authorization`
check only compares two peers that it picks up from its own requests, and only when the peer's
body equals the owner's; it never looks at lists and never at a 403 that tells an object exists.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import uuid
from typing import Any

import requests

SESSION = requests.Session()
TIMEOUT = 30

# (identity, username, password) of the demo (README); the Wenshang users other than the
# administrator do not exist in the demo and are created by `identities` with these roles.
DEMO = [
    ("sishui_approver", "approver.sishui", "demo-approver-2026"),
    ("sishui_clerk", "clerk.sishui", "demo-clerk-2026"),
    ("sishui_funds", "funds.sishui", "demo-funds-2026"),
    ("sishui_admin", "admin.sishui", "demo-admin-2026"),
    ("sishui_reviewer", "reviewer.sishui", "demo-reviewer-2026"),
    ("sishui_auditor", "auditor.sishui", "demo-auditor-2026"),
    ("wenshang_admin", "admin.wenshang", "demo-wenshang-2026"),
    ("platform_admin", "platform.admin", "demo-platform-2026"),
]
# Roles compared across the two counties: (role, level of its org unit).
PAIRED_ROLES = {
    "approver": ("county_approver", "county"),
    "clerk": ("village_clerk", "village"),
    "funds": ("fund_officer", "county"),
    "admin": ("tenant_admin", "county"),
    "reviewer": ("township_reviewer", "township"),
    "auditor": ("auditor", "county"),
}
COUNTIES = {"sishui": "370831", "wenshang": "370830"}
REPORT_KINDS = ["households", "exits", "monitoring", "key_villages", "coverage", "funds", "rangers"]
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def call(base: str, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
    headers = dict(kw.pop("headers", {}) or {})
    if token:
        headers["authorization"] = f"Bearer {token}"
    return SESSION.request(method, base + path, headers=headers, timeout=TIMEOUT, **kw)


def login(base: str, username: str, password: str) -> str:
    r = call(base, "POST", "/api/v1/auth/login", json={"username": username, "password": password})
    if r.status_code != 200:
        sys.exit(f"cannot log in as {username}: {r.status_code} {r.text[:300]}")
    return r.json()["access_token"]


def first_child(base: str, token: str, code: str) -> str:
    r = call(base, "GET", f"/api/v1/regions/{code}/children?limit=5", token)
    r.raise_for_status()
    return r.json()["items"][0]["code"]


def gb11643(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    checks = "10X98765432"
    return body17 + checks[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def seed(base: str, ids: dict[str, dict[str, Any]], county: str, prefix: str) -> dict[str, int]:
    """A few objects of each kind the demo lacks, made through the API by the county's own users."""
    c = COUNTIES[county]
    clerk, funds, approver = (ids[f"{county}_{r}"] for r in ("clerk", "funds", "approver"))
    village = clerk["org"]
    made: dict[str, int] = {}

    def post(who: dict[str, Any], path: str, body: Any, **kw: Any) -> dict[str, Any] | None:
        r = call(base, "POST", path, who["token"], json=body, **kw)
        made[f"POST {path.split('?')[0]}"] = r.status_code
        return r.json() if r.status_code in (200, 201, 202) else None

    def household(k: int) -> dict[str, Any]:
        n = secrets.randbelow(10**6)
        birth = f"19{60 + n % 30:02d}0{1 + n % 9}1{n % 9}"
        return {
            "household_number": f"{village}9{k}{n % 100:02d}", "village_code": village,
            "attribute": "general", "poverty_causes": ["illness"], "year_identified": 2016,
            "members": [{"name": "交叉测试", "id_number": gb11643(f"{c}{birth}{n % 1000:03d}"), "relationship": "head"}],
        }

    registered = household(1)
    post(clerk, "/api/v1/households", registered)
    post(clerk, "/api/v1/monitoring-cases", {
        "household": household(2), "kind": "marginal", "risk_types": ["illness"],
        "found_on": "2026-01-05", "description": "fuzz seed"})
    r = call(base, "PUT", f"/api/v1/villages/{village}/profiles/2020", clerk["token"], json={
        "households": 1199, "population": 3594, "per_capita_income_fen": 1826000,
        "collective_income_fen": 20000000, "cultivated_mu": 3335, "forest_mu": 449.4})
    made["PUT /api/v1/villages/{code}/profiles/{year}"] = r.status_code
    post(approver, "/api/v1/key-villages", {"village_code": village, "from_year": 2021, "to_year": 2025, "plan": "fuzz seed"})
    head = registered["members"][0]
    sheet = f"身份证号,姓名,检索类型,检索详情\n{head['id_number']},{head['name']},车辆,鲁H12345 小型轿车 2014-03-02 登记\n"
    r = call(base, "POST", f"/api/v1/property-checks?name={prefix}-{county}", approver["token"],
             data=sheet.encode(), headers={"content-type": "text/csv"})
    made["POST /api/v1/property-checks"] = r.status_code
    post(funds, "/api/v1/funds", {
        "county_code": c, "year": 2021, "level": "province", "source": "财政衔接资金",
        "purpose": "infrastructure", "linking": True, "amount_fen": 100000000, "received_on": "2021-03-01"})
    post(funds, "/api/v1/projects", {
        "region_code": village, "year": 2021, "name": f"{prefix} 道路", "purpose": "infrastructure",
        "budget_fen": 5000000, "account": "专户"})
    post(approver, "/api/v1/teams", {"village_code": village, "name": f"{prefix} 工作队"})
    template = call(base, "GET", "/api/v1/imports/households/template?format=csv", clerk["token"]).content
    r = call(base, "POST", "/api/v1/imports/households?dry_run=true", clerk["token"],
             data=template, headers={"content-type": "text/csv"})
    made["POST /api/v1/imports/households"] = r.status_code
    if r.status_code == 202:
        clerk.setdefault("jobs", []).append(r.json()["id"])
    return made


def identities(base: str, state_path: str) -> None:
    ids: dict[str, dict[str, Any]] = {}
    for name, username, password in DEMO:
        ids[name] = {"username": username, "password": password, "token": login(base, username, password)}
    ws_admin = ids["wenshang_admin"]["token"]
    township = first_child(base, ws_admin, COUNTIES["wenshang"])
    village = first_child(base, ws_admin, township)
    org = {"county": COUNTIES["wenshang"], "township": township, "village": village}
    run = secrets.token_hex(3)
    for short, (role, level) in PAIRED_ROLES.items():
        name = f"wenshang_{short}"
        if name in ids:
            continue
        username, password = f"fuzz.{run}.ws.{short}", secrets.token_urlsafe(18)
        r = call(base, "POST", "/api/v1/users", ws_admin, json={
            "username": username, "display_name": f"汶上{short}", "password": password,
            "org_unit": org[level], "roles": [role]})
        if r.status_code != 201:
            sys.exit(f"cannot create {username}: {r.status_code} {r.text[:300]}")
        ids[name] = {"username": username, "password": password, "token": login(base, username, password)}
    for name, who in ids.items():
        me = call(base, "GET", "/api/v1/me", who["token"]).json()
        who.update(id=me["id"], org=me["org_unit"]["code"], county=me.get("county_code"),
                   roles=sorted(g["role"] for g in me["roles"]),
                   grants=sorted(g["id"] for g in me["roles"]))
    seeds = {county: seed(base, ids, county, f"fuzz-{run}") for county in COUNTIES}
    with open(state_path, "w", encoding="utf-8") as f:
        json.dump({"base": base, "identities": ids, "seeds": seeds}, f, ensure_ascii=False, indent=1)
    for county, made in seeds.items():
        print(f"seeded {county}: " + ", ".join(f"{k} {v}" for k, v in made.items()))


def wfc(state_path: str, out: str) -> None:
    """Identities in the order schemathesis tries them for each operation (it moves on from one
    that an operation refuses): the roles that may do most first. The Wenshang peer comes last
    but one, so that it owns nothing that a Sishui user may do; the platform administrator last,
    for the routes only it may call."""
    state = json.load(open(state_path, encoding="utf-8"))
    order = ["sishui_approver", "sishui_clerk", "sishui_funds", "sishui_admin", "sishui_reviewer",
             "sishui_auditor", "wenshang_admin", "platform_admin"]
    doc = {"schemaVersion": "0.1.0", "auth": [
        {"name": n, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {state['identities'][n]['token']}"}]}
        for n in order]}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f)


# --- the cross-county pass -------------------------------------------------------------------

# Reference data every role of every county reads (the authorization matrix says 200 for all):
# not tenant data, so not part of the pass.
GLOBAL_PREFIXES = ("/api/v1/regions/", "/api/v1/roles", "/api/v1/poverty-causes", "/api/v1/veto-conditions",
                   "/api/v1/imports/households/template", "/api/v1/property-checks/template", "/api/v1/me",
                   "/.well-known/", "/health/", "/metrics")


def items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return [i for i in body["items"] if isinstance(i, dict)]
    if isinstance(body, list):
        return [i for i in body if isinstance(i, dict)]
    return []


def uuids(body: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(body, dict):
        for v in body.values():
            found |= uuids(v)
    elif isinstance(body, list):
        for v in body:
            found |= uuids(v)
    elif isinstance(body, str) and UUID_RE.match(body):
        found.add(body)
    return found


def json_or_none(r: requests.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


class Pass:
    def __init__(self, state: dict[str, Any], spec: dict[str, Any]) -> None:
        self.base = state["base"]
        self.ids = state["identities"]
        self.spec = spec
        self.gets = sorted(p for p, ops in spec["paths"].items() if "get" in ops and not p.startswith(GLOBAL_PREFIXES))
        self.findings: dict[tuple[str, str], list[str]] = {}
        self.covered: dict[str, int] = {}
        self.requests = 0

    def get(self, who: str, path: str) -> requests.Response:
        self.requests += 1
        r = call(self.base, "GET", path, self.ids[who]["token"])
        if r.status_code >= 500:
            self.finding("server error", f"GET {path.split('?')[0]}", f"GET {path} as {who} -> {r.status_code}: {r.text[:200]}")
        return r

    def query_names(self, template: str) -> set[str]:
        return {p["name"] for p in self.spec["paths"][template]["get"].get("parameters", []) if p["in"] == "query"}

    def enum_of(self, template: str, param: str) -> list[str]:
        for p in self.spec["paths"][template]["get"].get("parameters", []):
            if p["name"] == param:
                schema = p.get("schema", {})
                return list(schema.get("enum", []))
        return []

    def discover(self, owner: str) -> tuple[dict[str, list[dict[str, str]]], set[str]]:
        """What `owner` can read: bindings of the path parameters of every GET route, and every id
        it saw in its own county's lists (its private ids)."""
        me = self.ids[owner]
        county = me["county"]
        bindings: dict[str, list[dict[str, str]]] = {}
        seen: set[str] = set()
        listed: dict[str, list[dict[str, Any]]] = {}
        for template in self.gets:
            if "{" in template:
                continue
            q = self.required_query(template, county)
            q += ("&" if q else "?") + "limit=200" if "limit" in self.query_names(template) else ""
            r = self.get(owner, template + q)
            body = json_or_none(r) if r.status_code == 200 else None
            listed[template] = items(body)
            seen |= uuids(body)
        # Parameters by route: the collection above `/{id}` gives its items' ids.
        for template in self.gets:
            params = re.findall(r"{(\w+)}", template)
            if not params:
                continue
            values: list[dict[str, str]] = []
            first = template.split("/{")[0]
            if params[0] == "id" and first in listed:
                values = [{"id": i["id"]} for i in listed[first][:3] if isinstance(i.get("id"), str)]
            elif params[0] == "id" and first == "/api/v1/jobs":
                # No list route: the import jobs the clerk started in `identities`.
                values = [{"id": j} for j in me.get("jobs", [])]
            elif params[0] in ("county_code",):
                values = [{"county_code": county}]
            elif params[0] == "region_code":
                values = [{"region_code": county}]
            elif params[0] == "code":
                values = [{"code": self.village_of(county)}]
            elif params[0] == "kind":
                values = [{"kind": k} for k in self.enum_of(template, "kind")[:2]] or [{"kind": "households"}]
            # Second-level parameters.
            out: list[dict[str, str]] = []
            for v in values:
                if len(params) == 1:
                    out.append(v)
                    continue
                second = params[1]
                if second == "year":
                    sub = template.rsplit("/{", 1)[0].format(**v)
                    r = self.get(owner, sub) if sub != template else None
                    years = [str(i["year"]) for i in items(json_or_none(r)) if "year" in i] if r is not None and r.status_code == 200 else []
                    out += [{**v, "year": y} for y in years[:1]] or [{**v, "year": "2021"}]
                elif second == "member_id":
                    r = self.get(owner, template.rsplit("/{", 1)[0].format(**v))
                    out += [{**v, "member_id": i["id"]} for i in items(json_or_none(r))[:1] if "id" in i]
                elif second == "kind":
                    out += [{**v, "kind": k} for k in self.enum_of(template, "kind")[:1]] or [{**v, "kind": "village_notice"}]
                elif second == "month":
                    out.append({**v, "month": "2021-06"})
                elif second == "grant_id":
                    out.append({**v, "grant_id": str(uuid.uuid4())})
            bindings[template] = out
        return bindings, seen

    def village_of(self, county: str) -> str:
        clerk = next(w for n, w in self.ids.items() if w.get("county") == county and "village_clerk" in w.get("roles", []))
        return clerk["org"]

    @staticmethod
    def blank(text: str, values: dict[str, str]) -> str:
        for v in values.values():
            text = text.replace(str(v), "<id>")
        return text

    def required_query(self, template: str, county: str) -> str:
        params = self.spec["paths"][template]["get"].get("parameters", [])
        given = {"year": "2020", "region": county}
        q = [f"{p['name']}={given[p['name']]}" for p in params if p["in"] == "query" and p.get("required") and p["name"] in given]
        return "?" + "&".join(q) if q else ""

    def probe_objects(self, owner: str, peer: str, bindings: dict[str, list[dict[str, str]]]) -> None:
        """Every object `owner` reads, asked for by `peer`: it must answer as for an object that
        does not exist (404, or the same refusal a random id gets), never 2xx."""
        q = ""
        for template, values in bindings.items():
            if template == "/api/v1/reports/{kind}":
                continue  # `kind` names a report, not an object: the region filter is probed in probe_lists
            q = self.required_query(template, self.ids[owner]["county"])
            for v in values:
                path = template.format(**v) + q
                mine = self.get(owner, path)
                if mine.status_code != 200:
                    continue  # the owner cannot read it either: nothing to compare
                theirs = self.get(peer, path)
                ghost = {k: (str(uuid.uuid4()) if UUID_RE.match(str(x)) else x) for k, x in v.items()}
                if ghost == v:  # codes, not ids: a code of no county stands in for a missing object
                    ghost = {k: ("379999" if k in ("county_code", "region_code") else ("379999999999" if k == "code" else x)) for k, x in v.items()}
                missing = self.get(peer, template.format(**ghost) + q)
                self.covered[template] = self.covered.get(template, 0) + 1
                if 200 <= theirs.status_code < 300:
                    same_as_nothing = 200 <= missing.status_code < 300 and self.blank(theirs.text, v) == self.blank(missing.text, ghost)
                    if same_as_nothing:
                        self.finding(
                            "not 404 (no data leaked)", f"GET {template}", f"GET {path} as {peer} -> {theirs.status_code}, the same (empty) answer as for "
                            f"{template.format(**ghost)}{q}, which does not exist: no data of {owner}'s county in it, "
                            f"but the README promises 404 for objects outside the caller's scope; body: {theirs.text[:200]}")
                    else:
                        self.finding(
                            "cross-county read", f"GET {template}", f"GET {path} as {peer} ({self.ids[peer]['username']}) -> {theirs.status_code}; "
                            f"the object is {owner}'s ({self.ids[owner]['username']}); body: {theirs.text[:300]}")
                elif theirs.status_code != missing.status_code:
                    self.finding(
                        "existence oracle", f"GET {template}", f"GET {path} as {peer} -> {theirs.status_code}, but "
                        f"{template.format(**ghost)}{q} (no such object) -> {missing.status_code}")
                elif theirs.status_code not in (403, 404):
                    self.finding("unexpected status", f"GET {template}", f"GET {path} as {peer} -> {theirs.status_code}: {theirs.text[:200]}")

    def probe_lists(self, owner: str, peer: str, private: set[str]) -> None:
        """Every list `peer` reads must hold none of `owner`'s ids, and a `region` filter naming
        the owner's county must be refused (422/404/403), never answered."""
        county = self.ids[owner]["county"]
        for template in self.gets:
            if "{" in template:
                continue
            names = self.query_names(template)
            q = self.required_query(template, self.ids[peer]["county"])
            q += ("&" if q else "?") + "limit=200" if "limit" in names else ""
            r = self.get(peer, template + q)
            if r.status_code == 200:
                leaked = uuids(json_or_none(r)) & private
                if leaked:
                    self.finding(
                        "cross-county list", f"GET {template}", f"GET {template}{q} as {peer} holds {len(leaked)} id(s) of "
                        f"{owner}'s county, e.g. {sorted(leaked)[0]}")
            if "region" in names:
                extra = self.required_query(template, county).replace("?", "&").replace(f"&region={county}", "")
                r = self.get(peer, f"{template}?region={county}{extra}")
                if 200 <= r.status_code < 300:
                    self.finding(
                        "cross-county filter", f"GET {template}?region=", f"GET {template}?region={county} as {peer} -> {r.status_code}: {r.text[:200]}")
        for kind in self.enum_of("/api/v1/reports/{kind}", "kind") or REPORT_KINDS:
            r = self.get(peer, f"/api/v1/reports/{kind}?region={county}")
            if 200 <= r.status_code < 300:
                self.finding("cross-county report", "GET /api/v1/reports/{kind}?region=",
                             f"GET /api/v1/reports/{kind}?region={county} as {peer} -> {r.status_code}: {r.text[:200]}")

    def run(self) -> int:
        for name, who in self.ids.items():
            me = call(self.base, "GET", "/api/v1/me", who["token"])
            if me.status_code != 200 or me.json()["org_unit"]["code"] != who["org"]:
                print(f"precondition: {name} ({who['username']}) is no longer what it was: {me.status_code} {me.text[:200]}")
                return 2
        for short in PAIRED_ROLES:
            for a, b in (("sishui", "wenshang"), ("wenshang", "sishui")):
                owner, peer = f"{a}_{short}", f"{b}_{short}"
                bindings, seen = self.discover(owner)
                # The peer's own ids and the ids both can see (shared reference data) are not private.
                _, peer_seen = self.discover(peer)
                self.probe_objects(owner, peer, bindings)
                self.probe_lists(owner, peer, seen - peer_seen)
        uncovered = [t for t in self.gets if "{" in t and t not in self.covered]
        print(f"cross-county pass: {self.requests} requests, {sum(self.covered.values())} object probes over "
              f"{len(self.covered)} routes; no object of either county found for: {', '.join(uncovered) or 'none'}")
        for (kind, route), examples in self.findings.items():
            print(f"FINDING {kind}: {route}: {len(examples)} probe(s); e.g. {examples[0]}")
        return 1 if self.findings else 0

    def finding(self, kind: str, route: str, text: str) -> None:
        self.findings.setdefault((kind, route), []).append(text)


def cross_county(state_path: str) -> int:
    state = json.load(open(state_path, encoding="utf-8"))
    spec = call(state["base"], "GET", "/api/v1/openapi.json").json()
    return Pass(state, spec).run()


# --- control characters in query strings -------------------------------------------------------

def nul_probe(state_path: str) -> int:
    """Every string query parameter of every GET, given a NUL character (U+0000), as the first of
    the run's identities that the route does not refuse: the answer must not be a 5xx. The fuzzer
    finds these only by luck (it draws NUL seldom), so they are asked for here every time."""
    state = json.load(open(state_path, encoding="utf-8"))
    base, ids = state["base"], state["identities"]
    spec = call(base, "GET", "/api/v1/openapi.json").json()
    order = ["sishui_approver", "sishui_clerk", "sishui_funds", "sishui_admin", "sishui_auditor", "platform_admin"]
    hh = items(call(base, "GET", "/api/v1/households?limit=1", ids["sishui_approver"]["token"]).json())[0]["id"]
    fill = {"id": hh, "code": "370831001003", "region_code": "370831", "county_code": "370831", "year": "2020",
            "kind": "households", "member_id": str(uuid.uuid4()), "month": "2021-06", "grant_id": str(uuid.uuid4())}
    found, sent = [], 0
    for template, ops in spec["paths"].items():
        op = ops.get("get")
        if not op:
            continue
        path = re.sub(r"{(\w+)}", lambda m: fill.get(m.group(1), str(uuid.uuid4())), template)
        for p in op.get("parameters", []):
            if p["in"] != "query" or p.get("schema", {}).get("type") != "string":
                continue
            for who in order:
                sent += 1
                r = call(base, "GET", path, ids[who]["token"], params={p["name"]: "a\x00b"})
                if r.status_code in (401, 403):
                    continue
                if r.status_code >= 500:
                    rid = (json_or_none(r) or {}).get("request_id", "") if "json" in r.headers.get("content-type", "") else ""
                    found.append(f"GET {template}?{p['name']}=a%00b as {ids[who]['username']} -> {r.status_code}"
                                 + (f" (request id {rid}: its cause is in the server log)" if rid else f": {r.text[:160]}"))
                break
    print(f"NUL probe: {sent} requests over the string query parameters of every GET")
    for f in found:
        print("FINDING server error on a NUL character: " + f)
    return 1 if found else 0


# --- schemathesis' findings, grouped -----------------------------------------------------------

# Titles of the codes (`st explain CODE` says more); the failures' own titles are used for others.
CODES = {
    "ST101": "Server error (5xx)",
    "ST103": "Status code not documented for the operation",
    "ST108": "Response does not match the documented schema",
    "ST202": "Schema-valid request rejected (the schema does not say what the server checks)",
}


def summary(junit_paths: list[str]) -> None:
    """Markdown: one line per (check, operation, status), with the server's own words and a curl."""
    import xml.etree.ElementTree as ET

    rows: dict[tuple[str, str, str], tuple[str, str]] = {}
    titles: dict[str, str] = dict(CODES)
    for path in junit_paths:
        for tc in ET.parse(path).getroot().iter("testcase"):
            op = tc.attrib["name"]
            for failure in list(tc.findall("failure")) + list(tc.findall("error")):
                text = failure.text or ""
                for case in re.split(r"\n(?=\d+\. Test Case ID:)", text):
                    found = re.findall(r"^- (ST\d+) ?(.*)$", case, re.M)
                    codes = [c for c, _ in found] or [failure.attrib.get("message", "error")]
                    for c, title in found:
                        titles.setdefault(c, re.sub(r" \(\d+ violations?\)$", "", title))
                    status = (re.search(r"^\[(\d{3})\]", case, re.M) or re.search(r"Received: (\d{3})", case))
                    body = re.search(r"^    `(.*)`$", case, re.M)
                    detail = ""
                    if body:
                        try:
                            detail = json.loads(body.group(1)).get("detail") or ""
                        except (ValueError, AttributeError):
                            # A long body is cut short in the report: take its detail as text.
                            cut = re.search(r'"detail":"((?:[^"\\]|\\.)*)', body.group(1))
                            detail = cut.group(1) if cut else ""
                    if not detail:
                        # What the check says (e.g. which property the schema requires), else the body.
                        said = re.search(r"^- ST\d+ .*\n\n    (\S.*)$", case, re.M)
                        detail = said.group(1)[:200] if said else (body.group(1)[:160] if body else "")
                    # A stateful scenario lists every step: the last request is the one that failed.
                    curl = ([m for m in re.finditer(r"^    (curl .*)$", case, re.M)] or [None])[-1]
                    name = op
                    if curl and not op.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
                        # Stateful failures are reported under the scenario: name the request instead.
                        m = re.search(r"-X (\w+) .*?'?https?://[^/]+(/[^?' ]*)", curl.group(1))
                        name = f"{m.group(1)} {m.group(2)} (stateful)" if m else op
                    for code in codes:
                        key = (code, name, status.group(1) if status else "")
                        rows.setdefault(key, (detail, curl.group(1) if curl else ""))
    by_code: dict[str, list[tuple[str, str, str, str]]] = {}
    for (code, op, status), (detail, curl) in sorted(rows.items()):
        by_code.setdefault(code, []).append((op, status, detail, curl))
    if not by_code:
        print("schemathesis: no failures")
        return
    for code, entries in sorted(by_code.items()):
        print(f"## {code} {titles.get(code, '')}: {len(entries)} operation(s)\n")
        for op, status, detail, curl in entries:
            print(f"- `{op}` -> {status or '?'}: {detail}" + (f"\n  `{curl}`" if code not in ("ST103", "ST202") and curl else ""))
        print()


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "identities":
        identities(*args)
    elif cmd == "wfc":
        wfc(*args)
    elif cmd == "cross-county":
        sys.exit(cross_county(*args))
    elif cmd == "nul-probe":
        sys.exit(nul_probe(*args))
    elif cmd == "summary":
        summary(args)
    else:
        sys.exit(__doc__)
