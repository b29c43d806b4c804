// End-to-end checks of the second console review's fixes (c2), called from run.mjs with its
// helpers; `ZX_E2E_ONLY=c2-` runs these alone. Photographed as `c2-*.png`.
//
// - c2-session-ends: a user made for this run (a village clerk) is signed in on the households
//   page; an administrator resets their password through the API (their sessions end); the next
//   search sends them to the login page saying 登录已失效，请重新登录, with `next` = the page
//   they were on — not an empty table. Signed in again (the new password, then the forced change
//   is not needed for the check) they land where they were.
// - c2-token-renewed: the first list request answered 401 (as for an expired token): the token is
//   renewed once and the list read again, shown; the timed renewal's first try gets no answer
//   (the browser's clock fast-forwarded, the request aborted): tried again 5 s later, it succeeds.
// - c2-two-tabs-reload: two pages of one browser (one refresh cookie) reloaded at the same
//   moment, three times: both stay signed in, and the session still works after (the server
//   revokes a session whose refresh token is presented twice; the renewals go one at a time).
// - c2-dashboard-units: 数据看板 资金执行 at 泗水县: the money columns in 万元 and the rate in %
//   (the server's columns are fen and basis points), the total row the API's total converted;
//   the chart draws the rate on its own axis; 生态护林员's payouts in 万元 too.
// - c2-fund-charts-every-page, c2-patrols-more, c2-history-more: pages of the lists made small (the browser's requests are rewritten to
//   `limit=2`, so that the demo's few rows span pages): 资金执行分析 still ranks the
//   lowest rates over every project and lists every key village; a contract's patrol log and a
//   household's history offer 加载更多 and show the rest.

import { caller } from "./lib.mjs";

const CN = "零一二三四五六七八九";
const cn = (digits) => [...digits].map((d) => CN[Number(d)]).join("");

