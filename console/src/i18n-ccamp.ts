// Messages of the exit campaign (动态调整), exit progress and county figures pages (issue 21,
// console part 2), under `cc.`, merged into the console's i18n when one of these pages is first
// loaded (out of the first screen's JavaScript). Labels of steps, states and statuses come from
// the server's vocabularies (CampaignStep, CampaignStepState, CampaignStatus); the ones here are
// the English fallbacks' Chinese twins, used only when the vocabularies are not loaded.
import { i18n } from "./i18n";
import { asProblem, fieldErrors, problemText } from "./lib/problem";

const zh = {
  cc: {
    saved: "已保存",
    confirmTitle: "请确认",
    required: "必填",
    refused: {
      campaign_open: "未开启：本县该年度已有进行中的动态调整工作，请先结束它。",
      campaign_closed: "未保存：该年度动态调整工作已结束，不能再修改。",
      campaign_villages_pending: "未结束：还有 {n} 个村既未完成全部环节，也未说明原因。请督促这些村办理，或为其说明原因后再结束。",
      conflict: "未保存：记录已存在或状态已变化，请刷新后再试。",
    },
    campaigns: {
      title: "动态调整工作",
      intro: "本县每年一次的动态调整（脱贫退出与新识别纳入）：各村按环节的截止日期办理，县级跟踪进度、为无需办理的村说明原因，全部完成后结束。",
      year: "年度",
      status: "状态",
      allStatuses: "全部",
      create: "开启年度工作",
      createTitle: "开启动态调整工作",
      createHint: "截止日期不填的，按本县参数设置的天数自动计算；截止日期遇节假日顺延至下一个工作日。",
      openedOn: "开启日期",
      closedAt: "结束时间",
      note: "备注",
      deadlines: "各环节截止日期",
      none: "暂无动态调整工作。县级审批人员可点击“开启年度工作”。",
      noneAbove: "动态调整工作由县级开展，县级以上不查看。",
      opened: "已开启 {year} 年度动态调整工作",
      filtered: "共 {n} 项",
    },
    campaign: {
      title: "动态调整工作详情",
      summary: "概况",
      villages: "本范围内村数",
      lateVillages: "有逾期环节的村",
      excusedVillages: "已说明原因的村",
      counts: "各环节进度（村数）",
      step: "环节",
      dueOn: "截止日期",
      totals: "总量控制、进出平衡",
      kind: "类别",
      exits: "脱贫退出",
      entries: "新识别纳入",
      returns: "返贫",
      households: "已生效户数",
      people: "已生效人数",
      inProcedure: "在途（户/人）",
      target: "目标（人）",
      percent: "完成比例",
      net: "净增贫困人口：{n} 人（新识别与返贫之和减去脱贫）",
      villageTable: "各村进度",
      township: "乡镇",
      late: "逾期",
      lateAll: "全部",
      lateOnly: "仅逾期",
      notLate: "无逾期",
      village: "村",
      lists: "名单数",
      excuse: "说明原因",
      excuseTitle: "说明原因 · {name}",
      excuseHint: "说明该村本年度无需完成全部环节的原因（如：本年度无增减），说明后该村不计逾期，也不影响结束。再次说明将替换原因。",
      reason: "原因",
      reasonHint: "例如：本年度无脱贫退出和新识别对象",
      excused: "已说明",
      excusedAt: "说明时间",
      excusedDone: "已为 {name} 说明原因",
      close: "结束工作",
      closeConfirm: "确定结束 {year} 年度动态调整工作？结束后不能再为各村说明原因，也不能重新打开。",
      closed: "{year} 年度动态调整工作已结束",
      back: "返回列表",
      yes: "是",
      no: "否",
    },
    step: { appraisal: "民主评议", village_notice: "村级公示", township_review: "乡镇审核", county_approval: "县级审批", announcement: "公告" },
    state: { not_started: "未开始", in_progress: "进行中", notice_running: "公示中", done: "已完成", late: "逾期" },
    status: { open: "进行中", closed: "已结束" },
    progress: {
      title: "退出进度",
      intro: "本年度已备案的脱贫退出户数、人数与目标人数的对比（目标为各县设定的年度退出目标之和）。点击图中或表中的地区可查看下一级。",
      year: "年度",
      region: "地区",
      target: "目标人数",
      exitedPeople: "已退出人数",
      exitedHouseholds: "已退出户数",
      inProgress: "在途人数",
      percent: "完成比例",
      total: "合计",
      chartPeople: "退出人数与目标",
      chartHouseholds: "已退出户数",
      unitPeople: "人",
      unitHouseholds: "户",
      path: "地区层级",
      noChildren: "已是最下一级（村），没有下级地区。",
      noTarget: "未设目标",
    },
    figures: {
      title: "县级统计数据",
      intro: "县域农民人均可支配收入（县统计部门数据），与各村上报的人均可支配收入对照，重点帮扶村“收入达到县平均水平”的目标以此为准。",
      county: "县",
      year: "年度",
      income: "县域农民人均可支配收入",
      column: "县域人均收入",
      edit: "填报",
      editTitle: "填报县级数据 · {year} 年",
      unset: "{year} 年尚未填报。",
      updatedAt: "填报时间",
      yuanHint: "请填写金额（元），最多两位小数",
      pickCounty: "请先选择一个县（或在下方选择村，查看其所在县）。",
    },
  },
};

i18n.global.mergeLocaleMessage("zh-CN", zh);

/** A refused write in Chinese: the server's 409 code named when known, else by status. */
export function refusal(status: number, error: unknown): string {
  const p = asProblem(error);
  const code = p?.code ?? "";
  if (status === 409) {
    const key = `cc.refused.${code}`;
    if (!i18n.global.te(key)) return i18n.global.t("cc.refused.conflict");
    // The pending villages are listed by code in the detail: say how many.
    const n = (p?.detail ?? "").match(/\d{12}/g)?.length ?? 0;
    return i18n.global.t(key, { n });
  }
  return problemText(status, error);
}

/** The answer of a dialog's write: field errors for the form (422), or a message to show. */
export function outcome(status: number, error: unknown): { fields: Record<string, string>; message: string } {
  const fields = fieldErrors(error);
  return { fields, message: Object.keys(fields).length ? "" : refusal(status, error) };
}
