// End-to-end checks of the console in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), against a running demo server (ZX_CHECK_URL), as the demo users. Every page
// is screenshotted into ZX_SHOTS (default ../target/console). Any Content-Security-Policy
// violation, uncaught page error or message shown by its key (src/i18n.ts, `missing`) fails the run.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beijing, caller } from "./lib.mjs";

// axe-core, evaluated through the DevTools protocol (not a script tag: the CSP allows none).
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const a11y = [];

const base = (process.env.ZX_CHECK_URL ?? "http://127.0.0.1:8080") + "/console/";
const shots = process.env.ZX_SHOTS ?? new URL("../../target/console/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
let passed = 0;
let failed = 0;

function expect(ok, what) {
  if (!ok) throw new Error(what);
}

// ZX_E2E_ONLY: a regular expression; only the tests whose name matches run (one spec while
// working on it, e.g. ZX_E2E_ONLY='intake|inspect'). Unset: every test.
const only = process.env.ZX_E2E_ONLY ? new RegExp(process.env.ZX_E2E_ONLY) : null;

async function as(user, password, name, body) {
  if (only && !only.test(name)) return;
  // Reduced motion, as many office PCs are set: the console then moves nothing (style.css).
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", timezoneId: "Asia/Shanghai", reducedMotion: "reduce" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to|\[i18n\] missing message/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  // Labels come from the server's vocabularies, loaded once signed in.
  let vocabularies = 0;
  page.on("response", (r) => {
    if (r.url().endsWith("/api/v1/vocabularies") && r.status() === 200) vocabularies++;
  });
  // A screenshot of the page, and its accessibility check (serious and critical findings).
  const shot = async (n) => {
    // What a user sees once things have moved into place: a dialog fading in or a menu fading
    // out is checked (and photographed) half-transparent otherwise, with contrast it never has
    // at rest. Endless animations (spinners) are not waited for.
    await page
      .waitForFunction(
        () => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getComputedTiming().endTime === Infinity),
        null,
        { timeout: 3000 },
      )
      .catch(() => {});
    await page.screenshot({ path: `${shots}/${n}.png`, fullPage: true });
    if (n.startsWith("failed-")) return;
    await page.evaluate(axeSource);
    const found = await page.evaluate(async () => {
      const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 2).map((x) => `${x.target.join(" ")} ${x.html.slice(0, 120)}${x.any?.[0]?.data?.fgColor ? ` [${x.any[0].data.fgColor} on ${x.any[0].data.bgColor}, ${x.any[0].data.contrastRatio}:1]` : ""}`).join(", ")}`);
    });
    for (const f of found) a11y.push(`${n}: ${f}`);
  };
  const started = Date.now();
  try {
    await page.goto(base);
    await page.waitForSelector("#username");
    await shot("login");
    await page.fill("#username", user);
    await page.fill("#password", password);
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-test=org-unit]");
    await page.waitForLoadState("networkidle");
    expect(!(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).includes("ey"), "a token in web storage");
    const cookies = await context.cookies();
    const c = cookies.find((x) => x.name === "zx_refresh");
    expect(c && c.httpOnly && c.sameSite === "Strict" && c.path === "/api/v1/auth", `refresh cookie: ${JSON.stringify(c)}`);
    await page.waitForFunction(() => true);
    expect(vocabularies > 0, "the vocabularies were not loaded after sign-in");
    await body(page, shot);
    expect(problems.length === 0, `browser problems: ${problems.join(" | ")}`);
    passed++;
    console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed++;
    await shot(`failed-${name}`).catch(() => {});
    console.log(`FAIL ${name}: ${e.message}`);
  } finally {
    await context.close();
  }
}

// GB 11643 check character.
function idNumber(prefix17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...prefix17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return prefix17 + "10X98765432"[sum % 11];
}
// Random digits for numbers the checks register (household numbers, ID numbers' sequence, …).
// A draw of 3 digits or more never repeats within a run: the checks build numbers as a fixed
// prefix and such a draw, several checks share prefixes, and a repeat was a 409 in CI now and
// then (two draws of 3 digits under one prefix meet one run in a thousand). The database is new
// each run (ZX_CHECK_FRESH), so this run's draws are all that can meet.
const drawn = new Map();
const rnd = (n) => {
  for (;;) {
    const v = String(Math.floor(Math.random() * 10 ** n)).padStart(n, "0");
    if (n < 3) return v;
    const seen = drawn.get(n) ?? drawn.set(n, new Set()).get(n);
    if (seen.size >= 10 ** n / 2) throw new Error(`rnd(${n}): half the values drawn already`);
    if (!seen.has(v)) {
      seen.add(v);
      return v;
    }
  }
};

await as("clerk.sishui", "demo-clerk-2026", "clerk-registers-a-household", async (page, shot) => {
  await shot("home-clerk");
  await page.goto(base + "households");
  await page.waitForSelector("[data-test=households] .el-table-v2__row");
  await shot("households");
  // The print view (the header's 打印 is the browser's print): A4 without the menu, header or
  // buttons; the table stays.
  expect(await page.isVisible("[data-test=print]"), "no 打印 in the header");
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    menu: getComputedStyle(document.querySelector(".el-aside")).display,
    header: getComputedStyle(document.querySelector(".el-header")).display,
    table: getComputedStyle(document.querySelector("[data-test=households]")).display,
    note: getComputedStyle(document.querySelector(".print-only")).display,
  }));
  // The list is a virtual table: the printout says it holds the rows on screen, and where the rest are.
  expect(printed.menu === "none" && printed.header === "none" && printed.table !== "none" && printed.note !== "none", `the print view: ${JSON.stringify(printed)}`);
  await page.screenshot({ path: `${shots}/households-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  // The status filter offers every HouseholdStatus of the contract, in Chinese.
  const contract = JSON.parse(readFileSync(new URL("../../openapi/openapi.json", import.meta.url), "utf8"));
  const statuses = contract.components.schemas.HouseholdStatus.enum;
  await page.click(".el-select:has(#q-status)");
  await page.waitForSelector(".el-select-dropdown__item:visible");
  const offered = await page.locator(".el-select-dropdown__item:visible").allTextContents();
  expect(
    statuses.length === 6 && offered.length === statuses.length && offered.every((o) => /^[\u4e00-\u9fff]+$/.test(o.trim())),
    `status filter offers ${JSON.stringify(offered)} for ${statuses}`,
  );
  expect(["未脱贫", "已脱贫", "一般农户", "已清退"].every((l) => offered.some((o) => o.trim() === l)), `status labels: ${offered}`);
  await page.keyboard.press("Escape");
  await page.click("text=新增");
  await page.waitForSelector("#r-number");
  const number = "3708310010039" + rnd(3);
  const head = "测" + rnd(2).replace(/\d/g, (d) => "零一二三四五六七八九"[d]);
  await page.fill("#r-number", number);
  // A wrong check character is caught while typing.
  const good = idNumber("37083119800101" + rnd(3));
  const bad = good.slice(0, 17) + (good[17] === "1" ? "2" : "1");
  await page.fill("#r-id", bad);
  await page.waitForSelector("text=身份证号校验位不正确");
  await page.fill("#r-id", good);
  await page.fill("#r-name", head);
  await page.click(".el-select:has(#r-cause)");
  await page.click(".el-select-dropdown__item:visible >> nth=0");
  await page.keyboard.press("Escape");
  await shot("register");
  await page.click("[data-test=register]");
  await page.waitForSelector("[data-test=members]");
  const masked = await page.textContent("[data-test=id-masked]");
  expect(masked.includes("*") && !masked.includes(good.slice(6, 14)), `ID number not masked: ${masked}`);
  await shot("household");
  // An edit based on a stale version (someone saved first in another tab) is refused with who
  // and when, and a reload.
  await page.click("[data-test=edit]");
  await page.fill("#e-address", "第一次修改");
  const other = await page.context().newPage();
  await other.goto(page.url());
  await other.click("[data-test=edit]");
  await other.fill("#e-address", "另一处先保存");
  await other.fill("#e-reason", "核对住址");
  await other.click("[data-test=save]");
  await other.waitForSelector("text=已保存");
  await other.close();
  await page.click("[data-test=save]");
  await page.waitForSelector("[data-test=stale]");
  expect(/clerk\.sishui/.test(await page.textContent("[data-test=stale]")), "the stale message names who changed it");
  await shot("household-stale");
  await page.click("[data-test=stale-reload]");
  await page.waitForFunction(() => document.querySelector("#e-address")?.value === "另一处先保存", null, { timeout: 10000 }).catch(() => {
    throw new Error("the reload shows the other change");
  });
  await page.fill("#e-address", "第二次修改");
  await page.click("[data-test=save]");
  await page.waitForSelector("[data-test=history]:has-text('修改户信息')");
  // Reveal with a reason: the full number appears in the dialog only.
  await page.click("[data-test=reveal]");
  await page.fill("#reveal-reason", "核对低保申请材料");
  await page.click("[data-test=reveal-confirm]");
  await page.waitForSelector("[data-test=revealed]");
  expect((await page.textContent("[data-test=revealed]")) === good, "revealed number");
  await shot("household-reveal");
  await page.keyboard.press("Escape");
  // Yearly records: a server refusal shown under its field, then recorded; an edit based on a
  // stale version refused with who and when, and a reload.
  const year = String(new Date().getFullYear() - 1);
  await page.click("[data-test=year-add]");
  await page.fill("#y-income_per_capita_fen", "2000000000");
  await page.click("[data-test=year-save]");
  // The server's refusal, in the console's language (its rule rendered in Chinese).
  await page.waitForSelector(".el-dialog .el-form-item__error:has-text('数值过大')");
  await shot("household-year-refused");
  await page.fill("#y-income_per_capita_fen", "4500.50");
  await page.click("[data-test=year-save]");
  await page.waitForSelector(`[data-test=years] .el-table__row:has-text("4,500.50")`);
  await page.click(`[data-test=year-edit-${year}]`);
  await page.fill("#y-income_per_capita_fen", "4600");
  const other2 = await page.context().newPage();
  await other2.goto(page.url());
  await other2.click(`[data-test=year-edit-${year}]`);
  await other2.fill("#y-income_per_capita_fen", "4700");
  await other2.click("[data-test=year-save]");
  await other2.waitForSelector(`[data-test=years] .el-table__row:has-text("4,700.00")`);
  await other2.close();
  await page.click("[data-test=year-save]");
  await page.waitForSelector("[data-test=year-stale]");
  expect(/clerk\.sishui/.test(await page.textContent("[data-test=year-stale]")), "the stale year message names who changed it");
  await shot("household-year-stale");
  await page.click("[data-test=year-stale-reload]");
  await page.waitForFunction(() => document.querySelector("#y-income_per_capita_fen")?.value === "4700.00", null, { timeout: 10000 }).catch(() => {
    throw new Error("the year reload shows the other change");
  });
  await page.keyboard.press("Escape");
  // A measure, added once (an Idempotency-Key per dialog) and listed.
  await page.click("[data-test=measure-add]");
  await page.fill("#m-responsible", "张帮扶");
  await page.fill("#m-amount", "3000");
  await shot("household-measure");
  await page.click("[data-test=measure-save]");
  await page.waitForSelector(`[data-test=measures] .el-table__row:has-text("产业帮扶"):has-text("3,000.00")`);
  // The state at the end of a day: labelled as the past, nothing editable while shown.
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
  await page.fill("#as-of", today);
  await page.press("#as-of", "Enter");
  await page.waitForSelector("[data-test=as-of-banner]:has-text('历史状态')");
  expect((await page.locator("[data-test=edit], [data-test=year-add], [data-test=measure-add]").count()) === 0, "the past state is editable");
  await shot("household-as-of");
  await page.click("[data-test=as-of-clear]");
  await page.waitForSelector("[data-test=edit]");
  // The list finds it by name prefix.
  await page.goto(base + "households");
  await page.fill("#q-name", head);
  await page.click("[data-test=search]");
  await page.waitForSelector(`[data-test=households] .el-table-v2__row:has-text("${number}")`);
  await page.goto(base + "import");
  await page.waitForSelector("[data-test=start-import]");
  await shot("import");
  await page.goto(base + "inbox");
  await page.waitForSelector("[data-test=inbox-summary]:has-text('共')");
  await page.waitForLoadState("networkidle");
  // Places by name, not by 12-digit code: the tasks' regions and the user's scope.
  const regions = await page.locator("[data-test=task-region]").allTextContents();
  expect(regions.every((x) => !/^\d{12}$/.test(x.trim())), `region codes instead of names in the inbox: ${regions.slice(0, 3)}`);
  expect((await page.textContent(".unit")).includes("及所辖区域"), "the scope is not named");
  await shot("inbox");
  await page.goto(base + "monitoring");
  await page.waitForSelector("[data-test=cases]");
  await page.waitForLoadState("networkidle");
  await shot("monitoring");
});

