// End-to-end checks of editing a user on the users page (cusers), called from run.mjs with its
// helpers; every dialog photographed (and checked by axe) through `shot`.
//
// The county administrator (admin.sishui) edits a user made for this run through the API (a
// random username, a village clerk of the clerk's village, signed in through the API):
// - a blank display name is refused under the field (the server's 422, in Chinese);
// - a save over a version someone else changed meanwhile (a PATCH through the API) is refused
//   (412) with a Chinese message and a 重新读取 button; read again, the rename goes through and
//   the table shows the new name;
// - moving the user to another village of 泗水县 warns before saving that their sessions end
//   and lists the grant that would be dropped (the clerk's role at the old village); saved, the
//   table shows the new village, the grant is gone and the user's token no longer works.

import { caller } from "./lib.mjs";

const CN = "零一二三四五六七八九";
const cn = (digits) => [...digits].map((d) => CN[Number(d)]).join("");
const chinese = (s) => /[\u4e00-\u9fff]/.test(s) && !/[a-z]{4,}/i.test(s);

/** Picks `names` in a RegionPicker's cascader (its `data-test`), the last one selected. */
async function pickRegion(page, test, names) {
  await page.click(`[data-test=${test}] .el-cascader`);
  for (let i = 0; i < names.length; i++) {
    const node = page.locator(".el-cascader-menu:visible").nth(i).locator(`.el-cascader-node:has(.el-cascader-node__label:text-is("${names[i]}"))`).first();
    await node.waitFor();
    if (i === names.length - 1) await node.locator(".el-radio").click();
    else await node.click();
  }
  await page.keyboard.press("Escape");
}

