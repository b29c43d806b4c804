// End-to-end checks of the console actions that came last in issue 21 (reversals, a project's
// manager and posting, key-village designation and industry plan, ending a pairing, the working
// calendar), called from run.mjs with its helpers. The preparation a third party would do is
// done through the API; every dialog is photographed (and checked by axe) through `shot`.
//
// - the fund officer reverses an allocation (a reason, a confirmation) and sees the fund's
//   allocation go back to 0.00 (its balance returned), the reversing entry in the ledger and the
//   original marked 已冲销; names themself the project's manager and posts it publicly (the notice
//   is then offered);
// - the county approver designates a key village (picked in the region cascader; no plan is
//   refused under the field), records its industry plan, and ends a cadre's pairing (after a
//   confirmation: the end date is shown), links a county leader and adds an expert adviser;
// - the fund officer pays a ranger's month after a confirmation (a second payment is refused);
// - the platform administrator edits a day of the calendar (of 2090, a year nothing else
//   uses): the working-day countdown on the page moves by a day.

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

/** The n-th working day after `from` (YYYY-MM-DD), with `holidays` rest days besides weekends. */
function nthWorkday(from, n, holidays = []) {
  const d = new Date(`${from}T00:00:00Z`);
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const iso = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !holidays.includes(iso)) n--;
  }
  return d.toISOString().slice(0, 10);
}

/** A card number of `n` digits passing the Luhn check. */
function luhnCard(prefix, n, rnd) {
  const body = (prefix + rnd(n)).slice(0, n - 1);
  const sum = [...body].reverse().reduce((s, c, i) => {
    let d = Number(c);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    return s + d;
  }, 0);
  return body + String((10 - (sum % 10)) % 10);
}

/** Confirms the message box a click opened. */
async function confirmBox(page) {
  await page.click(".el-message-box__btns .el-button--primary");
}

