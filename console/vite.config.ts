import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import Components from "unplugin-vue-components/vite";
import { ElementPlusResolver } from "unplugin-vue-components/resolvers";

// Served by the server at /console/ (ZX_CONSOLE_DIR); `npm run dev` proxies the API to a local
// server (ZX_API, default http://127.0.0.1:8080).
const api = process.env.ZX_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/console/",
  plugins: [
    vue(),
    // Element Plus components and their styles, imported where used (not the whole library).
    Components({ resolvers: [ElementPlusResolver({ importStyle: "css" })], dts: false }),
  ],
  build: {
    target: "es2020",
    // No inline module-preload polyfill script (the CSP forbids inline scripts).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
    manifest: true,
  },
  server: {
    proxy: { "/api": api, "/.well-known": api },
  },
});
