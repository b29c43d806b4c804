// Messages of the intake (纳入) and exit-inspection (督查验收) pages (issue 21), under `ik.`,
// merged into the console's i18n when one of these pages is first loaded (so they stay out of
// the first screen's JavaScript). Codes (stages, steps, kinds, sources, outcomes) are labelled
// from the server's vocabularies; the English here is their fallback and the pages' own words.
import { i18n } from "./i18n";
import { asProblem, fieldErrors, problemText } from "./lib/problem";

const zh = {
  ik: {
    title: "纳入名单",
    detail: "纳入名单",
    intro: "新识别贫困户和返贫户的纳入：村级申请或摸底排查、民主评议、村级公示，乡镇审核，县级审批并公告后纳入建档立卡。",
    year: "年度",
    village: "村",
    stage: "当前环节",
    households: "户数",
    notice: "公示剩余",
    createdAt: "建立时间",
    announcedAt: "公告时间",
    none: "暂无纳入名单",
    create: "新建纳入名单",
    createHint: "本村的一般农户可作为新识别户纳入，已脱贫户或监测户作为返贫户纳入。",
    source: "来源",
    appliedOn: "申请或排查日期",
    pick: "选择农户",
    pickHint: "按户主姓名查找本村农户",
    kind: "纳入方式",
    status: "当前状态",
    created: "纳入名单已建立",
    attachmentTitle: "附件名称",
    attachmentUri: "附件地址",
    attachmentHint: "如申请书、摸底排查表的存档链接（https）",
    remove: "移除",
    entries: "名单中的农户",
    applicationStep: "农户申请或摸底排查",
    // Steps taken from the list page.
    stepDone: "已办理，名单进入下一环节",
    removals: "移出农户",
    removalReason: "移出理由",
    noRemoval: "不移出（填写理由即移出名单）",
    removalsHint: "移出农户：填写理由的户将移出名单，不填则保留。",
    recordedAt: "录入时间",
    refused: {
      notice_period_running: "现在还不能办理：村级公示期未满。",
      objections_open: "现在还不能办理：有未处理的异议，请村里处理完毕后再审核。",
      step_out_of_order: "现在还不能办理：名单尚未到这一环节，请刷新后查看。",
      list_empty: "未办理：名单中已没有农户。",
      no_notice_running: "未登记：村级公示期间才能登记异议。",
      already_resolved: "该异议已处理，请刷新后查看。",
      already_exists: "该户已入户核查，不能重复登记。",
      conflict: "未办理：名单状态已变化，请刷新后再试。",
    },
    // The county's intake target.
    targets: {
      title: "纳入目标",
      intro: "县级年度新识别纳入目标（人）和返贫人数控制上限（总量控制）。",
      county: "县",
      year: "年度",
      people: "新识别目标（人）",
      returns: "返贫控制上限（人）",
      returnsNone: "不设上限",
      updatedAt: "设置时间",
      unset: "{year} 年度尚未设置纳入目标",
      edit: "设置目标",
      saved: "纳入目标已保存",
    },
    // Exit inspections.
    insp: {
      title: "退出抽查",
      detail: "退出抽查",
      intro: "县、市对当年已备案退出户按随机种子抽样，入户核查是否真脱贫；核查为“被脱贫”的户重新纳入未脱贫。",
      region: "抽查地区",
      year: "退出年度",
      seed: "随机种子",
      seedHint: "不填则自动生成；同一种子对同一批户抽样结果相同",
      size: "抽查户数",
      population: "已备案退出户",
      createdAt: "抽样时间",
      none: "暂无抽查",
      create: "新建抽查",
      created: "已抽样",
      sampled: "抽中",
      visited: "已核查",
      confirmed: "真脱贫",
      falseExits: "被脱贫",
      reopened: "已重新纳入",
      rank: "序号",
      visit: "入户核查",
      visitedOn: "核查日期",
      findings: "核查情况",
      outcome: "核查结论",
      notVisited: "未核查",
      visitSaved: "核查结果已登记",
      falseExitWarn: "结论为“被脱贫”时，该户将重新纳入未脱贫并记入户历史。",
    },
  },
};

