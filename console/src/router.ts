import { createRouter, createWebHistory } from "vue-router";
import { restore, session } from "./lib/session";
import { mayOpen } from "./lib/access";

// Every page is its own chunk, loaded when first opened.
export const router = createRouter({
  history: createWebHistory("/console/"),
  routes: [
    { path: "/login", name: "login", component: () => import("./views/Login.vue"), meta: { public: true } },
    {
      path: "/",
      component: () => import("./views/Layout.vue"),
      children: [
        { path: "", name: "home", component: () => import("./views/Home.vue"), meta: { title: "menu.home" } },
        { path: "inbox", name: "inbox", component: () => import("./views/Inbox.vue"), meta: { title: "menu.inbox" } },
        { path: "exit", name: "exit", component: () => import("./views/ExitLists.vue"), meta: { title: "menu.exitLists", group: "menu.exit" } },
        { path: "exit-rounds", name: "exit-rounds", component: () => import("./views/ExitRounds.vue"), meta: { title: "menu.exitRounds", group: "menu.exit" } },
        { path: "exit/:id", name: "exit-list", component: () => import("./views/ExitList.vue"), meta: { title: "exit.detail", group: "menu.exit" } },
        { path: "monitoring", name: "monitoring", component: () => import("./views/Monitoring.vue"), meta: { title: "menu.monitoring", group: "menu.monitoringGroup" } },
        { path: "projects", name: "projects", component: () => import("./views/Projects.vue"), meta: { title: "menu.projects", group: "menu.fundsGroup" } },
        { path: "rangers", name: "rangers", component: () => import("./views/Rangers.vue"), meta: { title: "menu.rangers", group: "menu.fundsGroup" } },
        { path: "key-villages", name: "key-villages", component: () => import("./views/KeyVillages.vue"), meta: { title: "menu.keyVillages", group: "menu.villagesGroup" } },
        { path: "property-checks", name: "property-checks", component: () => import("./views/PropertyChecks.vue"), meta: { title: "menu.property", group: "menu.propertyGroup" } },
        { path: "dashboard", name: "dashboard", component: () => import("./views/Dashboard.vue"), meta: { title: "menu.dashboard", group: "menu.reports" } },
        // Villages and teams, funds and rangers (issue 21, the dash pages).
        { path: "village-profiles", name: "village-profiles", component: () => import("./views/VillageProfiles.vue"), meta: { title: "dash.menu.profiles", group: "menu.villagesGroup" } },
        { path: "teams", name: "teams", component: () => import("./views/Teams.vue"), meta: { title: "dash.menu.teams", group: "dash.menu.teamsGroup" } },
        { path: "funds", name: "funds", component: () => import("./views/Funds.vue"), meta: { title: "dash.menu.funds", group: "menu.fundsGroup" } },
        { path: "fund-charts", name: "fund-charts", component: () => import("./views/FundCharts.vue"), meta: { title: "dash.menu.fundCharts", group: "menu.fundsGroup" } },
        { path: "relocation", name: "relocation", component: () => import("./views/Relocation.vue"), meta: { title: "dash.menu.relocation", group: "menu.fundsGroup" } },
        // Workflow pages of issue 21 (exit plans, monitoring leads and cases, a property-check batch).
        { path: "exit-plans", name: "exit-plans", component: () => import("./views/ExitPlans.vue"), meta: { title: "menu.exitPlans", group: "menu.exit" } },
        { path: "monitoring/leads", name: "monitoring-leads", component: () => import("./views/MonitoringLeads.vue"), meta: { title: "menu.monitoringLeads", group: "menu.monitoringGroup" } },
        { path: "monitoring/:id", name: "monitoring-case", component: () => import("./views/MonitoringCase.vue"), meta: { title: "menu.monitoringCase", group: "menu.monitoringGroup" } },
        { path: "property-checks/:id", name: "property-check", component: () => import("./views/PropertyCheck.vue"), meta: { title: "menu.propertyCheck", group: "menu.propertyGroup" } },
        // Intake (纳入) and exit inspections (督查验收).
        { path: "intake", name: "intake", component: () => import("./views/IntakeLists.vue"), meta: { title: "menu.intakeLists", group: "menu.intake" } },
        { path: "intake/:id", name: "intake-list", component: () => import("./views/IntakeList.vue"), meta: { title: "menu.intakeList", group: "menu.intake" } },
        { path: "intake-targets", name: "intake-targets", component: () => import("./views/IntakeTargets.vue"), meta: { title: "menu.intakeTargets", group: "menu.intake" } },
        { path: "exit-inspections", name: "exit-inspections", component: () => import("./views/ExitInspections.vue"), meta: { title: "menu.exitInspections", group: "menu.exit" } },
        { path: "exit-inspections/:id", name: "exit-inspection", component: () => import("./views/ExitInspection.vue"), meta: { title: "menu.exitInspection", group: "menu.exit" } },
        // The exit campaign (动态调整) and exit progress (issue 21, e2e/ccamp.mjs).
        { path: "campaigns", name: "campaigns", component: () => import("./views/Campaigns.vue"), meta: { title: "menu.campaigns", group: "menu.exit" } },
        { path: "campaigns/:id", name: "campaign", component: () => import("./views/Campaign.vue"), meta: { title: "menu.campaign", group: "menu.exit" } },
        { path: "exit-progress", name: "exit-progress", component: () => import("./views/ExitProgress.vue"), meta: { title: "menu.exitProgress", group: "menu.exit" } },
        { path: "password", name: "password", component: () => import("./views/Password.vue"), meta: { title: "password.title" } },
        { path: "households", name: "households", component: () => import("./views/Households.vue"), meta: { title: "menu.households", group: "menu.cases" } },
        { path: "households/new", name: "register", component: () => import("./views/Register.vue"), meta: { title: "menu.register", group: "menu.cases" } },
        { path: "households/:id", name: "household", component: () => import("./views/Household.vue"), meta: { title: "household.title", group: "menu.cases" } },
        { path: "import", name: "import", component: () => import("./views/Import.vue"), meta: { title: "menu.import", group: "menu.cases" } },
        { path: "users", name: "users", component: () => import("./views/Users.vue"), meta: { title: "menu.users", group: "menu.admin" } },
        { path: "settings", name: "settings", component: () => import("./views/Settings.vue"), meta: { title: "menu.settings", group: "menu.admin" } },
        { path: "audit", name: "audit", component: () => import("./views/Audit.vue"), meta: { title: "menu.audit", group: "menu.admin" } },
        { path: "jobs", name: "jobs", component: () => import("./views/Jobs.vue"), meta: { title: "menu.jobs", group: "menu.admin" } },
        { path: "tenants", name: "tenants", component: () => import("./views/Tenants.vue"), meta: { title: "menu.tenants", group: "menu.admin" } },
        { path: "roles", name: "roles", component: () => import("./views/Roles.vue"), meta: { title: "menu.roles", group: "menu.admin" } },
        { path: "webhooks", name: "webhooks", component: () => import("./views/Webhooks.vue"), meta: { title: "menu.webhooks", group: "menu.admin" } },
        { path: "cors-origins", name: "cors-origins", component: () => import("./views/CorsOrigins.vue"), meta: { title: "ch.menu.cors", group: "menu.admin" } },
        { path: "calendar", name: "calendar", component: () => import("./views/Calendar.vue"), meta: { title: "menu.calendar", group: "menu.admin" } },
        // Where the guard below sends a user to a page their account may not open (the page asked
        // for in `?from=`): inside the layout, so the menu stays.
        { path: "no-access", name: "no-access", component: () => import("./views/NoAccess.vue"), meta: { title: "noAccess.title" } },
      ],
    },
    { path: "/:rest(.*)*", redirect: "/" },
  ],
});

router.beforeEach(async (to) => {
  await restore();
  if (!to.meta.public && !session.me) return { name: "login", query: { next: to.fullPath } };
  // An administrator reset the password: nothing else until the user has chosen their own.
  if (session.me?.must_change_password && !to.meta.public && to.name !== "password") return { name: "password" };
  // A page this account may not open (typed, bookmarked, linked): said so, not an empty page of
  // refusals. The menu offers the same pages (lib/access.ts); the server still decides.
  if (session.me && !to.meta.public && typeof to.name === "string" && !mayOpen(to.name)) {
    return { name: "no-access", query: { from: to.fullPath } };
  }
  return true;
});
