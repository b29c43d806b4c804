// Part 1's later end-to-end steps (issue 20's last gaps), called by run.mjs with its helpers:
// a webhook delivery that failed is sent again; a measure corrected with If-Match while another
// tab saves first; the inbox and users tables virtualised; the grant picker rooted at the place
// the administrator's users:manage grant covers, and a grant revoked; the platform administrator
// onboards a county; the sign-in page's throttle message in Chinese.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export async function part1Gaps({ as, base, expect, rnd }) {
  const origin = new URL(base).origin;
  const hookUrl = `http://127.0.0.1:9/e2e-${rnd(6)}`;

  // 1. The county's data centre (an administrator who may read households too: a webhook tells
  //    what reading does) registers a webhook for household changes at an address where nothing
  //    listens (the check server allows http and internal addresses, one attempt). The county
  //    administrator alone is offered no kind.
  await as("admin.sishui", "demo-admin-2026", "admin-cannot-subscribe-unreadable-kinds", async (page) => {
    await page.goto(base + "webhooks");
    await page.waitForSelector("[data-test=webhooks]");
    await page.click("[data-test=new-webhook]");
    await page.waitForSelector("[data-test=unreadable-kinds]");
  });
  await as("datacenter.sishui", "demo-datacenter-2026", "admin-registers-a-webhook", async (page, shot) => {
    await page.goto(base + "webhooks");
    await page.waitForSelector("[data-test=webhooks]");
    await page.click("[data-test=new-webhook]");
    await page.fill("#w-url", hookUrl);
    await page.click(".el-select:has(#w-events)");
    await page.click(".el-select-dropdown__item:visible:has-text('户信息变更')");
    await page.keyboard.press("Escape");
    await page.click("[data-test=create-webhook]");
    await page.waitForSelector("[data-test=secret]");
    await page.waitForSelector(`[data-test=webhooks] .el-table__row:has-text("${hookUrl}")`);
  });

  // 2. The clerk corrects a measure (PUT with If-Match) while another tab saves first: the 412
  //    names who changed it and offers a reload; the second save goes through and is in the
  //    history. The change is a household change: the webhook above gets a delivery.
  await as("clerk.sishui", "demo-clerk-2026", "clerk-corrects-a-measure", async (page, shot) => {
    await page.goto(base + "households");
    await page.waitForSelector("[data-test=households] .el-table-v2__row");
    await page.click("[data-test=households] .el-table-v2__row >> nth=0 >> text=查看");
    await page.waitForSelector("[data-test=measures]");
    await page.click("[data-test=measure-add]");
    await page.fill("#m-responsible", "王帮扶");
    await page.fill("#m-amount", "1000");
    await page.click("[data-test=measure-save]");
    await page.waitForSelector(`[data-test=measures] .el-table__row:has-text("王帮扶"):has-text("1,000.00")`);
    // Measures are listed by date, then when recorded: today's new one is the last row.
    const last = (await page.locator("[data-test=measures] .el-table__row").count()) - 1;
    await page.click(`[data-test=measure-edit-${last}]`);
    expect((await page.inputValue("#m-amount")) === "1000.00", "the edit dialog does not show the measure");
    await page.fill("#m-amount", "1200");
    const other = await page.context().newPage();
    await other.goto(page.url());
    await other.click(`[data-test=measure-edit-${last}]`);
    await other.fill("#m-amount", "1300");
    await other.click("[data-test=measure-save]");
    await other.waitForSelector(`[data-test=measures] .el-table__row:has-text("1,300.00")`);
    await other.close();
    await page.click("[data-test=measure-save]");
    await page.waitForSelector("[data-test=measure-stale]");
    expect(/clerk\.sishui/.test(await page.textContent("[data-test=measure-stale]")), "the stale measure message names who changed it");
    await shot("household-measure-stale");
    await page.click("[data-test=measure-stale-reload]");
    await page.waitForFunction(() => document.querySelector("#m-amount")?.value === "1300.00", null, { timeout: 10000 }).catch(() => {
      throw new Error("the reload does not show the other change");
    });
    await page.fill("#m-amount", "1250");
    await page.click("[data-test=measure-save]");
    await page.waitForSelector(`[data-test=measures] .el-table__row:has-text("1,250.00")`);
    await page.waitForSelector("[data-test=history]:has-text('修改帮扶措施')");
    // The inbox is virtualised: an el-table-v2, rows rendered only as far as the view goes.
    await page.goto(base + "inbox");
    await page.waitForSelector("[data-test=inbox-summary]:has-text('共')");
    await page.waitForSelector("[data-test=tasks] .el-table-v2");
    const rendered = await page.locator("[data-test=tasks] .el-table-v2__row").count();
    const height = await page.evaluate(() => document.querySelector("[data-test=tasks]")?.clientHeight ?? 0);
    expect(rendered <= Math.ceil(height / 44) + 4, `the inbox renders ${rendered} rows in ${height} px`);
    expect((await page.locator("[data-test=tasks] .el-table__row").count()) === 0, "the inbox is not virtualised");
  });

  // 3. The failed delivery is sent again from the webhooks page.
  await as("admin.sishui", "demo-admin-2026", "admin-resends-a-failed-delivery", async (page, shot) => {
    await page.goto(base + "webhooks");
    await page.waitForSelector(`[data-test=webhooks] .el-table__row:has-text("${hookUrl}")`);
    let failed = false;
    for (let i = 0; i < 30 && !failed; i++) {
      await page.click(`[data-test="deliveries-${hookUrl}"]`);
      await page.waitForSelector("[data-test=deliveries]");
      await page.waitForLoadState("networkidle");
      failed = (await page.locator("[data-test=deliveries] [data-test=resend]").count()) > 0;
      if (!failed) {
        await page.keyboard.press("Escape");
        await page.waitForTimeout(1000);
      }
    }
    expect(failed, "no failed delivery to resend (is ZX_WEBHOOK_MAX_ATTEMPTS=1 set for the check server?)");
    expect(/失败/.test(await page.textContent("[data-test=deliveries]")), "the failed delivery is not labelled 失败");
    await shot("webhook-deliveries");
    await page.locator("[data-test=deliveries] [data-test=resend]").first().click();
    await page.waitForSelector("text=已重新排队推送");
  });

  // 4. The grant picker starts at what the administrator manages, not at their own org unit: a
  //    tenant administrator of 泗水县 whose own org unit is 济宁市 (set up through the API as the
  //    platform administrator), then grants and revokes a role.
  const api = async (method, path, token, body) => {
    const r = await fetch(origin + path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const login = await api("POST", "/api/v1/auth/login", null, { username: "platform.admin", password: "demo-platform-2026" });
  expect(login.status === 200, `platform admin login: ${login.status}`);
  const pt = login.body.access_token;
  const password = `e2e-Gaps-${rnd(8)}-xyz`;
  const cityAdmin = `cityadmin.e2e${rnd(6)}`;
  const clerk = `gapclerk.e2e${rnd(6)}`;
  const made = await api("POST", "/api/v1/users", pt, { username: cityAdmin, display_name: "市里的县管理员", password, org_unit: "370800000000" });
  expect(made.status === 201, `city user: ${made.status} ${JSON.stringify(made.body)}`);
  const granted = await api("POST", `/api/v1/users/${made.body.id}/roles`, pt, { role: "tenant_admin", org_unit: "370831000000" });
  expect(granted.status === 201, `tenant_admin at 泗水县: ${granted.status} ${JSON.stringify(granted.body)}`);
  const c = await api("POST", "/api/v1/users", pt, { username: clerk, display_name: "测试文书乙", password, org_unit: "370831001003", roles: ["village_clerk"] });
  expect(c.status === 201, `clerk: ${c.status} ${JSON.stringify(c.body)}`);

  await as(cityAdmin, password, "grant-picker-starts-at-the-managed-scope", async (page, shot) => {
    await page.goto(base + "users");
    await page.waitForSelector("[data-test=users] .el-table-v2");
    // A new user's org unit: the picker starts at 泗水县 (the grant), not 济宁市 (the org unit).
    await page.click("[data-test=new-user]");
    await page.click("[data-test=u-org] .el-cascader");
    await page.waitForSelector(".el-cascader-node:visible:has-text('泗水县')");
    const roots = await page.locator(".el-cascader-menu:visible").first().locator(".el-cascader-node").allTextContents();
    expect(roots.length === 1 && roots[0].includes("泗水县") && !roots[0].includes("济宁"), `the picker starts at ${roots}`);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    // The users table is virtualised: find the clerk by name.
    await page.fill("#u-q", clerk);
    await page.click("[data-test=users-search]");
    await page.waitForSelector(`[data-test=users] .el-table-v2__row:has-text("${clerk}")`);
    expect((await page.locator("[data-test=users] .el-table__row").count()) === 0, "the users table is not virtualised");
    await page.click(`[data-test="grant-${clerk}"]`);
    await page.waitForSelector("[data-test=grant-row-village_clerk]");
    await page.click(".el-select:has(#g-role)");
    await page.click(".el-select-dropdown__item:visible:has-text('驻村工作队员')");
    await page.click("[data-test=g-org] .el-cascader");
    await page.waitForSelector(".el-cascader-node:visible:has-text('仲子社区')");
    const where = await page.locator(".el-cascader-menu:visible").first().locator(".el-cascader-node").allTextContents();
    expect(where.length === 1 && where[0].includes("仲子社区"), `a grant for the clerk is offered at ${where}`);
    await page.keyboard.press("Escape");
    await shot("user-grant-scoped");
    await page.click("[data-test=grant-confirm]");
    await page.waitForSelector("text=已授予角色");
    // The grant is removed again (with a confirmation).
    await page.click(`[data-test="grant-${clerk}"]`);
    await page.waitForSelector("[data-test=grant-row-team_member]");
    await shot("user-grants");
    await page.click("[data-test=revoke-team_member]");
    await page.click(".el-message-box__btns button:has-text('撤销')");
    await page.waitForSelector("text=已撤销角色");
    await page.waitForSelector("[data-test=grant-row-team_member]", { state: "detached" });
    expect((await page.locator("[data-test=grant-row-village_clerk]").count()) === 1, "the other grant went too");
  });

  // 5. The platform administrator onboards a county (one not yet a tenant, from the division
  //    codes the server loaded).
  const counties = gunzipSync(readFileSync(new URL("../../data/regions/areas.csv.gz", import.meta.url)))
    .toString("utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")[0])
    .filter((x) => /^\d{6}$/.test(x) && !x.startsWith("3708"));
  await as("platform.admin", "demo-platform-2026", "platform-admin-onboards-a-county", async (page, shot) => {
    await page.goto(base + "tenants");
    await page.waitForSelector("[data-test=tenants] .el-table__row");
    let done = "";
    for (let i = 0; i < 5 && !done; i++) {
      const code = counties[Math.floor(Math.random() * counties.length)];
      await page.click("[data-test=onboard]");
      await page.fill("#t-code", code);
      await page.fill("#t-user", `admin.e2e${code}${rnd(3)}`);
      await page.fill("#t-name", "测试管理员");
      await page.fill("#t-pw", `e2e-Onboard-${rnd(8)}-xyz`);
      if (i === 0) await shot("tenant-onboard");
      await page.click("[data-test=onboard-confirm]");
      await page.click(".el-message-box__btns button:has-text('开通县')");
      const said = await Promise.race([
        page.waitForSelector("text=已开通", { timeout: 30000 }).then(() => "done"),
        page.waitForSelector(".el-dialog .el-form-item__error, .el-message--error", { timeout: 30000 }).then(() => "refused"),
      ]);
      if (said === "done") done = code;
      else await page.keyboard.press("Escape");
    }
    expect(done, "no county could be onboarded");
    await page.reload();
    await page.waitForSelector("[data-test=tenants] .el-table__row");
    // The list is ordered by county code: the new one may be on a later page.
    for (let i = 0; i < 100 && !(await page.locator(`[data-test=tenants] .el-table__row:has-text("${done}")`).count()); i++) {
      if (!(await page.locator("text=加载更多").count())) break;
      await page.click("text=加载更多");
      await page.waitForLoadState("networkidle");
    }
    expect(await page.locator(`[data-test=tenants] .el-table__row:has-text("${done}")`).count(), `the new tenant ${done} is not listed`);
    await shot("tenants-onboarded");
  });

  // 6. The sign-in page's throttle message, in Chinese, for an account name nobody has (the demo
  //    users other steps sign in as are never locked out): five failures, then 429.
  await as("auditor.sishui", "demo-auditor-2026", "sign-in-throttle-message", async (page, shot) => {
    await page.click("[data-test=logout]");
    await page.waitForSelector("#username");
    const nobody = `nobody.e2e${rnd(8)}`;
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) {
      await page.fill("#username", nobody);
      await page.fill("#password", `wrong-${rnd(6)}`);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/login")),
        page.click("button[type=submit]"),
      ]);
      status = answer.status();
      expect(status === 401 || status === 429, `a wrong sign-in answered ${status}`);
    }
    expect(status === 429, "five wrong sign-ins were not throttled");
    await page.waitForSelector(".login [role=alert]:has-text('分钟')");
    const said = await page.textContent(".login [role=alert]");
    expect(/尝试次数过多/.test(said) && /\d+\s*分钟/.test(said), `the throttle message: ${said}`);
    await shot("login-throttled");
  });
}
