// End-to-end checks of the last console screens of issue 21 (cfin), called from run.mjs with its
// helpers; every page photographed (and checked by axe) through `shot`.
//
// - the county approver sets the county's exit target of the year beside the intake target (a
//   value over the limit is refused under the field), and sees the progress the server answers;
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
