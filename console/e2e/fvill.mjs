// End-to-end checks of the forms on the villages-and-teams and workflow pages (issue 21, console
// part 2), called by run.mjs with its helpers, as the demo users. Only the preparation is done
// through the API, as a third party would: a household of the clerk's village, a team member's
// account (team_member, to write visits), a key village, a reported lead. Every dialog is
// screenshotted (and checked by axe) through `shot`.
//
// - the county approver creates a resident work team in the clerk's village (an empty name is
//   refused under the field), adds a member (a wrong ID check character is caught while typing),
//   pairs the member with the household, pairs the clerk's village (strong) with another (weak);
//   the member signs in and logs a visit;
// - the clerk records a village profile for a year, and edits it;
// - the approver records a key village's yearly assessment (grade, notes);
// - the township reviewer edits its plan of the year (targets, a milestone); the county
//   approves it (the township's edit is then not offered) and reopens it;
// - the clerk sees the reported lead's household head by name in the leads table, and sets
//   themself as a monitoring case's contact;
// - the township reviewer names itself liaison leader of another village of its township (the
//   dialog; the list is put back afterwards), and the routing table says how each village's hits
//   came.

import { PASSWORDS, beijing, caller } from "./lib.mjs";

const today = () => beijing(new Date());
const CN = "零一二三四五六七八九";
const cn = (digits) => [...digits].map((d) => CN[Number(d)]).join("");

/** Picks a village in the region cascader opened by clicking `trigger`: county → township → village. */
async function pickVillage(page, trigger, township, village) {
  await page.click(`${trigger} .el-cascader`);
  await page.click(".el-cascader-node:visible:has-text('泗水县')");
  await page.locator(".el-cascader-menu:visible").nth(1).locator(`.el-cascader-node:has-text('${township}')`).first().click();
  const node = page.locator(".el-cascader-menu:visible").nth(2).locator(`.el-cascader-node:has-text('${village}')`).first();
  await node.waitFor();
  await node.locator(".el-radio").click();
  await page.keyboard.press("Escape");
}

