// Messages of the console actions of issue 21 that came last (reversals, a project's manager and
// public posting, key-village designation, industry plan and leaders, advisers, ending a
// pairing, the working calendar, fund matching, ranger payouts), under `ca.`, merged into the
// console's i18n when one of these pages is first loaded (out of the first screen's JavaScript).
import { i18n } from "./i18n";
import { asProblem, fieldErrors, problemText } from "./lib/problem";

const zh = {
  ca: {
    saved: "已保存",
    bad: "请检查标红的字段",
    required: "必填",
    reverse: "冲销",
    reverseTitle: "冲销{what}",
    allocation: "资金分配",
    disbursement: "资金拨付",
    reverseHint: "冲销记一笔负数分录，原分录保留，冲销后不能撤回。",
    reverseNote: "冲销原因",
    reverseConfirm: "确定冲销这笔 {amount} 的{what}？冲销不可撤回。",
    reversed: "已冲销",
    confirmTitle: "请确认",
    project: {
      manager: "项目专人", noManager: "未指定", setManager: "指定专人", managerWho: "专人", me: "我本人（{name}）",
      other: "其他用户（账号 ID）", none: "清除专人", userId: "账号 ID", managerHint: "须为本县持有资金管理权限的用户",
      posting: "张榜公布", posted: "已公示", notPosted: "未公示", post: "张榜公布", postedOn: "公示日期", location: "公示地点",
      contact: "异议受理（单位和电话）", contactHint: "不填为县领导小组办公室", attachment: "公示照片（附件地址）",
      period: "公示期 {first} 至 {last} 24时（{days} 天）", required: "须公示期满后方可拨付和录入进度", notice: "公示文书",
      paymentFile: "一卡通发放文件", paymentReason: "导出原因", paymentReasonHint: "完整卡号和身份证号，需说明原因（4–500 字，记入审计）",
      paymentDay: "只导出该日发放", format: "格式", download: "下载", running: "公示中", ended: "公示期满",
    },
    key: {
      designate: "认定重点帮扶村", village: "村", fromYear: "起始年度", toYear: "截止年度", plan: "帮扶方案（一村一策）",
      projects: "项目清单（每行一个）", industryPlan: "产业规划", adoptedOn: "产业规划方案通过日期", clear: "清除（录入有误）",
      industryNone: "未录入", leaders: "县级领导联系", noLeaders: "暂无县级领导联系", leaderName: "姓名", leaderPosition: "职务",
      from: "开始", to: "结束", linkLeader: "联系领导", indicatorTable: "指标完成情况表", indicatorYear: "年度", pickVillage: "请选择一个村（村级）。",
    },
    teams: {
      endPairing: "结束结对", endDate: "结束日期（最后一天）", endConfirm: "结束后该户不再由此帮扶责任人联系，确定结束？",
      advisers: "专家特派员", addAdviser: "添加专家特派员", adviserName: "姓名", specialty: "专业领域", unit: "单位", from: "开始",
      to: "结束", village: "村", open: "进行中",
      demos: "示范村", addDemo: "认定示范村", demoLevel: "级别", demoYear: "认定年度", recordedAt: "登记时间",
      demoLevels: { province: "省级示范村", city: "市级示范村" },
    },
    calendar: {
      title: "工作日历", year: "年度", known: "已录入国务院节假日安排", unknown: "本年度尚未录入节假日安排：只按周六、周日计算休息日。",
      source: "依据", version: "版本", updated: "更新时间", date: "日期", kind: "类型", festival: "节日", festivalEn: "节日（英文）",
      edit: "修改日历", addDay: "添加一天", remove: "删除", empty: "暂无特殊日期", hint: "只列出与平常周一至周五不同的日期：法定节假日和调休上班的周末。",
      kinds: { holiday: "法定节假日", workday: "调休工作日" }, readOnly: "日历由平台管理员维护，各县按此计算公示期和期限。",
      countdown: "工作日倒计时", from: "起算日", days: "工作日数", ends: "第 {n} 个工作日：{day}", weekdayCol: "星期",
      running: "已在进行的公示期保持原定结束日期。", daysCount: "共 {n} 天",
    },
    matching: {
      title: "市级配套", county: "县", year: "年度", province: "省级(元)", city: "市级(元)", countyFen: "县级(元)",
      ratio: "配套比例", required: "应配套(元)", countyShare: "含县级分担(元)", shortfall: "缺口(元)", met: "达标", short: "不足", none: "暂无数据",
    },
    payout: {
      pay: "发放补助", month: "月份", confirm: "发放 {month} 的管护补助 {amount}？发放后该月记录关闭，不能撤回。",
      paid: "已发放：{amount}", terminated: "本月记录导致合同解除。", sheet: "补助发放表",
    },
    refused: {
      reversed: "未冲销：该分录已冲销过。", not_reversible: "未冲销：冲销分录不能再冲销，请另记一笔。",
      over_allocation: "未冲销：项目已支付的金额超过冲销后剩余的安排，请先冲销拨付。",
      ranger_payout: "未冲销：该拨付是护林员某月的补助，发放记录随之保留。",
      already_exists: "未保存：该项目已公示。", already_key: "未认定：该村已是重点帮扶村。", ended: "未保存：该结对已结束。",
      document_not_ready: "该项目尚未公示，公示文书在公示后生成。", paid: "未发放：该月已发放。", month_paid: "未发放：该月已发放。",
      terminated: "未发放：该合同已解除。", month_not_over: "未发放：该月尚未结束。", no_benefit_card: "未发放：该户没有登记一卡通（补贴只发到一卡通，不发现金），请先登记。", conflict: "未保存：记录已存在或状态已变化，请刷新后再试。",
    },
  },
};

