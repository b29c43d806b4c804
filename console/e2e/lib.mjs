// Helpers the e2e files share: a signed-in API caller for the preparation a third party would
// do through the API, and Beijing dates.

export const api = (process.env.ZX_CHECK_URL ?? "http://127.0.0.1:8080") + "/api/v1";

/** The demo users' passwords (README). */
export const PASSWORDS = {
  "clerk.sishui": "demo-clerk-2026",
  "reviewer.sishui": "demo-reviewer-2026",
  "approver.sishui": "demo-approver-2026",
  "admin.sishui": "demo-admin-2026",
};

/** A signed-in API caller: `(method, path under /api/v1, body, headers)` → status, body, ETag. */
export async function caller(user, password = PASSWORDS[user]) {
  const r = await fetch(`${api}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: user, password }),
  });
  if (!r.ok) throw new Error(`login ${user}: ${r.status}`);
  const { access_token } = await r.json();
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json, etag: res.headers.get("etag") };
  };
}

/** A day as `YYYY-MM-DD` in Beijing time. */
export const beijing = (d) => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(d);
