// End-to-end checks of the workflow pages (issue 21: exit, monitoring, property check), called
// by run.mjs with its helpers. Every step a person takes goes through the console as the demo
// user whose level takes it; only the preparation (a household with two years of income above
// the line, so it may exit) is done through the API, as a third party would.
//
// The exit procedure has three notices (7, 7 and 5 working days). Steps take the date they
// happened on (`exit.backdate_days`, 30, back from today), so the whole procedure is entered
// today, dated from 30 days ago: each step is dated the day after the notice before it ended
// (the end the server computed on the working calendar, read from the list).

import { PASSWORDS, beijing, caller } from "./lib.mjs";

const daysAgo = (n) => beijing(new Date(Date.now() - n * 86_400_000));
/** The first day after a notice ending at `ends` (an instant): the next step's date. */
const dayAfter = (ends) => beijing(new Date(Date.parse(ends) + 1000));

export async function workflows({ as, base, expect, idNumber, rnd }) {
  const clerk = await caller("clerk.sishui");
  const me = (await clerk("GET", "/me")).body;
  const village = me.org_unit.code;
  const causes = (await clerk("GET", "/poverty-causes")).body;
  // Two households of the clerk's village, each with 2016 and 2017 incomes above those years'
  // lines and every guarantee met: one walks to exit in 2017, the other meets the property
  // check (its veto then takes it out of the registry, and the county reverses it).
  const YEAR = 2017;
  const made = [];
  for (const who of ["退甲", "核乙"]) {
    const name = who + "零一二三四五六七八九"[Number(rnd(1))] + "零一二三四五六七八九"[Number(rnd(1))];
    const id = idNumber("37083119700101" + rnd(3));
    const r = await clerk(
      "POST",
      "/households",
      {
        household_number: village.slice(0, 12) + "9" + rnd(3), village_code: village, attribute: "general",
        poverty_causes: [causes[0].code], year_identified: 2014,
        members: [{ name, id_number: id, relationship: "head" }],
      },
      { "Idempotency-Key": crypto.randomUUID() },
    );
    expect(r.status === 201, `household not created: ${r.status} ${JSON.stringify(r.body)}`);
    for (const y of [YEAR - 1, YEAR]) {
      const year = {
        income_per_capita_fen: 600_000, enough_food: true, enough_clothing: true, compulsory_education: true,
        basic_medical: true, safe_housing: true, safe_drinking_water: true,
      };
      const w = await clerk("PUT", `/households/${r.body.id}/years/${y}`, year);
      expect(w.status < 300, `year ${y}: ${w.status} ${JSON.stringify(w.body)}`);
    }
    made.push({ id: r.body.id, name, idNumber: id, number: r.body.household_number });
  }
  const [leaver, checked] = made;
  let listUrl = "";
  let listId = "";

  // 1. The clerk nominates the household for 2017 (dated 30 days ago) and takes the village's
  //    steps: appraisal, verification, the first notice.
  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "the-clerk-nominates-and-the-village-steps", async (page, shot) => {
    await page.goto(base + "exit");
    await page.fill("#x-year", String(YEAR));
    await page.click("[data-test=nominate]");
    await page.fill("#n-group", "第二村民小组");
    await page.fill("#n-on", daysAgo(30));
    await page.press("#n-on", "Enter");
    await page.click(".el-select:has(#n-households)");
    await page.keyboard.type(leaver.name);
    await page.click(`.el-select-dropdown__item:visible:has-text("${leaver.name}")`);
    // A multiple select stays open: a click beside it closes it.
    await page.click(".el-dialog .muted");
    await page.waitForSelector(".el-select-dropdown:visible", { state: "detached" }).catch(() => {});
    await shot("exit-nominate");
    await page.click("[data-test=nominate-confirm]");
    await page.waitForSelector("[data-test=stepper]");
    listUrl = page.url();
    listId = listUrl.split("/").pop();
    expect((await page.textContent("[data-test=stage]")) === "村民小组已提名", `stage after nomination: ${await page.textContent("[data-test=stage]")}`);
    const step = async (fill, stageAfter) => {
      await page.click("[data-test=take-step]");
      await page.fill("#s-on", daysAgo(30));
      await page.press("#s-on", "Enter");
      await fill();
      await page.click("[data-test=step-confirm]");
      await page.waitForSelector(`[data-test=stage]:has-text("${stageAfter}")`);
      await page.waitForLoadState("networkidle");
    };
    await step(async () => {
      await page.fill("#s-att", "25");
      await page.getByLabel(`${leaver.name} 赞成`).fill("22");
      await page.getByLabel(`${leaver.name} 反对`).fill("2");
      await page.getByLabel(`${leaver.name} 弃权`).fill("1");
      await page.fill("#s-min", "村民代表大会逐户评议，举手表决。");
    }, "已民主评议");
    await step(async () => {
      await page.fill("#s-ver", "村委会主任、驻村第一书记");
      await page.fill("#s-find", "经入户核实，收入和两不愁三保障情况属实。");
    }, "已核实");
    const photo = `https://archive.sishui.example/exit/${Date.now()}.jpg`;
    await step(async () => {
      await page.fill("#s-loc", "村委会公示栏");
      await page.fill("#s-at", "公示照片");
      await page.fill("#s-au", photo);
    }, "第一次公示");
    await page.waitForSelector("[data-test=countdown]");
    // Each step shows the day it is dated (30 days back), not the day it was entered; the
    // notice's https attachment is a link opening in a new tab.
    const trail = await page.textContent("[data-test=stepper]");
    expect(trail.includes(daysAgo(30)) && !trail.includes(daysAgo(0)), `the stepper does not show the steps' dates: ${trail.slice(0, 300)}`);
    await page.waitForSelector(`[data-test=stepper] a[data-test=attachment][href="${photo}"][target=_blank][rel=noopener]:has-text("公示照片")`);
    expect((await page.textContent("[data-test=stage]")) === "第一次公示", "the first notice is not posted");
    await shot("exit-walk-first-notice");
  });

  // The notice's end as the server computed it (working calendar): the next step's date.
  const nextDay = async () => {
    const l = (await clerk("GET", `/exit-lists/${listId}`)).body;
    expect(l.notice_ends_at, `no running notice on the list: ${JSON.stringify(l).slice(0, 200)}`);
    const d = dayAfter(l.notice_ends_at);
    expect(d <= daysAgo(0), `the notices do not fit in the 30 days back (next step on ${d})`);
    return d;
  };
  const takeStep = async (page, on, fill, stageAfter) => {
    await page.goto(listUrl);
    await page.waitForSelector("[data-test=take-step]");
    await page.click("[data-test=take-step]");
    await page.fill("#s-on", on);
    await page.press("#s-on", "Enter");
    await fill();
    await page.click("[data-test=step-confirm]");
    await page.waitForSelector(`[data-test=stage]:has-text("${stageAfter}")`);
  };

  // 2. The township reviews once the first notice ended, and posts the second notice.
  await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "the-township-reviews-and-posts-the-second-notice", async (page, shot) => {
    expect(listId, "no list from the clerk's test");
    const on = await nextDay();
    await takeStep(page, on, async () => page.fill("#s-op", "经审核，同意退出"), "镇已审核");
    await takeStep(page, on, async () => page.fill("#s-loc", "镇政府公示栏"), "第二次公示");
    await shot("exit-walk-second-notice");
  });

  // 3. The county approves once the second notice ended, announces, and files once the
  //    announcement ended. (An objection can only be raised while a notice runs by the server's
  //    clock, so its block is checked on the demo's list in run.mjs, whose first notice runs.)
  await as("approver.sishui", PASSWORDS["approver.sishui"], "the-county-approves-announces-and-files", async (page, shot) => {
    const on = await nextDay();
    await takeStep(page, on, async () => page.fill("#s-op", "经审定，同意退出"), "县已审批");
    await takeStep(page, on, async () => page.fill("#s-loc", "县政府网站"), "公告");
    const filed = await nextDay();
    await takeStep(page, filed, async () => page.fill("#s-ref", `泗扶备〔${YEAR}〕${rnd(3)}号`), "已备案");
    const h = (await clerk("GET", `/households/${leaver.id}`)).body;
    expect(h.status === "exited", `the household is ${h.status} after filing`);
    // Every step is on the stepper with its date and who took it; the documents are offered
    // as PDF, Word and HTML, and the county's announcement downloads as PDF.
    expect((await page.locator("[data-test=stepper] .step").count()) >= 8, "the stepper lacks steps");
    const [pdf] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=doc-county_announcement] [data-test=doc-pdf]")]);
    expect(pdf.suggestedFilename().endsWith(".pdf"), `document download: ${pdf.suggestedFilename()}`);
    await shot("exit-walk-filed");
    // The year's plans rolled up for the county.
    await page.goto(base + "exit-plans");
    await page.fill("#p-year", String(YEAR));
    await page.click("[data-test=rollup-search]");
    await page.waitForSelector("[data-test=rollup-county]");
    await page.waitForLoadState("networkidle");
    await shot("exit-plans");
  });

  // 4. Monitoring: the exited household has a large medical expense; the clerk reports it,
  //    verifies the lead into a case and records a measure; the township reviews, the county
  //    confirms: the household is monitored.
  let caseUrl = "";
  const amount = String(30000 + Number(rnd(4)));
  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "a-medical-expense-becomes-a-monitoring-case", async (page, shot) => {
    await page.goto(base + "monitoring/leads");
    await page.waitForSelector("[data-test=leads]");
    await page.click("[data-test=report-lead]");
    await page.click(".el-select:has(#s-household)");
    await page.keyboard.type(leaver.name);
    await page.click(`.el-select-dropdown__item:visible:has-text("${leaver.name}")`);
    await page.fill("#s-on", daysAgo(2));
    await page.press("#s-on", "Enter");
    await page.fill("#s-amount", amount);
    await page.fill("#s-desc", "户主住院手术，自付医疗费用较大");
    await page.click("[data-test=report-confirm]");
    await page.waitForSelector("text=线索已登记");
    await page.waitForSelector(`[data-test=leads] .el-table__row:has-text("大额医疗支出")`);
    await shot("monitoring-leads");
    await page.locator(`[data-test=leads] .el-table__row:has-text("${Number(amount).toLocaleString("en-US")}.00") [data-test=verify-lead]`).first().click();
    await page.click(".el-select:has(#lv-kind)");
    await page.click(".el-select-dropdown__item:visible:has-text('脱贫不稳定户')");
    await page.fill("#lv-desc", "因病支出骤增，存在返贫风险");
    await shot("monitoring-lead-verify");
    await page.click("[data-test=verify-lead-confirm]");
    await page.waitForSelector("[data-test=case-stage]");
    caseUrl = page.url();
    await page.click("[data-test=case-measure-add]");
    await page.click(".el-select:has(#cm-kind)");
    await page.click(".el-select-dropdown__item:visible:has-text('健康帮扶')");
    await page.fill("#cm-date", daysAgo(1));
    await page.press("#cm-date", "Enter");
    await page.fill("#cm-resp", "村医王医生");
    await page.fill("#cm-amount", "5000");
    await page.click("[data-test=case-measure-save]");
    await page.waitForSelector(`[data-test=case-measures] .el-table__row:has-text("5,000.00")`);
    await shot("monitoring-case");
  });
  for (const [user, action, stage] of [["reviewer.sishui", "township_review", "镇已审核"], ["approver.sishui", "confirmation", "监测中"]]) {
    await as(user, PASSWORDS[user], `monitoring-${action}`, async (page, shot) => {
      expect(caseUrl, "no case from the clerk's test");
      await page.goto(caseUrl);
      await page.click(`[data-test=decide-${action}]`);
      await page.fill("#d-opinion", "情况属实，同意");
      await page.click("[data-test=decide-confirm]");
      await page.waitForSelector(`[data-test=case-stage]:has-text("${stage}")`);
      expect((await page.locator("[data-test=case-events] .el-table__row").count()) >= 2, "the decisions are not listed");
      if (action === "confirmation") await shot("monitoring-case-confirmed");
    });
  }

  // 5. Property check: the county imports a batch with a vehicle registered before the
  //    cut-off; the township station forwards it to its village; the clerk verifies it (veto,
  //    the condition chosen from the county's list, the cut-off shown) and records the
  //    appraisal; the township submits its table, the county confirms it (the household leaves
  //    the registry) and then reverses the veto with a reason (it comes back).
  let batchUrl = "";
  await as("approver.sishui", PASSWORDS["approver.sishui"], "the-county-imports-a-property-batch", async (page, shot) => {
    await page.goto(base + "property-checks");
    await page.click("[data-test=property-import]");
    await page.fill("#p-name", `车辆比对 ${rnd(6)}`);
    const csv = `身份证号,姓名,检索类型,检索详情\n${checked.idNumber},${checked.name},车辆,鲁H${rnd(5)} 小型轿车 2014-03-02 登记\n`;
    await page.setInputFiles("[data-test=property-file]", { name: "hits.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.click("[data-test=property-upload]");
    await page.waitForSelector("[data-test=property-import-result]:has-text('载入 1 条')");
    await shot("property-import");
    await page.keyboard.press("Escape");
    await page.locator("[data-test=batch-open]").first().click();
    await page.waitForSelector("[data-test=cutoff]");
    expect(/2015-10-26/.test(await page.textContent("[data-test=cutoff]")), "the cut-off is not shown");
    expect((await page.locator("[data-test=audited]").count()) === 1, "the page does not say views are audited");
    batchUrl = page.url();
    await page.waitForSelector("[data-test=routing]");
    await shot("property-check");
  });
  await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "the-station-forwards-the-hits", async (page, shot) => {
    await page.goto(batchUrl);
    await page.click("[data-test=forward-township]");
    await page.waitForSelector("[data-test=township-forwarded]:not(:has-text('未转交'))");
    await page.waitForLoadState("networkidle");
    // A village with a liaison leader waits for him (or the station on his behalf); one
    // without was forwarded directly with the township.
    while (await page.locator("[data-test=forward-village]").count()) {
      await page.locator("[data-test=forward-village]").first().click();
      await page.waitForLoadState("networkidle");
    }
    expect(!/未转交/.test(await page.textContent("[data-test=routing-villages]")), "a village's hits did not reach it");
    await shot("property-routing");
  });
  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "the-village-verifies-and-appraises", async (page, shot) => {
    await page.goto(batchUrl);
    await page.click(".el-tabs__item:has-text('比对结果')");
    await page.waitForSelector(`[data-test=hits] .el-table__row:has-text("${checked.name}")`);
    expect((await page.locator("[data-test=hits-audited]").count()) === 1, "the hits tab does not say views are audited");
    await page.click(`[data-test=hits] .el-table__row:has-text("${checked.name}") [data-test=verify]`);
    await page.fill("#v-arose", "2014-03-02");
    await page.press("#v-arose", "Enter");
    await page.click(".el-select:has(#v-condition)");
    await page.waitForSelector(".el-select-dropdown__item:visible");
    const offered = await page.locator(".el-select-dropdown__item:visible").allTextContents();
    expect(offered.length === 8, `veto conditions offered: ${offered.length}`);
    await page.click(".el-select-dropdown__item:visible:has-text('小轿车')");
    await shot("property-verify");
    await page.click("[data-test=verify-confirm]");
    await page.waitForSelector(`[data-test=hits] .el-table__row:has-text("${checked.name}") [data-test=proposal]:has-text("否决")`);
    await page.click(".el-tabs__item:has-text('处理意见表')");
    await page.click("[data-test=appraise]");
    await page.fill("#a-held", daysAgo(0));
    await page.press("#a-held", "Enter");
    await page.fill("#a-att", "21");
    await page.fill("#a-min", "村评议会对比对结果逐条评议。");
    await page.getByLabel(`${checked.name} 处理意见`).fill("家庭拥有小轿车，建议一票否决");
    await page.click("[data-test=appraise-confirm]");
    await page.waitForSelector(`[data-test=opinions] .el-table__row:has-text("建议一票否决")`);
    await shot("property-opinions");
  });
  await as("reviewer.sishui", PASSWORDS["reviewer.sishui"], "the-township-submits-its-table", async (page) => {
    await page.goto(batchUrl);
    await page.click(".el-tabs__item:has-text('统计表')");
    await page.click("[data-test=submit-table]");
    await page.waitForSelector("text=统计表已提交县级");
  });
  await as("approver.sishui", PASSWORDS["approver.sishui"], "the-county-confirms-and-reverses", async (page, shot) => {
    await page.goto(batchUrl);
    await page.click(".el-tabs__item:has-text('统计表')");
    await page.waitForSelector("[data-test=confirm-table]");
    await page.locator("[data-test=confirm-table]").first().click();
    await page.waitForSelector("text=已确认，否决生效");
    await shot("property-statistics");
    expect((await clerk("GET", `/households/${checked.id}`)).body.status === "removed", "the veto did not take the household out");
    await page.click(".el-tabs__item:has-text('比对结果')");
    await page.click(`[data-test=hits] .el-table__row:has-text("${checked.name}") [data-test=reverse]`);
    await page.fill(".el-message-box input", "经复核，车辆系亲属借用登记，撤销否决");
    await page.click(".el-message-box__btns button:has-text('确定')");
    await page.waitForSelector(`[data-test=hits] [data-test=reversed]`);
    expect((await clerk("GET", `/households/${checked.id}`)).body.status === "registered", "the reversal did not restore the household");
    await shot("property-reversed");
  });
}
