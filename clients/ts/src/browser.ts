// The browser check (issue #10, part 6): Swagger UI at /docs loads in headless Chromium and a
// request made from it with a demo token succeeds.
//
// Logs in over HTTP as the village clerk, opens /docs, waits for the operations, authorizes with
// the bearer token, expands GET /api/v1/me, "Try it out", "Execute", and asserts the rendered
// status is 200 and the rendered body names the clerk. On failure a screenshot goes to /tmp.
//
//   ZX_CHECK_URL=http://127.0.0.1:8080 node dist/browser.js     (ZX_CHROMIUM overrides /usr/bin/chromium)

import { chromium, type Browser, type Page } from "playwright-core";
import { CLERK, baseUrl, client, expect, fail, login, run } from "./common.js";

const CHROMIUM = process.env["ZX_CHROMIUM"] ?? "/usr/bin/chromium";
const TIMEOUT_MS = 20_000;
const ME = "/api/v1/me";

async function screenshot(page: Page): Promise<string> {
  const path = `/tmp/zx-swagger-failure-${new Date().toISOString().replace(/[:.]/g, "-")}.png`;
  try {
    await page.screenshot({ path }); // the viewport: the page is some 17,000 px long
    return path;
  } catch (e) {
    return `(no screenshot: ${e instanceof Error ? e.message : String(e)})`;
  }
}

async function main(): Promise<void> {
  const url = baseUrl();
  const token = await login(client(), CLERK.username, CLERK.password);

  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    });
  } catch (e) {
    fail(`cannot start ${CHROMIUM} (apt-get install -y chromium): ${e instanceof Error ? e.message : String(e)}`);
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(TIMEOUT_MS);
  const trouble: string[] = [];
  page.on("pageerror", (e) => trouble.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") trouble.push(`console error: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) trouble.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => trouble.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? "?"}`));

  const problems: string[] = [];
  let summary = "";
  let step = "open /docs";
  try {
    // /docs is the documented address (README). Should it fail, the rest still runs from /docs/,
    // so one run says everything, and the check fails at the end.
    const nav = await page.goto(`${url}/docs`, { waitUntil: "domcontentloaded" });
    if (nav === null || !nav.ok()) {
      problems.push(`GET /docs (the address README gives) answered ${nav?.status() ?? "nothing"}, not Swagger UI`);
      step = "open /docs/";
      const slash = await page.goto(`${url}/docs/`, { waitUntil: "domcontentloaded" });
      expect(slash !== null && slash.ok(), `GET /docs/ answered ${slash?.status() ?? "nothing"} too`);
    }

    step = "wait for Swagger UI to render the operations";
    await page.locator(".swagger-ui .opblock").first().waitFor();
    const operations = await page.locator(".swagger-ui .opblock").count();

    step = "click Authorize";
    await page.locator(".swagger-ui .auth-wrapper button.authorize").click();
    const dialog = page.locator(".swagger-ui .modal-ux");
    await dialog.waitFor();

    step = "paste the bearer token";
    await dialog.locator('input[aria-label="auth-bearer-value"]').fill(token);
    await dialog.locator('button[type="submit"].authorize').click();
    await dialog.locator("h6", { hasText: "Authorized" }).waitFor(); // and the button turns to "Logout"

    step = "close the dialog";
    await dialog.locator("button.btn-done").click();
    await dialog.waitFor({ state: "detached" });

    step = `expand GET ${ME}`;
    const op = page
      .locator(".swagger-ui .opblock.opblock-get")
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${ME}"]`) });
    expect((await op.count()) === 1, `Swagger UI shows ${await op.count()} GET ${ME} operations, expected 1`);
    await op.locator(".opblock-summary").first().click();

    step = "Try it out";
    await op.locator("button.try-out__btn").click();

    step = "Execute";
    const [sent] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${url}${ME}` && r.request().method() === "GET"),
      op.locator("button.execute").click(),
    ]);
    const auth = await sent.request().headerValue("authorization");
    expect(auth === `Bearer ${token}`, `Swagger UI sent GET ${ME} with authorization ${auth === null ? "missing" : "not the pasted token"}`);

    step = "read the rendered response";
    const live = op.locator(".live-responses-table");
    await live.waitFor();
    const status = (await live.locator("tbody .response-col_status").first().innerText()).trim();
    const bodyText = (await live.locator(".response-col_description .highlight-code pre").first().innerText()).trim();
    expect(status.split(/\s+/)[0] === "200", `Swagger UI rendered status "${status}", expected 200; body: ${bodyText.slice(0, 400)}`);
    expect(!/undocumented/i.test(status), `Swagger UI marks the 200 of GET ${ME} as undocumented`);
    let rendered: unknown;
    try {
      rendered = JSON.parse(bodyText);
    } catch {
      fail(`the rendered body is not JSON: ${bodyText.slice(0, 400)}`);
    }
    const username = (rendered as { username?: unknown }).username;
    expect(username === CLERK.username, `the rendered body's username is ${JSON.stringify(username)}, expected ${CLERK.username}`);

    summary = `Swagger UI rendered ${operations} operations; Try it out GET ${ME} with the pasted token → 200, ${CLERK.username}`;
  } catch (e) {
    const shot = await screenshot(page);
    const msg = e instanceof Error ? e.message : String(e);
    fail(`at "${step}": ${msg}\n  screenshot: ${shot}${trouble.length ? `\n  ${trouble.slice(0, 10).join("\n  ")}` : ""}`);
  } finally {
    await browser.close();
  }
  if (problems.length > 0) fail(`${problems.join("; ")}. The rest passed from /docs/: ${summary}`);
  console.log(`browser: OK (${summary})`);
}

run("browser", main);