const en: typeof zh = {
  ik: {
    title: "Intake lists",
    detail: "Intake list",
    intro: "Households entering support, newly identified or back in poverty: the village's application or screening, appraisal and notice, the township's review, the county's approval and announcement.",
    year: "Year",
    village: "Village",
    stage: "Stage",
    households: "Households",
    notice: "Notice",
    createdAt: "Drawn up",
    announcedAt: "Announced",
    none: "No intake lists",
    create: "New intake list",
    createHint: "An ordinary household of the village enters as newly identified; an exited or monitored one as a return to poverty.",
    source: "Source",
    appliedOn: "Applied or screened on",
    pick: "Households",
    pickHint: "Find a household of the village by the head's name",
    kind: "Enters as",
    status: "Status now",
    created: "Intake list drawn up",
    attachmentTitle: "Attachment title",
    attachmentUri: "Attachment link",
    attachmentHint: "The archived application or screening sheet (https)",
    remove: "Remove",
    entries: "Households on the list",
    applicationStep: "Application or screening",
    stepDone: "Done; the list moved to its next stage",
    removals: "Take off",
    removalReason: "Reason",
    noRemoval: "Kept (a reason takes it off)",
    removalsHint: "Households taken off: a reason takes the household off the list; none keeps it.",
    recordedAt: "Entered at",
    refused: {
      notice_period_running: "Not yet: the village's notice is still running.",
      objections_open: "Not yet: an objection is open; the village must resolve it first.",
      step_out_of_order: "Not yet: the list is not at this step. Reload to see where it is.",
      list_empty: "Not done: no household is left on the list.",
      no_notice_running: "Not recorded: objections are taken only while the village's notice runs.",
      already_resolved: "This objection was resolved already. Reload to see it.",
      already_exists: "This household was visited already.",
      conflict: "Not done: the list changed. Reload and try again.",
    },
    targets: {
      title: "Intake targets",
      intro: "The county's yearly target of people newly identified, and the ceiling on returns to poverty.",
      county: "County",
      year: "Year",
      people: "Newly identified (people)",
      returns: "Ceiling on returns (people)",
      returnsNone: "No ceiling",
      updatedAt: "Set at",
      unset: "No intake target set for {year}",
      edit: "Set the target",
      saved: "Intake target saved",
    },
    insp: {
      title: "Exit inspections",
      detail: "Exit inspection",
      intro: "A county or city draws a reproducible sample of the households whose exit was filed in a year and visits each; a false exit sends the household back.",
      region: "Region",
      year: "Exit year",
      seed: "Seed",
      seedHint: "Generated when empty; the same seed draws the same sample",
      size: "Households to draw",
      population: "Filed exits",
      createdAt: "Drawn at",
      none: "No inspections",
      create: "New inspection",
      created: "Sample drawn",
      sampled: "Sampled",
      visited: "Visited",
      confirmed: "Confirmed",
      falseExits: "False exits",
      reopened: "Reopened",
      rank: "Rank",
      visit: "Record the visit",
      visitedOn: "Visited on",
      findings: "Findings",
      outcome: "Outcome",
      notVisited: "Not visited",
      visitSaved: "Visit recorded",
      falseExitWarn: "A false exit sends the household back to not yet out of poverty, with a history entry.",
    },
  },
};

i18n.global.mergeLocaleMessage("zh-CN", zh);
i18n.global.mergeLocaleMessage("en", en);
// English fallbacks of the server's vocabularies (in Chinese the server's labels are used).
i18n.global.mergeLocaleMessage("en", {
  ikStage: { applied: "Applied", appraised: "Appraised", notice: "In notice", township_reviewed: "Township reviewed", approved: "County approved", announced: "Announced" },
  ikStep: { appraisal: "Appraisal", notice: "Notice", township_review: "Township review", approval: "County approval", announcement: "Announcement" },
  ikKind: { new: "Newly identified", return: "Return to poverty" },
  ikSource: { application: "Application", screening: "Screening" },
  inspOutcome: { confirmed: "Out of poverty", false_exit: "False exit" },
});

/** A refused write in the console's language: the server's 409 code when known, else by status. */
export function refusal(status: number, error: unknown): string {
  const code = asProblem(error)?.code ?? "";
  if (status === 409) {
    const key = `ik.refused.${code}`;
    return i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t("ik.refused.conflict");
  }
  return problemText(status, error);
}

/** The answer of a dialog's write: field errors for the form (422), or a message to show. */
export function outcome(status: number, error: unknown): { fields: Record<string, string>; message: string } {
  const fields = fieldErrors(error);
  return { fields, message: Object.keys(fields).length ? "" : refusal(status, error) };
}
