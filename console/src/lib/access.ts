// Which pages this user may open, in one place: the side menu (views/Layout.vue) offers exactly
// these, and the router's guard (router.ts) sends anyone else who types a page's address or
// follows an old bookmark to the no-access page (views/NoAccess.vue), so the two cannot
// disagree. The server still decides every request; this only spares a user a page that would
// show nothing but refusals.
import type { Schemas } from "../api/client";
import { can, namesHouseholds, REPORT_KINDS, session } from "./session";

type Level = Schemas["Level"];

/** What opens a page: any one of the permissions `any`, at one of `levels` (absent: any level),
 *  and for a page naming households (`records`), an org unit at county level or below, or
 *  `cases:drilldown` above it (session.ts, namesHouseholds). */
interface Rule {
  any: readonly string[];
  levels?: readonly Level[];
  records?: boolean;
}

const PROVINCE_TO_COUNTY: readonly Level[] = ["province", "city", "county"];
const COUNTY_AND_BELOW: readonly Level[] = ["county", "township", "village"];
// Whoever may start one of the imports (the import page's kinds: api/src/routes/imports.rs).
const IMPORTERS = ["cases:import", "funds:manage", "villages:write", "visits:write", "villages:manage"];

/** The rule of each page with a menu entry (route name → rule). A route not named here and
 *  not the detail of one (PARENT) is open to every signed-in user: home, inbox, password. */
const RULES: Record<string, Rule> = {
  // 建档立卡
  households: { any: ["cases:read"], records: true },
  register: { any: ["cases:write"] },
  import: { any: IMPORTERS },
  // 退出管理
  exit: { any: ["workflow:read"] },
  "exit-rounds": { any: ["workflow:township", "workflow:county"] },
  "exit-plans": { any: ["workflow:read"], levels: ["platform", "province", "city", "county", "township"] },
  "exit-inspections": { any: ["workflow:read"], levels: PROVINCE_TO_COUNTY },
  campaigns: { any: ["workflow:read"], levels: COUNTY_AND_BELOW },
  "exit-progress": { any: ["workflow:read"] },
  // 纳入管理: the lists name households before their announcement, not shown above the county.
  intake: { any: ["workflow:read"], levels: COUNTY_AND_BELOW },
  "intake-targets": { any: ["workflow:read"], levels: PROVINCE_TO_COUNTY },
  // 防返贫监测
  monitoring: { any: ["workflow:read"], records: true },
  "monitoring-leads": { any: ["workflow:read"], records: true },
  // 财产核查
  "property-checks": { any: ["property:read"] },
  // 重点帮扶村, 帮扶队伍
  "key-villages": { any: ["villages:read"] },
  "village-profiles": { any: ["villages:read"] },
  teams: { any: ["villages:read"] },
  // 资金项目, 护林员
  funds: { any: ["funds:read"] },
  projects: { any: ["funds:read"] },
  "fund-charts": { any: ["funds:read"] },
  relocation: { any: ["funds:read"] },
  // Rangers are household members (name, ID, phone on their contracts): a record page.
  rangers: { any: ["funds:read"], records: true },
  // 统计报表: some report kind this user may read (session.ts, REPORT_KINDS).
  dashboard: { any: REPORT_KINDS.map(([, p]) => p) },
  // 系统管理
  tenants: { any: ["tenants:read"] },
  users: { any: ["users:read"] },
  roles: { any: ["users:read"] },
  settings: { any: ["settings:read"] },
  calendar: { any: ["settings:read"] },
  audit: { any: ["audit:read"] },
  // Whoever starts jobs: every importer (the inbox links a failed import here) and exporters.
  jobs: { any: [...IMPORTERS, "cases:export"] },
  webhooks: { any: ["webhooks:manage"] },
  "cors-origins": { any: ["cors:manage"] },
};

/** Detail pages open where their list page does (detail route → list route). */
const PARENT: Record<string, string> = {
  household: "households",
  "exit-list": "exit",
  "exit-inspection": "exit-inspections",
  campaign: "campaigns",
  "intake-list": "intake",
  "monitoring-case": "monitoring",
  "property-check": "property-checks",
};

/** Why a page is closed to this user: no role carrying its permission, a level it does not
 *  serve (with the levels it does), or household records above the county. */
export type Refusal = { kind: "role" } | { kind: "level"; levels: readonly Level[] } | { kind: "records" };

