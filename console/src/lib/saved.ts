// What a create form does with the server's answer: a 422 goes under the fields it names, a
// refusal (409 and its code) is said in Chinese from `ff.refused.<code>`, anything else in the
// words of problemText. Used by the funds, projects, relocation and rangers forms.
import { ElMessage } from "element-plus";
import { t, i18n } from "../i18n";
import { asProblem, fieldErrors, problemText } from "./problem";

/** Field errors of a failed answer (empty when it succeeded); says the rest in a message. */
export function answered(r: { data?: unknown; error?: unknown; response: Response }): Record<string, string> | null {
  if (r.data !== undefined) {
    ElMessage.success(t("ff.saved"));
    return null;
  }
  const errors = fieldErrors(r.error);
  const code = asProblem(r.error)?.code ?? "";
  const key = `ff.refused.${code}`;
  if (Object.keys(errors).length) ElMessage.error(t("ff.bad"));
  else ElMessage.error(code && i18n.global.te(key) ? t(key) : problemText(r.response.status, r.error));
  return errors;
}

/** Beijing's today, YYYY-MM-DD (as the server counts days). */
export const today = () => new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