let exitListUrl = "";
await as("clerk.sishui", "demo-clerk-2026", "an-objection-blocks-the-exit-list", async (page, shot) => {
  await page.goto(base + "exit");
  await page.fill("#x-year", "2016");
  await page.click("[data-test=search]");
  await page.waitForSelector("[data-test=exit-lists] .el-table__row");
  await shot("exit-lists");
  await page.click("[data-test=exit-lists] .el-table__row >> nth=0 >> text=查看");
  await page.waitForSelector("[data-test=stepper]");
  await page.waitForSelector("[data-test=countdown]");
  await shot("exit-list");
  await page.click("[data-test=raise]");
  await page.click(".el-select:has(#o-household)");
  await page.click(".el-select-dropdown__item:visible >> nth=0");
  await page.fill("#o-by", "匿名");
  await page.fill("#o-content", "该户家中新购轿车，收入可能不实");
  await page.click("[data-test=raise-confirm]");
  await page.waitForSelector("[data-test=blocked]");
  await shot("exit-objection");
  exitListUrl = page.url();
  // The open objection is in the clerk's inbox.
  await page.goto(base + "inbox");
  await page.waitForSelector("[data-test=inbox-objection]");
  await page.waitForLoadState("networkidle");
  const named = await page.locator("[data-test=task-region]").allTextContents();
  expect(named.length > 0 && named.every((x) => /[\u4e00-\u9fa5]/.test(x)), `the inbox's places are not named: ${named.slice(0, 3)}`);
});

