// End-to-end checks of the exit campaign, exit progress and county figures screens (issue 21,
// ccamp), called from run.mjs with its helpers; every page and dialog photographed (and checked
// by axe) through `shot`.
//
// - the county approver opens a year's campaign (a due date before the opening refused under
//   the field by the server), excuses one village (a blank reason refused under the field),
//   is refused the closing in Chinese while the other villages are pending, and — the rest
//   excused through the API — closes it after the confirmation; the list finds it by year and
//   status;
// - the village clerk sees the campaign without the open, excuse and close buttons;
// - the city observer sees the exit progress of the year by county, as charts and a table, and
//   drills to 泗水县 and one of its townships;
// - the county approver fills in the county's per-capita income of a year on the village
//   profiles page (a non-number caught under the field) and sees it again after a reload, in
//   the card and beside the village's reported income; the city observer reads it without the
//   button; the clerk is not shown the county's figures.

import { PASSWORDS, caller } from "./lib.mjs";

const OBSERVERS = { "observer.jining": "demo-city-2026" };

/** Every page of a cursor-paged list. */
async function all(call, path) {
  const items = [];
  let cursor = "";
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const r = await call("GET", `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    items.push(...r.body.items);
    if (!r.body.next_cursor) return { items, body: r.body };
    cursor = r.body.next_cursor;
  }
}

/** Picks `names` in a RegionPicker's cascader (its `data-test`), the last one selected. */
async function pickRegion(page, test, names) {
  await page.click(`[data-test=${test}] .el-cascader`);
  for (let i = 0; i < names.length; i++) {
    const node = page.locator(".el-cascader-menu:visible").nth(i).locator(`.el-cascader-node:has-text('${names[i]}')`).first();
    await node.waitFor();
    if (i === names.length - 1) await node.locator(".el-radio").click();
    else await node.click();
  }
  await page.keyboard.press("Escape");
}

export async function ccamp({ as, base, expect }) {
  const approver = await caller("approver.sishui");
  const me = (await approver("GET", "/me")).body;
  // A year without an open campaign (a run that stopped half-way leaves one open).
  const campaigns = (await all(approver, "/campaigns")).items;
  const year = [2031, 2032, 2033, 2034, 2035, 2030, 2029, 2028].find((y) => !campaigns.some((c) => c.year === y && c.status === "open"));
  expect(year, "every year tried has an open campaign");
  let campaignId = "";

  await as("approver.sishui", PASSWORDS["approver.sishui"], "ccamp-campaign-open-excuse-close", async (page, shot) => {
    await page.goto(base + "campaigns");
    await page.waitForSelector("[data-test=campaigns]");
    await shot("ccamp-campaigns-before");
    // A due date before the opening: the server's refusal under the field.
    await page.click("[data-test=campaign-create]");
    await page.waitForSelector("[data-test=campaign-dialog] #n-year");
    await page.fill("#n-year", String(year));
    await page.keyboard.press("Tab");
    await page.fill("#n-appraisal", "2001-01-01");
    await page.keyboard.press("Enter");
    await page.click("[data-test=campaign-dialog] .el-dialog__title");
    await page.click("[data-test=campaign-save]");
    const error = page.locator("[data-test=n-appraisal] .el-form-item__error");
    await error.waitFor();
    expect(/[\u4e00-\u9fff]/.test(await error.textContent()), `the server's error under the due date: ${await error.textContent()}`);
    await shot("ccamp-campaign-dialog");
    // Again with the settings' due dates.
    await page.click("[data-test=campaign-dialog] .el-dialog__footer button:has-text('取消')");
    await page.click("[data-test=campaign-create]");
    await page.fill("#n-year", String(year));
    await page.keyboard.press("Tab");
    await page.fill("#n-note", "e2e 动态调整");
    await page.click("[data-test=campaign-save]");
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    campaignId = page.url().split("/").pop();
    await page.waitForSelector("[data-test=campaign-summary]");
    await page.waitForSelector("[data-test=campaign-village-table] .el-table__row");
    const status = await page.textContent("[data-test=campaign-summary] [data-test=campaign-status]");
    expect(status.includes("进行中"), `the new campaign's status: ${status}`);
    const counts = await page.textContent("[data-test=campaign-counts]");
    expect(counts.includes("民主评议") && counts.includes("公告"), `the steps by their Chinese names: ${counts}`);
    await shot("ccamp-campaign");

    // Excuse the first village: a blank reason is refused under the field.
    await page.locator("[data-test=campaign-village-table]").scrollIntoViewIfNeeded();
    expect((await page.locator("[data-test^=excuse-village-]").count()) > 0, "the county approver is offered no 说明原因");
    const first = page.locator("[data-test=campaign-village-table] .el-table__body-wrapper .el-table__row").first();
    const villageName = (await first.locator("td").nth(1).textContent()).trim();
    await page.locator("[data-test^=excuse-village-]:visible").first().click();
    await page.waitForSelector("[data-test=excuse-dialog] #e-reason");
    await page.fill("#e-reason", "   ");
    await page.click("[data-test=excuse-save]");
    const reasonError = page.locator("[data-test=e-reason] .el-form-item__error");
    await reasonError.waitFor();
    expect(/[\u4e00-\u9fff]/.test(await reasonError.textContent()), `the server's error under the reason: ${await reasonError.textContent()}`);
    await shot("ccamp-excuse-dialog");
    await page.fill("#e-reason", "本年度无脱贫退出和新识别对象");
    await page.click("[data-test=excuse-save]");
    await page.waitForSelector(`[data-test=campaign-village-table] .el-table__row:has-text("${villageName}") [data-test=excuse-reason]`);
    await page.waitForSelector("[data-test=campaign-excused]:text-is('1')");

    // Closing is refused while the other villages are pending, in Chinese with how many.
    await page.click("[data-test=campaign-close]");
    await page.click(".el-message-box__btns button:has-text('结束工作')");
    const refused = await (await page.waitForSelector("[data-test=close-refused]")).textContent();
    const villages = Number(await page.textContent("[data-test=campaign-villages]"));
    expect(refused.includes(`${villages - 1} 个村`), `the refusal names the pending villages (${villages - 1}): ${refused}`);
    await shot("ccamp-close-refused");

    // The other villages excused through the API, the campaign closes.
    const pending = (await all(approver, `/campaigns/${campaignId}/villages`)).items.filter((v) => !v.excused);
    for (let i = 0; i < pending.length; i += 8) {
      const answers = await Promise.all(
        pending.slice(i, i + 8).map((v) => approver("POST", `/campaigns/${campaignId}/excuses`, { village_code: v.village_code, reason: "e2e：本年度无增减" })),
      );
      for (const a of answers) expect(a.status === 200, `excuse: ${a.status} ${JSON.stringify(a.body)}`);
    }
    await page.reload();
    await page.waitForSelector(`[data-test=campaign-excused]:text-is('${villages}')`);
    await page.click("[data-test=campaign-close]");
    await page.click(".el-message-box__btns button:has-text('结束工作')");
    await page.waitForSelector("[data-test=campaign-summary] [data-test=campaign-status]:has-text('已结束')");
    expect((await page.locator("[data-test=campaign-close]").count()) === 0, "a closed campaign still offers 结束工作");
    expect((await page.locator("[data-test^=excuse-village-]:visible").count()) === 0, "a closed campaign still offers 说明原因");
    await shot("ccamp-campaign-closed");

    // The list finds it by year and status.
    await page.goto(base + "campaigns");
    await page.waitForSelector("[data-test=campaigns]");
    await page.fill("#c-year", String(year));
    await page.keyboard.press("Tab");
    await page.locator(".el-select:has(#c-status)").click();
    await page.click(".el-select-dropdown__item:visible:has-text('已结束')");
    await page.click("[data-test=campaign-search]");
    await page.waitForSelector(`[data-test=campaign-view-${year}]`);
    const rows = await page.locator("[data-test=campaigns] .el-table__body-wrapper .el-table__row").allTextContents();
    expect(rows.length >= 1 && rows.every((r) => r.includes(String(year)) && r.includes("已结束")), `the filtered list: ${rows.join(" | ")}`);
    await shot("ccamp-campaigns");
  });

  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "ccamp-campaign-clerk-reads-only", async (page, shot) => {
    expect(campaignId, "no campaign was opened");
    await page.goto(base + "campaigns");
    await page.waitForSelector("[data-test=campaigns]");
    expect((await page.locator("[data-test=campaign-create]").count()) === 0, "the clerk is offered to open a campaign");
    await page.goto(base + `campaigns/${campaignId}`);
    await page.waitForSelector("[data-test=campaign-village-table] .el-table__row");
    const villages = await page.textContent("[data-test=campaign-villages]");
    expect(villages.trim() === "1", `the clerk sees their own village only: ${villages}`);
    expect((await page.locator("[data-test=campaign-close]").count()) === 0, "the clerk is offered 结束工作");
    expect((await page.locator("[data-test^=excuse-village-]:visible").count()) === 0, "the clerk is offered 说明原因");
    await shot("ccamp-campaign-clerk");
  });

  await as("observer.jining", OBSERVERS["observer.jining"], "ccamp-exit-progress-drills", async (page, shot) => {
    // The year of the demo's exit lists (and of workflows.mjs's filed exit).
    await page.goto(base + "exit-progress");
    await page.waitForSelector("[data-test=progress-table] .el-table__row");
    await page.fill("#p-year", "2017");
    await page.keyboard.press("Tab");
    await page.click("[data-test=progress-search]");
    await page.waitForSelector("[data-test=progress-drill-370831000000]");
    expect((await page.locator("[data-test=progress-people] canvas").count()) > 0, "no people chart");
    expect((await page.locator("[data-test=progress-households] canvas").count()) > 0, "no households chart");
    const head = await page.textContent("[data-test=progress-table] thead");
    expect(head.includes("目标人数") && head.includes("已退出户数") && head.includes("已退出人数"), `the table's columns: ${head}`);
    await shot("ccamp-exit-progress-city");
    await page.click("[data-test=progress-drill-370831000000]");
    await page.waitForSelector("[data-test=progress-path]:has-text('泗水县')");
    await page.waitForSelector("[data-test=progress-drill-370831001000]");
    const total = await page.textContent("[data-test=progress-table] .el-table__row:last-child");
    expect(total.includes("泗水县"), `the county's total row: ${total}`);
    await shot("ccamp-exit-progress-county");
    await page.click("[data-test=progress-drill-370831001000]");
    await page.waitForSelector("[data-test=progress-path]:has-text('泗河街道')");
    await page.waitForSelector("[data-test=progress-table] .el-table__row:has-text('仲子社区')");
    await shot("ccamp-exit-progress-township");
    // Back up the path to the city.
    await page.click("[data-test=progress-path] button:has-text('济宁市')");
    await page.waitForSelector("[data-test=progress-drill-370831000000]");
  });

  // The clerk's village has a profile of last year (recorded through the API when none is, and
  // only when the test that reads it runs).
  const lastYear = new Date().getFullYear() - 1;
  const clerk = await caller("clerk.sishui");
  const village = (await clerk("GET", "/me")).body.org_unit;
  const profile = await clerk("GET", `/villages/${village.code}/profiles/${lastYear}`);
  const only = process.env.ZX_E2E_ONLY ? new RegExp(process.env.ZX_E2E_ONLY) : null;
  if (profile.status === 404 && (!only || only.test("ccamp-county-figures-saved-and-read-again"))) {
    const r = await clerk("PUT", `/villages/${village.code}/profiles/${lastYear}`, {
      households: 300, population: 900, per_capita_income_fen: 1_650_000, collective_income_fen: 8_000_000, cultivated_mu: 1200, forest_mu: 80,
    });
    expect(r.status === 201, `PUT profile: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const yuan = `${18000 + Math.floor(Math.random() * 9000)}.50`;
  const shown = `${Number(yuan).toLocaleString("zh-CN", { minimumFractionDigits: 2 })} 元`;
  const township = (await approver("GET", `/regions/${village.code.slice(0, 9)}000`)).body;

  await as("approver.sishui", PASSWORDS["approver.sishui"], "ccamp-county-figures-saved-and-read-again", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector("[data-test=county-figures]");
    await page.fill("#f-year", String(lastYear));
    await page.keyboard.press("Tab");
    await page.click("[data-test=figure-search]");
    await page.click("[data-test=figure-edit]");
    await page.fill("#f-income", "一万八");
    await page.click("[data-test=figure-save]");
    await page.locator("[data-test=f-income] .el-form-item__error").waitFor();
    await shot("ccamp-figure-dialog");
    await page.fill("#f-income", yuan);
    await page.click("[data-test=figure-save]");
    await page.waitForSelector(`[data-test=figure-income]:text-is('${shown}')`);
    // Again after a reload: the card, and the column beside the village's reported income.
    await page.reload();
    await page.waitForSelector("[data-test=county-figures]");
    await page.fill("#f-year", String(lastYear));
    await page.keyboard.press("Tab");
    await page.click("[data-test=figure-search]");
    await page.waitForSelector(`[data-test=figure-income]:text-is('${shown}')`);
    await pickRegion(page, "v-village", [me.org_unit.name, township.name, village.name]);
    await page.click("[data-test=profiles-search]");
    await page.waitForSelector(`[data-test=county-income-${lastYear}]:text-is('${shown}')`);
    await shot("ccamp-village-profiles-figures");
  });

  await as("observer.jining", OBSERVERS["observer.jining"], "ccamp-county-figures-observer-reads", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector("[data-test=county-figures]");
    expect((await page.locator("[data-test=figure-edit]").count()) === 0, "the observer is offered to fill in the county's figures");
    await pickRegion(page, "f-county", ["济宁市", "泗水县"]);
    await page.fill("#f-year", String(lastYear));
    await page.keyboard.press("Tab");
    await page.click("[data-test=figure-search]");
    await page.waitForSelector(`[data-test=figure-income]:text-is('${shown}')`);
    await shot("ccamp-county-figures-observer");
  });

  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "ccamp-county-figures-not-for-the-clerk", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector("[data-test=profiles]");
    expect((await page.locator("[data-test=county-figures]").count()) === 0, "the clerk is shown the county's figures");
    expect((await page.locator("[data-test=figure-edit]").count()) === 0, "the clerk is offered to fill in the county's figures");
    await shot("ccamp-village-profiles-clerk");
  });
}
