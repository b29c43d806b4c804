// Dates in Beijing time, money in yuan (the API speaks fen), ID numbers; a report's columns in
// the units a dashboard shows.
import { t } from "../i18n";

const beijing = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const beijingTime = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

function parts(f: Intl.DateTimeFormat, d: Date): Record<string, string> {
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}

/** YYYY-MM-DD in Beijing time. */
export function date(iso: string | null | undefined): string {
  if (!iso) return "—";
  const p = parts(beijing, new Date(iso));
  return `${p.year}-${p.month}-${p.day}`;
}

/** YYYY-MM-DD HH:mm in Beijing time. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const p = parts(beijingTime, new Date(iso));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** When a period ends, as the printed notice says it: one ending at midnight Beijing time is
 *  "2026-12-11 24:00" (24:00 of its last day, 民法典 §203), not "2026-12-12 00:00", which a
 *  village clerk would read as one more day; any other instant as {@link dateTime}. */
export function periodEnd(iso: string | null | undefined): string {
  if (!iso) return "—";
  const p = parts(beijingTime, new Date(iso));
  if ((p.hour === "00" || p.hour === "24") && p.minute === "00") {
    const before = parts(beijingTime, new Date(new Date(iso).getTime() - 60_000));
    return `${before.year}-${before.month}-${before.day} 24:00`;
  }
  return dateTime(iso);
}

/** Fen → "1,234.50 元". */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "—";
  const s = (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${s} 元`;
}

/** How a report's column is shown: the server counts money in fen (`*_fen`, "到位资金(分)") and
 *  rates in basis points (`*_bp`, "执行率(万分比)"); dashboards show 万元 and %. */
export type ReportUnit = "wan" | "pct" | null;

export function reportUnit(code: string | undefined): ReportUnit {
  if (code?.endsWith("_fen")) return "wan";
  if (code?.endsWith("_bp")) return "pct";
  return null;
}

/** The unit's name (万元, %), for labels and axes. */
export function unitName(unit: ReportUnit): string {
  return unit === "wan" ? t("dash.dashboard.unitWan") : unit === "pct" ? t("dash.dashboard.unitPercent") : "";
}

/** A report value in its shown unit, two decimals: fen → 万元, basis points → %. */
export function reportValue(code: string | undefined, v: number | null): number | null {
  if (v === null) return null;
  const unit = reportUnit(code);
  if (unit === "wan") return Math.round(v / 10_000) / 100;
  if (unit === "pct") return Math.round(v) / 100;
  return v;
}

/** A column's label in its shown unit: "到位资金(分)" → "到位资金(万元)", "执行率(万分比)" → "执行率(%)". */
export function reportLabel(code: string | undefined, label: string): string {
  const unit = reportUnit(code);
  if (!unit) return label;
  return `${label.replace(/\s*[(（][^()（）]*[)）]\s*$/, "")}(${unitName(unit)})`;
}

/** A report cell as text: counts as they are, 万元 and % with two decimals. */
export function reportCell(code: string | undefined, v: number | null): string {
  const shown = reportValue(code, v);
  if (shown === null) return "";
  return reportUnit(code)
    ? shown.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : shown.toLocaleString("zh-CN");
}

/** Yuan as typed → fen (integer), or null when not a number. */
export function toFen(yuanText: string): number | null {
  if (!/^\d+(\.\d{1,2})?$/.test(yuanText.trim())) return null;
  return Math.round(Number(yuanText) * 100);
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/** The check character GB 11643 gives the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Why an ID number (as typed so far) is wrong, or null when it is fine (or not yet complete). */
export function idNumberProblem(value: string, complete: boolean): string | null {
  const v = value.trim().toUpperCase();
  if (!/^\d{0,17}[\dX]?$/.test(v) || (v.length < 18 && v.includes("X"))) return "idNumber.chars";
  if (v.length < 18) return complete ? "idNumber.length" : null;
  if (idCheckChar(v.slice(0, 17)) !== v[17]) return "idNumber.check";
  return null;
}
