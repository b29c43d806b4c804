// Shared by the checks: the server's base URL, failing loudly, and a typed client.

import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";

export type Api = Client<paths>;

/** Thrown for a failed expectation; the checks print its message and exit 1. */
export class CheckFailed extends Error {}

export function fail(message: string): never {
  throw new CheckFailed(message);
}

export function expect(cond: boolean, message: string): asserts cond {
  if (!cond) fail(message);
}

/** `ZX_CHECK_URL` without a trailing slash (e.g. http://127.0.0.1:18080). */
export function baseUrl(): string {
  const url = process.env["ZX_CHECK_URL"];
  if (url === undefined || url === "") {
    fail("ZX_CHECK_URL is not set: run scripts/check-frontend, or start a server and export ZX_CHECK_URL");
  }
  return url.replace(/\/+$/, "");
}

export function client(token?: string): Api {
  return createClient<paths>({
    baseUrl: baseUrl(),
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

export const CLERK = { username: "clerk.sishui", password: "demo-clerk-2026", village: "370831001003" } as const;

/** Logs in through the typed client and returns the access token. */
export async function login(api: Api, username: string, password: string): Promise<string> {
  const { data, error, response } = await api.POST("/api/v1/auth/login", {
    body: { username, password },
  });
  if (data === undefined) {
    fail(`POST /api/v1/auth/login as ${username}: ${response.status} ${JSON.stringify(error)}`);
  }
  expect(data.token_type === "Bearer", `login: token_type is ${JSON.stringify(data.token_type)}, expected "Bearer"`);
  expect(data.access_token.length > 0, "login: empty access_token");
  return data.access_token;
}

/** Runs a check: prints the failure and exits non-zero on any error. */
export function run(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      let msg = e instanceof CheckFailed ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      if (e instanceof Error && e.cause !== undefined) {
        msg += `\n  cause: ${e.cause instanceof Error ? e.cause.message : String(e.cause)} (is the server at ${process.env["ZX_CHECK_URL"]} up?)`;
      }
      console.error(`${name}: FAILED: ${msg}`);
      process.exit(1);
    },
  );
}