// The township's next step is refused while the objection is open and the notice runs. The server
// checks the notice first, so its refusal is `notice_period_running`, worded by that code; once
// the demo's clock has ended the notice (below), the objection's own refusal is met.
await as("reviewer.sishui", "demo-reviewer-2026", "the-next-step-waits-for-the-objection", async (page, shot) => {
  expect(exitListUrl, "no exit list from the clerk's test");
  await page.goto(exitListUrl);
  await page.waitForSelector("[data-test=blocked]");
  await page.click("[data-test=take-step]");
  await page.fill("#s-op", "经审核，同意退出");
  await shot("exit-step");
  await page.click("[data-test=step-confirm]");
  await page.waitForSelector("[data-test=step-error]");
  const said = await page.textContent("[data-test=step-error]");
  expect(/[\u4e00-\u9fff]/.test(said) && !/[a-z]{4,}/i.test(said), `refusal not in Chinese: ${said}`);
  expect(said.includes("现在还不能办理：公示期未满"), `the refusal does not say the notice still runs: ${said}`);
  await page.keyboard.press("Escape");
  expect((await page.textContent("[data-test=stage]")) === "第一次公示", "the list moved on despite the objection");
});

// The township round: while the village's first notice runs, opening the round is refused in
// Chinese and nothing is opened.
await as("reviewer.sishui", "demo-reviewer-2026", "the-township-round-waits-for-the-first-notice", async (page, shot) => {
  await page.goto(base + "exit-rounds");
  await page.fill("#r-year", "2016");
  await page.click("[data-test=round-search]");
  await page.waitForSelector("[data-test=rounds-empty]");
  await page.click("[data-test=open-round]");
  await page.fill("#r-op", "经审核，同意各村初选名单");
  await page.click("[data-test=round-confirm]");
  await page.waitForSelector("[data-test=round-error]");
  const said = await page.textContent("[data-test=round-error]");
  expect(/公示期未满/.test(said), `refusal not explained: ${said}`);
  await shot("exit-rounds");
  await page.keyboard.press("Escape");
  await page.click("[data-test=round-search]");
  await page.waitForSelector("[data-test=rounds-empty]");
});

