// Chinese first, English second. Labels of codes the API has no vocabulary route for live here;
// poverty causes come from GET /api/v1/poverty-causes.
import { createI18n } from "vue-i18n";
import { dashEn, dashZh } from "./i18n-dash";
import { ffEn, ffZh } from "./i18n-ffunds";
import { chEn, chZh } from "./i18n-chouse";
import { cmEn, cmZh } from "./i18n-cmem";
import { cdEn, cdZh } from "./i18n-cdash";
import { cuEn, cuZh } from "./i18n-cusers";

const zh = {
  app: { title: "巩固拓展脱贫攻坚成果信息系统", short: "振兴" },
  login: {
    title: "用户登录",
    username: "用户名",
    password: "密码",
    submit: "登录",
    wrong: "用户名或密码错误，请重新输入。",
    throttled: "尝试次数过多，账号已暂时锁定，请 {min} 分钟后再试。",
    failed: "登录失败，请稍后再试。",
    required: "请输入用户名和密码",
    expired: "登录已失效，请重新登录",
  },
  password: {
    title: "修改密码",
    forced: "管理员已重置您的密码，请先设置新密码。",
    current: "当前密码",
    new: "新密码",
    repeat: "确认新密码",
    mismatch: "两次输入的密码不一致",
    done: "密码已修改，请重新登录",
  },
  menu: {
    home: "工作台",
    cases: "建档立卡",
    households: "脱贫户查询",
    register: "新增农户",
    import: "批量导入",
    admin: "系统管理",
    users: "用户管理",
    settings: "参数设置",
    calendar: "工作日历",
    audit: "审计日志",
    jobs: "后台任务",
    tenants: "租户管理",
    roles: "角色与权限",
    webhooks: "事件推送",
    inbox: "待办事项",
    exit: "退出管理",
    exitLists: "退出名单",
    exitRounds: "乡镇批次",
    // Issue 21's workflow pages (their own messages are in src/flow/messages.ts).
    exitPlans: "年度计划执行", monitoringLeads: "预警线索", monitoringCase: "监测对象详情", propertyCheck: "核查批次详情",
    monitoringGroup: "防返贫监测",
    monitoring: "监测对象",
    reports: "统计报表",
    dashboard: "数据看板",
    propertyGroup: "财产核查",
    property: "核查批次",
    villagesGroup: "重点帮扶村",
    keyVillages: "重点村目标",
    fundsGroup: "资金项目",
    projects: "项目资金",
    rangers: "生态护林员",
    // The intake and exit-inspection pages (their own messages are in src/i18n-intake.ts).
    intake: "纳入管理", intakeLists: "纳入名单", intakeList: "纳入名单详情", intakeTargets: "纳入目标",
    exitInspections: "退出抽查", exitInspection: "抽查详情",
    // The exit campaign and exit progress pages (their own messages are in src/i18n-ccamp.ts).
    campaigns: "动态调整", campaign: "动态调整详情", exitProgress: "退出进度",
  },
  layout: { logout: "退出登录", print: "打印", printHint: "打印本页（A4，不含菜单）", scope: "管辖范围", scopeOf: "{name}及所辖区域", year: "{year} 年度",
    split: "您的 {perms} 权限分散在几个单位、没有一项授权同时覆盖它们，相关功能暂不可用。请联系用户管理员调整授权。" },
  // The API's HouseholdStatus, worded as its description.
  status: { registered: "未脱贫", exited: "已脱贫", monitored: "监测", returned: "返贫", non_poor: "一般农户", removed: "已清退" },
  attribute: { general: "一般贫困户", subsistence_allowance: "低保贫困户", extreme_poverty_support: "特困供养贫困户" },
  relationship: {
    head: "户主", spouse: "配偶", child: "子女", child_in_law: "儿媳/女婿", grandchild: "孙子女",
    parent: "父母", grandparent: "祖父母", sibling: "兄弟姐妹", other: "其他",
  },
  sex: { male: "男", female: "女" },
  measureKind: {
    industry: "产业帮扶", employment: "就业帮扶", education: "教育帮扶", health: "健康帮扶", housing: "住房保障",
    relocation: "易地扶贫搬迁", ecological_job: "生态公益岗位", social_security: "社会保障兜底", small_loan: "小额信贷", other: "其他",
  },
  // Levels, roles and permissions are labelled by the server (GET /vocabularies: Level, Role,
  // Permission; src/lib/vocab.ts), not copied here.
  job: { queued: "排队中", running: "进行中", succeeded: "已完成", failed: "失败", cancelled: "已取消" },
  common: {
    search: "查询", reset: "重置", add: "新增", export: "导出", import: "导入", save: "保存", cancel: "取消",
    confirm: "确定", actions: "操作", view: "查看", more: "加载更多", total: "共 {n} 户", empty: "暂无数据",
    region: "行政区划", status: "状态", attribute: "户类型", cause: "致贫原因", year: "识别年度",
    name: "户主姓名", incomeMin: "人均纯收入下限(元)", incomeMax: "上限(元)", idNumber: "身份证号",
    loading: "加载中…", httpsHint: "https:// 开头的地址", error: "操作失败：{detail}", notAllowed: "您没有权限进行此操作",
  },
  problem: {
    401: "登录已过期，请重新登录。",
    403: "您没有权限进行此操作。如需办理，请联系上级管理员。",
    404: "未找到该记录：它可能已被删除，或不在您的管辖范围内。",
    409: "该记录已存在或状态已变化，请刷新后再试。",
    412: "该记录已被他人修改，您看到的不是最新内容。请重新加载后再修改。",
    422: "填写的内容有误，请按输入框下方的提示修改后再提交。",
    429: "操作过于频繁，请稍后再试。",
    "5xx": "服务器暂时无法处理，请稍后再试；如仍不行，请联系管理员。",
  },
  households: {
    title: "脱贫户查询", number: "户编号", village: "所在村", head: "户主", members: "人口",
    namePrefix: "户主姓名（前缀）", incomeYear: "收入年度", exportCsv: "导出 CSV", exportXlsx: "导出 Excel", exportTitle: "导出任务", exportFailed: "导出失败，未生成文件。请稍后重新导出。", printNote: "打印件只含屏幕上显示的行。", printExport: "全部农户请用“导出 Excel”。", exporting: "正在导出…", exported: "导出完成，已下载",
    noRecords: "您的层级只能查看统计数据，不能查看农户明细。",
    refused: "县级以上用户不能查看农户明细", toCounts: "查看统计数据",
    noRole: "您的角色不能查看农户明细", noRoleHint: "农户明细由村、乡镇、县的业务人员查看；如需查看，请联系管理员授予相应角色。", count: "户数", searchId: "按身份证号查找",
    searchIdHint: "输入完整的 18 位身份证号", notFound: "未找到该身份证号对应的人员",
  },
  household: {
    title: "农户详情", basic: "基本信息", members: "家庭成员", years: "年度收入与两不愁三保障",
    reveal: "查看完整号码", revealTitle: "查看完整身份证号", reason: "查看事由", reasonHint: "例如：核对低保申请材料（将记入审计日志）",
    revealed: "完整号码", reasonRequired: "请填写查看事由（至少 4 个字）", income: "人均纯收入",
    food: "不愁吃", clothing: "不愁穿", education: "义务教育", medical: "基本医疗", housing: "住房安全", water: "饮水安全",
    edit: "修改户信息", saved: "已保存", notes: "备注", editReason: "修改原因", history: "变更记录", reload: "重新加载",
    staleBy: "保存失败：该户信息已被 {who} 于 {at} 修改，您看到的不是最新内容（本次修改未写入）。请重新加载后再修改。",
    year: "年度", yearAdd: "登记年度收入", yearEdit: "修改", yearEditTitle: "修改 {year} 年度记录", guards: "两不愁三保障",
    income_per_capita_fen: "人均纯收入", wage_income_fen: "工资性收入", transfer_income_fen: "转移性收入",
    production_income_fen: "生产经营性收入", property_income_fen: "财产性收入", yuanHint: "请填写金额（元），最多两位小数",
    measures: "帮扶措施", measureAdd: "新增帮扶措施", measureAdded: "帮扶措施已登记", measureKind: "措施类型", measureDate: "日期",
    measureAmount: "金额", measureTerm: "贷款期限(月)", measureDescription: "说明",
    asOf: "查看某日状态", asOfHint: "选择日期", asOfBack: "返回当前状态",
    asOfShown: "以下为 {d} 日终时的历史状态（只读），不是当前状态。", asOfNone: "{d} 时该户尚未建档。",
    yes: "有保障", no: "未保障", address: "住址", cadre: "帮扶责任人", identified: "识别年度", updated: "最近修改",
  },
  history: {
    created: "建档", updated: "修改户信息", member_added: "新增成员", member_updated: "修改成员", member_removed: "删除成员",
    year_recorded: "登记年度收入", measure_added: "新增帮扶措施", measure_updated: "修改帮扶措施", status_changed: "状态变更",
    baseline: "此前记录已归档",
  },
  // What an entry of the history changed, by the field the server names (unknown ones as named).
  historyFields: {
    address: "住址", residence: "居住情况", attribute: "贫困户属性", poverty_causes: "致贫原因",
    year_identified: "识别年度", responsible_cadre: "帮扶责任人", notes: "备注", status: "状态",
    member_id: "成员", name: "姓名", relationship: "与户主关系", id_number: "身份证号", head: "户主",
    education: "文化程度", school_status: "在校生状况", health: "健康状况", disability: "残疾",
    labour_ability: "劳动能力", medical_insurance: "医疗保险", pension: "养老保险", phone: "联系电话",
    record: "年度记录", year: "年度", imported: "批量导入", measure_id: "帮扶措施", kind: "类别",
    amount_fen: "金额", date: "日期", household_id: "农户", other: "其他",
    case_id: "监测对象", step: "环节", stage: "阶段", pairing_id: "结对帮扶", cadre: "帮扶干部",
    start_date: "开始日期", end_date: "结束日期",
  } as Record<string, string>,
  register: {
    title: "新增农户", household: "户信息", number: "户编号", numberHint: "16 位，县内唯一", village: "所在村",
    member: "户主信息", name: "姓名", idNumber: "身份证号", created: "登记成功", addMember: "添加成员",
    relationship: "与户主关系",
  },
  idNumber: {
    chars: "身份证号只能是数字，最后一位可以是 X",
    length: "身份证号应为 18 位",
    check: "身份证号校验位不正确，请核对",
  },
  import: {
    title: "批量导入", template: "下载模板", upload: "选择文件", dryRun: "仅校验（不写入）", start: "开始导入",
    created: "新增", updated: "更新", unchanged: "未变化", refused: "未导入",
    progress: "处理进度", errors: "错误明细", row: "行号", column: "列", message: "错误说明", done: "导入完成",
    checkedTitle: "校验结果（尚未写入）", doneTitle: "导入结果",
    stillRunning: "任务仍在服务器上运行，可在“后台任务”页面查看进度和结果。",
    checkedHint: "以上为校验结果，尚未写入任何数据。有误的行不会导入；可以直接按此文件导入，或更正后重新选择文件。",
    now: "按此文件导入", reimport: "重新导入更正后的文件",
    failed: "导入任务失败，未完成。请按失败原因处理后重新导入此文件（已导入的行不会重复导入）。",
  },
  users: {
    title: "用户管理", username: "用户名", displayName: "姓名", orgUnit: "所属单位", roles: "角色", disabled: "已停用",
    active: "正常", create: "新增用户", grant: "授予角色", role: "角色", where: "适用范围", password: "初始密码",
    created: "用户已创建", granted: "已授予角色", reset: "重置密码", resetDone: "密码已重置，该用户下次登录时须先修改密码",
    resetHint: "重置后该用户的所有登录将失效，下次登录时须先设置自己的新密码。", enable: "启用", disable: "停用",
    enableConfirm: "确定启用用户 {name}？启用后可以登录。", disableConfirm: "确定停用用户 {name}？停用后该用户将无法登录。",
    requested: "已提交授权申请，须由另一位管理员审批后生效", requests: "待审批的授权", approve: "批准", reject: "驳回",
    requestsHint: "本县要求业务角色的授予须经第二位管理员审批；申请人和被授权人本人不能审批。",
    requestedBy: "申请人", requestedAt: "申请时间", reason: "驳回理由", approved: "已批准，角色已授予", rejected: "已驳回",
  },
  audit: {
    count: "已加载 {n} 条", title: "审计日志", action: "操作", actor: "操作人", object: "对象", at: "时间", region: "区划",
    objectType: "对象类型", objectId: "对象编号", from: "起始日期", to: "截止日期",
    actionAll: "全部（可输入名称或代码）", actionNone: "没有这项操作；也可输入完整的操作代码，如 member.reveal", platform: "全平台",
    withheld: "（需 {perm} 权限才能查看）",
  },
  jobs: {
    title: "后台任务", kind: "类型", progress: "进度", created: "创建时间", finished: "完成时间", rows: "已处理/总行数",
    errors: "{n} 行有误", refresh: "刷新", none: "您的范围内还没有导入或导出任务", byId: "按任务编号查找",
    notFound: "未找到该任务（编号有误，或不在您的管辖范围内）", dryRun: "（仅校验）",
    kinds: { household_import: "农户导入", household_export: "农户导出" },
    failedReason: "失败原因", noReason: "服务器未说明原因",
    actions: "操作", cancel: "取消任务", keep: "不取消", cancelTitle: "取消任务",
    cancelConfirm: "确定取消该任务？排队中的任务不再运行；运行中的导入在当前批次写完后停止，已导入的农户保留（每户完整），再次导入同一文件即可继续。",
    cancelled: "任务已取消", stopping: "已请求停止：当前批次写完后停止", stoppingTag: "正在停止",
    cancelledNote: "已取消：已导入的农户保留（每户完整），再次导入同一文件即可继续",
  },
  exitStage: {
    nominated: "村民小组已提名", appraised: "已民主评议", verified: "已核实", first_notice: "第一次公示", township_reviewed: "镇已审核",
    second_notice: "第二次公示", approved: "县已审批", announced: "公告", filed: "已备案",
  },
  exitStep: {
    nomination: "村民小组提名", appraisal: "民主评议", verification: "核实", first_notice: "第一次公示", township_review: "镇审核",
    second_notice: "第二次公示", approval: "县审批", announcement: "公告", filing: "备案",
  },
  exit: {
    title: "退出名单", year: "年度", village: "村", stage: "当前环节", households: "户数", people: "人数", notice: "公示剩余",
    objections: "未处理异议", none: "本年度暂无退出名单", detail: "退出名单", group: "村民小组", steps: "办理环节",
    who: "经办人", when: "办理时间", recordedAt: "录入时间", attachments: "附件", noAttachments: "无附件", entries: "名单中的农户", removed: "已移出",
    income: "人均纯收入", line: "当年标准", votes: "评议（赞成/反对/弃权）", next: "下一步", nextNone: "流程已完成",
    noticeEnds: "公示截止 {at}，还剩 {d} 天 {h} 小时", noticeOver: "公示已于 {at} 期满", documents: "文书",
    objectionsPanel: "异议", raise: "登记异议", raisedBy: "反映人", content: "异议内容", household: "被异议农户", raisedAt: "登记时间",
    resolve: "处理", upheld: "异议成立（移出名单）", dismissed: "异议不成立", outcome: "处理结果", reason: "处理理由",
    open: "待处理", blocked: "有未处理的异议，处理完毕前不能进入下一步。", raised: "异议已登记", resolved: "异议已处理",
    resolveConfirm: "确定处理该异议？异议成立时该户将移出名单。",
    take: "办理", stepDone: "已办理，名单进入下一环节", stepOn: "办理日期", today: "今天", attendees: "到会代表人数",
    minutes: "会议记录", for: "赞成", against: "反对", abstain: "弃权", verifiers: "核实人员", verifiersHint: "多人用顿号或逗号分隔",
    findings: "核实情况", location: "公示地点", locationHint: "例如：村委会公示栏", opinion: "审核意见", decisionNo: "文号",
    reference: "备案编号", attachmentTitle: "附件名称", attachmentUri: "附件地址",
    stepRefused: "现在还不能办理这一步：公示期未满、有未处理的异议，或名单已变化。请刷新后查看。",
  },
  rounds: {
    title: "乡镇退出批次", intro: "乡镇将各村公示期满的初选名单一并审核，在各村同时进行第二次公示；县里对乡镇名单一次审批、一次公告。有异议未处理或公示未满的村暂缓，其他村照常推进。",
    none: "本年度尚未开启乡镇批次", open: "开启本乡镇批次（镇审核）", filing: "县级名单备案",
    summary: "{v} 个村 · {h} 户", heldBy: "{n} 条异议", heldTitle: "{n} 份名单暂缓办理",
    posting: "公示村", postedOn: "张贴日期", lastDay: "公示截止", decision: "推进 {m} 份，暂缓 {h} 份",
    opened: "开启于 {at}", done: "已办理：{n} 份名单进入下一环节", nothingReady: "没有可以办理的名单：公示期未满或有未处理的异议。请查看各村的状态。", exists: "本乡镇该年度的退出批次已经开启，请刷新页面。",
    everyVillage: "第二次公示须在本批次各村同时张贴，每个村填写张贴地点和日期。",
    action: {
      open: "开启乡镇批次并审核", township_review: "镇审核（补充审核）", second_notice: "第二次公示（各村张贴）",
      approval: "县审批", announcement: "县公告", filing: "县级名单备案",
    },
    why: { notice_period_running: "公示期未满", objections_open: "有未处理的异议", step_out_of_order: "尚未到这一环节", list_empty: "名单已无农户" },
  },
  doc: {
    application: "申请书", assembly_minutes: "村民代表大会记录", appraisal_tally: "评议票决统计", village_notice: "村公示",
    township_report: "镇审核报告", township_notice: "镇公示", county_report: "送审报告", county_announcement: "县公告",
  },
  caseStage: {
    identified: "村已识别", township_reviewed: "镇已审核", monitored: "监测中", risk_eliminated: "风险已消除", returned: "返贫致贫",
    dismissed: "不纳入监测",
  },
  caseKind: { unstable_exited: "脱贫不稳定户", marginal: "边缘易致贫户", sudden_hardship: "突发严重困难户" },
  monitoring: {
    title: "防返贫监测对象", kind: "监测类型", stage: "环节", foundOn: "发现日期", deadline: "认定期限", risks: "风险类型",
    overdue: "已逾期 {d} 天", inTime: "期限内", daysLeft: "剩 {d} 天", onlyOverdue: "只看逾期", all: "全部", none: "暂无监测对象",
  },
  dashboard: {
    title: "数据看板", kind: "报表", by: "分组", asOf: "统计日期", today: "今天", path: "地区层级", total: "合计",
    hidden: "已隐藏", png: "导出图片（PNG）", xlsx: "导出数据（Excel）", drillHint: "点击地区可查看下一级",
    suppressed: "有 {n} 个单元格人数少于 {min} 人，按规定不显示（标为“已隐藏”）。",
    kinds: { households: "农户与人口", exits: "退出与目标", monitoring: "防返贫监测", funds: "资金执行", key_villages: "重点帮扶村目标", coverage: "帮扶覆盖", rangers: "生态护林员" },
    bys: { status: "按状态", attribute: "按户类型", cause: "按致贫原因" },
  },
  rangers: {
    title: "生态护林员", contracts: "管护协议", late: "逾期未发 ({n})", none: "暂无管护协议", noneLate: "没有逾期未发的月份",
    station: "林业站（甲方）", group: "村民小组", area: "管护面积(亩)", period: "管护期限", annual: "年补助(元)",
    running: "履行中", terminated: "已终止", hint: "点击一行查看巡护记录和月度补助计算。", month: "月份", dueOn: "应发日期",
    daysLate: "逾期天数", compute: "计算", line: "明细", clause: "协议条款", amount: "金额(元)", total: "当月应发 {total}",
    claim: "；追究赔偿责任", mayTerminate: "；可终止协议", patrols: "巡护记录", noPatrols: "暂无巡护记录", day: "日期",
    route: "巡护路线/区域", findings: "发现问题", reported: "已报告",
  },
  projects: {
    title: "资金项目", name: "项目名称", budget: "预算(元)", allocated: "已安排(元)", disbursed: "已支付(元)", execution: "执行进度",
    progress: "工程进度", byProgress: "（按进度拨付）", keyVillage: "重点村", key: "重点村", none: "本年度暂无项目",
    total: "已加载 {n} 个项目：预算 {budget}，已安排 {allocated}，已支付 {disbursed}",
    status: { planned: "计划", in_progress: "在建", completed: "完工", cancelled: "取消" },
  },
  keyVillages: {
    title: "重点帮扶村", rank: "排名", period: "帮扶期", gap: "差距", targets: "目标完成情况", exit: "摘帽时间",
    active: "帮扶中", exited: "已摘帽", none: "暂无重点帮扶村",
    states: { met: "已完成", on_track: "进度正常", at_risk: "有风险", missed: "未完成", no_data: "无数据" },
  },
  property: {
    title: "财产核查批次", audited: "查看比对结果将记入审计日志，请仅为核查工作查看。", name: "批次", importer: "导入单位",
    imported: "导入时间", hits: "比对结果", reused: "其中沿用", counties: "涉及县数", none: "暂无核查批次",
  },
  inbox: {
    title: "待办事项", nothing: "暂无待办事项", go: "去办理", all: "全部", kind: "类型", action: "要做的事", since: "等待自",
    due: "截止日期", overdue: "已逾期", part: "说明",
    summary: "共 {total} 项待办，其中 {overdue} 项已逾期（截至 {today}）。",
    kinds: {
      exit_step: "退出名单待办理", notice_ended: "公示期满待下一步", objection: "异议待处理", monitoring_case: "监测对象待认定",
      property_hit: "比对结果待核实", property_table: "核查表待确认", ranger_month: "护林员待发放", visit_overdue: "农户待走访",
      failed_job: "失败的后台任务", grant_request: "授权待审批", campaign_step: "动态调整逾期村", intake_step: "纳入名单待办理",
      township_plan: "乡镇年度计划待制定", calendar_year: "节假日安排待录入",
    },
    actions: {
      appraisal: "民主评议", verification: "核实", first_notice: "第一次公示", township_review: "镇审核", second_notice: "第二次公示",
      approval: "县审批", announcement: "公告", filing: "备案", resolution: "处理异议", confirmation: "认定", approve: "审批授权",
      village_notice: "村级公示", county_approval: "县级审批", notice: "公示", township_plan: "制定年度减贫计划及退出时间表",
      add_calendar_year: "录入国务院办公厅节假日安排通知",
      payout: "发放管护补助", visit: "入户走访", review: "查看失败原因并重新导入",
    },
  },

  tenants: {
    title: "租户（县）管理", onboard: "开通县", code: "县代码", name: "县名称", region: "区划代码", created: "开通时间",
    adminUser: "管理员用户名", adminName: "管理员姓名", codeHint: "6 位县级行政区划代码",
    confirm: "确定开通县 {code}？将同时创建该县的第一位县级管理员。", done: "已开通：{name}",
  },
  roles: {
    title: "角色与权限", hint: "角色由平台统一定义；授予角色请到“用户管理”。", name: "角色", levels: "可授予层级",
    description: "说明", permissions: "权限",
    // What each role is for, in Chinese (the API describes its roles in English).
    descriptions: {
      auditor: "只读查看，含审计日志",
      city_admin: "市级管理员：为所辖各县设定市定参数，查看资金报表",
      county_approver: "县级审批",
      fund_officer: "管理资金、项目和拨付",
      observer: "市、省级监督：只读查看和汇总数据",
      platform_admin: "平台运维：开通县级租户及其首位管理员",
      property_checker: "为下级各县导入财产核查比对结果（省、市或县级机关）",
      team_member: "驻村工作队队员：记录结对帮扶户的走访",
      tenant_admin: "县级管理员：管理本县的用户、角色和参数",
      township_liaison: "挂点领导：把所联系村的财产核查结果转交村委会",
      township_reviewer: "审核本乡镇各村",
      village_clerk: "录入和更新农户信息，提名退出",
    } as Record<string, string>,
  },
  webhooks: {
    unreadable: "灰色的事件需要相应的查看权限（农户、流程或资金）才能订阅：推送的内容与查看相同。",
    title: "事件推送（Webhook）", create: "新增推送地址", url: "推送地址", events: "事件", description: "说明", active: "启用",
    paused: "已暂停", pause: "暂停", resume: "恢复", remove: "删除", removeConfirm: "确定删除推送地址 {url}？删除后不再推送任何事件。",
    deliveries: "推送记录", event: "事件", attempts: "尝试次数", lastError: "最近一次结果", resend: "重新推送", resent: "已重新排队推送",
    none: "尚未配置推送地址", noDeliveries: "暂无推送记录", secret: "签名密钥（只显示这一次，请立即保存）：",
    status: { pending: "待推送", delivered: "已送达", failed: "失败" },
  },
  settings: {
    title: "参数设置", key: "参数", value: "取值", from: "来源", level: "层级", county: "本县", city: "本市", province: "本省",
    search: "查找参数", searchHint: "名称或键，例如 公示、exit.first_notice_days", edit: "修改", editTitle: "修改参数 {key}",
    yes: "是", no: "否", unset: "未设置", path: "参数键", rule: "调整规则", above: "上级设定值：{v}",
    stored: "将保存为 {raw} {unit}", nullable: "不填表示不设置", required: "请填写取值",
    valueJson: "取值（JSON：数字、true/false、带引号的文字或列表）", inherit: "恢复继承上级", saved: "参数已保存，立即生效",
    invalidJson: "取值格式不对：请填写数字、true/false、带引号的文字或 [ ] 列表",
    version: "本级版本 {v}", updatedAt: "最近修改 {at}",
    staleAt: "保存失败：本级参数已于 {at} 之后被他人修改，您看到的不是最新内容（本次修改未写入）。请重新加载后再修改。",
    staleKept: "保存失败：本级参数在您修改期间已被他人修改（本次修改未写入）。您填写的取值仍保留在下方：请先载入最新参数，核对后再保存。",
    reloadKeep: "载入最新参数",
    source: { own: "本级设置", city: "市级设置", inherited: "省级设置", default: "默认值" },
  },
  home: { title: "工作台", households: "在册脱贫户", exited: "已脱贫", monitored: "监测对象", unit: "户", toDashboard: "查看数据看板（图表）" },
  // A page the account may not open (views/NoAccess.vue, where the router's guard sends them).
  noAccess: {
    title: "无权访问此页面",
    page: "您的账号不能打开“{page}”页面。",
    pageUnknown: "您的账号不能打开此页面。",
    path: "页面地址：",
    role: "您的账号没有使用此页面所需的角色。",
    level: "此页面供{levels}账号使用，您的账号属于{level}。",
    records: "此页面列出具体农户，县级以上账号只能查看统计数据。",
    ask: "账号的角色由县级系统管理员授予：如工作需要使用此页面，请联系本县的系统管理员。",
    back: "返回工作台",
  },
  // Part 1's later additions (measure corrections, grants, filters), kept together.
  p1: {
    measureEdit: "修改", measureEditTitle: "修改帮扶措施", measureSaved: "帮扶措施已修改",
    measureStaleBy: "保存失败：该帮扶措施已被 {who} 于 {at} 修改，您看到的不是最新内容（本次修改未写入）。请重新加载后再修改。",
    usernamePrefix: "用户名开头", grants: "已有角色", revoke: "撤销", revokeConfirm: "确定撤销 {name} 在{where}的“{role}”角色？撤销后立即失效。",
    revoked: "已撤销角色", noGrants: "暂无角色", outside: "不在您管理的范围内，不能撤销",
    grantWhereHint: "只能在您有用户管理权限、且属于该用户所在单位的范围内授予。",
    wholeHousehold: "整户（同户其他行有误）",
  },
};

