// The settings (GET /settings/{region_code}) in plain Chinese: each path documented in
// docs/settings.md (and the leaves the settings page shows under it: a poverty or monitoring line
// per year, a target's year and value, the key villages' milestones) with a short name, the unit
// an administrator thinks in and a one-line explanation. The server speaks fen, basis points, per
// mille and bytes; the page shows 元, %, MB: `scale` is how many stored units make one shown unit
// and `stored` names the stored unit, as the server's messages do (须在 … 分之间).
//
// Who may move a setting, and which way (`rule`), follows the declarations of
// domain/src/settings/owner.rs (the table of docs/settings.md); a leaf takes its ancestor's.

/** Which level owns a setting, and which way a city or county may move it (owner.rs `Rule`). */
export type SettingRule = "province" | "atLeast" | "atMost" | "onlyOn" | "city" | "county";

export type SettingMeta = {
  /** Short Chinese name. */
  label: string;
  /** The unit shown (天, 元, % …). */
  unit?: string;
  /** One line: what it means. */
  hint: string;
  /** Stored units per shown unit (fen → 元: 100); absent: shown as stored. */
  scale?: number;
  /** The stored unit when scaled (分, 基点, 千分点, 字节). */
  stored?: string;
  /** Decimals of a scaled value. */
  digits?: number;
  /** May be null (not set). */
  nullable?: boolean;
  /** How an array's items read: a {code, label} by its label, a {year, value} as "2023年 …". */
  items?: "label" | "yearValue";
  rule?: SettingRule;
};

const YUAN = { unit: "元", scale: 100, stored: "分", digits: 2 } as const;
const BP = { unit: "%", scale: 100, stored: "基点", digits: 2 } as const;