// The demo's clock (ZX_DEMO_CLOCK, on for these checks): the platform administrator moves the
// date the server's use cases see past the notice's end, from the header. The countdown then says
// the notice is over, and the township's next step is refused by the open objection itself.
const platform = await caller("platform.admin", "demo-platform-2026");
await as("platform.admin", "demo-platform-2026", "the-demo-clock-ends-the-notice", async (page, shot) => {
  expect(exitListUrl, "no exit list from the clerk's test");
  // Read as the village clerk: the platform administrator has no workflow:read (403).
  const list = (await (await caller("clerk.sishui", "demo-clerk-2026"))("GET", `/exit-lists/${exitListUrl.split("/").pop()}`)).body;
  expect(list.notice_ends_at, `the list has no running notice: ${JSON.stringify(list).slice(0, 300)}`);
  const days = Math.ceil((Date.parse(list.notice_ends_at) - Date.now()) / 86_400_000) + 1;
  await page.goto(base);
  await page.waitForSelector("[data-test=demo-clock]");
  await page.click("[data-test=demo-clock-open]");
  await page.fill("#clock-days", String(days));
  await shot("demo-clock");
  await page.click("[data-test=demo-clock-save]");
  await page.waitForSelector(`[data-test=demo-clock]:has-text("提前 ${days} 天")`);
  const clock = (await platform("GET", "/demo/clock")).body;
  expect(clock.offset_days === days && clock.today > beijing(new Date(list.notice_ends_at)), `the clock: ${JSON.stringify(clock)}`);
});

await as("reviewer.sishui", "demo-reviewer-2026", "the-objection-blocks-the-step-after-the-notice", async (page, shot) => {
  await page.goto(exitListUrl);
  await page.waitForSelector("[data-test=blocked]");
  await page.waitForSelector("[data-test=countdown].over");
  await page.click("[data-test=take-step]");
  await page.fill("#s-op", "经审核，同意退出");
  await page.click("[data-test=step-confirm]");
  await page.waitForSelector("[data-test=step-error]");
  const said = await page.textContent("[data-test=step-error]");
  expect(said.includes("公示期间有未处理的异议"), `the refusal does not name the open objection: ${said}`);
  await shot("exit-objection-blocks");
  await page.keyboard.press("Escape");
  expect((await page.textContent("[data-test=stage]")) === "第一次公示", "the list moved on despite the objection");
});

await as("clerk.sishui", "demo-clerk-2026", "the-objection-resolved-unblocks-the-list", async (page) => {
  await page.goto(exitListUrl);
  await page.waitForSelector("[data-test=blocked]");
  // Resolve every open objection (earlier runs may have left some): the block goes away.
  while (await page.locator("[data-test=resolve]").count()) {
    await page.locator("[data-test=resolve]").first().dispatchEvent("click");
    await page.fill("#o-reason", "经核实，轿车为亲属所有，异议不成立");
    await page.click("[data-test=resolve-confirm]");
    await page.click(".el-message-box__btns button:has-text('确定')");
    await page.waitForSelector("text=异议已处理");
    await page.waitForLoadState("networkidle");
  }
  await page.waitForSelector("[data-test=blocked]", { state: "detached" });
});

