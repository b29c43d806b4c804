// Printed documents of the workflows (exit documents, the property check's sheets): each is
// served by the API as HTML, PDF or DOCX (`?format=`), with the bearer token, so the console
// fetches it and opens it in a new tab or saves it.
import { bearer } from "../api/client";

export const FORMATS = ["pdf", "docx", "html"] as const;
export type DocFormat = (typeof FORMATS)[number];

async function fetchDoc(path: string, format: DocFormat): Promise<Blob> {
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`${path}${sep}format=${format}`, { headers: { ...bearer(), "accept-language": "zh-CN" } });
  if (!res.ok) throw new Error(String(res.status));
  return res.blob();
}

/** Saves the document as `<name>.<format>`; resolves to the HTTP status on failure. */
export async function saveDoc(path: string, format: DocFormat, name: string): Promise<number | null> {
  try {
    const url = URL.createObjectURL(await fetchDoc(path, format));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${name}.${format}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return null;
  } catch (e) {
    return Number((e as Error).message) || 500;
  }
}

/** Opens the document (PDF: the browser's viewer) in a new tab. */
export async function openDoc(path: string, name: string): Promise<number | null> {
  const tab = window.open("", "_blank");
  try {
    const url = URL.createObjectURL(await fetchDoc(path, "pdf"));
    if (tab) {
      tab.document.title = name;
      tab.location.href = url;
    } else {
      window.location.href = url;
    }
    return null;
  } catch (e) {
    tab?.close();
    return Number((e as Error).message) || 500;
  }
}
