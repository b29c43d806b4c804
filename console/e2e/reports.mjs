// End-to-end checks of the funds, villages-and-teams and dashboard pages (issue 21), called from
// run.mjs with its helpers: `as(user, password, name, body)` signs in through the console and
// runs `body(page, shot)` (shot photographs the page and runs axe-core on it).
//
// - the fund officer pays a project by progress and sees execution rise: a fund and a project
//   paid by progress are recorded through the API (the console has no form for them yet), then
//   in the console the officer opens the fund, its project, is refused a payment beyond the
//   progress (in Chinese, nothing paid), records 40% progress, pays 30,000 元 and sees the
//   project's execution go from 0% to 30% and the fund's from 0% to 15%; the execution charts,
//   relocation and teams pages; the demo ranger's incidents and inspections;
// - the clerk sees the village's profile with the registry's counts beside the reported ones;
// - the province observer drills from the province chart to 济宁市, to 泗水县 and sees the
//   county's townships; the series over the years is drawn; the data exports as XLSX; every
//   report kind draws, one at a time and all at once (总览).

const api = process.env.ZX_CHECK_URL ?? "http://127.0.0.1:8080";

async function token(username, password) {
  const r = await fetch(`${api}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`login ${username}: ${r.status}`);
  return (await r.json()).access_token;
}

async function call(tok, method, path, body, headers = {}) {
  const r = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${tok}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, etag: r.headers.get("etag") };
}

// Beijing's today, as the server counts days.
const today = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());

export async function reports({ as, base, expect }) {
  const year = Number(today().slice(0, 4));
  const tag = String(Date.now()).slice(-6);
  const doc = `泗财农〔${year}〕E2E${tag}号`;
  const projectName = `${year}年道路硬化工程E2E${tag}`;

  // The fund and the project paid by progress, through the API as the fund officer.
  const tok = await token("funds.sishui", "demo-funds-2026");
  const fund = await call(tok, "POST", "/api/v1/funds", {
    county_code: "370831", year, level: "county", source: "县级财政衔接资金", purpose: "infrastructure", amount_fen: 20_000_000,
    document_no: doc, received_on: today(), bundled: false, linking: true,
  });
  expect(fund.status === 201, `POST /funds: ${fund.status} ${JSON.stringify(fund.body)}`);
  const project = await call(tok, "POST", "/api/v1/projects", {
    region_code: "370831001003", year, name: projectName, purpose: "infrastructure", budget_fen: 10_000_000, pay_by_progress: true,
    account: "泗水县衔接资金专户",
  });
  expect(project.status === 201, `POST /projects: ${project.status} ${JSON.stringify(project.body)}`);

  await as("funds.sishui", "demo-funds-2026", "fund-officer-pays-by-progress", async (page, shot) => {
    await page.goto(base + "funds");
    await page.waitForSelector(`[data-test="fund-${doc}"]`);
    await shot("funds");
    // The fund, then its projects: none yet; allocate from the project's ledger.
    await page.click(`[data-test="fund-${doc}"]`);
    await page.waitForSelector(`text=只看 ${doc} 安排的项目`);
    await page.click("text=显示全部项目");
    await page.click(`[data-test=fund-projects] >> text=${projectName}`);
    await page.waitForSelector("[data-test=ledger-title]");
    expect((await page.textContent("[data-test=ledger-execution]")).trim() === "0.00%", "execution before any payment");
    await page.click("[data-test=allocate]");
    await page.waitForSelector("#a-fund");
    // The fund with money left that was just recorded.
    await page.click(".el-select:has(#a-fund)");
    await page.click(`.el-select-dropdown__item:visible:has-text("${doc}")`);
    await page.fill("#a-amount", "100000");
    await shot("funds-allocate");
    await page.click("[data-test=action-save]");
    await page.waitForFunction(() => !document.querySelector(".el-dialog"), null, { timeout: 10000 }).catch(() => {});
    await page.waitForSelector(`[data-test=ledger-allocations] >> text=${doc}`);
    // Now the fund's projects list it.
    await page.click(`[data-test="fund-${doc}"]`);
    await page.waitForSelector(`[data-test=fund-projects] >> text=${projectName}`);
    await page.click(`[data-test=fund-projects] >> text=${projectName}`);
    // Paying before any progress is refused, in Chinese, and nothing is paid.
    await page.click("[data-test=pay]");
    await page.waitForSelector("[data-test=pay-cap]");
    await page.fill("#a-payee", "泗水县路桥工程有限公司");
    await page.fill("#a-amount", "30000");
    await page.click("[data-test=action-save]");
    await page.waitForSelector(".el-message--error:has-text('工程进度')");
    await page.click(".el-dialog__footer >> text=取消");
    expect((await page.textContent("[data-test=ledger-disbursed]")).includes("0.00"), "a refused payment was recorded");
    // 40% progress, then 30,000 元 by progress: execution rises to 30%.
    await page.click("[data-test=record-progress]");
    await page.waitForSelector("#a-pct");
    await page.fill("#a-pct", "40");
    await page.click("[data-test=action-save]");
    await page.waitForSelector("[data-test=ledger-progress]:has-text('40%')");
    await page.click("[data-test=pay]");
    await page.waitForSelector("[data-test=pay-cap]:has-text('40,000.00')");
    await page.fill("#a-payee", "泗水县路桥工程有限公司");
    await page.fill("#a-amount", "30000");
    await shot("funds-pay");
    await page.click("[data-test=action-save]");
    await page.waitForSelector("[data-test=ledger-execution]:has-text('30.00%')");
    await page.waitForSelector("[data-test=ledger-disbursements] >> text=泗水县路桥工程有限公司");
    // The fund's own execution (disbursed over received) rose too: 30,000 of 200,000.
    const fundRow = page.locator(`[data-test=funds] .el-table__row:has([data-test="fund-${doc}"])`);
    await fundRow.locator(".el-progress__text:has-text('15%')").waitFor();
    await shot("funds-ledger");
    // The execution charts: by region, by fund, by project; the linking-fund share.
    await page.goto(base + "fund-charts");
    await page.waitForSelector("[data-test=exec-table] .el-table__row");
    await page.waitForSelector("[data-test=linking-share]");
    await page.waitForFunction(() => document.querySelectorAll("[data-test=chart] canvas").length >= 3);
    await shot("fund-charts");
    await page.goto(base + "relocation");
    await page.waitForSelector("[data-test=relocation-summary]");
    await shot("relocation");
    await page.goto(base + "teams");
    await page.waitForSelector("[data-test=teams]");
    await shot("teams");
    await page.click("#tab-coverage");
    await page.waitForSelector("[data-test=coverage] .el-table__row");
    await shot("teams-coverage");
    // The demo ranger's record: the March absence and the June loss from poor patrols, in
    // Chinese, beside the payout lines.
    await page.goto(base + "rangers");
    await page.click("[data-test=rangers] .el-table__row >> nth=0");
    await page.waitForSelector("[data-test=ranger-incidents] >> text=巡护不到位造成林木损失");
    await page.waitForSelector("[data-test=ranger-inspections] >> text=脱岗");
    await shot("rangers-record");
  });

  // The clerk's village profile: the reported figures beside the registry's.
  const clerk = await token("clerk.sishui", "demo-clerk-2026");
  const put = await call(clerk, "PUT", `/api/v1/villages/370831001003/profiles/${year - 1}`, {
    households: 321, population: 1012, per_capita_income_fen: 1_650_000, collective_income_fen: 12_000_000, cultivated_mu: 2300.5, forest_mu: 800,
    main_industries: ["小麦", "玉米"], featured_industries: ["樱桃"],
  });
  expect([200, 201, 428].includes(put.status), `PUT profile: ${put.status} ${JSON.stringify(put.body)}`);
  await as("clerk.sishui", "demo-clerk-2026", "clerk-sees-village-profile", async (page, shot) => {
    await page.goto(base + "village-profiles");
    await page.waitForSelector(`[data-test=profiles] .el-table__row:has-text("${year - 1}")`);
    const row = await page.textContent(`[data-test=profiles] .el-table__row:has-text("${year - 1}")`);
    expect(/321/.test(row) && /1012/.test(row), `the reported figures: ${row}`);
    await shot("village-profiles");
    await page.goto(base + "key-villages");
    await page.waitForSelector("[data-test=key-villages]");
    await shot("key-villages-clerk");
  });

  await as("observer.shandong", "demo-province-2026", "province-observer-drills-to-townships", async (page, shot) => {
    await page.goto(base + "dashboard");
    await page.waitForSelector("[data-test=report-table] .el-table__row");
    await page.waitForSelector("[data-test=years-chart] canvas");
    // Drilled from the chart: a real click on the region's tallest bar, found from the ECharts
    // instance (ReportChart puts it on its element as `zxChart`; the bar's layout in pixels).
    const clickBar = async (name) => {
      await page.waitForLoadState("networkidle");
      const at = await page.evaluate((name) => {
        const el = document.querySelector("[data-test=chart]");
        const chart = el?.zxChart;
        if (!chart) return null;
        const i = chart.getOption().xAxis[0].data.indexOf(name);
        if (i < 0) return null;
        const bars = chart.getOption().series.map((_, s) => chart.getModel().getSeriesByIndex(s).getData().getItemLayout(i));
        const bar = bars.filter((b) => b && Math.abs(b.height) >= 4).sort((a, b) => Math.abs(b.height) - Math.abs(a.height))[0];
        if (!bar) return null;
        el.scrollIntoView({ block: "center" });
        const box = el.getBoundingClientRect();
        return { x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2 };
      }, name);
      expect(at, `no bar for ${name} in the chart`);
      await page.mouse.click(at.x, at.y);
    };
    await page.waitForSelector("[data-test=report-table] .el-table__row:has-text('济宁市')");
    await clickBar("济宁市");
    await page.waitForSelector("[data-test=report-table] .el-table__row:has-text('泗水县')");
    await clickBar("泗水县");
    // The county's townships, one level down.
    await page.waitForSelector("[data-test=report-table] .el-table__row:has-text('泗河街道')");
    const path = await page.textContent("[data-test=drill-path]");
    expect(/山东省.*济宁市.*泗水县/.test(path), `drill path: ${path}`);
    await page.waitForLoadState("networkidle");
    await shot("dashboard-townships");
    const [yearsXlsx] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=years-chart] [data-test=xlsx]")]);
    expect(yearsXlsx.suggestedFilename().endsWith(".xlsx"), `years XLSX export: ${yearsXlsx.suggestedFilename()}`);
    const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("text=导出数据（Excel）")]);
    expect(xlsx.suggestedFilename().endsWith(".xlsx"), `XLSX export: ${xlsx.suggestedFilename()}`);
    // Every report kind draws.
    for (const kind of ["退出与目标", "防返贫监测", "资金执行", "重点帮扶村目标", "帮扶覆盖", "生态护林员"]) {
      await page.click(".el-select:has(#d-kind)");
      await page.click(`.el-select-dropdown__item:visible:has-text("${kind}")`);
      await page.waitForSelector(`[data-test=chart][aria-label*="${kind}"]`);
      await page.waitForLoadState("networkidle");
    }
    await shot("dashboard-rangers");
    // 总览: every report kind at once for the county in view.
    await page.click("[data-test=mode-overview]");
    await page.waitForFunction(() => document.querySelectorAll("[data-test=overview] [data-test=chart] canvas").length === 7, null, { timeout: 20000 });
    await page.waitForLoadState("networkidle");
    await shot("dashboard-overview");
    // Every chart exports its picture and its data: the overview's first chart as XLSX.
    const [overviewXlsx] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=overview] [data-test=xlsx] >> nth=0")]);
    expect(overviewXlsx.suggestedFilename().endsWith(".xlsx"), `overview XLSX export: ${overviewXlsx.suggestedFilename()}`);
    const sheet = await (await import("node:fs/promises")).readFile(await overviewXlsx.path());
    expect(sheet.subarray(0, 2).toString() === "PK" && sheet.includes("xl/worksheets/sheet1.xml"), "the overview's XLSX is not a workbook");
    await page.goto(base + "fund-charts");
    await page.waitForSelector("[data-test=exec-table] .el-table__row");
    await shot("fund-charts-province");
    await page.waitForSelector("[data-test=png]");
    const [fundPng] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=png] >> nth=0")]);
    expect(fundPng.suggestedFilename().endsWith(".png"), `fund chart PNG export: ${fundPng.suggestedFilename()}`);
    const [fundXlsx] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=xlsx] >> nth=0")]);
    expect(fundXlsx.suggestedFilename().endsWith(".xlsx"), `fund chart XLSX export: ${fundXlsx.suggestedFilename()}`);
  });
}
