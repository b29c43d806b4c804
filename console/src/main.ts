import { createApp } from "vue";
import App from "./App.vue";
import { router } from "./router";
import { i18n } from "./i18n";
import { handleExpiry } from "./lib/expiry";
// Styles of the components called as functions (not in templates, so not found by the resolver).
import "element-plus/es/components/message/style/css";
import "element-plus/es/components/message-box/style/css";
import "./style.css";

// A session ending under the user sends them to the login page (src/lib/expiry.ts).
handleExpiry(router);
createApp(App).use(router).use(i18n).mount("#app");
