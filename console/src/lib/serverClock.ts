import { ref } from "vue";

/** How far the server's use-case clock runs ahead of this browser's, in milliseconds: the demo's
 *  clock (`GET /demo/clock`, read by the header's DemoClock) when it is on, else 0. Countdowns
 *  add it, so a notice the demo's clock has ended shows as ended. */
export const serverAheadMs = ref(0);
