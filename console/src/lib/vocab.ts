// Poverty-cause labels from the API's catalog (loaded once).
import { ref } from "vue";
import { api } from "../api/client";

export const causes = ref<{ code: string; label: string }[]>([]);
let loading: Promise<void> | null = null;

export function loadCauses(): Promise<void> {
  loading ??= api.GET("/api/v1/poverty-causes").then((r) => {
    causes.value = r.data ?? [];
  });
  return loading;
}

export function causeLabel(code: string): string {
  return causes.value.find((c) => c.code === code)?.label ?? code;
}