export async function reviewC2({ as, base, expect, rnd }) {
  const admin = await caller("admin.sishui");
  const clerk = await caller("clerk.sishui");

  // 1. A session that ends under the user.
  const home = (await clerk("GET", "/me")).body.org_unit;
  const tag = rnd(6);
  const username = `c2.e2e${tag}`;
  const password = `Review-${tag}-pass-2026`;
  const made = await admin(
    "POST",
    "/users",
    { username, display_name: "会话测试" + cn(tag.slice(0, 3)), password, org_unit: home.code, roles: ["village_clerk"] },
    { "Idempotency-Key": crypto.randomUUID() },
  );
  expect(made.status === 201, `POST /users: ${made.status} ${JSON.stringify(made.body)}`);
  await as(username, password, "c2-session-ends", async (page, shot) => {
    await page.goto(base + "households");
    await page.waitForSelector("[data-test=households] .el-table-v2__row");
    const reset = await admin("POST", `/users/${made.body.id}/password-reset`, { new_password: `Reset-${tag}-pass-2026` }, { "Idempotency-Key": crypto.randomUUID() });
    expect(reset.status === 204 || reset.status === 200, `password reset: ${reset.status} ${JSON.stringify(reset.body)}`);
    await page.click("[data-test=search]");
    await page.waitForSelector("#username", { timeout: 10000 });
    const said = await page.textContent("[data-test=session-expired]");
    expect(said.includes("登录已失效，请重新登录"), `the login page says: ${said}`);
    const url = new URL(page.url());
    expect(url.pathname.endsWith("/login") && url.searchParams.get("next") === "/households", `after the session ended: ${page.url()}`);
    await shot("c2-session-ended");
  });

  // 1b. A 401 renews the token once and the request is sent again; a timed renewal that got no
  // answer is tried again.
  await as("clerk.sishui", "demo-clerk-2026", "c2-token-renewed", async (page) => {
    const refreshes = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/api/v1/auth/refresh")) refreshes.push(r.status());
    });
    // The first list request is refused as if the token had expired.
    let refused = 0;
    await page.route(/\/api\/v1\/households\?/, async (route) => {
      if (refused++ === 0) {
        await route.fulfill({ status: 401, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Unauthorized", status: 401, detail: "invalid token" }) });
      } else await route.continue();
    });
    await page.goto(base + "households");
    await page.waitForSelector("[data-test=households] .el-table-v2__row", { timeout: 10000 });
    // One renewal as the page starts (a reload), one after the 401.
    expect(refused === 2 && refreshes.length === 2 && refreshes.every((x) => x === 200), `after a 401: ${refused} list requests, refreshes ${JSON.stringify(refreshes)}`);
    await page.unroute(/\/api\/v1\/households\?/);

    // The timed renewal (a minute before the token's 15 minutes are over), its first try
    // without an answer: tried again 5 seconds later.
    await page.clock.install();
    await page.reload();
    await page.waitForSelector("[data-test=households] .el-table-v2__row");
    refreshes.length = 0;
    let aborted = 0;
    await page.route(/\/api\/v1\/auth\/refresh$/, async (route) => {
      if (aborted++ === 0) await route.abort("internetdisconnected");
      else await route.continue();
    });
    await page.clock.fastForward("14:01");
    await page.waitForFunction(() => true);
    await page.clock.fastForward("00:06");
    await page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh"), { timeout: 10000 });
    expect(aborted === 2 && refreshes.at(-1) === 200, `the timed renewal: ${aborted} tries, answers ${JSON.stringify(refreshes)}`);
    await page.click("[data-test=search]");
    await page.waitForSelector("[data-test=households] .el-table-v2__row");
    expect(!(await page.$("#username")), "signed out after the renewal was tried again");
  });

  // 2. Two tabs of one browser reloaded together.
  await as("clerk.sishui", "demo-clerk-2026", "c2-two-tabs-reload", async (page) => {
    const other = await page.context().newPage();
    await other.goto(base + "households");
    await other.waitForSelector("[data-test=org-unit]");
    for (let i = 0; i < 3; i++) {
      await Promise.all([page.reload(), other.reload()]);
      for (const p of [page, other]) {
        await p.waitForSelector("[data-test=org-unit], #username");
        expect(!(await p.$("#username")), `reload ${i + 1}: a tab was sent to the login page (${p.url()})`);
      }
    }
    // The session is still alive: one more reload renews it, and a list loads.
    await other.reload();
    await other.waitForSelector("[data-test=households] .el-table-v2__row");
    expect(!(await other.$("#username")), "the session ended after the reloads");
    await other.close();
  });

  // 3. The dashboard's money in 万元 and rates in %.
  const approver = await caller("approver.sishui");
  const now = new Date().getFullYear();
  let year = now;
  for (const y of [now, now - 1, now - 2]) {
    const r = await approver("GET", `/reports/funds?year=${y}`);
    if (r.status === 200 && r.body.total.values[0] > 0) {
      year = y;
      break;
    }
  }
  const funds = (await approver("GET", `/reports/funds?year=${year}`)).body;
  await as("approver.sishui", "demo-approver-2026", "c2-dashboard-units", async (page, shot) => {
    await page.goto(base + "dashboard");
    await page.waitForSelector("[data-test=report-table]");
    await page.click(".el-select:has(#d-kind)");
    await page.click('.el-select-dropdown__item:visible:has-text("资金执行")');
    await page.waitForSelector('[data-test=report-table] th:has-text("到位资金")');
    await page.fill("#d-year", String(year));
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.waitForLoadState("networkidle");
    const heads = await page.locator("[data-test=report-table] th").allTextContents();
    expect(heads.some((h) => h.includes("到位资金(万元)")) && heads.some((h) => h.includes("执行率(%)")) && !heads.some((h) => /\(分\)|万分比/.test(h)), `the funds report's columns: ${heads}`);
    const wan = (fen) => (Math.round(fen / 10000) / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const received = (await page.locator("[data-test=cell-received_fen]").last().textContent()).trim();
    expect(received === wan(funds.total.values[0]), `the total received: ${received}, the API's ${funds.total.values[0]} fen is ${wan(funds.total.values[0])} 万元`);
    const rate = (await page.locator("[data-test=cell-execution_bp]").last().textContent()).trim();
    expect(rate === (funds.total.values[3] / 100).toFixed(2), `the total rate: ${rate}, the API's ${funds.total.values[3]} bp`);
    // The chart: money bars in 万元 on one axis, the rate on its own.
    const chart = await page.evaluate(() => {
      const o = document.querySelector("[data-test=report-table]").parentElement.querySelector("[data-test=chart]").zxChart.getOption();
      return { axes: o.yAxis.map((a) => a.name), series: o.series.map((s) => ({ name: s.name, axis: s.yAxisIndex, data: s.data.map((d) => (typeof d === "object" && d ? d.value : d)) })) };
    });
    expect(chart.axes.length === 2 && chart.axes.includes("万元") && chart.axes.includes("%"), `the chart's axes: ${JSON.stringify(chart.axes)}`);
    const money = chart.series.find((s) => s.name.includes("到位资金"));
    const rateSeries = chart.series.find((s) => s.name.includes("执行率"));
    expect(money && rateSeries && money.axis !== rateSeries.axis && money.name.includes("万元"), `the chart's series: ${JSON.stringify(chart.series.map((s) => [s.name, s.axis]))}`);
    const firstFen = funds.rows[0]?.values[0];
    expect(firstFen === undefined || firstFen === null || money.data[0] === Math.round(firstFen / 10000) / 100, `the chart's first bar: ${money.data[0]} for ${firstFen} fen`);
    await shot("c2-dashboard-funds");
    // 生态护林员: the payouts in 万元.
    await page.click(".el-select:has(#d-kind)");
    await page.click('.el-select-dropdown__item:visible:has-text("生态护林员")');
    // (The chart's title follows the choice at once; the table once the report has come.)
    await page.waitForSelector('[data-test=report-table] th:has-text("发放补助")');
    await page.waitForLoadState("networkidle");
    const rangerHeads = await page.locator("[data-test=report-table] th").allTextContents();
    expect(rangerHeads.some((h) => h.includes("发放补助(万元)")), `the rangers report's columns: ${rangerHeads}`);
    const paid = (await page.locator("[data-test=cell-paid_fen]").last().textContent()).trim();
    expect(/^[\d,]+\.\d{2}$/.test(paid), `the rangers' payouts: ${paid}`);
  });

  // 4. Lists read to their end. Small pages: the browser's list requests ask for 2 rows
  // at a time, so that the demo's rows span pages.
  const small = (limit) => async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set("limit", String(limit));
    await route.continue({ url: url.toString() });
  };
  const funder = await caller("funds.sishui", "demo-funds-2026");
  await as("funds.sishui", "demo-funds-2026", "c2-fund-charts-every-page", async (page, shot) => {
    await page.route(/\/api\/v1\/(projects|key-village-funding)\?/, small(2));

    // 资金执行分析: the lowest rates over every project of the year, every key village.
    let projects = [];
    for (const y of [now, now - 1]) {
      const all = [];
      let cursor;
      do {
        const r = await funder("GET", `/projects?year=${y}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        all.push(...r.body.items);
        cursor = r.body.next_cursor;
      } while (cursor);
      if (all.length > 2) {
        projects = all;
        year = y;
        break;
      }
    }
    expect(projects.length > 2, `fewer than 3 projects in the demo's last two years: ${projects.length}`);
    const kvs = [];
    {
      let cursor;
      do {
        const r = await funder("GET", `/key-village-funding?year=${year}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        kvs.push(...r.body.items);
        cursor = r.body.next_cursor;
      } while (cursor);
    }
    await page.goto(base + "fund-charts");
    await page.waitForSelector("[data-test=exec-table]");
    await page.fill("#c-year", String(year));
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.waitForLoadState("networkidle");
    const lowest = [...projects].sort((a, b) => a.execution_bp - b.execution_bp).slice(0, 15);
    const drawn = await page.evaluate(() => {
      const charts = [...document.querySelectorAll("[data-test=chart]")].map((c) => c.zxChart?.getOption()).filter(Boolean);
      const o = charts.find((x) => x.series.some((s) => s.name === "执行率(%)"));
      return o ? o.series[0].data.map((d) => (typeof d === "object" && d ? d.value : d)) : null;
    });
    expect(drawn && drawn.length === lowest.length, `the lowest rates drawn: ${JSON.stringify(drawn)}, of ${projects.length} projects the lowest ${lowest.length}`);
    expect(drawn.every((v, i) => v === lowest[i].execution_bp / 100), `the rates drawn ${JSON.stringify(drawn)}, the lowest ${JSON.stringify(lowest.map((p) => p.execution_bp / 100))}`);
    const villages = await page.locator("[data-test=key-funding] .el-table__body tr").count();
    expect(villages === kvs.length, `key villages listed: ${villages}, the API has ${kvs.length}`);
    await shot("c2-fund-charts");
  });

  await as("funds.sishui", "demo-funds-2026", "c2-patrols-more", async (page, shot) => {
    await page.route(/\/api\/v1\/ranger-contracts\/[^/]+\/patrols/, small(2));
    // A contract's patrol log: 加载更多 brings the older patrols.
    const contracts = (await funder("GET", "/ranger-contracts")).body.items;
    let contract = null;
    let patrolCount = 0;
    for (const c of contracts) {
      const r = await funder("GET", `/ranger-contracts/${c.id}/patrols?limit=200`);
      if (r.body.items.length > 2) {
        contract = c;
        patrolCount = r.body.items.length;
        break;
      }
    }
    expect(contract, "no ranger contract with more than two patrols");
    await page.goto(base + "rangers");
    await page.locator("[data-test=rangers] .el-table__row").filter({ hasText: contract.station }).filter({ hasText: contract.start_date }).first().click();
    await page.waitForSelector("[data-test=ranger-patrols] .el-table__row");
    expect((await page.locator("[data-test=ranger-patrols] .el-table__body tr").count()) === 2, "the first page of patrols is not 2 rows");
    while (await page.$("[data-test=ranger-patrols-more]")) {
      const before = await page.locator("[data-test=ranger-patrols] .el-table__body tr").count();
      await page.click("[data-test=ranger-patrols-more]");
      await page.waitForFunction((n) => document.querySelectorAll("[data-test=ranger-patrols] .el-table__body tr").length > n, before);
      await page.waitForLoadState("networkidle");
    }
    const shown = await page.locator("[data-test=ranger-patrols] .el-table__body tr").count();
    expect(shown === Math.min(patrolCount, 200), `patrols shown: ${shown}, the contract has ${patrolCount}`);
    await shot("c2-ranger-patrols");
  });

  await as("clerk.sishui", "demo-clerk-2026", "c2-history-more", async (page, shot) => {
    await page.route(/\/api\/v1\/households\/[^/]+\/history/, small(2));
    // A household's history: 加载更多 brings the older changes.
    const hs = (await clerk("GET", "/households?limit=50")).body.items ?? [];
    let household = null;
    let events = 0;
    for (const h of hs) {
      const r = await clerk("GET", `/households/${h.id}/history?limit=200`);
      if (r.status === 200 && r.body.items.length > 2) {
        household = h;
        events = r.body.items.length;
        break;
      }
    }
    if (!household) {
      // None of the first households has three changes: give one three.
      household = hs[0];
      for (let i = 0; i < 3; i++) {
        const read = await clerk("GET", `/households/${household.id}`);
        const r = await clerk("PATCH", `/households/${household.id}`, { address: `复查地址${rnd(4)}`, reason: "e2e c2" }, { "If-Match": read.etag });
        expect(r.status === 200, `PATCH household: ${r.status} ${JSON.stringify(r.body)}`);
      }
      events = (await clerk("GET", `/households/${household.id}/history?limit=200`)).body.items.length;
    }
    await page.goto(base + `households/${household.id}`);
    await page.waitForSelector("[data-test=history]");
    expect((await page.locator("[data-test=history] .el-timeline-item").count()) === 2, "the first page of the history is not 2 changes");
    while (await page.$("[data-test=history-more]")) {
      const before = await page.locator("[data-test=history] .el-timeline-item").count();
      await page.click("[data-test=history-more]");
      await page.waitForFunction((n) => document.querySelectorAll("[data-test=history] .el-timeline-item").length > n, before);
      await page.waitForLoadState("networkidle");
    }
    const changes = await page.locator("[data-test=history] .el-timeline-item").count();
    expect(changes === Math.min(events, 200), `history shown: ${changes}, the household has ${events}`);
    await shot("c2-household-history");
  });
}
