// Who is signed in (from GET /api/v1/me) and what they may do: the menu and the buttons follow
// it; the server still decides.
import { reactive } from "vue";
import { api, refresh, type Schemas } from "../api/client";
import { loadVocabularies } from "./vocab";

export const session = reactive({
  me: null as Schemas["MeResponse"] | null,
  ready: false,
});

export async function loadMe(): Promise<boolean> {
  const r = await api.GET("/api/v1/me");
  session.me = r.data ?? null;
  if (r.data) void loadVocabularies();
  return !!r.data;
}

/** On start: a session survives a reload through the refresh cookie. */
export async function restore(): Promise<void> {
  if (!session.ready) {
    if (await refresh()) await loadMe();
    session.ready = true;
  }
}

/** Whether the user may use `permission`: held, and not split between units no grant covers
 *  (the server refuses those requests until an administrator mends the grants; the layout
 *  says so). */
export function can(permission: string): boolean {
  const me = session.me;
  return !!me?.permissions.includes(permission) && !me.split_grants.some((s) => s.permission === permission);
}

const LEVELS = ["platform", "province", "city", "county", "township", "village"];

/** Whether the user may read records that name households (monitoring cases and leads,
 *  pairings, visit logs): at county level and below, or above it with `cases:drilldown`. */
export function namesHouseholds(): boolean {
  const me = session.me;
  if (!me) return false;
  // Drilldown held at all, split or not, as the server checks it (only a route's own
  // permission is refused when split).
  return LEVELS.indexOf(me.org_unit.level) >= LEVELS.indexOf("county") || me.permissions.includes("cases:drilldown");
}

/** The report kinds of the dashboard, each with the permission the server asks for it. */
export const REPORT_KINDS = [
  ["households", "cases:read"],
  ["exits", "workflow:read"],
  ["monitoring", "workflow:read"],
  ["funds", "funds:read"],
  ["key_villages", "villages:read"],
  ["coverage", "villages:read"],
  ["rangers", "funds:read"],
] as const;

/** The report kinds this user may read (the dashboard offers only these). */
export function reportKinds(): (typeof REPORT_KINDS)[number][0][] {
  return REPORT_KINDS.filter(([, p]) => can(p)).map(([k]) => k);
}

/** Whether the user may read individual household records: at county level and below, or
 *  above it with `cases:drilldown`. */
export function readsRecords(): boolean {
  const me = session.me;
  if (!me || !can("cases:read")) return false;
  // Drilldown held at all, split or not, as the server checks it (only a route's own
  // permission is refused when split).
  return LEVELS.indexOf(me.org_unit.level) >= LEVELS.indexOf("county") || me.permissions.includes("cases:drilldown");
}