/** Why this user may not open the page of route `name`; null when they may. */
export function refusal(name: string): Refusal | null {
  const rule = RULES[PARENT[name] ?? name];
  if (!rule) return null;
  if (!rule.any.some(can)) return { kind: "role" };
  const level = session.me?.org_unit.level;
  if (rule.levels && !(level && rule.levels.includes(level))) return { kind: "level", levels: rule.levels };
  if (rule.records && !namesHouseholds()) return { kind: "records" };
  return null;
}

/** May this user open the page of route `name`? (The menu and the router's guard.) */
export function mayOpen(name: string): boolean {
  return refusal(name) === null;
}

/** The side menu, grouped by work (CONSOLE.md): message keys of the titles, route names. */
const MENU: { key: string; title: string; items: { name: string; title: string }[] }[] = [
  { key: "home", title: "menu.home", items: [{ name: "home", title: "menu.home" }] },
  { key: "inbox", title: "menu.inbox", items: [{ name: "inbox", title: "menu.inbox" }] },
  {
    key: "cases",
    title: "menu.cases",
    items: [
      { name: "households", title: "menu.households" },
      { name: "register", title: "menu.register" },
      { name: "import", title: "menu.import" },
    ],
  },
  {
    key: "exit",
    title: "menu.exit",
    items: [
      { name: "exit", title: "menu.exitLists" },
      { name: "exit-rounds", title: "menu.exitRounds" },
      { name: "exit-plans", title: "menu.exitPlans" },
      { name: "exit-inspections", title: "menu.exitInspections" },
      { name: "campaigns", title: "menu.campaigns" },
      { name: "exit-progress", title: "menu.exitProgress" },
    ],
  },
  {
    key: "intake",
    title: "menu.intake",
    items: [
      { name: "intake", title: "menu.intakeLists" },
      { name: "intake-targets", title: "menu.intakeTargets" },
    ],
  },
  {
    key: "monitoringGroup",
    title: "menu.monitoringGroup",
    items: [
      { name: "monitoring", title: "menu.monitoring" },
      { name: "monitoring-leads", title: "menu.monitoringLeads" },
    ],
  },
  { key: "propertyGroup", title: "menu.propertyGroup", items: [{ name: "property-checks", title: "menu.property" }] },
  {
    key: "villagesGroup",
    title: "menu.villagesGroup",
    items: [
      { name: "key-villages", title: "menu.keyVillages" },
      { name: "village-profiles", title: "dash.menu.profiles" },
    ],
  },
  { key: "teamsGroup", title: "dash.menu.teamsGroup", items: [{ name: "teams", title: "dash.menu.teams" }] },
  {
    key: "fundsGroup",
    title: "menu.fundsGroup",
    items: [
      { name: "funds", title: "dash.menu.funds" },
      { name: "projects", title: "menu.projects" },
      { name: "fund-charts", title: "dash.menu.fundCharts" },
      { name: "relocation", title: "dash.menu.relocation" },
      { name: "rangers", title: "menu.rangers" },
    ],
  },
  { key: "reports", title: "menu.reports", items: [{ name: "dashboard", title: "menu.dashboard" }] },
  {
    key: "admin",
    title: "menu.admin",
    items: [
      { name: "tenants", title: "menu.tenants" },
      { name: "users", title: "menu.users" },
      { name: "roles", title: "menu.roles" },
      { name: "settings", title: "menu.settings" },
      { name: "calendar", title: "menu.calendar" },
      { name: "audit", title: "menu.audit" },
      { name: "jobs", title: "menu.jobs" },
      { name: "webhooks", title: "menu.webhooks" },
      { name: "cors-origins", title: "ch.menu.cors" },
    ],
  },
];

/** The menu this user is offered: the pages they may open, groups left empty dropped. */
export function menu(): typeof MENU {
  return MENU.map((g) => ({ ...g, items: g.items.filter((i) => mayOpen(i.name)) })).filter((g) => g.items.length > 0);
}

/** The menu's title of route `name` and of its group (message keys); null for a page the menu
 *  does not offer (a detail page, home's own pages). */
export function menuEntry(name: string): { group: string; title: string } | null {
  for (const g of MENU) {
    const item = g.items.find((i) => i.name === name);
    if (item) return { group: g.title, title: item.title };
  }
  return null;
}
