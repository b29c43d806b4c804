// End-to-end checks of the third console review's fixes (c3), called from run.mjs with its
// helpers; `ZX_E2E_ONLY=c3-` runs these alone. Photographed as `c3-*.png`.
//
// - c3-self-reset: the county administrator resets their own password from the users page; the
//   server refuses (422, field `id`, `self_reset`) and the reset dialog says that one's own
//   password is changed on the 修改密码 page, with a link there (which opens it).
// - c3-job-failed: a failed job's reason (`summary.error`, the server's words) is shown beside
//   the job: under the households export, on the import page and on the jobs page (the list and
//   a job looked up by id). The server fails a job only when something goes wrong while it runs
//   (its creator disabled meanwhile, the file store, a stopped export), which a test cannot
//   cause on cue: the job's answers are rewritten in the browser to the failed job the server
//   sends (status `failed`, `summary: { error }` with one of its own reasons, work.rs).
// - c3-profile-add-existing: 村情档案 录入档案 for a year recorded already is refused by the
//   server (sent without If-Match: 428) and overwrites nothing; the dialog says the year exists
//   and offers to edit it; the edit sends the ETag it was filled from, and when someone saved
//   meanwhile (a stale ETag) the 412 is shown with the typed value kept.

import { caller } from "./lib.mjs";

// A job's answers (GET /jobs/{id} and GET /jobs) as the server sends a failed job.
async function failJobs(page, reason) {
  const failed = (j) => ({ ...j, status: "failed", summary: { error: reason }, finished_at: j.finished_at ?? new Date().toISOString() });
  await page.route(/\/api\/v1\/jobs(\?[^/]*)?$|\/api\/v1\/jobs\/[0-9a-f-]{36}$/, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    const json = Array.isArray(body.items) ? { ...body, items: body.items.map((j, i) => (i === 0 ? failed(j) : j)) } : failed(body);
    await route.fulfill({ response, json });
  });
}

