// The server's problem (RFC 9457) in plain Chinese: what happened and what to try. The server's
// own words (English) are kept only for field errors, shown under the field they name.
import type { Schemas } from "../api/client";
import { t } from "../i18n";

/** The server's problem document (RFC 9457), as the contract describes it. */
export type Problem = Schemas["Problem"];

/** An openapi-fetch error as the problem it is (absent when the answer had no body). */
export function asProblem(error: unknown): Problem | undefined {
  return (error ?? undefined) as Problem | undefined;
}

export function problemText(status: number, error?: unknown): string {
  const p = asProblem(error);
  switch (status) {
    case 401:
      return t("problem.401");
    case 403:
      return t("problem.403");
    case 404:
      return t("problem.404");
    case 409:
      return t("problem.409");
    case 412:
      return t("problem.412");
    case 422:
      return t("problem.422");
    case 428:
      return t("problem.412");
    case 429:
      return t("problem.429");
    default:
      return status >= 500 ? t("problem.5xx") : t("common.error", { detail: p?.detail ?? status });
  }
}

/** Field errors by field name, for the form items that name them. */
export function fieldErrors(error: unknown): Record<string, string> {
  const p = asProblem(error);
  return Object.fromEntries((p?.errors ?? []).map((x) => [x.field, x.message]));
}