const LABELS: Record<string, SettingMeta> = {
  // 扶贫标准与退出 (seed 1)
  poverty_line_fen: {
    label: "扶贫标准（贫困线）", ...YUAN, rule: "province",
    hint: "农民人均纯收入的省定扶贫标准，按年份设置（元/人·年）；退出须稳定超过当年省定扶贫标准",
  },
  "exit.stable_income_years": {
    label: "稳定超过扶贫标准年数", unit: "年", rule: "province",
    hint: "“稳定超过当年省定扶贫标准”的含义：截至退出当年，连续几年人均纯收入均须高于当年标准（1–5 年）",
  },
  "exit.first_notice_days": {
    label: "退出第一次公示天数", unit: "天", rule: "atLeast",
    hint: "民主评议后村内第一次公示的天数（公示 7 天），公示期内可提出异议，期满无异议方可报乡镇审核",
  },
  "exit.second_notice_days": {
    label: "退出第二次公示天数", unit: "天", rule: "atLeast",
    hint: "乡镇审核后第二次公示的天数（公示 7 天），期满无异议方可报县审批",
  },
  "exit.announcement_days": {
    label: "退出公告天数", unit: "天", rule: "atLeast",
    hint: "县级审批后公告退出名单的天数，公告期满后退出备案",
  },
  "exit.policy_retention_years": {
    label: "脱贫不脱政策年限", unit: "年", rule: "atLeast",
    hint: "已脱贫户退出后继续享受扶持政策的年数（脱贫不脱政策）",
  },
  "exit.backdate_days": {
    label: "步骤日期最长可追溯天数", unit: "天", rule: "atMost",
    hint: "退出等流程的步骤（评议、公示、审核）和项目张榜按实际日期补录时，最多可早于录入当天多少天；不能填未来日期",
  },
  "exit.require_stored_evidence": {
    label: "须上传佐证材料", rule: "onlyOn",
    hint: "开启后，民主评议、各次公示等步骤须上传本系统保存的附件（会议记录、公示照片）才能办结；关闭时可引用档案链接",
  },
  "exit.team_verification_required": {
    label: "须驻村工作队核实签字", rule: "onlyOn",
    hint: "开启后，退出名单须经村两委和驻村工作队双方核实签字才算核实完成；关闭时村两委核实即可",
  },
  "exit.township_round_required": {
    label: "须按乡镇批次审核", rule: "onlyOn",
    hint: "开启后，乡镇审核及其后的第二次公示、县审批、公告只能按乡镇年度退出批次办理，不能逐村办理",
  },

  // 财产检索核查 (seed 2)
  "property_check.identification_cutoff": {
    label: "精准识别截止日期", rule: "province",
    hint: "此日期当日及以前发生的情形属识别前，之后发生的不适用一票否决；格式 YYYY-MM-DD",
  },
  "property_check.veto_conditions": {
    label: "一票否决情形", items: "label", rule: "province",
    hint: "财产检索核查中一票否决的情形清单（默认 8 项），每项有代码 code 和名称 label",
  },
  "property_check.routing_required": {
    label: "核查结果须经挂点领导转村", rule: "county",
    hint: "开启时，乡脱贫攻坚工作站将检索结果转给各挂点领导，挂点领导下发对应村委后村里才能核实；结果直接下发到村的县可关闭",
  },

  // 生态护林员 (seed 3)
  "ranger.annual_subsidy_fen": {
    label: "护林员年管护补助", ...YUAN, rule: "county",
    hint: "每名生态护林员每年的管护补助，按月发放",
  },
  "ranger.one_absence_deduction_bp": {
    label: "缺勤一次扣减比例", ...BP, rule: "county",
    hint: "当月缺勤一次，扣减当月管护费的比例",
  },
  "ranger.two_absences_deduction_bp": {
    label: "缺勤两次扣减比例", ...BP, rule: "county",
    hint: "当月缺勤两次，扣减当月管护费的比例，不能少于缺勤一次的扣减比例",
  },
  "ranger.payment_due_day": {
    label: "管护费发放日（次月）", unit: "日", rule: "county",
    hint: "每月管护费最迟在次月几日发放（1–28 日），遇节假日顺延到下一个工作日；逾期列为未按时发放",
  },
  "ranger.termination_absences": {
    label: "可解除协议的缺勤次数", unit: "次", rule: "county",
    hint: "一个月内缺勤达到此次数的，可解除管护协议",
  },
  "ranger.major_fire_mu": {
    label: "重大火情过火面积", unit: "亩", rule: "county",
    hint: "因失职发生过火面积在此面积以上（含本数）的火灾，扣发当月管护费并解除协议",
  },

  // 重点帮扶村 (seed 4)
  "key_village.collective_income_targets": {
    label: "村集体经济收入目标", ...YUAN, items: "yearValue", rule: "county",
    hint: "重点帮扶村村集体经济年收入应达到的目标，按年份列出；修改时 year 为年份、value 为金额（分）",
  },
  "key_village.tap_water_target": {
    label: "自来水普及率目标", rule: "county",
    hint: "到目标年份重点帮扶村自来水普及率应达到的百分比",
  },
  "key_village.tap_water_target.year": {
    label: "自来水普及率目标年份", unit: "年",
    hint: "重点帮扶村自来水普及率达到目标的年份",
  },
  "key_village.tap_water_target.value": {
    label: "自来水普及率目标", unit: "%",
    hint: "到目标年份重点帮扶村自来水普及率应达到的百分比（0–100）",
  },
  "key_village.sanitary_toilet_target": {
    label: "卫生厕所普及率目标", rule: "county",
    hint: "到目标年份重点帮扶村卫生厕所普及率应达到的百分比",
  },
  "key_village.sanitary_toilet_target.year": {
    label: "卫生厕所普及率目标年份", unit: "年",
    hint: "重点帮扶村卫生厕所普及率达到目标的年份",
  },
  "key_village.sanitary_toilet_target.value": {
    label: "卫生厕所普及率目标", unit: "%",
    hint: "到目标年份重点帮扶村卫生厕所普及率应达到的百分比（0–100）",
  },
  "key_village.income_parity_year": {
    label: "人均收入达全县平均水平年份", unit: "年", rule: "county",
    hint: "重点帮扶村农民人均收入达到全县平均水平的年份",
  },
  "key_village.industry_year": {
    label: "主导产业和特色产业形成年份", unit: "年", rule: "county",
    hint: "每个重点帮扶村形成一个主导产业和至少一个特色产业的年份",
  },
  "key_village.milestones": {
    label: "重点帮扶村阶段目标", rule: "county",
    hint: "重点帮扶村人居环境、乡村治理等阶段目标的完成年份，以及稳定就业、通硬化路目标",
  },
  "key_village.milestones.industry_plan_year": {
    label: "产业规划方案编制完成年份", unit: "年",
    hint: "到该年年底完成重点帮扶村产业规划方案编制",
  },
  "key_village.milestones.garbage_sewage_year": {
    label: "垃圾污水治理体系建成年份", unit: "年",
    hint: "到该年年底生活垃圾、污水治理工作体系基本建成",
  },
  "key_village.milestones.village_rules_year": {
    label: "村规民约等制度健全年份", unit: "年",
    hint: "到该年年底村规民约等制度进一步健全",
  },
  "key_village.milestones.committee_election_year": {
    label: "村委会换届完成年份", unit: "年",
    hint: "到该年年底村民委员会换届工作顺利完成",
  },
  "key_village.milestones.cultural_courtyard_year": {
    label: "文化院坝等阵地建成年份", unit: "年",
    hint: "到该年文化院坝等阵地全面建成",
  },
  "key_village.milestones.deliberation_council_year": {
    label: "定向议事代表会议推行年份", unit: "年",
    hint: "到该年“定向议事代表会议”制度（村民议事会）全面推行",
  },
  "key_village.milestones.civilization_station_year": {
    label: "新时代文明实践站建成年份", unit: "年",
    hint: "到该年所有重点帮扶村新时代文明实践站全面建成",
  },
  "key_village.milestones.stable_work_target.year": {
    label: "稳定就业目标年份", unit: "年",
    hint: "有劳动力的家庭至少有一人实现稳定就业的目标年份",
  },
  "key_village.milestones.stable_work_target.value": {
    label: "稳定就业目标", unit: "%",
    hint: "有劳动力的家庭中至少有一人实现稳定就业的户所占比例目标（0–100）",
  },
  "key_village.milestones.group_roads_target.year": {
    label: "自然村（组）通硬化路目标年份", unit: "年",
    hint: "30 户以上自然村（组）通硬化路的目标年份",
  },
  "key_village.milestones.group_roads_target.value": {
    label: "自然村（组）通硬化路目标", unit: "%",
    hint: "30 户以上自然村（组）中通硬化路的比例目标（0–100）",
  },
  "key_village.min_linking_fund_share_bp": {
    label: "衔接资金用于重点村最低比例", ...BP, rule: "atLeast",
    hint: "每年衔接资金安排给重点帮扶村的最低比例，不足时预警",
  },

  // 资金与易地搬迁 (seeds 4 and 5)
  "funds.relocation_subsidy_per_person_fen": {
    label: "易地搬迁人均补助（市级）", ...YUAN, rule: "city",
    hint: "市级财政对易地扶贫搬迁每搬迁一人的补助，市里可按县分别设定（如每人 1000 元或 500 元）",
  },
  "funds.city_matching_permille": {
    label: "市级配套比例", unit: "%", scale: 10, stored: "千分点", digits: 1, rule: "city",
    hint: "市财政按省级财政资金的此比例配套投入，100% 即按 1:1 比例足额配套",
  },
  "funds.city_pays_county_share_from_year": {
    label: "市级代配区县配套起始年份", unit: "年", nullable: true, rule: "city",
    hint: "从该年起市财政全部代配区县级配套资金；不填表示不代配",
  },
  "funds.min_key_village_construction_fen": {
    label: "重点村建设资金最低额", ...YUAN, rule: "atLeast",
    hint: "每个启动建设的重点村建设资金不低于此数（如 150 万元以上）",
  },
  "funds.project_notice_days": {
    label: "项目张榜公示天数", unit: "天", rule: "atLeast",
    hint: "项目开工和拨付资金前张榜公布（公示）的天数",
  },
  "funds.require_project_posting": {
    label: "项目须先张榜公示", rule: "onlyOn",
    hint: "开启后新建的项目须先张榜公布、公示期满，才能拨付资金或录入进度",
  },

  // 防返贫监测 (seed 4)
  "monitoring.line_fen": {
    label: "防返贫监测标准", ...YUAN, rule: "province",
    hint: "家庭年人均纯收入低于当年监测标准的，产生监测线索；省定，按年份设置（元/人·年）",
  },
  "monitoring.identification_deadline_days": {
    label: "监测对象识别时限", unit: "天", rule: "atMost",
    hint: "自发现风险到县级确认纳入监测的时限（识别时限 15 天），按工作日历计算，遇节假日顺延",
  },
  "monitoring.large_medical_expense_fen": {
    label: "大额医疗支出线", ...YUAN, rule: "atMost",
    hint: "医疗支出达到此金额的，产生监测预警线索",
  },

  // 帮扶队伍、统计、系统
  "teams.visit_interval_days": {
    label: "入户走访周期", unit: "天", rule: "county",
    hint: "结对帮扶户、监测户超过此天数未走访的，列为帮扶空白",
  },
  "reports.min_cell_people": {
    label: "统计最小单元人数", unit: "人", rule: "atLeast",
    hint: "县以上查看的统计中，人数（户数）少于此数的单元不显示，保护个人隐私",
  },
  "reports.income_band_fen": {
    label: "收入分段宽度", ...YUAN, rule: "atLeast",
    hint: "县以上无农户查看权限的用户按收入筛选户数时，只能按此宽度整段筛选，防止推算个人收入",
  },
  "audit.retention_days": {
    label: "操作日志保存天数", unit: "天", rule: "county",
    hint: "审计（操作）日志保存的天数，不少于 183 天（网络安全法规定的六个月）",
  },
  "tasks.due_working_days": {
    label: "待办办理时限", unit: "个工作日", rule: "county",
    hint: "待审核的步骤、异议、核查结果等待办事项，自开始等待之日起应在几个工作日内办理",
  },
  "tasks.failed_job_days": {
    label: "失败任务保留天数", unit: "天", rule: "county",
    hint: "失败的后台任务（导入、导出等）在发起人待办中保留的天数",
  },
  "imports.max_running_per_user": {
    label: "每人同时导入上限", unit: "个", rule: "atMost",
    hint: "一个用户同时排队或进行中的农户导入任务数上限",
  },
  "imports.max_running_per_county": {
    label: "每县同时导入上限", unit: "个", rule: "atMost",
    hint: "一个县同时排队或进行中的农户导入任务数上限",
  },
  "attachments.max_bytes": {
    label: "附件大小上限", unit: "MB", scale: 1024 * 1024, stored: "字节", digits: 2, rule: "atMost",
    hint: "单个上传文件的最大大小（不超过 100 MB），超过的上传会被拒绝",
  },
  "users.operational_grant_approval": {
    label: "业务角色授权须二次审批", rule: "onlyOn",
    hint: "开启后，授予业务角色（办理案件、流程、资金、财产核查、导出）只是申请，须另一名管理员批准后生效",
  },

  // 动态调整 (the yearly campaign)
  "campaign.appraisal_days": {
    label: "民主评议完成时限", unit: "天", rule: "county",
    hint: "年度动态调整工作开启后第几天前完成村内民主评议",
  },
  "campaign.village_notice_days": {
    label: "村级公示结束时限", unit: "天", rule: "county",
    hint: "年度动态调整工作开启后第几天前村级公示结束，不早于民主评议",
  },
  "campaign.township_review_days": {
    label: "乡镇审核完成时限", unit: "天", rule: "county",
    hint: "年度动态调整工作开启后第几天前完成乡镇审核，不早于村级公示",
  },
  "campaign.county_approval_days": {
    label: "县级审批完成时限", unit: "天", rule: "county",
    hint: "年度动态调整工作开启后第几天前完成县级审批，不早于乡镇审核",
  },
  "campaign.announcement_days": {
    label: "公告结束时限", unit: "天", rule: "county",
    hint: "年度动态调整工作开启后第几天前公告结束、退出备案、新纳入生效，不早于县级审批",
  },

  // 新识别和返贫户纳入 (seed 1)
  "intake.notice_days": {
    label: "纳入名单公示天数", unit: "天", rule: "atLeast",
    hint: "新识别和返贫户纳入名单在村内公示的天数（公示 7 天）",
  },
};