// With the objection resolved and the notice over, the same step goes through.
await as("reviewer.sishui", "demo-reviewer-2026", "the-step-goes-through-once-resolved", async (page, shot) => {
  await page.goto(exitListUrl);
  await page.waitForSelector("[data-test=stepper]");
  await page.click("[data-test=take-step]");
  await page.fill("#s-op", "经审核，同意退出");
  await page.click("[data-test=step-confirm]");
  await page.waitForFunction(() => document.querySelector("[data-test=stage]")?.textContent !== "第一次公示");
  expect((await page.locator("[data-test=step-error]").count()) === 0, "the step was refused after the objection was resolved");
  await shot("exit-after-objection");
});
// Back to the real date for every check after these (whatever happened above).
{
  const r = await platform("PUT", "/demo/clock", { offset_days: 0 });
  if (r.status !== 200 || r.body.offset_days !== 0) {
    failed++;
    console.log(`FAIL the-demo-clock-is-put-back: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

let approverHousehold = "";
await as("approver.sishui", "demo-approver-2026", "approver-imports-a-file-with-one-bad-row", async (page, shot) => {
  await page.goto(base + "import");
  await page.waitForSelector("[data-test=start-import]");
  const header = "户编号,村代码,地址,户属性,致贫原因,识别年度,姓名,身份证号,与户主关系,健康状况,参加医保,年度,人均纯收入(元),不愁吃,不愁穿,义务教育有保障,基本医疗有保障,住房安全有保障,饮水安全有保障";
  const line = (n, name, id, rel) =>
    `${n},370831001003,某村,一般贫困户,因病,2015,${name},${id},${rel},健康,是,${rel === "户主" ? "2020,4200.50,是,是,是,是,是,是" : ",,,,,,,"}`;
  const a = "3708310010038" + rnd(3);
  const b = "3708310010037" + rnd(3);
  const c = "3708310010036" + rnd(3);
  const bad = idNumber("37083119750505" + rnd(3));
  approverHousehold = a;
  const csv = [
    header,
    line(a, "导入甲", idNumber("37083119750505" + rnd(3)), "户主"),
    line(b, "导入乙", idNumber("37083119760606" + rnd(3)), "户主"),
    line(c, "导入丙", bad.slice(0, 17) + (bad[17] === "1" ? "2" : "1"), "户主"),
  ].join("\n") + "\n";
  await page.setInputFiles("[data-test=file]", { name: "import.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  // A dry run first (the box is ticked by default): the bad row is reported and nothing is
  // written; then "import now" sends the same file for real.
  await page.click("[data-test=start-import]");
  await page.waitForSelector("[data-test=import-mode]:has-text('尚未写入')");
  await page.waitForSelector("[data-test=import-errors] .el-table__row");
  expect(/身份证号/.test(await page.textContent("[data-test=import-errors]")), "the dry run does not report the bad row under the sheet's header");
  expect((await page.locator("[data-test=reimport]").count()) === 1, "no re-import after the dry run");
  await shot("import-dry-run");
  await page.click("[data-test=import-now]");
  await page.waitForSelector("[data-test=import-mode]:has-text('导入结果')");
  await page.waitForSelector("[data-test=import-errors] .el-table__row");
  const errs = await page.textContent("[data-test=import-errors]");
  expect(/4/.test(errs) && /身份证号/.test(errs) && !/id_number/.test(errs), `the bad row is not reported under the sheet's header: ${errs}`);
  const summary = await page.textContent("[data-test=import-summary]");
  expect(/新增\s*2\s*户/.test(summary), `the good rows are not imported: ${summary}`);
  await shot("import-errors");
  await page.goto(base + "households");
  await page.waitForSelector("[data-test=households] .el-table-v2__row");
  // A 50-row page: from its data arriving to its rows in the DOM (the page sets data-render-ms
  // after Vue's nextTick once the virtualised table has rows), under 100 ms.
  const renders = [];
  for (let i = 0; i < 3; i++) {
    await page.click("[data-test=search]");
    await page.waitForSelector("[data-test=households][data-render-ms]");
    const [ms, n] = await page.evaluate(() => {
      const el = document.querySelector("[data-test=households]");
      return [Number(el.dataset.renderMs), Number(el.dataset.renderRows)];
    });
    expect(n === 50, `the first page has ${n} rows, not 50`);
    renders.push(ms);
  }
  const median = [...renders].sort((x, y) => x - y)[1];
  console.log(`  50-row render: ${renders.join(" ms, ")} ms (median ${median} ms)`);
  expect(median < 100, `a 50-row page takes ${median} ms to render (median of three)`);
  await page.fill("#q-name", "导入甲");
  await page.click("[data-test=search]");
  await page.waitForSelector(`[data-test=households] .el-table-v2__row:has-text("${a}")`);
  // The list exported as XLSX (a job with a progress bar, then the download).
  const [xlsx] = await Promise.all([page.waitForEvent("download", { timeout: 60000 }), page.click("[data-test=export-xlsx]")]);
  expect(xlsx.suggestedFilename().endsWith(".xlsx"), `XLSX export: ${xlsx.suggestedFilename()}`);
  await shot("households-export");
  await page.goto(base + "jobs");
  await page.waitForSelector("[data-test=jobs] .el-table__row:has-text('农户导入')");
  await shot("jobs");
  // Funds, key villages and property checks (the approver reads all three): a screenshot and
  // the accessibility check each.
  for (const [path, table] of [["projects", "projects"], ["key-villages", "key-villages"], ["property-checks", "batches"]]) {
    await page.goto(base + path);
    await page.waitForSelector(`[data-test=${table}]`);
    await page.waitForLoadState("networkidle");
    await shot(path);
  }
  // The demo's forest ranger: the contract opens on its patrol log and a month's payout with
  // the clause each line applies (June of last year: withheld under §六(一)).
  await page.goto(base + "rangers");
  await page.click("[data-test=rangers] .el-table__row");
  await page.waitForSelector("[data-test=ranger-patrols] .el-table__row");
  expect((await page.locator("[data-test=ranger-patrols] .el-table__row").count()) === 3, "the demo ranger's three patrols are listed");
  await page.fill("#r-month", `${new Date().getFullYear() - 1}-06`);
  await page.press("#r-month", "Enter");
  await page.waitForSelector("[data-test=ranger-payout] .el-table__row:has-text('第六条第（一）项')");
  // The contract and payout read through the contract's types (RangerContractDto, PayoutDto):
  // area in mu with one decimal, subsidy and a withheld month's total in yuan.
  const contractCells = (await page.locator("[data-test=rangers] .el-table__row >> nth=0 >> td").allTextContents()).map((c) => c.trim());
  expect(contractCells.some((c) => /^\d+\.\d$/.test(c)) && contractCells.some((c) => /^[\d,]+\.\d{2} 元$/.test(c)), `contract row: ${contractCells}`);
  expect(/0\.00 元/.test(await page.textContent("[data-test=ranger-payout-total]")), "the withheld month's total is not 0.00 元");
  await shot("rangers");
});

await as("observer.shandong", "demo-province-2026", "province-observer-sees-counts-only", async (page, shot) => {
  await page.waitForSelector("[data-test=count-registered] .n");
  await page.waitForFunction(() => /\d/.test(document.querySelector("[data-test=count-registered] .n")?.textContent ?? ""));
  await shot("home-observer");
  expect((await page.locator("text=脱贫户查询").count()) === 0, "the households menu is offered to the province observer");
  await page.goto(base + "households");
  // The console's guard (src/lib/access.ts) does not open the page: the no-access page says why
  // in Chinese, and no request for records is made at all.
  await page.waitForSelector("[data-test=no-access]");
  await page.waitForLoadState("networkidle");
  expect((await page.locator("[data-test=households]").count()) === 0, "the province observer is offered household records");
  expect(new URL(page.url()).searchParams.get("from") === "/households", `the no-access page does not name the page asked for: ${page.url()}`);
  const said = await page.textContent("main");
  expect(/无权访问此页面/.test(said) && /县级以上/.test(said) && !/drilldown|permission/i.test(said), `refusal not in Chinese: ${said}`);
  await shot("households-observer");
  // The dashboard: the province's cities, a click drills to a city's counties, then a county's
  // townships.
  await page.goto(base + "dashboard");
  await page.waitForSelector("[data-test=report-table] .el-table__row");
  await page.waitForSelector("[data-test=chart] canvas");
  await shot("dashboard-province");
  await page.click("[data-test=report-table] .el-table__row >> text=济宁市");
  await page.waitForSelector("[data-test=drill-path]:has-text('济宁市')");
  await page.waitForSelector("[data-test=report-table] .el-table__row:has-text('泗水县')");
  await page.click("[data-test=report-table] .el-table__row >> text=泗水县");
  await page.waitForSelector("[data-test=drill-path]:has-text('泗水县')");
  await page.waitForLoadState("networkidle");
  await shot("dashboard-county");
  const [png] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=png]")]);
  expect(png.suggestedFilename().endsWith(".png"), `PNG export: ${png.suggestedFilename()}`);
});

