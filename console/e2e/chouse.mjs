// End-to-end checks of the console's issue 21 part 2 screens (chouse), called from run.mjs with
// its helpers; every page photographed (and checked by axe) through `shot`.
//
// - the fund officer records a household's benefit card (一卡通): a number failing the Luhn check
//   is refused by the server under the field, a good one is shown masked (first and last four
//   digits, never the whole number); then imports a card for the same household from a CSV (a
//   dry run records nothing, "按此文件导入" replaces the card);
// - the fund officer opens a relocation plan's subsidy roster (PDF in a new tab) and saves it as
//   DOCX; a plan nobody was paid under says in Chinese that there is no roster yet;
// - the county administrator adds a CORS origin (a bad one gets the server's error under the
//   field), sees it listed, and removes it after a confirmation;
// - the fund officer names a project's manager by picking a user of the county from the list
//   the server offers (searched by the start of the display name).

import { caller } from "./lib.mjs";

const FUNDS = ["funds.sishui", "demo-funds-2026"];
const ADMIN = ["admin.sishui", "demo-admin-2026"];
const today = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());

/** A card number of `prefix` and random digits, 19 long, with its Luhn check digit. */
function cardNumber(prefix = "621700") {
  let body = prefix;
  while (body.length < 18) body += String(Math.floor(Math.random() * 10));
  const sum = [...body].reverse().reduce((s, c, i) => {
    let d = Number(c);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    return s + d;
  }, 0);
  return body + String((10 - (sum % 10)) % 10);
}
/** The same number with its last digit changed: fails the Luhn check. */
const spoiled = (n) => n.slice(0, -1) + String((Number(n.slice(-1)) + 1) % 10);
const masked = (n) => new RegExp(`^${n.slice(0, 4)}\\*+${n.slice(-4)}$`);

