// A failed job's reason: the server puts it in `summary.error` (its own words, English), e.g.
// "the export stopped; run it again" or "the file cannot be read: …".
import { ElMessage, ElMessageBox } from "element-plus";
import { api, type Schemas } from "../api/client";
import { t } from "../i18n";
import { problemText } from "./problem";

/** Why a job failed (`summary.error`); `null` when it has not failed, "" when no reason was given. */
export function jobError(j: Schemas["JobDto"] | null | undefined): string | null {
  if (!j || j.status !== "failed") return null;
  const e = (j.summary as Record<string, unknown> | null | undefined)?.error;
  return typeof e === "string" ? e.trim() : "";
}

/** Whether a job can still be cancelled: waiting, or running and not yet asked to stop. */
export function cancellable(j: Schemas["JobDto"] | null | undefined): boolean {
  return !!j && (j.status === "queued" || (j.status === "running" && !j.cancel_requested_at));
}

/**
 * Cancels a job after asking (POST /api/v1/jobs/{id}/cancel): a waiting one at once, a running
 * one at the end of the batch it is writing. Returns the job as it stands after, or null when
 * the user thought better of it or the server refused (said in a message).
 */
export async function cancelJob(j: Schemas["JobDto"]): Promise<Schemas["JobDto"] | null> {
  try {
    await ElMessageBox.confirm(t("jobs.cancelConfirm"), t("jobs.cancelTitle"), {
      type: "warning", confirmButtonText: t("jobs.cancel"), cancelButtonText: t("jobs.keep"),
    });
  } catch {
    return null;
  }
  const r = await api.POST("/api/v1/jobs/{id}/cancel", { params: { path: { id: j.id } } });
  if (!r.data) {
    ElMessage.error(problemText(r.response.status, r.error));
    return null;
  }
  ElMessage.success(r.data.status === "cancelled" ? t("jobs.cancelled") : t("jobs.stopping"));
  return r.data;
}