const en: typeof zh = JSON.parse(JSON.stringify(zh));
Object.assign(en.app, { title: "Zhenxing console", short: "Zhenxing" });
// English: the fields by the names the API gives them.
en.historyFields = {};
// English: the API's own descriptions of its roles.
en.roles.descriptions = {};
Object.assign(en.layout, {
  print: "Print",
  printHint: "Print this page (A4, without the menus)",
  split: "Your {perms} permissions lie at several units no single grant covers: what needs them is unavailable until a user administrator mends your grants.",
});
Object.assign(en.settings, {
  title: "Settings", key: "Setting", value: "Value", from: "Source", level: "Level", county: "County", city: "City", province: "Province",
  search: "Find", searchHint: "name or key, e.g. exit.first_notice_days", edit: "Edit", editTitle: "Edit {key}",
  yes: "yes", no: "no", unset: "not set", path: "Key", rule: "Who may change it", above: "Set above: {v}",
  stored: "Saved as {raw} {unit}", nullable: "Leave empty for not set", required: "Enter a value",
  valueJson: "Value (JSON: a number, true/false, quoted text or a list)", inherit: "Inherit from above", saved: "Saved; in force now",
  invalidJson: "Not a value: write a number, true/false, quoted text or a [ ] list",
  version: "Version {v}", updatedAt: "last changed {at}",
  staleAt: "Not saved: someone changed these settings after {at}; you are not looking at the latest. Reload, then edit again.",
  staleKept: "Not saved: someone changed these settings while you were editing. Your value is kept below: load the latest settings, check, then save again.",
  reloadKeep: "Load the latest",
  source: { own: "this level", city: "the city", inherited: "the province", default: "default" },
});
Object.assign(en.household, {
  year: "Year", yearAdd: "Record a year", yearEdit: "Edit", yearEditTitle: "Edit the {year} record", guards: "Guarantees",
  income_per_capita_fen: "Net income per head", wage_income_fen: "Wages", transfer_income_fen: "Transfers",
  production_income_fen: "Farming and business", property_income_fen: "Property", yuanHint: "An amount in yuan, at most two decimals",
  measures: "Assistance measures", measureAdd: "Add a measure", measureAdded: "Measure recorded", measureKind: "Kind", measureDate: "Date",
  measureAmount: "Amount", measureTerm: "Loan term (months)", measureDescription: "Description",
  asOf: "State on a date", asOfHint: "Pick a date", asOfBack: "Back to the current state",
  asOfShown: "The household as it was at the end of {d} (read-only), not its current state.", asOfNone: "Not yet registered on {d}.",
});
Object.assign(en.jobs, {
  failedReason: "Why it failed", noReason: "The server gave no reason",
  actions: "Actions", cancel: "Cancel job", keep: "Keep it", cancelTitle: "Cancel the job",
  cancelConfirm: "Cancel this job? A waiting job will not run; a running import stops once its current batch is written. Households imported before stay, each whole; importing the same file again finishes it.",
  cancelled: "The job is cancelled", stopping: "Asked to stop: it stops once its current batch is written", stoppingTag: "Stopping",
  cancelledNote: "Cancelled: households imported before stay, each whole; import the same file again to finish",
});
Object.assign(en.audit, { withheld: "(needs {perm} to see)" });
Object.assign(en.import, { stillRunning: "The job is still running on the server: follow it on the Jobs page.", failed: "The import failed and did not finish. Deal with the reason, then import the file again (rows already imported are not imported twice)." });
Object.assign(en.households, { exportFailed: "The export failed; no file was made. Export again later.", printNote: "The printout holds the rows on screen only. ", printExport: "For every household use Export Excel." });
Object.assign(en.status, { registered: "not yet out of poverty", exited: "out of poverty", monitored: "monitored", returned: "back in poverty", non_poor: "ordinary household", removed: "removed" });
Object.assign(en.login, {
  title: "Sign in", username: "Username", password: "Password", submit: "Sign in",
  wrong: "Wrong username or password.", throttled: "Too many attempts: locked for {min} minutes.",
  failed: "Sign-in failed; try again later.", required: "Enter username and password", expired: "Your session has ended; please sign in again.",
});
Object.assign(en.menu, {
  home: "Home", cases: "Registry", households: "Households", register: "Register", import: "Import",
  admin: "Administration", users: "Users", settings: "Settings", calendar: "Working calendar", audit: "Audit log", jobs: "Jobs",
});
Object.assign(en.menu, { exitPlans: "Exit plans", monitoringLeads: "Early-warning leads", monitoringCase: "Monitoring case", propertyCheck: "Batch" });
Object.assign(en.menu, {
  intake: "Intake", intakeLists: "Intake lists", intakeList: "Intake list", intakeTargets: "Intake targets",
  exitInspections: "Exit inspections", exitInspection: "Inspection",
});
Object.assign(en.menu, { campaigns: "Yearly campaigns", campaign: "Campaign", exitProgress: "Exit progress" });
en.noAccess = {
  title: "You cannot open this page",
  page: "Your account cannot open the page “{page}”.",
  pageUnknown: "Your account cannot open this page.",
  path: "Address: ",
  role: "Your account holds no role this page needs.",
  level: "This page is for accounts at {levels} level; yours is at {level} level.",
  records: "This page lists households: above the county, accounts read the statistics only.",
  ask: "Roles are granted by the county's administrator: if your work needs this page, ask your county's administrator.",
  back: "Back to home",
};

