// Dates in Beijing time, money in yuan (the API speaks fen), ID numbers.

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

/** Fen → "1,234.50 元". */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "—";
  const s = (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${s} 元`;
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
