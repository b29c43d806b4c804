// End-to-end checks of the create forms on the funds, projects, relocation and rangers pages
// (issue 21, console part 2), called from run.mjs with its helpers (`as` signs in through the
// console and runs `body(page, shot)`; `shot` photographs the page and runs axe-core on it).
//
// The fund officer registers a fund (a bad amount is caught under the field: a malformed one in
// the browser, 0 元 by the server's 422), creates a project in a village picked in the region
// picker, allocates to it and sees both in the ledger's tables; records a relocation plan and
// relocation funds; signs a ranger contract with a registered person found by the head's name,
// logs a patrol, records an incident and an inspection on it and terminates it; an incident in a month paid
// already is refused in Chinese — a dialog each, photographed.

const api = process.env.ZX_CHECK_URL ?? "http://127.0.0.1:8080";
const today = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());

async function call(method, path, body) {
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "funds.sishui", password: "demo-funds-2026" }),
  });
  const tok = (await login.json()).access_token;
  const r = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${tok}`, "content-type": "application/json" }, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

export async function ffunds({ as, base, expect }) {
  const tag = String(Date.now()).slice(-6);
  const doc = `泗财农〔${today().slice(0, 4)}〕FF${tag}号`;
  const projectName = `生态护林员管护补助FF${tag}`;
  const station = `泗河街道林业站FF${tag}`;
  const planName = `易地搬迁安置点FF${tag}`;
  // A registered household of the clerk's village, whose head will be the ranger.
  const hh = await call("GET", "/api/v1/households?region=370831001003&status=registered&limit=5");
  expect(hh.status === 200 && hh.body.items.length > 0, `households: ${hh.status} ${JSON.stringify(hh.body).slice(0, 200)}`);
  const head = hh.body.items[0].head_name;

  await as("funds.sishui", "demo-funds-2026", "fund-officer-registers-and-creates", async (page, shot) => {
    const closed = (sel) => page.waitForSelector(sel, { state: "hidden" }).catch(() => {});
    const pick = async (select, option) => {
      await page.click(`.el-select:has(${select})`);
      await page.click(`.el-select-dropdown__item:visible:has-text("${option}")`);
    };

    // 登记资金: a malformed amount is caught in the browser, 0 元 by the server — each under
    // the amount; then 50,000 元 is saved and the fund is in the table.
    await page.goto(base + "funds");
    await page.waitForSelector("[data-test=funds]");
    await page.click("[data-test=fund-register]");
    await page.waitForSelector("#ff-source");
    await page.fill("#ff-doc", doc);
    await page.fill("#ff-source", "县级财政生态护林员补助");
    await pick("#ff-purpose", "生态");
    await page.fill("#ff-amount", "12.345");
    await page.click("[data-test=ff-save]");
    const amountError = page.locator(".el-form-item:has(#ff-amount) .el-form-item__error");
    await amountError.waitFor();
    expect((await amountError.textContent()).includes("两位小数"), `the browser's amount error: ${await amountError.textContent()}`);
    await page.fill("#ff-amount", "0");
    await page.click("[data-test=ff-save]");
    await page.waitForSelector(".el-message--error:has-text('请检查标红的字段')");
    await amountError.waitFor();
    const serverSays = (await amountError.textContent()).trim();
    expect(serverSays && !serverSays.includes("两位小数"), `the server's 422 under the amount: ${serverSays}`);
    // The server's own words, rendered from its typed rule in the console's language (issue 20).
    expect(/[\u4e00-\u9fff]/.test(serverSays) && !/[A-Za-z]{4,}/.test(serverSays), `the server's field error is not in Chinese: ${serverSays}`);
    await shot("ffunds-fund-error");
    await page.fill("#ff-amount", "50000");
    await shot("ffunds-fund-dialog");
    await page.click("[data-test=ff-save]");
    await page.waitForSelector(`[data-test="fund-${doc}"]`);
    const fundRow = await page.textContent(`[data-test=funds] .el-table__row:has([data-test="fund-${doc}"])`);
    expect(fundRow.includes("50,000.00") && fundRow.includes("生态"), `the fund's row: ${fundRow}`);

    // 新建项目 in 仲子社区 (the region picker), an ecology subsidy not paid by progress.
    await page.click("[data-test=project-new]");
    await page.waitForSelector("#fp-name");
    await page.fill("#fp-name", projectName);
    await page.click("[data-test=fp-region] .el-cascader");
    await page.click(".el-cascader-node:visible:has-text('泗水县')");
    await page.click(".el-cascader-menu:visible >> nth=1 >> .el-cascader-node:has-text('泗河街道')");
    await page.locator(".el-cascader-menu:visible").nth(2).locator(".el-cascader-node:has-text('仲子社区') .el-radio").click();
    await page.click("[data-test=project-dialog] .el-dialog__title");
    await pick("#fp-purpose", "生态");
    await page.fill("#fp-budget", "20000");
    await page.fill("#fp-account", "泗水县扶贫资金专户");
    await page.click("[data-test=project-dialog] .el-form-item:has-text('按工程进度拨付') .el-checkbox");
    await shot("ffunds-project-dialog");
    await page.click("[data-test=fp-save]");
    await page.waitForSelector(`[data-test=fund-projects] >> text=${projectName}`);

    // Allocate 20,000 元 of the new fund to it: the ledger and the fund's row say so.
    await page.click(`[data-test=fund-projects] >> text=${projectName}`);
    await page.waitForSelector("[data-test=ledger-title]");
    await page.click("[data-test=allocate]");
    await pick("#a-fund", doc);
    await page.fill("#a-amount", "20000");
    await page.click("[data-test=action-save]");
    await page.waitForSelector(`[data-test=ledger-allocations] >> text=${doc}`);
    await page.click(`[data-test="fund-${doc}"]`);
    await page.waitForSelector(`[data-test=fund-projects] >> text=${projectName}`);
    const allocated = await page.textContent(`[data-test=funds] .el-table__row:has([data-test="fund-${doc}"])`);
    expect(allocated.includes("20,000.00"), `the fund's allocated: ${allocated}`);
    await shot("ffunds-funds");

    // The projects page offers the same form and lists the project.
    await page.goto(base + "projects");
    await page.waitForSelector(`[data-test=projects] >> text=${projectName}`);
    expect(await page.isVisible("[data-test=project-new]"), "no 新建项目 on the projects page");

    // Relocation: a plan, and relocation funds received (a fund with the purpose fixed).
    await page.goto(base + "relocation");
    await page.waitForSelector("[data-test=relocation-summary]");
    await page.click("[data-test=plan-new]");
    await page.waitForSelector("#rp-name");
    await page.fill("#rp-name", planName);
    await page.click("[data-test=rp-region] .el-cascader");
    await page.click(".el-cascader-node:visible:has-text('泗水县') .el-radio");
    await page.click("[data-test=plan-dialog] .el-dialog__title");
    await page.fill("#rp-households", "3");
    await page.fill("#rp-people", "11");
    await shot("ffunds-plan-dialog");
    await page.click("[data-test=rp-save]");
    await page.waitForSelector(`[data-test=relocation-plans] >> text=${planName}`);
    await page.click("[data-test=fund-register]");
    await page.waitForSelector("#ff-source");
    expect(await page.isDisabled("#ff-purpose"), "the relocation fund's purpose can be changed");
    await page.fill("#ff-doc", `${doc}搬迁`);
    await page.fill("#ff-source", "中央预算内易地扶贫搬迁资金");
    await pick("#ff-level", "中央");
    await page.fill("#ff-amount", "30000");
    await shot("ffunds-relocation-fund-dialog");
    await page.click("[data-test=ff-save]");
    await closed("[data-test=fund-dialog]");
    await page.waitForSelector("[data-test=relocation-plans] .el-table__row");
    await shot("ffunds-relocation");

    // A ranger contract with the head of a registered household, paid from the new project.
    await page.goto(base + "rangers");
    await page.waitForSelector("[data-test=rangers]");
    await page.click("[data-test=contract-new]");
    await page.fill("#rc-head", head);
    await page.click("[data-test=rc-find]");
    await page.waitForSelector(`.el-select:has(#rc-member) .el-select__selected-item:has-text("${head}")`);
    await page.fill("#rc-station", station);
    await page.fill("#rc-group", "一组");
    await page.fill("#rc-east", "山脊");
    await page.fill("#rc-south", "河沟");
    await page.fill("#rc-west", "公路");
    await page.fill("#rc-north", "林场");
    await pick("#rc-project", projectName);
    await shot("ffunds-contract-dialog");
    await page.click("[data-test=rc-save]");
    await page.waitForSelector(`[data-test=rangers] >> text=${station}`);
    // The contracts table names the ranger.
    const contractRow = await page.textContent(`[data-test=rangers] .el-table__row:has-text("${station}")`);
    expect(contractRow.includes(head), `the contract's row names the ranger ${head}: ${contractRow}`);
    await page.click(`[data-test=rangers] .el-table__row:has-text("${station}")`);
    await page.waitForSelector("[data-test=incident-new]");

    // A patrol with a finding reported, in the patrol log.
    await page.click("[data-test=patrol-new]");
    await page.waitForSelector("#rr-area");
    await page.fill("#rr-area", "一号巡护线：村北山林");
    await page.fill("#rr-findings", "发现林下有烟头，已清理");
    await page.click("[data-test=rr-reported]");
    await shot("ffunds-patrol-dialog");
    await page.click("[data-test=rr-save]");
    await page.waitForSelector("[data-test=ranger-patrols] >> text=一号巡护线：村北山林");

    // An incident (a fire through negligence) and an inspection (absent), in the record.
    await page.click("[data-test=incident-new]");
    await page.waitForSelector("#rr-kind");
    await page.fill("#rr-burnt", "2.5");
    await page.click("[data-test=rr-negligence]");
    await page.fill("#rr-description", "清明上坟烧纸引发山火，护林员未及时发现");
    await shot("ffunds-incident-dialog");
    await page.click("[data-test=rr-save]");
    await page.waitForSelector("[data-test=ranger-incidents] >> text=森林火灾");
    await page.click("[data-test=inspection-new]");
    await page.waitForSelector("#rr-note");
    await page.click("[data-test=rr-absent]");
    await page.fill("#rr-note", "抽查不在岗");
    await shot("ffunds-inspection-dialog");
    await page.click("[data-test=rr-save]");
    await page.waitForSelector("[data-test=ranger-inspections] >> text=抽查不在岗");

    // Termination: the last day and why, after a confirmation; the contract says so.
    await page.click("[data-test=terminate]");
    await page.waitForSelector("#rr-reason");
    await page.fill("#rr-reason", "护林员失职造成森林火灾");
    await shot("ffunds-terminate-dialog");
    await page.click("[data-test=rr-save]");
    await page.click(".el-message-box__btns .el-button--primary");
    await page.waitForSelector("[data-test=ranger-terminated]");
    expect(!(await page.isVisible("[data-test=terminate]")), "a terminated contract still offers 解除合同");
    await shot("ffunds-ranger-terminated");

    // A record in a month already paid is refused in Chinese (month_paid) and nothing is added:
    // the demo ranger's March of last year.
    await page.click(".el-drawer__close-btn");
    await page.locator("[data-test=rangers] .el-table__row").filter({ hasText: "泗河街道林业站" }).filter({ hasNotText: "FF" }).first().click();
    await page.waitForSelector("[data-test=ranger-incidents] >> text=巡护不到位造成林木损失");
    const before = await page.locator("[data-test=ranger-incidents] .el-table__row").count();
    await page.click("[data-test=incident-new]");
    await page.waitForSelector("#rr-kind");
    await page.fill("#rr-on", `${Number(today().slice(0, 4)) - 1}-03-20`);
    await page.keyboard.press("Enter");
    await page.click("[data-test=record-dialog] .el-dialog__title");
    await page.click("[data-test=rr-save]");
    await page.waitForSelector(".el-message--error:has-text('该月补助已发放')");
    await shot("ffunds-incident-refused");
    await page.click("[data-test=record-dialog] .el-dialog__footer >> text=取消");
    expect((await page.locator("[data-test=ranger-incidents] .el-table__row").count()) === before, "a refused incident was recorded");
  });

  // A user without funds:manage is offered none of the forms. (The clerk has no funds:read
  // either: the console's guard, src/lib/access.ts, shows the no-access page instead.)
  await as("clerk.sishui", "demo-clerk-2026", "clerk-sees-no-fund-forms", async (page) => {
    for (const [path, sel] of [["funds", "[data-test=funds]"], ["rangers", "[data-test=rangers]"], ["relocation", "[data-test=relocation-plans]"]]) {
      await page.goto(base + path);
      await page.waitForSelector(`${sel}, [data-test=no-access]`);
      expect(!(await page.isVisible("[data-test=fund-register], [data-test=project-new], [data-test=contract-new], [data-test=plan-new]")), `a create form offered to the clerk on ${path}`);
    }
  });
}
