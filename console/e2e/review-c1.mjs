// End-to-end checks of the review fixes on the list, monitoring, import and settings pages
// (review c1), called by run.mjs with its helpers. Scenario names start with `c1-`
// (ZX_E2E_ONLY='^c1-'). The preparation a third party would do (households, a list walked to
// its second notice, monitoring cases) goes through the API; every check is what a person sees.
//
// - Exit objections belong to the level owning the running notice: during the township's second
//   notice the township reviewer raises and resolves one; the village clerk is offered neither;
//   once the notice is over (the demo's clock moved past it through the API, then put back) a
//   late raise is refused with `no_notice_running` in Chinese.
// - A tally with more votes than attendees is refused beside that household's row; a link
//   without its title is refused under the title (the step is not stored without its evidence).
// - A household sheet and a property-check sheet without the 身份证号 column: the server's
//   reason, in Chinese, naming the column, is on the page.
// - The county deciding 风险消除 on a case without measures is told to add measures first; a
//   help-first case offers only the verification until it is verified.
// - A county administrator edits the county's settings and not the city's; a save refused
//   because someone changed the settings meanwhile keeps the dialog open with the value typed.

import { PASSWORDS, beijing, caller } from "./lib.mjs";

const daysAgo = (n) => beijing(new Date(Date.now() - n * 86_400_000));
/** The first day after a notice ending at `ends` (an instant): the next step's date. */
const dayAfter = (ends) => beijing(new Date(Date.parse(ends) + 1000));
const cjk = (prefix, rnd) => prefix + [...rnd(2)].map((d) => "零一二三四五六七八九"[Number(d)]).join("");