const en: typeof zh = {
  ca: {
    saved: "Saved",
    bad: "Please check the fields marked in red",
    required: "Required",
    reverse: "Reverse",
    reverseTitle: "Reverse the {what}",
    allocation: "allocation",
    disbursement: "disbursement",
    reverseHint: "A reversal is a negative entry; the original stays. It cannot be undone.",
    reverseNote: "Why",
    reverseConfirm: "Reverse this {what} of {amount}? It cannot be undone.",
    reversed: "Reversed",
    confirmTitle: "Please confirm",
    project: {
      manager: "Manager", noManager: "None", setManager: "Name the manager", managerWho: "Manager", me: "Myself ({name})",
      other: "Another user (account id)", none: "Clear", userId: "Account id", managerHint: "A user of the county with funds:manage",
      posting: "Public posting", posted: "Posted", notPosted: "Not posted", post: "Post publicly", postedOn: "Posted on", location: "Where",
      contact: "Objections to (office, phone)", contactHint: "Empty: the county's leading group", attachment: "Photo (attachment URI)",
      period: "Notice {first} to {last} 24:00 ({days} days)", required: "Nothing is paid nor progress recorded before the notice ends", notice: "Notice",
      paymentFile: "Payment file", paymentReason: "Reason", paymentReasonHint: "Full card and ID numbers: say why (4–500 characters, audited)",
      paymentDay: "Only this day", format: "Format", download: "Download", running: "Running", ended: "Ended",
    },
    key: {
      designate: "Designate a key village", village: "Village", fromYear: "From", toYear: "To", plan: "Plan",
      projects: "Projects (one a line)", industryPlan: "Industry plan", adoptedOn: "Industry plan adopted on", clear: "Clear (a wrong entry)",
      industryNone: "Not recorded", leaders: "County leaders", noLeaders: "No leader linked", leaderName: "Name", leaderPosition: "Position",
      from: "From", to: "To", linkLeader: "Link a leader", indicatorTable: "Indicator table", indicatorYear: "Year", pickVillage: "Pick a village.",
    },
    teams: {
      endPairing: "End", endDate: "Last day", endConfirm: "The cadre no longer looks after the household. End the pairing?",
      advisers: "Advisers", addAdviser: "Add an adviser", adviserName: "Name", specialty: "Field", unit: "Unit", from: "From",
      to: "To", village: "Village", open: "Open",
      demos: "Demonstration villages", addDemo: "Record a demonstration village", demoLevel: "Level", demoYear: "Year named", recordedAt: "Recorded",
      demoLevels: { province: "Province-level", city: "City-level" },
    },
    calendar: {
      title: "Working calendar", year: "Year", known: "The State Council's arrangement is recorded", unknown: "No arrangement for this year: only Saturdays and Sundays are rest days.",
      source: "Source", version: "Version", updated: "Updated", date: "Date", kind: "Kind", festival: "Festival", festivalEn: "Festival (English)",
      edit: "Edit", addDay: "Add a day", remove: "Remove", empty: "No special day", hint: "Only the dates that differ from an ordinary week: holidays and weekends worked.",
      kinds: { holiday: "Holiday", workday: "Working day" }, readOnly: "The platform administrators keep the calendar; notice periods and deadlines are counted on it.",
      countdown: "Working-day countdown", from: "From", days: "Working days", ends: "Working day {n}: {day}", weekdayCol: "Weekday",
      running: "Periods already running keep their end.", daysCount: "{n} days",
    },
    matching: {
      title: "City matching", county: "County", year: "Year", province: "Province (yuan)", city: "City (yuan)", countyFen: "County (yuan)",
      ratio: "Ratio", required: "Required (yuan)", countyShare: "County share (yuan)", shortfall: "Shortfall (yuan)", met: "Met", short: "Short", none: "No data",
    },
    payout: {
      pay: "Pay", month: "Month", confirm: "Pay {month}: {amount}? The month is then closed; it cannot be undone.",
      paid: "Paid: {amount}", terminated: "This month's record terminated the contract.", sheet: "Payout sheet",
    },
    refused: {
      reversed: "Not reversed: it was reversed already.", not_reversible: "Not reversed: a reversal is not reversed; record a new entry.",
      over_allocation: "Not reversed: the project has paid more than would be left allocated; reverse the payments first.",
      ranger_payout: "Not reversed: it pays a ranger's month.",
      already_exists: "Not saved: posted already.", already_key: "Not designated: a key village already.", ended: "Not saved: ended already.",
      document_not_ready: "The project is not posted yet.", paid: "Not paid: paid already.", month_paid: "Not paid: paid already.",
      terminated: "Not paid: the contract is terminated.", month_not_over: "Not paid: the month is not over.", no_benefit_card: "Not paid: the household has no benefit card on record (payments go to the card, never in cash).", conflict: "Not saved: it exists already or its state changed; reload and try again.",
    },
  },
};

i18n.global.mergeLocaleMessage("zh-CN", zh);
i18n.global.mergeLocaleMessage("en", en);

/** A refused write in the console's words: the server's 409 code when known, else by status. */
export function refusal(status: number, error: unknown): string {
  const code = asProblem(error)?.code ?? "";
  const key = `ca.refused.${code}`;
  if (code && i18n.global.te(key)) return i18n.global.t(key);
  return status === 409 ? i18n.global.t("ca.refused.conflict") : problemText(status, error);
}

/** A dialog's failed answer: field errors for the form (422), else a message to show. */
export function outcome(r: { error?: unknown; response: Response }): { fields: Record<string, string>; message: string } {
  const fields = fieldErrors(r.error);
  return { fields, message: Object.keys(fields).length ? "" : refusal(r.response.status, r.error) };
}