await as("admin.wenshang", "demo-wenshang-2026", "wenshang-admin-sees-nothing-of-sishui", async (page, shot) => {
  await page.goto(base + "users");
  await page.waitForSelector("[data-test=users] .el-table-v2__row");
  const text = await page.textContent("[data-test=users]");
  expect(!/sishui|泗水/.test(text), "Sishui users are visible to Wenshang's administrator");
  // Wenshang's administrator reads no households (no cases:read): the console's guard shows the
  // no-access page instead of the list (src/lib/access.ts); nothing of Sishui on it either.
  await page.goto(base + "households");
  await page.waitForSelector("[data-test=no-access]");
  await page.waitForLoadState("networkidle");
  const rows = await page.textContent("main");
  expect(!/370831/.test(rows), "Sishui households are visible to Wenshang's administrator");
  await page.goto(base + "audit");
  await page.waitForSelector("[data-test=audit]");
  await page.waitForLoadState("networkidle");
  expect(!/sishui/.test(await page.textContent("[data-test=audit]")), "Sishui audit events visible to Wenshang");
  await shot("users-wenshang");
});

let resetUser = "";
const resetPassword = `e2e-Reset-${rnd(8)}-xyz`;
await as("admin.sishui", "demo-admin-2026", "county-admin-creates-a-clerk-and-grants-a-role", async (page, shot) => {
  await page.goto(base + "users");
  await page.waitForSelector("[data-test=users] .el-table-v2__row");
  await shot("users");
  const username = `clerk.e2e${rnd(6)}`;
  await page.click("[data-test=new-user]");
  await page.fill("#u-name", username);
  await page.fill("#u-display", "测试文书");
  await page.fill("#u-pw", `e2e-Pass-${rnd(8)}-xyz`);
  // The region picker opens at the county and goes down to a village.
  await page.click("[data-test=u-org] .el-cascader");
  await page.click(".el-cascader-node:has-text('泗水县')");
  await page.locator(".el-cascader-menu").nth(1).locator(".el-cascader-node").first().click();
  const villages = page.locator(".el-cascader-menu").nth(2).locator(".el-cascader-node");
  await villages.first().waitFor();
  const village = (await villages.first().locator(".el-cascader-node__label").textContent()).trim();
  await villages.first().locator(".el-radio").click();
  await page.keyboard.press("Escape");
  await page.click(".el-select:has(#u-role)");
  await page.click(".el-select-dropdown__item:visible:has-text('村文书')");
  await shot("user-create");
  await page.click("[data-test=create-user]");
  // The list is virtualised (only rows in view are rendered): find the new user by name.
  await page.fill("#u-q", username);
  await page.click("[data-test=users-search]");
  await page.waitForSelector(`[data-test=users] .el-table-v2__row:has-text("${username}")`);
  await page.click(`[data-test="grant-${username}"]`);
  await page.click(".el-select:has(#g-role)");
  await page.click(".el-select-dropdown__item:visible:has-text('驻村工作队员')");
  await shot("user-grant");
  // Where the grant applies: the picker offers what the administrator manages (the county)
  // within the user's own org unit (the clerk's village) and what is below it, nothing else.
  await page.click("[data-test=g-org] .el-cascader");
  await page.waitForSelector(`.el-cascader-node:visible:has-text('${village}')`);
  const roots = await page.locator(".el-cascader-menu:visible").first().locator(".el-cascader-node").allTextContents();
  expect(roots.length === 1 && roots[0].includes(village), `grant places outside the clerk's village are offered: ${roots}`);
  expect((await page.locator(".el-cascader-node:visible:has-text('汶上')").count()) === 0, "Wenshang is offered");
  await page.keyboard.press("Escape");
  await page.click("[data-test=grant-confirm]");
  await page.waitForSelector("text=已授予角色");
  // An administrator's reset: the user must choose their own password at the next sign-in.
  await page.click(`[data-test="reset-${username}"]`);
  await page.fill("#rp-pw", resetPassword);
  await shot("user-reset");
  await page.click("[data-test=reset-confirm]");
  await page.waitForSelector("text=密码已重置");
  resetUser = username;
  await page.goto(base + "settings");
  await page.waitForSelector("[data-test=settings]");
  await shot("settings");
  // One county-owned setting edited (If-Match with the version read), a value out of range
  // refused with the server's reason, then the inherited value restored.
  await page.fill("[data-test=settings-filter] input, input[data-test=settings-filter]", "ranger.payment_due_day");
  await page.click('[data-test="edit-ranger.payment_due_day"]');
  await page.fill("[data-test=settings-value] input, input[data-test=settings-value], [data-test=settings-value] textarea, textarea[data-test=settings-value]", "99");
  await page.click("[data-test=settings-save]");
  await page.waitForSelector(".el-dialog .el-form-item__error");
  await shot("settings-refused");
  await page.fill("[data-test=settings-value] input, input[data-test=settings-value], [data-test=settings-value] textarea, textarea[data-test=settings-value]", "12");
  await page.click("[data-test=settings-save]");
  await page.waitForSelector("text=参数已保存");
  await page.waitForSelector('[data-test="source-ranger.payment_due_day"]:has-text("本级设置")');
  expect((await page.textContent("[data-test=settings]")).includes("12"), "the saved value is not shown");
  await page.click('[data-test="edit-ranger.payment_due_day"]');
  await page.click("[data-test=settings-inherit]");
  await page.waitForSelector('[data-test="source-ranger.payment_due_day"]:not(:has-text("本级设置"))');
  await page.goto(base + "audit");
  await page.waitForSelector("[data-test=audit] .el-table-v2__row");
  await shot("audit");
  await page.goto(base + "roles");
  await page.waitForSelector("[data-test=roles] .el-table__row");
  // Role, level and permission names come from the server's catalogs (GET /vocabularies), so a
  // role the console never listed (挂点领导, added by a later migration) is named in Chinese.
  await page.waitForSelector("[data-test=roles] .el-table__row:has-text('挂点领导')");
  const rolesText = await page.textContent("[data-test=roles]");
  expect(/乡镇级/.test(rolesText) && /转交核查数据/.test(rolesText), "the roles page does not name levels and permissions in Chinese");
  expect(!/township_liaison|property:forward/.test(rolesText), "the roles page shows a code where a label belongs");
  await shot("roles");
  await page.goto(base + "webhooks");
  await page.waitForSelector("[data-test=webhooks]");
  await page.waitForLoadState("networkidle");
  await shot("webhooks");
  await page.goto(base + "tenants");
  await page.waitForSelector("[data-test=tenants] .el-table__row");
  expect(!/汶上/.test(await page.textContent("[data-test=tenants]")), "the county administrator sees another tenant");
  await shot("tenants");
});