/** Settings kept per year (`poverty_line_fen.2020`): each year's row is named after the year. */
const PER_YEAR: Record<string, (year: string) => string> = {
  poverty_line_fen: (y) => `${y}年扶贫标准`,
  "monitoring.line_fen": (y) => `${y}年防返贫监测标准`,
};

/** The description of a setting path, or undefined for a path not documented. */
export function settingMeta(path: string): SettingMeta | undefined {
  const own = LABELS[path];
  if (own) return own;
  const dot = path.lastIndexOf(".");
  if (dot > 0) {
    const parent = path.slice(0, dot);
    const year = path.slice(dot + 1);
    const name = PER_YEAR[parent];
    if (name && /^\d{4}$/.test(year)) return { ...LABELS[parent], items: undefined, label: name(year) };
  }
  return undefined;
}

/** A setting's Chinese name; the path itself for one not documented. */
export function settingLabel(path: string): string {
  return settingMeta(path)?.label ?? path;
}

/** A setting's unit as shown (天, 元, % …), or "". */
export function settingUnit(path: string): string {
  return settingMeta(path)?.unit ?? "";
}

/** A setting's one-line explanation, or "". */
export function settingHint(path: string): string {
  return settingMeta(path)?.hint ?? "";
}

/** Who owns a setting and which way it moves: its own declaration or its nearest ancestor's. */
export function settingRule(path: string): SettingRule | undefined {
  for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    const rule = LABELS[p]?.rule;
    if (rule) return rule;
  }
  return undefined;
}

/** The rule in words, for the edit dialog. */
export const RULE_TEXT: Record<SettingRule, string> = {
  province: "省定：由省里设定，市、县不能修改",
  atLeast: "省里设定，市、县只能调高（延长），不能低于上级设定",
  atMost: "省里设定，市、县只能调低（缩短），不能高于上级设定",
  onlyOn: "省里设定，市、县可以开启；上级已开启的，不能关闭",
  city: "市定：由市里为所辖各县设定（可分县设定），县不能修改",
  county: "县里自定：在有效范围内可调高或调低",
};