export async function cusers({ as, base, expect, rnd }) {
  const admin = await caller("admin.sishui");
  const clerk = await caller("clerk.sishui");
  const home = (await clerk("GET", "/me")).body.org_unit;
  const townshipCode = home.code.slice(0, 9) + "000";
  const township = (await admin("GET", `/regions/${townshipCode}`)).body;
  const villages = (await admin("GET", `/regions/${townshipCode}/children?limit=200`)).body.items ?? [];
  // Another village of the same township, named unlike the clerk's (the cascader is matched by name).
  const other = villages.find((v) => v.code !== home.code && v.level === "village" && !v.name.includes(home.name) && !home.name.includes(v.name));
  expect(other, `no other village in ${township.name}: ${villages.length} children`);

  const tag = rnd(6);
  const username = `cu.e2e${tag}`;
  const password = `Cusers-${tag}-pass-2026`;
  const displayName = "编辑测试" + cn(tag.slice(0, 3));
  const made = await admin(
    "POST",
    "/users",
    { username, display_name: displayName, password, org_unit: home.code, roles: ["village_clerk"] },
    { "Idempotency-Key": crypto.randomUUID() },
  );
  expect(made.status === 201, `POST /users: ${made.status} ${JSON.stringify(made.body)}`);
  const id = made.body.id;
  // The user signed in: the move ends this session.
  const user = await caller(username, password);
  const editButton = `[data-test="edit-${username}"]`;
  const row = `[data-test=users] .el-table-v2__row:has-text("${username}")`;

  await as("admin.sishui", "demo-admin-2026", "cusers-renames-a-user", async (page, shot) => {
    await page.goto(base + "users");
    await page.fill("#u-q", username);
    await page.click("[data-test=users-search]");
    await page.waitForSelector(row);
    await page.click(editButton);
    await page.waitForSelector("[data-test=edit-dialog] #e-display");
    expect((await page.inputValue("#e-display")) === displayName, `the dialog's display name: ${await page.inputValue("#e-display")}`);
    expect((await page.textContent("[data-test=e-current]")).includes(home.name), "the dialog does not name the user's org unit");

    // A blank display name: the server's refusal, under the field.
    await page.fill("#e-display", "   ");
    await page.click("[data-test=edit-save]");
    const error = page.locator("[data-test=e-display] .el-form-item__error");
    await error.waitFor();
    expect(chinese(await error.textContent()), `the error under the display name: ${await error.textContent()}`);
    await shot("cusers-blank-name");

    // Someone else renames the user meanwhile: the save is refused (412), nothing is written.
    const read = await admin("GET", `/users/${id}`);
    const other1 = "他人改名" + cn(rnd(2));
    const meanwhile = await admin("PATCH", `/users/${id}`, { display_name: other1 }, { "If-Match": read.etag });
    expect(meanwhile.status === 200, `the PATCH meanwhile: ${meanwhile.status} ${JSON.stringify(meanwhile.body)}`);
    const renamed = "改名" + cn(rnd(3));
    await page.fill("#e-display", renamed);
    await page.click("[data-test=edit-save]");
    await page.waitForSelector("[data-test=edit-stale]");
    expect(chinese(await page.textContent("[data-test=edit-stale]")), "the stale message is not in Chinese");
    expect((await admin("GET", `/users/${id}`)).body.display_name === other1, "the stale save was written");
    await shot("cusers-stale");
    // Read again: the name typed stays, saved over the new version.
    await page.click("[data-test=edit-reread]");
    await page.waitForSelector("[data-test=edit-stale]", { state: "detached" });
    expect((await page.inputValue("#e-display")) === renamed, "the name typed was lost on reading again");
    await page.click("[data-test=edit-save]");
    await page.waitForSelector("text=已保存用户信息");
    await page.waitForSelector("[data-test=edit-dialog]", { state: "hidden" });
    await page.waitForSelector(`${row}:has-text("${renamed}")`);
    const after = (await admin("GET", `/users/${id}`)).body;
    expect(after.display_name === renamed && after.org_unit.code === home.code && after.roles.length === 1, `the user after the rename: ${JSON.stringify(after)}`);
    // A rename ends no session.
    expect((await user("GET", "/me")).status === 200, "the rename ended the user's session");
  });

  await as("admin.sishui", "demo-admin-2026", "cusers-moves-a-user", async (page, shot) => {
    await page.goto(base + "users");
    await page.fill("#u-q", username);
    await page.click("[data-test=users-search]");
    await page.waitForSelector(row);
    await page.click(editButton);
    await page.waitForSelector("[data-test=edit-dialog] #e-display");
    expect((await page.locator("[data-test=move-warning]").count()) === 0, "a warning before any move");
    await pickRegion(page, "e-org", ["泗水县", township.name, other.name]);
    // The panel closed (a click beside it), so the warning is seen whole.
    await page.click("[data-test=e-current]");
    await page.waitForSelector(".el-cascader__dropdown", { state: "hidden" });
    // The warning: sessions end, and the clerk's grant at the old village is dropped.
    const warning = page.locator("[data-test=move-warning]");
    await warning.waitFor();
    const said = await warning.textContent();
    expect(said.includes("登录") && said.includes("失效"), `the warning does not say the sessions end: ${said}`);
    await page.waitForSelector(`[data-test=move-warning]:has-text("${other.name}")`);
    const dropped = await page.locator("[data-test=move-dropped] li").allTextContents();
    expect(dropped.length === 1 && dropped[0].includes(home.name) && chinese(dropped[0]), `the grants listed as dropped: ${JSON.stringify(dropped)}`);
    await shot("cusers-move-warning");
    await page.click("[data-test=edit-save]");
    await page.waitForSelector(`text=已将用户调至${other.name}`);
    await page.waitForSelector(`${row}:has-text("${other.name}")`);
    await shot("cusers-moved");
    const after = (await admin("GET", `/users/${id}`)).body;
    expect(after.org_unit.code === other.code && after.roles.length === 0, `the user after the move: ${JSON.stringify(after)}`);
    // The move ended the user's sessions.
    const me = await user("GET", "/me");
    expect(me.status === 401, `the moved user's token still works: ${me.status}`);
  });
}