if (resetUser) {
  await as(resetUser, resetPassword, "reset-user-must-change-the-password", async (page, shot) => {
    await page.waitForSelector("[data-test=forced]");
    expect(page.url().endsWith("/console/password"), `not on the password page: ${page.url()}`);
    // Nothing else until the password is changed.
    await page.goto(base + "households");
    await page.waitForSelector("[data-test=forced]");
    await shot("password-forced");
    await page.fill("#pw-current", resetPassword);
    await page.fill("#pw-new", `own-Choice-${rnd(8)}-abc`);
    await page.fill("#pw-repeat", await page.inputValue("#pw-new"));
    await page.click("button[type=submit]");
    await page.waitForSelector("#username");
  });
}

await as("auditor.sishui", "demo-auditor-2026", "auditor-finds-the-reveal", async (page, shot) => {
  await page.goto(base + "audit");
  await page.waitForSelector("[data-test=audit] .el-table-v2__row");
  // Action, object type and a date range (Beijing days): the reveal (made earlier in this run:
  // yesterday in Beijing when the run crossed 16:00 UTC, Beijing's midnight) is found from
  // yesterday to today; from tomorrow on, nothing.
  const day = (offset) => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date(Date.now() + offset * 86400000));
  // The action filter is a select (names in Chinese, codes beside them): typing the code and
  // Enter picks it.
  await page.fill("#a-action", "member.reveal");
  await page.press("#a-action", "Enter");
  await page.fill("#a-type", "member");
  await page.fill("#a-from", day(-1));
  await page.press("#a-from", "Enter");
  await page.fill("#a-to", day(0));
  await page.press("#a-to", "Enter");
  await page.click("[data-test=audit-search]");
  await page.waitForSelector('[data-test=audit] .el-table-v2__row:has-text("核对低保申请材料")');
  expect((await page.locator("[data-test=audit] .el-table-v2__row").allTextContents()).every((r) => r.includes("member.reveal") && r.includes("member")), "the filters are not applied");
  expect((await page.textContent("[data-test=audit]")).includes("查看完整身份证号"), "the audit log does not name the action in Chinese");
  await shot("audit-auditor");
  await page.fill("#a-from", day(1));
  await page.press("#a-from", "Enter");
  await page.fill("#a-to", day(1));
  await page.press("#a-to", "Enter");
  await page.click("[data-test=audit-search]");
  await page.waitForSelector("text=已加载 0 条");
  // Logout clears the session: the refresh cookie is gone and a reload lands on the sign-in page.
  await page.click("[data-test=logout]");
  await page.waitForSelector("#username");
  expect(!(await page.context().cookies()).some((c) => c.name === "zx_refresh"), "the refresh cookie survives logout");
  await page.goto(base + "households");
  await page.reload();
  await page.waitForSelector("#username");
  expect(/\/console\/login/.test(page.url()), `after logout a reload lands on ${page.url()}`);
});

