// After `vite build`: a .gz sibling for every text asset (the server sends it to clients that
// accept gzip), and the size of the first screen's JavaScript, gzipped, from Vite's manifest:
// the entry chunk, the sign-in page and the layout with the home page, with their static imports
// (other pages and the chart library are lazy and excluded). Fails over ZX_FIRST_SCREEN_KB
// (default 300).
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const limitKb = Number(process.env.ZX_FIRST_SCREEN_KB ?? 300);

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
for (const f of walk(dist)) {
  if (/\.(js|css|html|svg|json)$/.test(f)) writeFileSync(`${f}.gz`, gzipSync(readFileSync(f), { level: 9 }));
}

const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));
const entry = Object.values(manifest).find((c) => c.isEntry);
const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const i of manifest[key].imports ?? []) visit(i);
};
visit(Object.keys(manifest).find((k) => manifest[k] === entry));
for (const page of ["src/views/Login.vue", "src/views/Layout.vue", "src/views/Home.vue"]) {
  if (manifest[page]) visit(page);
}
let bytes = 0;
for (const k of seen) bytes += gzipSync(readFileSync(join(dist, manifest[k].file)), { level: 9 }).length;
const kb = bytes / 1024;
const line = `first screen: ${kb.toFixed(1)} KB of gzipped JavaScript in ${seen.size} chunks (limit ${limitKb} KB)`;
writeFileSync(join(dist, "first-screen.txt"), `${line}\n`);
console.log(line);
if (kb > limitKb) {
  console.error("over the limit: import components on demand, lazy-load pages");
  process.exit(1);
}