export const i18n = createI18n({
  legacy: false,
  locale: "zh-CN",
  fallbackLocale: "zh-CN",
  // The funds, villages-and-teams and dashboard pages keep their messages under `dash.`.
  // The create and edit forms of those pages (console part 2) keep theirs under `ff.`.
  // Benefit cards, the relocation roster, CORS origins and a project's manager (chouse): `ch.`.
  // A household's members, every bulk import, the household card and ranger agreement, and a
  // village's own monitoring case (cmem): `cm.`. Exit-step refusals by code, chart exports (cdash): `cd.`.
  // Editing a user's name and org unit on the users page (cusers): `cu.`.
  messages: {
    "zh-CN": { ...zh, dash: dashZh, ff: ffZh, ch: chZh, cm: cmZh, cd: cdZh, cu: cuZh },
    en: { ...en, dash: dashEn, ff: ffEn, ch: chEn, cm: cmEn, cd: cdEn, cu: cuEn },
  },
  // A message missing from the Chinese messages too shows its key (`ik.recordedAt`) to the
  // user: said on the browser's console in every build, so the browser checks (e2e/run.mjs)
  // fail on it. (A page's messages load with its code: a label borrowed from another page's
  // messages is missing until that page was opened.) One only missing in English falls back
  // to Chinese, quietly.
  missingWarn: false,
  fallbackWarn: false,
  missing: (locale, key) => {
    if (!i18n.global.te(key, "zh-CN")) console.warn(`[i18n] missing message ${key} (${locale})`);
  },
});
export const t = i18n.global.t;