await (await import("./part1-gaps.mjs")).part1Gaps({ as, base, expect, rnd });
await (await import("./reports.mjs")).reports({ as, base, expect });
// The workflow pages (issue 21): exit to filing, monitoring, property check (e2e/workflows.mjs).
await (await import("./workflows.mjs")).workflows({ as, base, expect, idNumber, rnd });
// The create forms of the funds, projects, relocation and rangers pages (e2e/ffunds.mjs).
await (await import("./ffunds.mjs")).ffunds({ as, base, expect });
// The forms of the teams, profiles, key villages, plans, monitoring and property pages (e2e/fvill.mjs).
await (await import("./fvill.mjs")).fvill({ as, base, expect, idNumber, rnd });
// Reversals, a project's posting, key-village designation, ending a pairing, the calendar (e2e/factions.mjs).
await (await import("./factions.mjs")).factions({ as, base, expect, idNumber, rnd });
// The intake pages and the exit inspections (e2e/intake.mjs; after workflows.mjs, whose exit
// is filed for the inspection to draw).
await (await import("./intake.mjs")).intake({ as, base, expect, idNumber, rnd });
// The exit target beside the intake target and a household's exit criteria (e2e/cfin.mjs).
await (await import("./cfin.mjs")).cfin({ as, base, expect });
// Benefit cards, the relocation roster, CORS origins, picking a project's manager (e2e/chouse.mjs).
await (await import("./chouse.mjs")).chouse({ as, base, expect, rnd });
// The exit campaign, exit progress and county figures screens (e2e/ccamp.mjs).
await (await import("./ccamp.mjs")).ccamp({ as, base, expect });
// A household's members, the household-years import, the household card, a village's own
// monitoring case (e2e/cmem.mjs).
await (await import("./cmem.mjs")).cmem({ as, base, expect, idNumber, rnd });
// Editing a user: a rename (a blank name and a stale version refused), a move to another village
// with the warning naming the grant it drops (e2e/cusers.mjs).
await (await import("./cusers.mjs")).cusers({ as, base, expect, rnd });
// The review fixes (c1): objections by the notice's owner, refusals beside their fields, sheets'
// reasons, closing a monitoring case, settings edited where held (e2e/review-c1.mjs).
await (await import("./review-c1.mjs")).reviewC1({ as, base, expect, idNumber, rnd });
// The second console review's fixes: sessions that end, two tabs, report units, lists read to the end (e2e/review-c2.mjs).
await (await import("./review-c2.mjs")).reviewC2({ as, base, expect, rnd });
// The third console review's fixes: one's own password reset refused with the way to change it,
// a failed job's reason, a village profile added for a recorded year overwriting nothing (e2e/review-c3.mjs).
await (await import("./review-c3.mjs")).reviewC3({ as, base, expect, rnd });

await browser.close();
if (a11y.length) {
  console.log(`accessibility (axe-core, serious or critical): ${a11y.length}`);
  for (const f of [...new Set(a11y)]) console.log(`  ${f}`);
  // Issue 20: no serious or critical violation on any page. ZX_A11Y_STRICT=0 only reports them.
  if (process.env.ZX_A11Y_STRICT !== "0") failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