export async function fvill({ as, base, expect, idNumber, rnd }) {
  const clerk = await caller("clerk.sishui");
  const approver = await caller("approver.sishui");
  const reviewer = await caller("reviewer.sishui");
  const admin = await caller("admin.sishui");
  const me = (await clerk("GET", "/me")).body;
  const village = me.org_unit.code;
  const villageName = me.org_unit.name;
  const townshipName = (await reviewer("GET", "/me")).body.org_unit.name;
  const causes = (await clerk("GET", "/poverty-causes")).body;

  // A household of the clerk's village, to pair and visit (and to report a lead for).
  const head = "对" + cn(rnd(2));
  const hh = await clerk(
    "POST",
    "/households",
    {
      household_number: village + "8" + rnd(3), village_code: village, attribute: "general",
      poverty_causes: [causes[0].code], year_identified: 2014,
      members: [{ name: head, id_number: idNumber("37083119750101" + rnd(3)), relationship: "head" }],
    },
    { "Idempotency-Key": crypto.randomUUID() },
  );
  expect(hh.status === 201, `household not created: ${hh.status} ${JSON.stringify(hh.body)}`);
  // The team member's own account (team_member at the village: visit logs for paired households).
  const tmUser = `tm.${rnd(6)}`;
  const tmPassword = `e2e-Team-${rnd(8)}-xyz`;
  const tm = await admin("POST", "/users", { username: tmUser, display_name: "驻村队员" + cn(rnd(2)), password: tmPassword, org_unit: village, roles: ["team_member"] });
  expect(tm.status === 201, `team member account: ${tm.status} ${JSON.stringify(tm.body)}`);

  const teamName = `驻村工作队${rnd(4)}`;
  const memberName = "驻" + cn(rnd(2));
  // 1. Teams: the approver creates the team, adds the member, pairs them with the household.
  await as("approver.sishui", PASSWORDS["approver.sishui"], "fvill-team-member-pairing", async (page, shot) => {
    await page.goto(base + "teams");
    await page.waitForSelector("[data-test=teams]");
    await page.click("[data-test=team-create]");
    await pickVillage(page, "[data-test=tf-village]", townshipName, villageName);
    // The server's refusal of an empty name shows under the field.
    await page.click("[data-test=team-save]");
    await page.waitForSelector(".el-dialog .el-form-item__error");
    await shot("fvill-team-create");
    await page.fill("#tf-name", teamName);
    await page.click("[data-test=team-save]");
    await page.waitForSelector(`[data-test=teams] .el-table__row:has-text("${teamName}")`);
    // A member: the ID number is checked as it is typed.
    await page.click(`[data-test="member-add-${teamName}"]`);
    await page.fill("#tf-mname", memberName);
    const good = idNumber("11010119850101" + rnd(3));
    const bad = good.slice(0, 17) + (good[17] === "1" ? "2" : "1");
    await page.fill("#tf-id", bad);
    await page.waitForSelector("text=身份证号校验位不正确");
    await page.fill("#tf-id", good);
    await page.fill("#tf-unit", "泗水县农业农村局");
    await page.click(".el-select:has(#tf-position)");
    await page.click(".el-select-dropdown__item:visible:has-text('第一书记')");
    const end = beijing(new Date(Date.now() + 2 * 365 * 86_400_000));
    await page.fill("#tf-end", end);
    await page.press("#tf-end", "Enter");
    await page.fill("#tf-user", tm.body.id);
    await shot("fvill-team-member");
    await page.click("[data-test=team-save]");
    await page.waitForSelector(`[data-test=teams] .el-table__row:has-text("${memberName}（第一书记）")`);
    // The pairing: the cadre, the household (by the head's name) of the team's village.
    await page.click("[data-test=pair-create]");
    await page.click(".el-select:has(#tf-member)");
    await page.click(`.el-select-dropdown__item:visible:has-text("${memberName}")`);
    await page.click(".el-select:has(#tf-household)");
    await page.keyboard.type(head);
    await page.click(`.el-select-dropdown__item:visible:has-text("${head}")`);
    await shot("fvill-pairing");
    await page.click("[data-test=team-save]");
    await page.waitForSelector(`[data-test=pairings] .el-table__row:has-text("${memberName}")`);
    await shot("fvill-teams-paired");
    // A strong village (the clerk's) paired with a weak one of the same township.
    const weak = (await reviewer("GET", `/townships/${(await reviewer("GET", "/me")).body.org_unit.code}/liaisons`)).body.find((l) => l.village_code !== village);
    if (weak) {
      const from = 2021 + Number(rnd(1));
      await page.click("[data-test=village-pair-create]");
      await pickVillage(page, "[data-test=tf-strong]", townshipName, villageName);
      await pickVillage(page, "[data-test=tf-weak]", townshipName, weak.village_name);
      await page.fill("#tf-fy", String(from));
      await page.fill("#tf-ty", String(from + 2));
      const content = `产业带动、劳务协作${rnd(3)}`;
      await page.fill("#tf-content", content);
      // A click on the title closes a cascader panel left open.
      await page.click(".el-dialog:visible .el-dialog__title");
      await shot("fvill-village-pair");
      await page.click("[data-test=team-save]");
      await page.waitForSelector(`[data-test=village-pairs] .el-table__row:has-text("${content}")`);
    }
  });

  // The member logs a visit to the paired household.
  const found = `家中老人慢性病复查${rnd(3)}`;
  await as(tmUser, tmPassword, "fvill-member-logs-a-visit", async (page, shot) => {
    await page.goto(base + "teams");
    await page.waitForSelector("[data-test=teams]");
    await page.click("[data-test=visit-create]");
    await page.click(".el-select:has(#tf-vh)");
    await page.keyboard.type(head);
    await page.click(`.el-select-dropdown__item:visible:has-text("${head}")`);
    await page.fill("#tf-found", found);
    await page.fill("#tf-done", "协助办理慢病卡");
    await shot("fvill-visit");
    await page.click("[data-test=team-save]");
    await page.waitForSelector(`[data-test=visits] .el-table__row:has-text("${found}")`);
  });

  // 2. Village profiles: the clerk records a year, then edits it (If-Match from the GET).
  const year = new Date().getFullYear() - 3;
  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "fvill-village-profile", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector("[data-test=profiles]");
    await page.click("[data-test=profile-add]");
    await page.fill("#p-year", String(year));
    await page.fill("#p-households", "312");
    await page.fill("#p-population", "1045");
    await page.fill("#p-income", "abc");
    await page.click("[data-test=profile-save]");
    await page.waitForSelector(".el-dialog .el-form-item__error:has-text('以元为单位')");
    await page.fill("#p-income", "9850.50");
    await page.fill("#p-collective", "126000");
    await page.fill("#p-main", "粮食、林果");
    await shot("fvill-profile");
    await page.click("[data-test=profile-save]");
    await page.waitForSelector(`[data-test=profiles] .el-table__row:has-text("9,850.50")`);
    await page.click(`[data-test=profile-edit-${year}]`);
    await page.waitForFunction(() => document.querySelector("#p-households")?.value === "312");
    await page.fill("#p-households", "315");
    await page.click("[data-test=profile-save]");
    await page.waitForSelector(`[data-test=profiles] .el-table__row:has-text("315")`);
    const saved = await clerk("GET", `/villages/${village}/profiles/${year}`);
    expect(saved.body.households === 315 && saved.body.per_capita_income_fen === 985_050, `profile: ${JSON.stringify(saved.body)}`);
  });

  // 3. Key villages: the approver records a yearly assessment of a key village.
  let kv = (await approver("GET", "/key-villages?status=active")).body.find?.((k) => k.village_code === village);
  if (!kv) {
    const d = await approver("POST", "/key-villages", { village_code: village, from_year: 2021, to_year: 2025, plan: "一村一策：发展林果产业", projects: [] });
    expect(d.status === 201, `key village: ${d.status} ${JSON.stringify(d.body)}`);
    kv = d.body;
  }
  const assessed = new Set(kv.assessments.map((a) => a.year));
  const assessYear = [2021, 2022, 2023, 2024, 2025].find((y) => !assessed.has(y));
  await as("approver.sishui", PASSWORDS["approver.sishui"], "fvill-key-village-assessment", async (page, shot) => {
    await page.goto(base + "key-villages");
    await page.waitForSelector("[data-test=key-villages]");
    await page.click(`[data-test="assess-${kv.village_name}"] >> nth=0`);
    await page.fill("#ka-year", String(assessYear));
    await page.click(".el-select:has(#ka-grade)");
    await page.click(".el-select-dropdown__item:visible:has-text('优秀')");
    await page.fill("#ka-notes", "集体经济收入达标，林果产业见效");
    await shot("fvill-key-assessment");
    await page.click("[data-test=key-save]");
    await page.waitForSelector("text=已保存");
    const after = (await approver("GET", `/key-villages/${kv.id}`)).body;
    expect(after.assessments.some((a) => a.year === assessYear && a.grade === "excellent"), `assessment: ${JSON.stringify(after.assessments)}`);
    // A second assessment of the same year is refused in Chinese.
    await page.click(`[data-test="assess-${kv.village_name}"] >> nth=0`);
    await page.fill("#ka-year", String(assessYear));
    await page.click("[data-test=key-save]");
    await page.waitForSelector("[data-test=key-refused]:has-text('已考核')");
    await shot("fvill-key-assessment-refused");
    await page.keyboard.press("Escape");
  });

  // 4. Township plans: the township edits its plan; the county approves and reopens it.
  const planYear = new Date().getFullYear();
  await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "fvill-township-plan", async (page, shot) => {
    await page.goto(base + "exit-plans");
    await page.waitForSelector("[data-test=rollup]");
    await page.click(`[data-test="plan-edit-${townshipName}"]`);
    await page.fill("#pl-h", "3");
    await page.fill("#pl-p", "8");
    // A milestone due today (inside the year, not before the plan was entered).
    const rows = await page.locator("[data-test^=plan-ms-]:not([data-test=plan-ms-add])").count();
    if (rows === 0) await page.click("[data-test=plan-ms-add]");
    await page.fill("[data-test=plan-ms-0] .el-date-editor input", today());
    await page.press("[data-test=plan-ms-0] .el-date-editor input", "Enter");
    await shot("fvill-township-plan");
    await page.click("[data-test=plan-save]");
    await page.waitForSelector(`[data-test=rollup] .el-table__row:has-text("3 / 8")`);
  });
  await as("approver.sishui", PASSWORDS["approver.sishui"], "fvill-township-plan-approval", async (page, shot) => {
    await page.goto(base + "exit-plans");
    await page.waitForSelector("[data-test=rollup]");
    await page.click(`[data-test="plan-approve-${townshipName}"]`);
    await page.click(".el-message-box__btns .el-button--primary");
    await page.waitForSelector(`[data-test="plan-state-${townshipName}"]:has-text("已审批")`);
    await shot("fvill-township-plan-approved");
    // Reopened, so the township may edit it again.
    await page.click(`[data-test="plan-reopen-${townshipName}"]`);
    await page.click(".el-message-box__btns .el-button--primary");
    await page.waitForSelector(`[data-test="plan-state-${townshipName}"]:has-text("待审批")`);
    const plan = await reviewer("GET", `/township-plans/${(await reviewer("GET", "/me")).body.org_unit.code}/${planYear}`);
    expect(plan.body.exit_people === 8 && plan.body.milestones.length >= 1 && plan.body.approved === false, `plan: ${JSON.stringify(plan.body)}`);
  });

  // 5. Monitoring: the lead table names the household's head; the clerk sets a case's contact.
  const lead = await clerk("POST", "/monitoring-leads", {
    household_id: hh.body.id, rule: "medical_expense", amount_fen: 1_500_000, occurred_on: today(), description: "住院治疗",
  });
  expect(lead.status === 201 && lead.body.head_name === head, `lead: ${lead.status} ${JSON.stringify(lead.body)}`);
  const cases = (await clerk("GET", "/monitoring-cases?limit=50")).body.items ?? [];
  const open = cases.find((c) => !["risk_eliminated", "returned", "dismissed"].includes(c.stage));
  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "fvill-lead-head-and-contact", async (page, shot) => {
    await page.goto(base + "monitoring/leads");
    await page.waitForSelector("[data-test=leads]");
    await page.waitForSelector(`[data-test=leads] [data-test=lead-head]:has-text("${head}")`);
    await shot("fvill-leads-head");
    if (open) {
      await page.goto(base + `monitoring/${open.id}`);
      await page.click("[data-test=contact-set]");
      await shot("fvill-contact");
      await page.click("[data-test=contact-save]");
      await page.waitForSelector(`[data-test=case-contact]:has-text("${me.display_name}")`);
    }
  });

  // 6. Property check: the routing table says how each village's hits came; the liaison dialog.
  const batches = (await reviewer("GET", "/property-checks")).body;
  const batch = (batches.items ?? batches)[0];
  if (batch) {
    await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "fvill-routing-and-liaisons", async (page, shot) => {
      await page.goto(base + `property-checks/${batch.id}`);
      await page.waitForSelector("[data-test=routing-villages]");
      const via = await page.locator("[data-test=routing-via]").allTextContents();
      expect(via.length > 0 && via.every((v) => v.trim() !== ""), `routing: ${via}`);
      // The station names itself the liaison leader of a village other than the clerk's (whose
      // hits the workflows check expects to go directly), and the list names it; then the
      // township's list is put back as it was.
      const rmeta = (await reviewer("GET", "/me")).body;
      const township = rmeta.org_unit.code;
      const before = (await reviewer("GET", `/townships/${township}/liaisons`)).body;
      const other = before.find((l) => l.village_code !== village);
      await page.click("[data-test=assign-liaisons] >> nth=0");
      await page.waitForSelector(".el-dialog:visible .el-form-item");
      if (other) {
        await page.click(`.el-select:has(#li-${other.village_code})`);
        await page.click(`.el-select-dropdown__item:visible:has-text("${rmeta.display_name}")`);
      }
      await shot("fvill-liaisons");
      if (other) {
        await page.click("[data-test=liaison-save]");
        await page.waitForSelector("text=已保存");
        const after = (await reviewer("GET", `/townships/${township}/liaisons`)).body;
        const named = after.find((l) => l.village_code === other.village_code);
        expect(named?.display_name === rmeta.display_name, `liaison: ${JSON.stringify(named)}`);
        const restore = before.filter((l) => l.user_id).map((l) => ({ village_code: l.village_code, user_id: l.user_id }));
        const put = await reviewer("PUT", `/townships/${township}/liaisons`, { liaisons: restore });
        expect(put.status === 200, `restoring the liaisons: ${put.status} ${JSON.stringify(put.body)}`);
      } else {
        await page.keyboard.press("Escape");
      }
    });
  }
}
