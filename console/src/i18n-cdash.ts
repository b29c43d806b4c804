// Messages of the issue 21 review fixes (cdash): an exit list's step refused by the server (409),
// worded by the problem's `code`; the chart exports' first column. Under `cd.`, merged in `src/i18n.ts`.
// Chinese first; English beside it.

export const cdZh = {
  exitRefused: {
    notice_period_running: "现在还不能办理：公示期未满（见上方倒计时），期满后方可办理下一步。",
    objections_open: "现在还不能办理：公示期间有未处理的异议，请先在异议处理中逐条处理完毕。",
    step_out_of_order: "现在还不能办理：名单尚未到这一环节，请刷新后查看。",
    list_empty: "未办理：名单中已没有农户。",
    list_in_round: "该名单已纳入乡镇批次审核，请在乡镇审核批次中办理这一步。",
    township_round_required: "本县按乡镇批次审核退出名单，请在乡镇审核批次中办理。",
    already_signed: "该方已签署核实意见，无需重复签署。",
    same_signatory: "同一人不能同时代表村两委和驻村工作队签署。",
    conflict: "未办理：名单状态已变化，请刷新后再试。",
  },
  chart: { category: "类别" },
  clock: {
    tag: "演示时钟：{today}",
    ahead: "演示时钟：{today}（比实际日期提前 {days} 天）",
    title: "演示时钟",
    hint: "仅用于演示：让公示期、办理时限按设定的日期计算。登录、令牌仍按实际时间。0 为回到实际日期。",
    days: "提前天数",
    set: "设置",
    saved: "演示时钟已设置，页面将重新载入",
  },
};

export const cdEn: typeof cdZh = {
  exitRefused: {
    notice_period_running: "Not yet: the notice is still running (see the countdown above); the next step comes after it ends.",
    objections_open: "Not yet: objections raised during the notice are open; resolve each of them first.",
    step_out_of_order: "Not yet: the list is not at this step. Reload to see where it is.",
    list_empty: "Not done: no household is left on the list.",
    list_in_round: "This list is in a township round: take the step on the round.",
    township_round_required: "The county reviews exit lists in township rounds: take the step on a round.",
    already_signed: "This body signed the verification already.",
    same_signatory: "One person cannot sign for both the village committee and the resident team.",
    conflict: "Not done: the list changed. Reload and try again.",
  },
  chart: { category: "Category" },
  clock: {
    tag: "Demo clock: {today}",
    ahead: "Demo clock: {today} ({days} days ahead of the real date)",
    title: "Demo clock",
    hint: "For demos only: notice periods and deadlines count from the date set here. Sign-in and tokens keep the real time. 0 returns to the real date.",
    days: "Days ahead",
    set: "Set",
    saved: "Demo clock set; the page reloads",
  },
};
