// Region names for codes shown in tables (GET /api/v1/regions/{code}), fetched once per code
// and kept for the session: a page of tasks names a handful of villages.
import { reactive } from "vue";
import { api } from "../api/client";

const names = reactive<Record<string, string>>({});
const asked = new Set<string>();

export function loadRegionNames(codes: string[]): void {
  for (const code of new Set(codes)) {
    if (!code || asked.has(code)) continue;
    asked.add(code);
    void api.GET("/api/v1/regions/{code}", { params: { path: { code } } }).then((r) => {
      if (r.data) names[code] = r.data.name;
    });
  }
}

/** The region's name once loaded, else its code. */
export function regionName(code: string): string {
  return names[code] ?? code;
}
