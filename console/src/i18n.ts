// Chinese first, English second. Labels of codes the API has no vocabulary route for live here;
// poverty causes come from GET /api/v1/poverty-causes.
import { createI18n } from "vue-i18n";

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
    audit: "审计日志",
    jobs: "后台任务",
  },
  layout: { logout: "退出登录", scope: "管辖范围", year: "{year} 年度" },
  level: { platform: "平台", province: "省级", city: "市级", county: "县级", township: "乡镇级", village: "村级" },
  status: { registered: "在册", exited: "已脱贫", monitored: "监测中", returned: "返贫" },
  attribute: { general: "一般脱贫户", subsistence_allowance: "低保户", extreme_poverty_support: "特困供养户" },
  relationship: {
    head: "户主", spouse: "配偶", child: "子女", child_in_law: "儿媳/女婿", grandchild: "孙子女",
    parent: "父母", grandparent: "祖父母", sibling: "兄弟姐妹", other: "其他",
  },
  sex: { male: "男", female: "女" },
  role: {
    platform_admin: "平台管理员", tenant_admin: "县级管理员", village_clerk: "村文书", township_reviewer: "乡镇审核员",
    county_approver: "县级审批员", fund_officer: "资金管理员", team_member: "驻村工作队员", auditor: "审计员",
    observer: "观察员", property_checker: "财产核查员",
  },
  job: { queued: "排队中", running: "进行中", succeeded: "已完成", failed: "失败", cancelled: "已取消" },
  common: {
    search: "查询", reset: "重置", add: "新增", export: "导出", import: "导入", save: "保存", cancel: "取消",
    confirm: "确定", actions: "操作", view: "查看", more: "加载更多", total: "共 {n} 户", empty: "暂无数据",
    region: "行政区划", status: "状态", attribute: "户类型", cause: "致贫原因", year: "识别年度",
    name: "户主姓名", incomeMin: "人均纯收入下限(元)", incomeMax: "上限(元)", idNumber: "身份证号",
    loading: "加载中…", error: "操作失败：{detail}", notAllowed: "您没有权限进行此操作",
  },
  problem: {
    401: "登录已过期，请重新登录。",
    403: "您没有权限进行此操作。如需办理，请联系上级管理员。",
    404: "未找到该记录：它可能已被删除，或不在您的管辖范围内。",
    409: "该记录已存在或状态已变化，请刷新后再试。",
    412: "该记录已被他人修改，您看到的不是最新内容。请重新加载后再修改。",
    422: "填写的内容有误（{detail}），请检查后再提交。",
    429: "操作过于频繁，请稍后再试。",
    "5xx": "服务器暂时无法处理，请稍后再试；如仍不行，请联系管理员。",
  },
  households: {
    title: "脱贫户查询", number: "户编号", village: "所在村", head: "户主", members: "人口",
    namePrefix: "户主姓名（前缀）", exportTitle: "导出任务", exporting: "正在导出…", exported: "导出完成，已下载",
    noRecords: "您的层级只能查看统计数据，不能查看农户明细。",
    refused: "县级以上用户不能查看农户明细", toCounts: "查看统计数据", count: "户数", searchId: "按身份证号查找",
    searchIdHint: "输入完整的 18 位身份证号", notFound: "未找到该身份证号对应的人员",
  },
  household: {
    title: "农户详情", basic: "基本信息", members: "家庭成员", years: "年度收入与两不愁三保障",
    reveal: "查看完整号码", revealTitle: "查看完整身份证号", reason: "查看事由", reasonHint: "例如：核对低保申请材料（将记入审计日志）",
    revealed: "完整号码", reasonRequired: "请填写查看事由（至少 4 个字）", income: "人均纯收入",
    food: "不愁吃", clothing: "不愁穿", education: "义务教育", medical: "基本医疗", housing: "住房安全", water: "饮水安全",
    edit: "修改户信息", saved: "已保存", notes: "备注", editReason: "修改原因", history: "变更记录", reload: "重新加载",
    staleBy: "保存失败：该户信息已被 {who} 于 {at} 修改，您看到的不是最新内容（本次修改未写入）。请重新加载后再修改。",
    yes: "有保障", no: "未保障", address: "住址", cadre: "帮扶责任人", identified: "识别年度", updated: "最近修改",
  },
  history: {
    created: "建档", updated: "修改户信息", member_added: "新增成员", member_updated: "修改成员", member_removed: "删除成员",
    year_recorded: "登记年度收入", measure_added: "新增帮扶措施", status_changed: "状态变更",
  },
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
    progress: "处理进度", errors: "错误明细", row: "行号", column: "列", message: "错误说明", done: "导入完成",
  },
  users: {
    title: "用户管理", username: "用户名", displayName: "姓名", orgUnit: "所属单位", roles: "角色", disabled: "已停用",
    active: "正常", create: "新增用户", grant: "授予角色", role: "角色", where: "适用范围", password: "初始密码",
    created: "用户已创建", granted: "已授予角色", reset: "重置密码", resetDone: "密码已重置，该用户下次登录时须先修改密码",
    resetHint: "重置后该用户的所有登录将失效，下次登录时须先设置自己的新密码。", enable: "启用", disable: "停用",
    enableConfirm: "确定启用用户 {name}？启用后可以登录。", disableConfirm: "确定停用用户 {name}？停用后该用户将无法登录。",
  },
  audit: { title: "审计日志", action: "操作", actor: "操作人", object: "对象", at: "时间", region: "区划" },
  jobs: {
    title: "后台任务", kind: "类型", progress: "进度", created: "创建时间", finished: "完成时间", rows: "已处理/总行数",
    errors: "{n} 行有误", refresh: "刷新", none: "您的范围内还没有导入或导出任务", byId: "按任务编号查找",
    notFound: "未找到该任务（编号有误，或不在您的管辖范围内）", dryRun: "（仅校验）",
    kinds: { household_import: "农户导入", household_export: "农户导出" },
  },
  settings: { title: "参数设置", key: "参数", value: "取值", from: "来源" },
  home: { title: "工作台", households: "在册脱贫户", exited: "已脱贫", monitored: "监测对象", unit: "户" },
};

const en: typeof zh = JSON.parse(JSON.stringify(zh));
Object.assign(en.app, { title: "Zhenxing console", short: "Zhenxing" });
Object.assign(en.login, {
  title: "Sign in", username: "Username", password: "Password", submit: "Sign in",
  wrong: "Wrong username or password.", throttled: "Too many attempts: locked for {min} minutes.",
  failed: "Sign-in failed; try again later.", required: "Enter username and password",
});
Object.assign(en.menu, {
  home: "Home", cases: "Registry", households: "Households", register: "Register", import: "Import",
  admin: "Administration", users: "Users", settings: "Settings", audit: "Audit log", jobs: "Jobs",
});

export const i18n = createI18n({
  legacy: false,
  locale: "zh-CN",
  fallbackLocale: "zh-CN",
  messages: { "zh-CN": zh, en },
});
export const t = i18n.global.t;
