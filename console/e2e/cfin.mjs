// End-to-end checks of the last console screens of issue 21 (cfin), called from run.mjs with its
// helpers; every page photographed (and checked by axe) through `shot`.
//
// - the county approver sets the county's exit target of the year beside the intake target (a
//   value over the limit is refused under the field), and sees the progress the server answers;
// - the county approver records a demonstration village on the teams page (no village: the
//   server's refusal under the field), and sees it listed;
// - the clerk opens a household and sees its exit criteria of the year, each met or not, with
//   the server's Chinese labels.

import { PASSWORDS, caller } from "./lib.mjs";

export async function cfin({ as, base, expect }) {
  await as("approver.sishui", PASSWORDS["approver.sishui"], "cfin-exit-target", async (page, shot) => {
    await page.goto(base + "intake-targets");
    await page.waitForSelector("[data-test=exit-target]");
    await page.click("[data-test=exit-target-edit]");
    await page.fill("#x-people", "");
    await page.fill("#x-people", "86");
    await shot("cfin-exit-target-dialog");
    await page.click("[data-test=exit-target-save]");
    await page.waitForSelector("[data-test=exit-target-people]:text-is('86')");
    const shown = await page.textContent("[data-test=exit-progress]");
    expect(shown.includes("已退出") && shown.includes("完成比例"), `the exit progress: ${shown}`);
    await shot("cfin-exit-target");
  });

  const approver = await caller("approver.sishui");
  const me = (await approver("GET", "/me")).body;
  const townships = (await approver("GET", `/regions/${me.org_unit.code}/children?limit=200`)).body.items ?? [];
  const township = townships[Math.floor(Math.random() * townships.length)];
  const villages = (await approver("GET", `/regions/${township.code}/children?limit=200`)).body.items ?? [];
  const village = villages[Math.floor(Math.random() * villages.length)];
  expect(village, "no village to record");
  await as("approver.sishui", PASSWORDS["approver.sishui"], "cfin-demonstration-village", async (page, shot) => {
    await page.goto(base + "teams");
    await page.click(".el-tabs__item:has-text('示范村')");
    await page.waitForSelector("[data-test=demos]");
    await page.click("[data-test=demo-add]");
    await page.click("[data-test=demo-save]");
    const error = page.locator("[data-test=dm-village] .el-form-item__error");
    await error.waitFor();
    expect(/[\u4e00-\u9fff]/.test(await error.textContent()), `the server's error under the village: ${await error.textContent()}`);
    await page.click("[data-test=dm-village] .el-cascader");
    await page.click(`.el-cascader-node:visible:has-text('${me.org_unit.name}')`);
    await page.locator(".el-cascader-menu:visible").nth(1).locator(`.el-cascader-node:has-text('${township.name}')`).first().click();
    const node = page.locator(".el-cascader-menu:visible").nth(2).locator(`.el-cascader-node:has-text('${village.name}')`).first();
    await node.waitFor();
    await node.locator(".el-radio").click();
    await page.keyboard.press("Escape");
    await page.click("[data-test=demo-dialog] .el-dialog__title");
    await shot("cfin-demo-dialog");
    await page.click("[data-test=demo-save]");
    await page.waitForSelector(`[data-test=demos] .el-table__row:has-text("${village.name}")`);
    const row = await page.textContent(`[data-test=demos] .el-table__row:has-text("${village.name}")`);
    expect(row.includes("市级示范村"), `the recorded row: ${row}`);
    await shot("cfin-demos");
  });

  await as("clerk.sishui", PASSWORDS["clerk.sishui"], "cfin-exit-criteria", async (page, shot) => {
    const clerk = await caller("clerk.sishui");
    const list = await clerk("GET", "/households?limit=1");
    expect(list.status === 200 && list.body.items?.length, `GET /households: ${list.status}`);
    const id = list.body.items[0].id;
    await page.goto(base + `households/${id}`);
    await page.waitForSelector("[data-test=criteria] .el-table__row");
    // A year the household has a record of, so every criterion is judged.
    const years = (await clerk("GET", `/households/${id}/years`)).body.map((y) => y.year);
    expect(years.length > 0, "the demo household has no yearly record");
    const year = String(Math.max(...years));
    await page.fill("#crit-year", year);
    await page.click("[data-test=criteria-check]");
    await page.waitForSelector("[data-test=criteria] .el-table__row:nth-child(2)");
    const verdict = await page.textContent("[data-test=criteria-verdict]");
    expect(/符合退出标准|未达退出标准/.test(verdict) && /元/.test(verdict), `the verdict: ${verdict}`);
    const rows = await page.locator("[data-test=criteria] .el-table__row").allTextContents();
    expect(rows.length >= 2 && rows.every((r) => /已达到|未达到/.test(r) && /[\u4e00-\u9fff]/.test(r)), `the criteria: ${rows.join(" | ")}`);
    await shot("cfin-exit-criteria");
  });
}