export async function chouse({ as, base, expect, rnd }) {
  const funds = await caller(...FUNDS);
  const list = await funds("GET", "/households?limit=20");
  expect(list.status === 200 && list.body.items?.length, `GET /households: ${list.status}`);
  const household = list.body.items[Math.floor(Math.random() * list.body.items.length)];

  await as(...FUNDS, "chouse-benefit-card", async (page, shot) => {
    const first = cardNumber();
    await page.goto(base + `households/${household.id}`);
    await page.waitForSelector("[data-test=benefit-card] [data-test=card-set]");
    await page.click("[data-test=card-set]");
    await page.fill("#bc-bank", "泗水县农村商业银行");
    // Twelve to nineteen digits but failing the Luhn check: the server's refusal, in Chinese.
    await page.fill("#bc-number", spoiled(first));
    await page.click("[data-test=card-save]");
    const error = page.locator("[data-test=bc-number] .el-form-item__error");
    await error.waitFor();
    expect(/[\u4e00-\u9fff]/.test(await error.textContent()), `the server's error under the card number: ${await error.textContent()}`);
    await shot("chouse-card-dialog");
    await page.fill("#bc-number", first);
    await page.click("[data-test=card-save]");
    await page.waitForSelector(`[data-test=card-masked]:has-text("${first.slice(-4)}")`);
    const shown = (await page.textContent("[data-test=card-masked]")).trim();
    expect(masked(first).test(shown), `the card as shown: ${shown}`);
    expect(!(await page.content()).includes(first), "the whole card number is on the page");
    await shot("chouse-card");

    // The bulk import: the same household, another card, from a CSV built on the template.
    const template = await funds("GET", "/imports/benefit-cards/template?format=csv");
    expect(template.status === 200, `the template: ${template.status}`);
    const header = String(template.body).replace(/^\uFEFF/, "").split(/\r?\n/)[0];
    expect(header.includes("卡号"), `the template's header: ${header}`);
    const second = cardNumber("622200");
    const csv = `${header}\n${household.household_number},,中国农业银行泗水支行,${second}\n`;
    await page.goto(base + "import");
    await page.waitForSelector("[data-test=import-template]");
    await page.setInputFiles("[data-test=file]", { name: "cards.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click("[data-test=start-import]");
    await page.waitForSelector("[data-test=import-checked]", { timeout: 60_000 });
    const dry = await page.textContent("[data-test=import-summary]");
    expect(/已登记\s*1/.test(dry), `the dry run's summary: ${dry}`);
    const still = await funds("GET", `/households/${household.id}/benefit-card`);
    expect(masked(first).test(still.body.card_masked), `a dry run changed the card: ${JSON.stringify(still.body)}`);
    await shot("chouse-import-checked");
    await page.click("[data-test=import-now]");
    await page.waitForSelector("[data-test=import-mode]:has-text('导入结果')", { timeout: 60_000 });
    const now = await funds("GET", `/households/${household.id}/benefit-card`);
    expect(masked(second).test(now.body.card_masked), `the import did not replace the card: ${JSON.stringify(now.body)}`);
    await shot("chouse-import-done");
  });

  // A relocation plan paid to one household (API), and one nobody was paid under.
  const year = Number(today().slice(0, 4));
  const tag = rnd(6);
  const plan = async (name) => {
    const r = await funds("POST", "/relocation-plans", { region_code: "370831", year, name, households: 1, people: 2 });
    expect(r.status === 201, `POST /relocation-plans: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const paid = await plan(`搬迁计划CH${tag}甲`);
  const unpaid = await plan(`搬迁计划CH${tag}乙`);
  const fund = await funds("POST", "/funds", {
    county_code: "370831", year, level: "city", source: "易地扶贫搬迁补助资金", purpose: "relocation", amount_fen: paid.entitlement_fen,
    document_no: `济财农〔${year}〕CH${tag}号`, received_on: today(), bundled: false, linking: false,
  });
  expect(fund.status === 201, `POST /funds: ${fund.status} ${JSON.stringify(fund.body)}`);
  const alloc = await funds("POST", "/allocations", { fund_id: fund.body.id, project_id: paid.project_id, amount_fen: paid.entitlement_fen }, { "Idempotency-Key": crypto.randomUUID() });
  expect(alloc.status === 201, `POST /allocations: ${alloc.status} ${JSON.stringify(alloc.body)}`);
  const card = await funds("PUT", `/households/${household.id}/benefit-card`, { bank_name: "泗水县农村商业银行", card_number: cardNumber() });
  expect(card.status === 200, `PUT benefit-card: ${card.status} ${JSON.stringify(card.body)}`);
  const pay = await funds("POST", `/projects/${paid.project_id}/disbursements`, {
    amount_fen: paid.entitlement_fen, kind: "subsidy", payee: household.head_name, household_id: household.id, paid_on: today(),
  }, { "Idempotency-Key": crypto.randomUUID() });
  expect(pay.status === 201, `POST disbursements: ${pay.status} ${JSON.stringify(pay.body)}`);

  await as(...FUNDS, "chouse-roster", async (page, shot) => {
    await page.goto(base + "relocation");
    const row = (name) => page.locator(`[data-test=relocation-plans] .el-table__row:has-text("${name}")`).first();
    await row(paid.name).waitFor();
    const [tab] = await Promise.all([page.context().waitForEvent("page"), row(paid.name).locator("[data-test=relocation-roster] button").first().click()]);
    // The PDF fetched with the token and handed to the new tab: shown by the browser's viewer, or
    // (a headless browser without one) downloaded from it.
    const shown = await Promise.race([
      tab.waitForURL(/^blob:/, { timeout: 30_000 }).then(() => "viewer"),
      tab.waitForEvent("download", { timeout: 30_000 }).then(() => "download"),
    ]).catch(() => tab.url());
    expect(shown === "viewer" || shown === "download", `the roster's tab: ${shown}`);
    await tab.close().catch(() => {});
    const [file] = await Promise.all([page.waitForEvent("download"), row(paid.name).locator("[data-test=doc-docx]").click()]);
    expect(file.suggestedFilename().endsWith(".docx"), `the roster saved as ${file.suggestedFilename()}`);
    const [html] = await Promise.all([page.waitForEvent("download"), row(paid.name).locator("[data-test=doc-html]").click()]);
    expect(html.suggestedFilename().endsWith(".html"), `the roster saved as ${html.suggestedFilename()}`);
    // Nobody paid: said in Chinese, nothing opened.
    await row(unpaid.name).locator("[data-test=doc-pdf]").click();
    await page.waitForSelector(".el-message--error:has-text('尚无已发放的农户')");
    await shot("chouse-roster");
  });

  await as(...ADMIN, "chouse-cors", async (page, shot) => {
    const origin = `https://e2e-${tag}.sishui.gov.cn`;
    await page.goto(base);
    await page.click(".el-sub-menu__title:has-text('系统管理')");
    await page.click(".el-menu-item:has-text('跨域来源')");
    await page.waitForSelector("[data-test=cors-origins]");
    // Not https: the server's refusal of that origin, under the field.
    await page.fill("#cors-origin", `ftp://e2e-${tag}.sishui.gov.cn`);
    await page.click("[data-test=cors-add]");
    const error = page.locator("[data-test=cors-field] .el-form-item__error");
    await error.waitFor();
    expect(/https/.test(await error.textContent()) && /[\u4e00-\u9fff]/.test(await error.textContent()), `the server's error under the origin: ${await error.textContent()}`);
    await shot("chouse-cors-refused");
    await page.fill("#cors-origin", origin);
    await page.click("[data-test=cors-add]");
    const listed = page.locator(`[data-test=cors-origins] .el-table__row:has-text("${origin}")`);
    await listed.waitFor();
    const api = await caller(...ADMIN);
    expect((await api("GET", "/cors-origins")).body.origins.includes(origin), "the origin is not saved");
    await shot("chouse-cors");
    await listed.locator("[data-test=cors-remove]").click();
    await page.waitForSelector(".el-message-box:has-text('确定删除')");
    await page.click(".el-message-box__btns .el-button--primary");
    await listed.waitFor({ state: "detached" });
    expect(!(await api("GET", "/cors-origins")).body.origins.includes(origin), "the origin is still allowed");
  });

  // A second fund officer of the county (API), to be picked as a project's manager.
  const admin = await caller(...ADMIN);
  const name = `项目专人${tag}`;
  const user = await admin("POST", "/users", { username: `mgr.ch${tag}`, display_name: name, password: `Chouse-${tag}-pass-2026`, org_unit: "370831", roles: ["fund_officer"] }, { "Idempotency-Key": crypto.randomUUID() });
  expect(user.status === 201, `POST /users: ${user.status} ${JSON.stringify(user.body)}`);
  const projectName = `村内道路CH${tag}`;
  const project = await funds("POST", "/projects", {
    region_code: "370831001003", year, name: projectName, purpose: "infrastructure", budget_fen: 1_000_000, pay_by_progress: true, account: "泗水县衔接资金专户",
  });
  expect(project.status === 201, `POST /projects: ${project.status} ${JSON.stringify(project.body)}`);

  await as(...FUNDS, "chouse-manager", async (page, shot) => {
    await page.goto(base + "projects");
    const projectRow = `[data-test=projects] .el-table__row:has-text("${projectName}")`;
    await page.waitForSelector("[data-test=projects] .el-table__row");
    for (let i = 0; i < 10 && !(await page.locator(projectRow).count()) && (await page.locator("[data-test=projects-more]").count()); i++) {
      await page.click("[data-test=projects-more]");
      await page.waitForTimeout(500);
    }
    await page.locator(projectRow).first().locator(".el-table__expand-icon").click();
    await page.click("[data-test=projects] [data-test=set-manager]");
    await page.waitForSelector("[data-test=posting-dialog]");
    await page.click("[data-test=manager-other]");
    await page.click("[data-test=pm-user] .el-select");
    await page.keyboard.type(name.slice(0, 5));
    // Once the search is answered, only users whose name starts so are offered.
    await page
      .waitForFunction((prefix) => {
        const shown = [...document.querySelectorAll(".el-select-dropdown__item")].filter((e) => e.offsetParent !== null);
        return shown.length > 0 && shown.every((e) => e.textContent.trim().startsWith(prefix));
      }, name.slice(0, 5), { timeout: 15_000 })
      .catch(async () => expect(false, `offered beyond the prefix: ${(await page.locator(".el-select-dropdown__item:visible").allTextContents()).join(" | ")}`));
    const option = page.locator(`.el-select-dropdown__item:visible:has-text("${name}")`);
    await option.waitFor();
    await shot("chouse-manager-pick");
    await option.click();
    await page.click("[data-test=posting-save]");
    await page.waitForSelector(`[data-test=projects] [data-test=project-manager]:has-text("${name}")`);
    const saved = await funds("GET", `/projects/${project.body.id}`);
    expect(saved.body.manager?.id === user.body.id, `the manager saved: ${JSON.stringify(saved.body.manager)}`);
    await shot("chouse-manager");
  });
}