export async function reviewC1({ as, base, expect, idNumber, rnd }) {
  const only = process.env.ZX_E2E_ONLY ? new RegExp(process.env.ZX_E2E_ONLY) : null;
  const wanted = (name) => !only || only.test(name);
  const clerk = await caller("clerk.sishui");
  const reviewer = await caller("reviewer.sishui");
  const approver = await caller("approver.sishui");
  const village = (await clerk("GET", "/me")).body.org_unit.code;
  const causes = (await clerk("GET", "/poverty-causes")).body;
  const key = () => ({ "Idempotency-Key": crypto.randomUUID() });

  // A household of the clerk's village that may exit in 2017 (incomes above the lines).
  const YEAR = 2017;
  const exitable = async (who) => {
    const name = cjk(who, rnd);
    const r = await clerk("POST", "/households", {
      household_number: village.slice(0, 12) + "2" + rnd(3), village_code: village, attribute: "general",
      poverty_causes: [causes[0].code], year_identified: 2014,
      members: [{ name, id_number: idNumber("37083119710101" + rnd(3)), relationship: "head" }],
    }, key());
    expect(r.status === 201, `household not created: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    for (const y of [YEAR - 1, YEAR]) {
      const w = await clerk("PUT", `/households/${r.body.id}/years/${y}`, {
        income_per_capita_fen: 600_000, enough_food: true, enough_clothing: true, compulsory_education: true,
        basic_medical: true, safe_housing: true, safe_drinking_water: true,
      });
      expect(w.status < 300, `year ${y}: ${w.status} ${JSON.stringify(w.body).slice(0, 300)}`);
    }
    return { id: r.body.id, name };
  };
  const nominate = async (h) => {
    const r = await clerk("POST", "/exit-lists", {
      village_code: village, year: YEAR, villager_group: `第${rnd(2)}村民小组`, nominated_on: daysAgo(30), households: [h.id],
    }, key());
    expect(r.status === 201, `nomination: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body.id;
  };
  const ok = (r, what) => expect(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);

  // 1. Objections during the township's second notice.
  if (wanted("c1-township-objection-in-second-notice") || wanted("c1-clerk-no-objection-in-second-notice")) {
    const h = await exitable("异议");
    const id = await nominate(h);
    ok(await clerk("POST", `/exit-lists/${id}/appraisal`, {
      held_on: daysAgo(30), attendees: 25, minutes: "村民代表大会逐户评议。", votes: [{ household_id: h.id, for: 22, against: 2, abstain: 1 }],
    }, key()), "appraisal");
    ok(await clerk("POST", `/exit-lists/${id}/verification`, { verified_on: daysAgo(30), verifiers: ["村委会主任"], findings: "入户核实属实。" }, key()), "verification");
    ok(await clerk("POST", `/exit-lists/${id}/first-notice`, { location: "村委会公示栏", posted_on: daysAgo(30) }, key()), "first notice");
    const first = (await clerk("GET", `/exit-lists/${id}`)).body;
    ok(await reviewer("POST", `/exit-lists/${id}/township-review`, { opinion: "经审核，同意退出", decided_on: dayAfter(first.notice_ends_at) }, key()), "township review");
    // Posted today: the second notice runs by the server's clock.
    ok(await reviewer("POST", `/exit-lists/${id}/second-notice`, { location: "镇政府公示栏" }, key()), "second notice");
    const url = `${base}exit/${id}`;

    await as("clerk.sishui", PASSWORDS["clerk.sishui"], "c1-clerk-no-objection-in-second-notice", async (page, shot) => {
      await page.goto(url);
      await page.waitForSelector("[data-test=stage]:has-text('第二次公示')");
      await page.waitForLoadState("networkidle");
      // The township's notice: the village records no objection there (the server answers 403).
      expect((await page.locator("[data-test=raise]").count()) === 0, "the clerk is offered 提出异议 during the township's notice");
      await shot("c1-exit-second-notice-clerk");
    });

    const platform = await caller("platform.admin", "demo-platform-2026");
    await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "c1-township-objection-in-second-notice", async (page, shot) => {
      await page.goto(url);
      await page.waitForSelector("[data-test=stage]:has-text('第二次公示')");
      await page.waitForSelector("[data-test=raise]");
      await page.click("[data-test=raise]");
      await page.click(".el-select:has(#o-household)");
      await page.click(`.el-select-dropdown__item:visible:has-text("${h.name}")`);
      await page.fill("#o-by", "村民张某");
      await page.fill("#o-content", "反映该户家中有小轿车一辆");
      await shot("c1-exit-raise-township");
      await page.click("[data-test=raise-confirm]");
      await page.waitForSelector("text=异议已登记");
      await page.waitForSelector("[data-test=blocked]");
      // The objection raised in the township's notice is the township's to resolve.
      await page.waitForSelector("[data-test=objections] [data-test=resolve]");
      await page.locator("[data-test=objections] [data-test=resolve]").first().dispatchEvent("click");
      await page.fill("#o-reason", "经核实，轿车为亲属所有，异议不成立");
      await page.click("[data-test=resolve-confirm]");
      await page.click(".el-message-box__btns button:has-text('确定')");
      await page.waitForSelector("text=异议已处理");
      await page.waitForSelector("[data-test=blocked]", { state: "detached" });
      await shot("c1-exit-resolved-township");
      // The notice ends (the demo's clock moved past it) while the page is open: a late raise is
      // refused in Chinese by its code, not as a generic conflict.
      const list = (await reviewer("GET", `/exit-lists/${id}`)).body;
      const days = Math.ceil((Date.parse(list.notice_ends_at) - Date.now()) / 86_400_000) + 1;
      try {
        const set = await platform("PUT", "/demo/clock", { offset_days: days });
        expect(set.status === 200, `the demo clock: ${set.status} ${JSON.stringify(set.body)}`);
        await page.click("[data-test=raise]");
        await page.click(".el-select:has(#o-household)");
        await page.click(`.el-select-dropdown__item:visible:has-text("${h.name}")`);
        await page.fill("#o-by", "村民李某");
        await page.fill("#o-content", "公示期满后才提出的异议");
        await page.click("[data-test=raise-confirm]");
        await page.waitForSelector("[data-test=raise-error]");
        const said = await page.textContent("[data-test=raise-error]");
        expect(/公示（公告）期间才能登记异议/.test(said), `a raise after the notice is refused as: ${said}`);
        await shot("c1-exit-raise-too-late");
      } finally {
        await platform("PUT", "/demo/clock", { offset_days: 0 });
      }
    });
  }

  // 2 and 5. The appraisal's tally refused beside its household; a link without its title.
  if (wanted("c1-tally-over-attendance")) {
    const h = await exitable("计票");
    const id = await nominate(h);
    await as("clerk.sishui", PASSWORDS["clerk.sishui"], "c1-tally-over-attendance", async (page, shot) => {
      await page.goto(`${base}exit/${id}`);
      await page.click("[data-test=take-step]");
      await page.fill("#s-on", daysAgo(30));
      await page.press("#s-on", "Enter");
      await page.fill("#s-att", "10");
      await page.getByLabel(`${h.name} 赞成`).fill("8");
      await page.getByLabel(`${h.name} 反对`).fill("3");
      await page.getByLabel(`${h.name} 弃权`).fill("0");
      await page.fill("#s-min", "村民代表大会逐户评议，举手表决。");
      await page.click("[data-test=step-confirm]");
      // The server's reason (11 votes, 10 attending) beside that household's tally.
      await page.waitForSelector("[data-test=votes-0] .el-form-item__error");
      const said = await page.textContent("[data-test=votes-0] .el-form-item__error");
      expect(/11/.test(said) && /10/.test(said) && /到会/.test(said), `the tally's refusal: ${said}`);
      await shot("c1-exit-tally-refused");
      // A link without its title: refused under the title, the list stays where it was.
      await page.getByLabel(`${h.name} 反对`).fill("1");
      await page.fill("#s-au", `https://archive.sishui.example/exit/${Date.now()}.jpg`);
      await page.click("[data-test=step-confirm]");
      await page.waitForSelector(".el-form-item:has(#s-at) .el-form-item__error");
      expect((await page.textContent("[data-test=stage]")) === "村民小组已提名", "the step was stored without its evidence");
      await shot("c1-exit-attachment-title");
      await page.fill("#s-at", "签到表");
      await page.click("[data-test=step-confirm]");
      await page.waitForSelector("[data-test=stage]:has-text('已民主评议')");
      await page.waitForSelector("[data-test=stepper] a[data-test=attachment]:has-text('签到表')");
    });
  }

  // 3. Sheets without the 身份证号 column: the server's reason, in Chinese, names it.
  const noIdColumn = "户编号,村代码,户属性,致贫原因,识别年度,姓名,与户主关系\n" +
    `3708310010035${rnd(3)},370831001003,一般贫困户,因病,2015,缺列甲,户主\n`;
  await as("approver.sishui", PASSWORDS["approver.sishui"], "c1-import-names-the-missing-column", async (page, shot) => {
    await page.goto(base + "import");
    await page.waitForSelector("[data-test=start-import]");
    await page.setInputFiles("[data-test=file]", { name: "import.csv", mimeType: "text/csv", buffer: Buffer.from(noIdColumn) });
    await page.click("[data-test=start-import]");
    await page.waitForSelector("[data-test=import-refused]");
    const said = await page.textContent("[data-test=import-refused]");
    expect(/缺少必需的列 身份证号/.test(said) && /表头/.test(said), `the refused sheet is explained as: ${said}`);
    await shot("c1-import-refused");
  });
  await as("approver.sishui", PASSWORDS["approver.sishui"], "c1-property-import-names-the-missing-column", async (page, shot) => {
    await page.goto(base + "property-checks");
    await page.click("[data-test=property-import]");
    await page.fill("#p-name", `缺列比对 ${rnd(6)}`);
    const csv = "姓名,检索类型,检索详情\n缺列乙,车辆,鲁H12345 小型轿车\n";
    await page.setInputFiles("[data-test=property-file]", { name: "hits.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click("[data-test=property-upload]");
    await page.waitForSelector("[data-test=property-import-error]");
    const said = await page.textContent("[data-test=property-import-error]");
    expect(/缺少必需的列 身份证号/.test(said), `the refused batch is explained as: ${said}`);
    await shot("c1-property-import-refused");
  });

  // 4. Closing a monitoring case: measures first; a help-first case verified first.
  const newCase = async (extra) => {
    const r = await clerk("POST", "/monitoring-cases", {
      household: {
        household_number: village.slice(0, 12) + "3" + rnd(3), village_code: village, attribute: "general",
        poverty_causes: [causes[0].code], year_identified: Number(daysAgo(0).slice(0, 4)),
        members: [{ name: cjk("监测", rnd), id_number: idNumber("37083119730303" + rnd(3)), relationship: "head" }],
      },
      found_on: daysAgo(0), description: "家庭收入骤减", ...extra,
    }, key());
    expect(r.status === 201, `case: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  if (wanted("c1-county-closes-without-measures")) {
    const c = await newCase({ kind: "marginal", risk_types: ["income_drop"] });
    ok(await reviewer("POST", `/monitoring-cases/${c.id}/township-review`, { approve: true, opinion: "情况属实" }, key()), "case review");
    ok(await approver("POST", `/monitoring-cases/${c.id}/confirmation`, { approve: true, opinion: "同意纳入监测" }, key()), "case confirmation");
    await as("approver.sishui", PASSWORDS["approver.sishui"], "c1-county-closes-without-measures", async (page, shot) => {
      await page.goto(`${base}monitoring/${c.id}`);
      await page.waitForSelector("[data-test=case-stage]:has-text('监测中')");
      await page.click("[data-test=decide-risk_elimination]");
      await page.fill("#d-opinion", "收入已恢复，风险消除");
      await page.click("[data-test=decide-confirm]");
      await page.waitForSelector("[data-test=decide-error]");
      const said = await page.textContent("[data-test=decide-error]");
      expect(/请先添加帮扶措施/.test(said), `风险消除 without measures is refused as: ${said}`);
      await shot("c1-case-no-measures");
    });
  }
  if (wanted("c1-help-first-case-verified-before-closing")) {
    const c = await newCase({ kind: "sudden_hardship", risk_types: ["disaster"], rescue_first: true });
    await as("approver.sishui", PASSWORDS["approver.sishui"], "c1-help-first-case-verified-before-closing", async (page, shot) => {
      await page.goto(`${base}monitoring/${c.id}`);
      await page.waitForSelector("[data-test=case-stage]:has-text('监测中')");
      await page.waitForSelector("[data-test=decide-post_verification]");
      expect((await page.locator("[data-test=decide-risk_elimination], [data-test=decide-return_to_poverty]").count()) === 0, "closing is offered before the help-first verification");
      await shot("c1-case-help-first");
    });
  }

  // 6. Settings: edited only where held; a stale save keeps what was typed.
  if (wanted("c1-settings-edit-where-held")) {
    const admin = await caller("admin.sishui");
    const county = (await admin("GET", "/me")).body.county_code.slice(0, 6);
    await as("admin.sishui", PASSWORDS["admin.sishui"], "c1-settings-edit-where-held", async (page, shot) => {
      await page.goto(base + "settings");
      await page.waitForSelector("[data-test=settings]");
      await page.waitForSelector('[data-test="edit-ranger.payment_due_day"]');
      // The city's settings: read, not edited by the county's administrator (403 there).
      await page.click("[data-test=settings-level] label:has-text('本市')");
      await page.waitForSelector("[data-test=settings-version]");
      await page.waitForLoadState("networkidle");
      expect((await page.locator("[data-test^='edit-']").count()) === 0, "编辑 is offered on the city's settings");
      await shot("c1-settings-city");
      await page.click("[data-test=settings-level] label:has-text('本县')");
      await page.fill("[data-test=settings-filter] input, input[data-test=settings-filter]", "ranger.payment_due_day");
      await page.click('[data-test="edit-ranger.payment_due_day"]');
      await page.fill("[data-test=settings-value] input, input[data-test=settings-value], [data-test=settings-value] textarea, textarea[data-test=settings-value]", "13");
      // Someone else saves the county's settings meanwhile (their version moves on).
      const now = await admin("GET", `/settings/${county}`);
      const overrides = { ...now.body.overrides, ranger: { ...(now.body.overrides.ranger ?? {}), payment_due_day: 14 } };
      const other = await admin("PUT", `/settings/${county}`, { overrides }, { "If-Match": now.etag });
      ok(other, "the other save");
      await page.click("[data-test=settings-save]");
      await page.waitForSelector("[data-test=settings-stale-edit]");
      const typed = await page.inputValue("[data-test=settings-value] input, input[data-test=settings-value], [data-test=settings-value] textarea, textarea[data-test=settings-value]");
      expect(typed === "13", `the value typed is lost after the stale save: ${typed}`);
      await shot("c1-settings-stale");
      await page.click("[data-test=settings-reload-edit]");
      await page.waitForSelector("[data-test=settings-stale-edit]", { state: "detached" });
      await page.click("[data-test=settings-save]");
      await page.waitForSelector("text=参数已保存");
      await page.waitForSelector('[data-test="source-ranger.payment_due_day"]:has-text("本级设置")');
      // Back to the inherited value.
      await page.click('[data-test="edit-ranger.payment_due_day"]');
      await page.click("[data-test=settings-inherit]");
      await page.waitForSelector('[data-test="source-ranger.payment_due_day"]:not(:has-text("本级设置"))');
    });
  }
}
