// The typed-client contract check (issue #10, part 1).
//
// Types come from openapi/openapi.json (openapi-typescript → src/schema.d.ts, generated at check
// time), so renaming a field or removing a route this flow uses fails `tsc`. At run time every
// answer is also checked against the same document (contract.ts). The flow, as the demo village
// clerk: log in, who am I, list the village's households, register one, replay the registration
// with the same Idempotency-Key, read it back and compare, find it in the list by name.
//
//   ZX_CHECK_URL=http://127.0.0.1:8080 node dist/flow.js

import { randomBytes, randomInt } from "node:crypto";
import { CLERK, baseUrl, client, expect, fail, run, type Api } from "./common.js";
import { Contract, DOCUMENT_PATH, loadDocument, type OpenApiDocument } from "./contract.js";
import type { components } from "./schema.js";

type CreateHouseholdBody = components["schemas"]["CreateHouseholdBody"];
type HouseholdDto = components["schemas"]["HouseholdDto"];

const contract = new Contract(loadDocument());

/** Fails unless the answer conforms to the document's operation `method path`. */
function conforms(method: string, path: string, r: { response: Response; data?: unknown; error?: unknown }): void {
  const body = r.data !== undefined ? r.data : r.error;
  const problems = contract.checkResponse(method, path, r.response.status, r.response.headers.get("content-type"), body);
  if (problems.length > 0) {
    fail(
      `${method} ${path} answered ${r.response.status} not as openapi/openapi.json says:\n  ${problems.join("\n  ")}` +
        `\n  body: ${JSON.stringify(body).slice(0, 600)}`,
    );
  }
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/**
 * A valid, random resident ID number (GB 11643). The area code is 邹城市 (370883), a county the
 * demo generates nobody in; a collision with an earlier run is unlikely and retried.
 */
function randomIdNumber(): string {
  const year = 1950 + randomInt(50);
  const month = 1 + randomInt(12);
  const day = 1 + randomInt(28);
  const seq = randomInt(1000);
  const first17 = `370883${year}${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}${String(seq).padStart(3, "0")}`;
  const sum = [...first17].reduce((acc, c, i) => acc + Number(c) * (WEIGHTS[i] ?? 0), 0);
  return first17 + CHECK[sum % 11];
}

function newHousehold(tag: string): CreateHouseholdBody {
  // `satisfies` keeps excess-property checks: a field renamed in the document fails tsc here.
  const body = {
    household_number: `CHK-${tag}`,
    village_code: CLERK.village,
    address: "仲子社区 契约检查",
    attribute: "general",
    poverty_causes: ["illness"],
    year_identified: 2016,
    responsible_cadre: "第一书记张某",
    notes: "typed-client contract check (clients/ts/src/flow.ts)",
    members: [
      {
        name: `契约检查${tag}`,
        id_number: randomIdNumber(),
        relationship: "head",
        medical_insurance: true,
        pension: false,
      },
    ],
  } satisfies CreateHouseholdBody;
  return body;
}

/** Keys of two objects that only one has, or where the two differ. */
function keyDiff(what: string, a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = [];
  const names = (xs: string[]) => (xs.length > 8 ? `${xs.slice(0, 8).join(", ")} and ${xs.length - 8} more` : xs.join(", "));
  const onlyA = Object.keys(a).filter((k) => !(k in b));
  const onlyB = Object.keys(b).filter((k) => !(k in a));
  const changed = Object.keys(a).filter((k) => k in b && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  if (onlyA.length) out.push(`${what} served but not committed: ${names(onlyA)}`);
  if (onlyB.length) out.push(`${what} committed but not served: ${names(onlyB)}`);
  if (changed.length) out.push(`${what} that differ: ${names(changed)}`);
  return out;
}

/**
 * The types are generated from the committed openapi/openapi.json, so they prove something about
 * the server only when it serves that same document. Returns the differences (empty when equal).
 */
async function servedDocumentDiffers(): Promise<string | undefined> {
  const res = await fetch(`${baseUrl()}/api/v1/openapi.json`);
  expect(res.status === 200, `GET /api/v1/openapi.json answered ${res.status}`);
  const served = (await res.json()) as OpenApiDocument;
  const committed = contract.doc;
  if (JSON.stringify(served) === JSON.stringify(committed)) return undefined;
  const diffs = [
    ...keyDiff("paths", served.paths ?? {}, committed.paths ?? {}),
    ...keyDiff("schemas", served.components?.schemas ?? {}, committed.components?.schemas ?? {}),
  ];
  const rest = keyDiff("top-level members", { ...served, paths: 0, components: { ...served.components, schemas: 0 } }, {
    ...committed,
    paths: 0,
    components: { ...committed.components, schemas: 0 },
  });
  return (
    `the server's /api/v1/openapi.json differs from the committed ${DOCUMENT_PATH} (regenerate: ` +
    `cargo run -p api -- openapi > openapi/openapi.json):\n    ${[...diffs, ...rest].join("\n    ")}`
  );
}

async function register(api: Api, tag: string): Promise<{ body: CreateHouseholdBody; key: string; created: HouseholdDto; etag: string | null }> {
  // A 409 can only mean the random ID number or household number was used by an earlier run.
  for (let attempt = 1; ; attempt++) {
    const body = newHousehold(attempt === 1 ? tag : `${tag}-${attempt}`);
    const key = `check-${randomBytes(8).toString("hex")}`;
    const r = await api.POST("/api/v1/households", {
      params: { header: { "Idempotency-Key": key } },
      body,
    });
    conforms("post", "/api/v1/households", r);
    if (r.data !== undefined) {
      expect(r.response.status === 201, `POST /api/v1/households answered ${r.response.status}, expected 201`);
      return { body, key, created: r.data, etag: r.response.headers.get("etag") };
    }
    if (r.response.status === 409 && attempt < 3) continue;
    fail(`POST /api/v1/households answered ${r.response.status}: ${JSON.stringify(r.error)}`);
  }
}

function same(what: string, got: unknown, want: unknown): void {
  expect(
    JSON.stringify(got) === JSON.stringify(want),
    `read back: ${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
  );
}

async function main(): Promise<void> {
  // A stale committed document is reported with the flow's outcome: the flow still runs.
  const stale = await servedDocumentDiffers();
  let summary: string;
  try {
    summary = await flow();
  } catch (e) {
    if (stale === undefined) throw e;
    fail(`${e instanceof Error ? e.message : String(e)}\n  and ${stale}`);
  }
  if (stale !== undefined) fail(`${stale}\n  (the flow itself passed: ${summary})`);
  console.log(`typed client: OK (${summary})`);
}

/** The clerk's flow; returns a one-line summary. */
async function flow(): Promise<string> {

  const anon = client();
  const loginResult = await anon.POST("/api/v1/auth/login", {
    body: { username: CLERK.username, password: CLERK.password },
  });
  conforms("post", "/api/v1/auth/login", loginResult);
  if (loginResult.data === undefined) {
    fail(`POST /api/v1/auth/login answered ${loginResult.response.status}: ${JSON.stringify(loginResult.error)}`);
  }
  expect(loginResult.data.token_type === "Bearer", `login: token_type ${loginResult.data.token_type}, expected Bearer`);
  const api = client(loginResult.data.access_token);

  // Who am I.
  const me = await api.GET("/api/v1/me");
  conforms("get", "/api/v1/me", me);
  if (me.data === undefined) fail(`GET /api/v1/me answered ${me.response.status}: ${JSON.stringify(me.error)}`);
  expect(me.data.username === CLERK.username, `GET /api/v1/me: username ${me.data.username}`);
  expect(me.data.org_unit.code === CLERK.village, `GET /api/v1/me: org unit ${me.data.org_unit.code}, expected ${CLERK.village}`);

  // The village's households: only the clerk's village.
  const list = await api.GET("/api/v1/households", { params: { query: { limit: 5 } } });
  conforms("get", "/api/v1/households", list);
  if (list.data === undefined) fail(`GET /api/v1/households answered ${list.response.status}: ${JSON.stringify(list.error)}`);
  expect(list.data.items.length > 0, "GET /api/v1/households: the demo village has no households");
  expect(list.data.items.length <= 5, `GET /api/v1/households?limit=5 returned ${list.data.items.length} items`);
  for (const h of list.data.items) {
    expect(h.village_code === CLERK.village, `GET /api/v1/households: household ${h.id} is in ${h.village_code}, outside the clerk's village`);
  }

  // Register one.
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const { body, key, created, etag } = await register(api, tag);
  const head = body.members[0];
  if (head === undefined) fail("no head in the body");
  expect(etag === `"${created.version}"`, `POST /api/v1/households: ETag ${etag}, expected "${created.version}" (the version)`);

  // A retry with the same key and body returns the first answer.
  const replay = await api.POST("/api/v1/households", { params: { header: { "Idempotency-Key": key } }, body });
  conforms("post", "/api/v1/households", replay);
  if (replay.data === undefined) fail(`replayed POST /api/v1/households answered ${replay.response.status}: ${JSON.stringify(replay.error)}`);
  expect(replay.data.id === created.id, `replayed POST /api/v1/households created another household (${replay.data.id} ≠ ${created.id})`);
  expect(
    replay.response.headers.get("idempotent-replayed") === "true",
    `replayed POST /api/v1/households: Idempotent-Replayed is ${replay.response.headers.get("idempotent-replayed")}, expected true`,
  );

  // Read it back.
  const got = await api.GET("/api/v1/households/{id}", { params: { path: { id: created.id } } });
  conforms("get", "/api/v1/households/{id}", got);
  if (got.data === undefined) fail(`GET /api/v1/households/${created.id} answered ${got.response.status}: ${JSON.stringify(got.error)}`);
  const h = got.data;
  same("id", h.id, created.id);
  same("household_number", h.household_number, body.household_number);
  same("village_code", h.village_code, body.village_code);
  same("address", h.address, body.address);
  same("attribute", h.attribute, body.attribute);
  same("poverty_causes", h.poverty_causes, body.poverty_causes);
  same("year_identified", h.year_identified, body.year_identified);
  same("responsible_cadre", h.responsible_cadre, body.responsible_cadre);
  same("notes", h.notes, body.notes);
  same("status", h.status, "registered");
  same("head_name", h.head_name, head.name);
  same("version", h.version, created.version);
  same("ETag", got.response.headers.get("etag"), etag);
  expect(h.village_name.length > 0, "read back: empty village_name");
  same("member count", h.members.length, 1);
  const m = h.members[0];
  if (m === undefined) fail("read back: no members");
  const id = head.id_number;
  same("members[0].name", m.name, head.name);
  same("members[0].relationship", m.relationship, "head");
  same("members[0].id_number_masked", m.id_number_masked, `${id.slice(0, 6)}********${id.slice(14)}`);
  same("members[0].birth_year", m.birth_year, Number(id.slice(6, 10)));
  // Digits 7 to 14 (the birth date) are what the mask hides: nothing beside it shows them.
  expect(!JSON.stringify(h).includes(id.slice(6, 14)), "read back: the birth date is in the household record");
  same("members[0].sex", m.sex, Number(id[16]) % 2 === 1 ? "male" : "female");
  same("members[0].medical_insurance", m.medical_insurance, true);
  same("members[0].pension", m.pension, false);
  expect(!JSON.stringify(h).includes(id), "read back: the full ID number is in the household record");

  // And it is listed, by the head's name.
  const found = await api.GET("/api/v1/households", { params: { query: { name: head.name, limit: 10 } } });
  conforms("get", "/api/v1/households", found);
  if (found.data === undefined) fail(`GET /api/v1/households?name= answered ${found.response.status}: ${JSON.stringify(found.error)}`);
  same("list by name: ids", found.data.items.map((i) => i.id), [created.id]);
  same("list by name: member_count", found.data.items[0]?.member_count, 1);

  return `logged in as ${me.data.username}, listed ${list.data.items.length}, registered and read back household ${h.household_number} ${h.id}`;
}

run("typed client", main);
