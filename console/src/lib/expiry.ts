// When the session ends under a signed-in user (an administrator reset their password or moved
// them, the refresh lifetime ran out, they signed out in another tab): the client's renewal is
// refused (`whenExpired` in src/api/client.ts). Then whoever was signed in is forgotten and the
// login page opens with `next` = the page they were on, saying 登录已失效，请重新登录 (App.vue)
// until someone signs in again — instead of every page quietly showing empty tables.
import { ref, watch } from "vue";
import type { Router } from "vue-router";
import { whenExpired } from "../api/client";
import { session } from "./session";

/** Whether the session ended under the user (the login page says so). */
export const expired = ref(false);

export function handleExpiry(router: Router): void {
  whenExpired(() => {
    // Several requests may be refused at once: one message, one redirect.
    if (!session.me) return;
    session.me = null;
    expired.value = true;
    const here = router.currentRoute.value;
    if (!here.meta.public) void router.replace({ name: "login", query: { next: here.fullPath } });
  });
  watch(
    () => session.me,
    (me) => {
      if (me) expired.value = false;
    },
  );
}