export async function reviewC3({ as, base, expect, rnd }) {
  // 1. An administrator's own password is not reset on the users page.
  await as("admin.sishui", "demo-admin-2026", "c3-self-reset", async (page, shot) => {
    await page.goto(base + "users");
    await page.fill("#u-q", "admin.sishui");
    await page.click("[data-test=users-search]");
    await page.click('[data-test="reset-admin.sishui"]');
    await page.fill("#rp-pw", `Own-Reset-${rnd(8)}-xyz`);
    await page.click("[data-test=reset-confirm]");
    const alert = page.locator("[data-test=reset-self]");
    await alert.waitFor({ timeout: 10000 });
    const said = await alert.textContent();
    expect(said.includes("本人") && said.includes("修改密码") && !said.includes("self_reset"), `the refusal says: ${said}`);
    // It is said in the reset dialog, not under the password field.
    expect((await page.locator(".el-dialog:visible [data-test=reset-self]").count()) === 1, "the refusal is not in the reset dialog");
    await shot("c3-self-reset");
    await page.click("[data-test=reset-self-link]");
    await page.waitForSelector("#pw-current");
    expect(new URL(page.url()).pathname.endsWith("/console/password"), `the link opens ${page.url()}`);
    // The password stands: the demo password still signs in.
    await caller("admin.sishui", "demo-admin-2026");
  });

  // 2. A failed job says why.
  const approver = await caller("approver.sishui");
  await as("approver.sishui", "demo-approver-2026", "c3-job-failed", async (page, shot) => {
    // The households export.
    await failJobs(page, "the export stopped; run it again");
    await page.goto(base + "households");
    await page.waitForSelector("[data-test=households] .el-table-v2__row");
    await page.click("[data-test=export-csv]");
    const exp = page.locator("[data-test=export-failed]");
    await exp.waitFor({ timeout: 30000 });
    expect((await exp.textContent()).includes("导出失败"), `the export says: ${await exp.textContent()}`);
    const reason = await page.textContent("[data-test=export-failed-reason]");
    expect(reason.trim() === "the export stopped; run it again", `the export's reason: ${reason}`);
    await shot("c3-export-failed");

    // An import (a dry run: nothing is written).
    await page.unrouteAll();
    await failJobs(page, "the user who started this job can no longer act; start it again");
    await page.goto(base + "import");
    await page.waitForSelector("[data-test=start-import]");
    const header = "户编号,村代码,地址,户属性,致贫原因,识别年度,姓名,身份证号,与户主关系,健康状况,参加医保,年度,人均纯收入(元),不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障";
    const csv = `${header}\n3708310010035${rnd(3)},370831001003,某村,一般贫困户,因病,2015,失败丙,370831197505050011,户主,健康,是,2020,4200.50,是,是,是,是,是,是\n`;
    await page.setInputFiles("[data-test=file]", { name: "import.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click("[data-test=start-import]");
    const imp = page.locator("[data-test=import-failed]");
    await imp.waitFor({ timeout: 30000 });
    expect((await imp.textContent()).includes("导入任务失败") && (await imp.textContent()).includes("失败原因"), `the import says: ${await imp.textContent()}`);
    const why = await page.textContent("[data-test=import-failed-reason]");
    expect(why.trim() === "the user who started this job can no longer act; start it again", `the import's reason: ${why}`);
    // No counts of a job that did not finish.
    expect((await page.locator("[data-test=import-summary]").count()) === 0, "a failed import shows a summary of zeros");
    await shot("c3-import-failed");

    // The jobs page: the latest job, failed, with its reason; and the same job looked up by id.
    await page.goto(base + "jobs");
    const cell = page.locator("[data-test=jobs] .el-table__row >> nth=0 >> [data-test=job-error]");
    await cell.waitFor({ timeout: 10000 });
    expect((await cell.textContent()).trim() === "the user who started this job can no longer act; start it again", `the jobs list says: ${await cell.textContent()}`);
    expect((await page.textContent("[data-test=jobs] thead")).includes("失败原因"), "no 失败原因 column");
    const latest = (await approver("GET", "/jobs?limit=1")).body.items?.[0];
    expect(latest?.id, `no job: ${JSON.stringify(latest)}`);
    await page.fill("#j-id", latest.id);
    await page.press("#j-id", "Enter");
    const detail = page.locator("[data-test=job-detail-error]");
    await detail.waitFor({ timeout: 10000 });
    expect((await detail.textContent()).includes("can no longer act"), `the job by id says: ${await detail.textContent()}`);
    await shot("c3-jobs-failed");
  });

  // 3. Adding a village profile for a year recorded already overwrites nothing.
  const clerk = await caller("clerk.sishui");
  const village = (await clerk("GET", "/me")).body.org_unit.code;
  const recorded = new Set(((await clerk("GET", `/villages/${village}/profiles`)).body ?? []).map((p) => p.year));
  const year = [2016, 2015, 2014, 2013, 2012, 2011, 2010].find((y) => !recorded.has(y));
  const profile = {
    households: 200, population: 640, per_capita_income_fen: 812_000, collective_income_fen: 5_000_000, cultivated_mu: 1500, forest_mu: 300,
    main_industries: ["粮食"], featured_industries: [], merged_village: false, former_poor_village: false, indicators: {},
  };
  const made = await clerk("PUT", `/villages/${village}/profiles/${year}`, profile);
  expect(made.status === 201, `PUT profile ${year}: ${made.status} ${JSON.stringify(made.body)}`);
  await as("clerk.sishui", "demo-clerk-2026", "c3-profile-add-existing", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector(`[data-test=profile-edit-${year}]`);
    // 录入档案 for that year: refused, nothing overwritten, the edit offered.
    await page.click("[data-test=profile-add]");
    await page.fill("#p-year", String(year));
    await page.press("#p-year", "Tab");
    await page.fill("#p-households", "999");
    await page.press("#p-households", "Tab");
    await page.fill("#p-income", "1.00");
    await page.fill("#p-collective", "1.00");
    await page.click("[data-test=profile-save]");
    const refused = page.locator("[data-test=profile-exists]");
    await refused.waitFor({ timeout: 10000 });
    const said = await refused.textContent();
    expect(said.includes(String(year)) && said.includes("已经录入") && said.includes("不会覆盖"), `the refusal says: ${said}`);
    const after = await clerk("GET", `/villages/${village}/profiles/${year}`);
    expect(after.body.households === 200 && after.body.per_capita_income_fen === 812_000, `the add overwrote the profile: ${JSON.stringify(after.body)}`);
    await shot("c3-profile-exists");
    // 修改 that year: the form filled from the server, the ETag of that read sent back.
    await page.click("[data-test=profile-exists-edit]");
    await page.waitForFunction(() => document.querySelector("#p-households")?.value === "200");
    expect(await page.locator("#p-year").isDisabled(), "the year can be changed in an edit");
    // Someone saves first; the edit's ETag is stale: 412 shown, the typed value kept.
    const cur = await clerk("GET", `/villages/${village}/profiles/${year}`);
    const other = await clerk("PUT", `/villages/${village}/profiles/${year}`, { ...profile, households: 205 }, { "If-Match": cur.etag });
    expect(other.status === 200, `the other save: ${other.status} ${JSON.stringify(other.body)}`);
    await page.fill("#p-households", "201");
    await page.press("#p-households", "Tab");
    await page.click("[data-test=profile-save]");
    await page.waitForSelector("[data-test=profile-stale]", { timeout: 10000 });
    expect((await page.inputValue("#p-households")) === "201", `the typed value was not kept: ${await page.inputValue("#p-households")}`);
    expect((await clerk("GET", `/villages/${village}/profiles/${year}`)).body.households === 205, "a stale edit was written");
    await shot("c3-profile-stale");
    // Reloaded, the edit goes through with the new ETag.
    await page.click("[data-test=profile-stale-reload]");
    await page.waitForFunction(() => document.querySelector("#p-households")?.value === "205");
    await page.fill("#p-households", "201");
    await page.press("#p-households", "Tab");
    await page.click("[data-test=profile-save]");
    await page.waitForSelector("[data-test=profile-dialog]", { state: "hidden" });
    expect((await clerk("GET", `/villages/${village}/profiles/${year}`)).body.households === 201, "the edit after a reload was not saved");
  });
}