export async function factions({ as, base, expect, idNumber, rnd }) {
  const funds = await caller("funds.sishui", "demo-funds-2026");
  const approver = await caller("approver.sishui");
  const clerk = await caller("clerk.sishui");
  const year = Number(today().slice(0, 4));
  const tag = rnd(6);

  // 1. A fund, a project and an allocation of 20,000 元 from one to the other (API).
  const doc = `泗财农〔${year}〕CA${tag}号`;
  const projectName = `村内道路修缮CA${tag}`;
  const fund = await funds("POST", "/funds", {
    county_code: "370831", year, level: "county", source: "县级财政衔接资金", purpose: "infrastructure", amount_fen: 5_000_000,
    document_no: doc, received_on: today(), bundled: false, linking: false,
  });
  expect(fund.status === 201, `POST /funds: ${fund.status} ${JSON.stringify(fund.body)}`);
  const project = await funds("POST", "/projects", {
    region_code: "370831001003", year, name: projectName, purpose: "infrastructure", budget_fen: 3_000_000, pay_by_progress: true, account: "泗水县衔接资金专户",
  });
  expect(project.status === 201, `POST /projects: ${project.status} ${JSON.stringify(project.body)}`);
  const alloc = await funds("POST", "/allocations", { fund_id: fund.body.id, project_id: project.body.id, amount_fen: 2_000_000, note: "首批" }, { "Idempotency-Key": crypto.randomUUID() });
  expect(alloc.status === 201, `POST /allocations: ${alloc.status} ${JSON.stringify(alloc.body)}`);

  await as("funds.sishui", "demo-funds-2026", "factions-reversal-and-posting", async (page, shot) => {
    const fundRow = `[data-test=funds] .el-table__row:has([data-test="fund-${doc}"])`;
    // The fund's 已安排 column (the seventh).
    const allocated = async () => (await page.locator(`${fundRow} td`).nth(6).textContent()).trim();
    await page.goto(base + "funds");
    await page.waitForSelector(`[data-test="fund-${doc}"]`);
    expect((await allocated()).startsWith("20,000.00"), `allocated before the reversal: ${await allocated()}`);
    await page.click(`[data-test="fund-${doc}"]`);
    await page.click(`[data-test=fund-projects] >> text=${projectName}`);
    await page.waitForSelector("[data-test=ledger-title]");
    await page.click("[data-test=ledger-allocations] [data-test=reverse-allocation]");
    await page.waitForSelector("#rv-note");
    // No reason: refused in the browser, under the field.
    await page.click("[data-test=reverse-save]");
    await page.waitForSelector("[data-test=reverse-dialog] .el-form-item__error:has-text('必填')");
    await page.fill("#rv-note", "项目调整，资金收回");
    await shot("factions-reverse-dialog");
    await page.click("[data-test=reverse-save]");
    await page.waitForSelector(".el-message-box:has-text('不可撤回')");
    await shot("factions-reverse-confirm");
    await confirmBox(page);
    await page.waitForSelector("[data-test=ledger-allocations] .el-tag:has-text('已冲销')");
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, "[data-test=ledger-allocations] .el-table__row");
    const ledger = await page.textContent("[data-test=ledger-allocations]");
    expect(ledger.includes("-20,000.00") && ledger.includes("冲销"), `the reversing entry: ${ledger}`);
    await page
      .waitForFunction((d) => document.querySelector(`[data-test="fund-${d}"]`)?.closest("tr")?.querySelectorAll("td")[6]?.textContent.trim().startsWith("0.00"), doc)
      .catch(() => {});
    expect((await allocated()).startsWith("0.00"), `the fund's allocation after the reversal: ${await allocated()}`);
    await shot("factions-reversed");

    // 指定专人: the officer themself; 张榜公布: the place, today.
    await page.click("[data-test=set-manager]");
    await page.waitForSelector("[data-test=posting-dialog]");
    await page.click("[data-test=posting-save]");
    await page.waitForSelector("[data-test=project-manager]:not(:has-text('未指定'))");
    await page.click("[data-test=post-project]");
    await page.waitForSelector("#pp-where");
    await page.click("[data-test=posting-save]");
    await page.waitForSelector("[data-test=posting-dialog] .el-form-item__error");
    await page.fill("#pp-where", "仲子社区村务公开栏");
    await page.fill("#pp-contact", "县乡村振兴局 0537-1234567");
    // A posting in the future: the server's 422, in Chinese, under the date.
    const tomorrow = beijing(new Date(Date.now() + 86_400_000));
    await page.fill("#pp-on", tomorrow);
    await page.press("#pp-on", "Enter");
    await page.click("[data-test=posting-save]");
    const dateError = page.locator(".el-form-item:has(#pp-on) .el-form-item__error");
    await dateError.waitFor();
    expect(/[\u4e00-\u9fff]/.test(await dateError.textContent()), `the server's error under the date: ${await dateError.textContent()}`);
    await page.fill("#pp-on", today());
    await page.press("#pp-on", "Enter");
    await shot("factions-posting-dialog");
    await page.click("[data-test=posting-save]");
    await page.waitForSelector("[data-test=project-notice]");
    const state = await page.textContent("[data-test=project-posting]");
    expect(/公示中|公示期满/.test(state) && state.includes("仲子社区村务公开栏"), `the posting: ${state}`);
    await shot("factions-posted");
    // The projects page opens the same posting in the project's row.
    await page.goto(base + "projects");
    const projectRow = `[data-test=projects] .el-table__row:has-text("${projectName}")`;
    await page.waitForSelector("[data-test=projects] .el-table__row");
    // Pages of 100 by place and name: more until the project is there.
    for (let i = 0; i < 10 && !(await page.locator(projectRow).count()) && (await page.locator("[data-test=projects-more]").count()); i++) {
      await page.click("[data-test=projects-more]");
      await page.waitForTimeout(500);
    }
    await page.locator(projectRow).first().locator(".el-table__expand-icon").click();
    await page.waitForSelector("[data-test=projects] [data-test=project-posting]:has-text('仲子社区村务公开栏')");
    await shot("factions-projects-posting");
    // 市级配套 on the fund analysis page: the county's row of this year, money in 元.
    await page.goto(base + "fund-charts");
    await page.waitForSelector(`[data-test=fund-matching] .el-table__row:has-text("${year}")`);
    const matching = await page.textContent("[data-test=fund-matching]");
    expect(matching.includes("泗水县") && /[\d,]+\.\d{2} 元/.test(matching) && /达标|不足/.test(matching), `fund matching: ${matching.slice(0, 300)}`);
  });

  // 2. A village of the county that is no key village (never one in this database).
  const keyCodes = new Set(((await approver("GET", "/key-villages")).body ?? []).map((k) => k.village_code));
  const townships = (await approver("GET", "/regions/370831000000/children?limit=200")).body.items;
  let pick = null;
  for (const t of townships.sort(() => Math.random() - 0.5)) {
    const villages = (await approver("GET", `/regions/${t.code}/children?limit=200`)).body.items ?? [];
    const v = villages.find((x) => !keyCodes.has(x.code));
    if (v) {
      pick = { township: t.name, village: v.name, code: v.code };
      break;
    }
  }
  expect(pick, "no village of the county is left to designate");

  // A cadre paired with a household of the clerk's village, to end (API).
  const me = (await clerk("GET", "/me")).body;
  const village = me.org_unit.code;
  const townshipName = (await (await caller("reviewer.sishui"))("GET", "/me")).body.org_unit.name;
  const causes = (await clerk("GET", "/poverty-causes")).body;
  const head = "终" + cn(rnd(2));
  const hh = await clerk(
    "POST",
    "/households",
    {
      household_number: village + "5" + rnd(3), village_code: village, attribute: "general", poverty_causes: [causes[0].code], year_identified: 2014,
      members: [{ name: head, id_number: idNumber("37083119760101" + rnd(3)), relationship: "head" }],
    },
    { "Idempotency-Key": crypto.randomUUID() },
  );
  expect(hh.status === 201, `household: ${hh.status} ${JSON.stringify(hh.body)}`);
  const team = await approver("POST", "/teams", { village_code: village, name: `驻村工作队CA${tag}` });
  expect(team.status === 201, `team: ${team.status} ${JSON.stringify(team.body)}`);
  const cadre = "结" + cn(rnd(2));
  const member = await approver("POST", `/teams/${team.body.id}/members`, {
    name: cadre, id_number: idNumber("11010119860101" + rnd(3)), dispatching_unit: "泗水县财政局", position: "member",
    term_start: `${year - 1}-01-01`, term_end: `${year + 1}-12-31`,
  });
  expect(member.status === 201, `member: ${member.status} ${JSON.stringify(member.body)}`);
  const memberId = member.body.members?.find((m) => m.name === cadre)?.id;
  const pairing = await approver("POST", "/pairings", { member_id: memberId, household_id: hh.body.id, start_date: `${year - 1}-03-01` });
  expect(pairing.status === 201, `pairing: ${pairing.status} ${JSON.stringify(pairing.body)}`);

  await as("approver.sishui", PASSWORDS["approver.sishui"], "factions-key-village-and-pairing", async (page, shot) => {
    await page.goto(base + "key-villages");
    await page.waitForSelector("[data-test=key-villages]");
    await page.click("[data-test=kv-designate]");
    await pickVillage(page, "[data-test=kd-village]", pick.township, pick.village);
    await page.click("[data-test=kv-dialog] .el-dialog__title");
    await page.click("[data-test=kv-save]");
    await page.waitForSelector("[data-test=kv-dialog] .el-form-item__error");
    await page.fill("#kd-plan", "一村一策：发展林果产业，壮大村集体经济");
    await page.fill("#kd-projects", "村内道路硬化\n果品冷库");
    await shot("factions-key-designate");
    await page.click("[data-test=kv-save]");
    const row = `[data-test=key-villages] .el-table__row:has-text("${pick.village}")`;
    await page.waitForSelector(row);
    // 产业规划: adopted today.
    await page.click(`[data-test="industry-${pick.village}"] >> nth=0`);
    await page.waitForSelector("#ki-on");
    await shot("factions-industry-plan");
    await page.click("[data-test=kv-save]");
    await page.waitForSelector("text=已保存");
    await page.locator(row).first().locator(".el-table__expand-icon").click();
    await page.waitForSelector(`[data-test=kv-industry-plan]:has-text("${today()}")`);
    await page.waitForSelector("[data-test=kv-indicator-table]");
    // A county leader linked to it.
    await page.click(`[data-test="link-leader-${pick.village}"]`);
    await page.fill("#kl-name", "联" + cn(rnd(2)));
    await page.fill("#kl-pos", "副县长");
    await shot("factions-key-leader");
    await page.click("[data-test=kl-save]");
    await page.waitForSelector("[data-test=kv-leaders] .el-table__row:has-text('副县长')");
    await shot("factions-key-village-detail");
    const kv = ((await approver("GET", "/key-villages?status=active")).body ?? []).find((k) => k.village_code === pick.code);
    expect(kv && kv.industry_plan_adopted_on === today(), `the key village: ${JSON.stringify(kv)?.slice(0, 300)}`);

    // 结束结对: the cadre's pairing ends today.
    await page.goto(base + "teams");
    await page.waitForSelector("[data-test=teams]");
    await page.click(".el-tabs__item:has-text('结对帮扶')");
    const prow = `[data-test=pairings] .el-table__row:has-text("${cadre}")`;
    await page.click(`${prow} [data-test=pairing-end]`);
    await page.waitForSelector("#pe-end");
    await shot("factions-pairing-end");
    await page.click("[data-test=pairing-end-save]");
    await page.waitForSelector(".el-message-box");
    await confirmBox(page);
    await page.waitForSelector(`${prow}:has-text("${today()}")`);
    expect((await page.locator(`${prow} [data-test=pairing-end]`).count()) === 0, "an ended pairing still offers 结束结对");
    // An expert adviser for the clerk's village.
    await page.click(".el-tabs__item:has-text('专家特派员')");
    await page.waitForSelector("[data-test=advisers]");
    const adviser = "专" + cn(rnd(2));
    await page.click("[data-test=adviser-add]");
    await pickVillage(page, "[data-test=ad-village]", townshipName, me.org_unit.name);
    await page.fill("#ad-name", adviser);
    await page.fill("#ad-spec", "果树栽培");
    await page.fill("#ad-unit", "山东农业大学");
    await page.click("[data-test=adviser-dialog] .el-dialog__title");
    await shot("factions-adviser-dialog");
    await page.click("[data-test=adviser-save]");
    await page.waitForSelector(`[data-test=advisers] .el-table__row:has-text("${adviser}")`);
    await shot("factions-advisers");
  });

  // 3. A ranger's month paid in the console: a contract of last year with the head of a new
  //    household, paid from a funded ecology project (API); the officer computes February, pays
  //    it after the confirmation, and a second payment of it is refused in Chinese.
  const ly = year - 1;
  const rf = await funds("POST", "/funds", {
    county_code: "370831", year: ly, level: "county", source: "生态护林员补助资金", purpose: "ecology", amount_fen: 5_000_000,
    document_no: `泗财农〔${ly}〕CR${tag}号`, received_on: `${ly}-01-05`, bundled: false, linking: false,
  });
  expect(rf.status === 201, `ranger fund: ${rf.status} ${JSON.stringify(rf.body)}`);
  const rp = await funds("POST", "/projects", {
    region_code: village, year: ly, name: `生态护林员补助CR${tag}`, purpose: "ecology", budget_fen: 3_000_000, pay_by_progress: false, account: "泗水县生态补助专户",
  });
  expect(rp.status === 201, `ranger project: ${rp.status} ${JSON.stringify(rp.body)}`);
  const ra = await funds("POST", "/allocations", { fund_id: rf.body.id, project_id: rp.body.id, amount_fen: 2_000_000, note: "护林员补助" }, { "Idempotency-Key": crypto.randomUUID() });
  expect(ra.status === 201, `ranger allocation: ${ra.status} ${JSON.stringify(ra.body)}`);
  const ranger = "护" + cn(rnd(2));
  const rh = await clerk(
    "POST",
    "/households",
    {
      household_number: village + "4" + rnd(3), village_code: village, attribute: "general", poverty_causes: [causes[0].code], year_identified: 2014,
      members: [{ name: ranger, id_number: idNumber("37083119690909" + rnd(3)), relationship: "head" }], // (workflows.mjs registers heads born 1970-01-01)
    },
    { "Idempotency-Key": crypto.randomUUID() },
  );
  expect(rh.status === 201, `ranger household: ${rh.status} ${JSON.stringify(rh.body)}`);
  // Payments to households go to their benefit card (一卡兑付).
  const card = await funds("PUT", `/households/${rh.body.id}/benefit-card`, { bank_name: "泗水县农村商业银行", card_number: luhnCard("6222", 16, rnd) });
  expect(card.status === 200, `benefit card: ${card.status} ${JSON.stringify(card.body)}`);
  const station = `泗河街道林业站CR${tag}`;
  const rc = await funds("POST", "/ranger-contracts", {
    member_id: rh.body.members[0].id, station, area_mu: 120.5, bound_east: "东山脚", bound_south: "南沟", bound_west: "西岭", bound_north: "北坡",
    // From February: the demo ranger's contract (from January) stays the first of the village.
    start_date: `${ly}-02-01`, end_date: `${ly}-12-31`, project_id: rp.body.id,
  });
  expect(rc.status === 201, `ranger contract: ${rc.status} ${JSON.stringify(rc.body)}`);
  await as("funds.sishui", "demo-funds-2026", "factions-ranger-payout", async (page, shot) => {
    await page.goto(base + "rangers");
    await page.click(`[data-test=rangers] .el-table__row:has-text("${station}")`);
    await page.waitForSelector("[data-test=ranger-payout-total]");
    await page.waitForSelector("[data-test=ranger-payout-sheet]");
    await page.click("[data-test=ranger-pay]");
    await page.waitForSelector(".el-message-box:has-text('不能撤回')");
    await shot("factions-ranger-pay-confirm");
    await confirmBox(page);
    await page.waitForSelector("[data-test=ranger-paid]");
    const after = (await funds("GET", `/projects/${rp.body.id}`)).body;
    expect(after.disbursements.length === 1 && after.disbursements[0].amount_fen > 0, `the payout's disbursement: ${JSON.stringify(after.disbursements)}`);
    await page.click("[data-test=ranger-pay]");
    await confirmBox(page);
    await page.waitForSelector("[data-test=ranger-pay-refused]:has-text('已发放')");
    await shot("factions-ranger-paid");
    // The payout's disbursement is not reversed: its record stays (refused in Chinese).
    await page.goto(base + "funds");
    await page.waitForSelector("[data-test=funds] .el-table__row");
    await page.waitForLoadState("networkidle");
    await page.fill("#f-year", String(ly));
    await page.click("form button:has-text('查询')");
    await page.click(`[data-test="fund-泗财农〔${ly}〕CR${tag}号"]`);
    await page.click(`[data-test=fund-projects] >> text=生态护林员补助CR${tag}`);
    // The bank's payment file: a reason of at least 4 characters, then the XLSX is saved.
    await page.click("[data-test=payment-file]");
    await page.fill("#pf-reason", "核对");
    await page.click("[data-test=posting-save]");
    await page.waitForSelector(".el-form-item:has(#pf-reason) .el-form-item__error");
    await page.fill("#pf-reason", "向县农商行报送一卡通发放");
    await shot("factions-payment-file");
    const [file] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=posting-save]")]);
    expect(file.suggestedFilename().endsWith(".xlsx"), `the payment file: ${file.suggestedFilename()}`);
    await page.waitForSelector("[data-test=posting-dialog]", { state: "hidden" });
    await page.click("[data-test=ledger-disbursements] [data-test=reverse-disbursement]");
    await page.fill("#rv-note", "误发");
    await page.click("[data-test=reverse-save]");
    await confirmBox(page);
    await page.waitForSelector("[data-test=reverse-refused]:has-text('护林员')");
    await shot("factions-reverse-refused");
  });

  // 4. The calendar: the platform administrator marks a working day of 2090 a holiday; the
  //    countdown on the page moves to the next working day.
  const platform = await caller("platform.admin", "demo-platform-2026");
  // 2090 as the law alone makes it (the holidays fixed by date, which every year must list),
  // whatever an earlier run left; saved with the version read (If-Match).
  const law = [
    ["2090-01-01", "New Year's Day", "元旦"],
    ["2090-05-01", "Labour Day", "劳动节"],
    ["2090-05-02", "Labour Day", "劳动节"],
    ["2090-10-01", "National Day", "国庆节"],
    ["2090-10-02", "National Day", "国庆节"],
    ["2090-10-03", "National Day", "国庆节"],
  ].map(([date, festival, festival_zh]) => ({ date, kind: "holiday", festival, festival_zh }));
  const current = await platform("GET", "/calendar/2090");
  const reset = await platform("PUT", "/calendar/2090", { source: "e2e", days: law }, { "if-match": current.etag });
  expect(reset.status === 200, `PUT /calendar/2090: ${reset.status} ${JSON.stringify(reset.body)}`);
  // A June week: no holiday fixed by date near it.
  const from = "2090-06-05";
  const added = law.length;
  const n = 5;
  const holiday = nthWorkday(from, 2);
  await as("platform.admin", "demo-platform-2026", "factions-calendar", async (page, shot) => {
    await page.goto(base + "calendar");
    await page.waitForSelector("[data-test=calendar-state]");
    await shot("calendar");
    await page.fill("#cal-year", "2090");
    await page.click("form button:has-text('查询')");
    // The year as just emptied through the API (its source says so).
    await page.waitForSelector("[data-test=calendar-state]:has-text('e2e')");
    await page.fill("#cd-from", from);
    await page.press("#cd-from", "Enter");
    await page.fill("#cd-n", String(n));
    await page.press("#cd-n", "Tab");
    const before = nthWorkday(from, n);
    await page.waitForSelector(`[data-test=countdown-end]:has-text("${before}")`);
    await page.click("[data-test=calendar-edit]");
    await page.fill("#cal-source", "端到端测试：2090 年安排");
    await page.click("[data-test=calendar-add]");
    await page.fill(`#cal-date-${added}`, holiday);
    await page.press(`#cal-date-${added}`, "Enter");
    await page.fill(`#cal-fzh-${added}`, "测试节");
    // Both names are required: the server's 422 under the English one.
    await page.click("[data-test=calendar-save]");
    await page.waitForSelector("[data-test=calendar-draft] .field-error");
    await shot("calendar-edit-error");
    await page.fill(`#cal-fen-${added}`, "Test Day");
    await shot("calendar-edit");
    await page.click("[data-test=calendar-save]");
    await page.waitForSelector("[data-test=calendar-days] .el-table__row:has-text('测试节')");
    const after = nthWorkday(from, n, [holiday]);
    await page.waitForSelector(`[data-test=countdown-end]:has-text("${after}")`);
    expect(after !== before, "the countdown did not move");
    const saved = await platform("GET", "/calendar/2090");
    expect(saved.body.days.some((d) => d.date === holiday && d.kind === "holiday"), `the calendar: ${JSON.stringify(saved.body)}`);
    await shot("calendar-saved");
  });
  // The county reads the calendar and is offered no edit.
  await as("admin.sishui", PASSWORDS["admin.sishui"], "factions-calendar-county", async (page) => {
    await page.goto(base + "calendar");
    await page.waitForSelector("[data-test=calendar-state]");
    expect((await page.locator("[data-test=calendar-edit]").count()) === 0, "the county is offered the calendar's edit");
  });
}
