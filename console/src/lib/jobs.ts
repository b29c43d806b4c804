// A failed job's reason: the server puts it in `summary.error` (its own words, English), e.g.
// "the export stopped; run it again" or "the file cannot be read: …".
import type { Schemas } from "../api/client";

/** Why a job failed (`summary.error`); `null` when it has not failed, "" when no reason was given. */
export function jobError(j: Schemas["JobDto"] | null | undefined): string | null {
  if (!j || j.status !== "failed") return null;
  const e = (j.summary as Record<string, unknown> | null | undefined)?.error;
  return typeof e === "string" ? e.trim() : "";
}
