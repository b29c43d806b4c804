// Poverty-cause labels from the API's catalog (loaded once).
import { ref } from "vue";
import { api } from "../api/client";
import { i18n } from "../i18n";

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

// The server's vocabularies (GET /api/v1/vocabularies): the Chinese label of every code, so
// labels never drift from the contract. In English the i18n messages are used instead.
export const vocabularies = ref<Record<string, Record<string, string>>>({});
let loadingVocab: Promise<void> | null = null;

export function loadVocabularies(): Promise<void> {
  loadingVocab ??= api.GET("/api/v1/vocabularies").then((r) => {
    vocabularies.value = Object.fromEntries((r.data ?? []).map((v) => [v.name, Object.fromEntries(v.entries.map((e) => [e.code, e.label]))]));
  });
  return loadingVocab;
}

/** The label of `code` in vocabulary `name` (a schema name of the contract): the server's
 *  Chinese label in Chinese, else the i18n message `fallbackKey`, else the code. */
export function label(name: string, code: string, fallbackKey?: string): string {
  if (i18n.global.locale.value === "zh-CN") {
    const l = vocabularies.value[name]?.[code];
    if (l) return l;
  }
  return fallbackKey && i18n.global.te(fallbackKey) ? i18n.global.t(fallbackKey) : code;
}

/** A level's label (`村级`), from the server's `Level` vocabulary. */
export const levelLabel = (code: string | undefined): string => label("Level", code ?? "");
/** A role's name (`村文书`), from the server's role catalog (`Role`). */
export const roleLabel = (code: string): string => label("Role", code);
/** A permission's name (`查看农户`), from the server's permission catalog (`Permission`). */
export const permLabel = (code: string): string => label("Permission", code);
