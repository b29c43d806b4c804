// Messages of the create and edit forms on the funds, projects, relocation and rangers pages
// (issue 21, console part 2), under `ff.` so they never collide with the other pages' keys.

export const ffZh = {
  register: "登记资金", newProject: "新建项目", newPlan: "登记搬迁计划", relocationFund: "登记搬迁资金",
  newContract: "签订管护合同", patrol: "记录巡护", incident: "记录事件", inspection: "记录检查", terminate: "解除合同",
  save: "保存", saved: "已保存", yuanHint: "以元为单位，最多两位小数", bad: "请检查标红的字段",
  required: "必填", positive: "必须大于 0",
  fund: {
    document: "文号", source: "来源", level: "级次", purpose: "用途", linking: "衔接资金", bundled: "整合资金",
    amount: "到位金额(元)", received: "到位日期", year: "年度", linkingHint: "计入投向重点帮扶村的比例",
    bundledHint: "整合其他部门资金：安排时不得改变用途",
  },
  project: {
    name: "项目名称", region: "实施地点", purpose: "用途", budget: "预算(元)", year: "年度", account: "资金专户",
    byProgress: "按工程进度拨付", byProgressHint: "工程类项目；补助类（搬迁、护林员）不勾选", assets: "形成资产",
    holder: "资产归属", regionHint: "村（或乡镇、县）",
  },
  plan: { name: "计划名称", region: "安置地区", year: "年度", households: "搬迁户数", people: "搬迁人数", hint: "补助标准按本县每人补助计算，并自动建立补助项目。" },
  contract: {
    pick: "农户", household: "户主姓名", householdHint: "输入户主姓名查找农户", member: "护林员", station: "林业站（甲方）", group: "村民小组",
    area: "管护面积(亩)", east: "东至", south: "南至", west: "西至", north: "北至", start: "开始日期", end: "结束日期",
    project: "补助项目", projectHint: "从该生态补助项目发放管护补助", subsidy: "年补助(元)", subsidyHint: "不填按本县标准",
    noProject: "本年度没有生态用途的项目，请先新建项目。",
    signed: "签订日期", signedHint: "不填为今天",
  },
  incidentForm: {
    on: "发生日期", kind: "事件类型", burnt: "过火面积(亩)", negligence: "护林员失职", threshold: "达到立案标准",
    major: "造成重大损失", description: "情况说明",
  },
  patrolForm: { on: "巡护日期", area: "巡护路线/区域", findings: "发现问题", nothing: "未发现问题可不填", reported: "已向林业站报告" },
  inspectionForm: { on: "检查日期", present: "在岗", absent: "不在岗", result: "检查结果", note: "备注" },
  termination: { on: "解除日期（最后一天）", reason: "解除原因", confirm: "解除后不再发放之后月份的补助，确定解除？" },
  refused: {
    fund_exhausted: "未保存：超过该资金未安排的余额。", over_budget: "未保存：超过项目预算的剩余额度。",
    purpose_changed: "未保存：资金用途与项目用途不一致（不得改变资金用途）。", terminated: "未保存：该合同已经解除。",
    month_paid: "未保存：该月补助已发放，当月记录已关闭（终止合同的事件也不能早于已发放的月份）。", paid: "未保存：该月已发放。",
    contract_overlaps: "未保存：此人在该期间已有护林员合同，同一时间只能签一份。",
  },
};

export const ffEn: typeof ffZh = {
  register: "Register a fund", newProject: "New project", newPlan: "Record a relocation plan", relocationFund: "Record relocation funds",
  newContract: "Sign a ranger contract", patrol: "Log a patrol", incident: "Record an incident", inspection: "Record an inspection", terminate: "Terminate",
  save: "Save", saved: "Saved", yuanHint: "In yuan, at most two decimals", bad: "Please check the fields marked in red",
  required: "Required", positive: "Must be more than 0",
  fund: {
    document: "Document no.", source: "Source", level: "Level", purpose: "Purpose", linking: "Linking funds", bundled: "Bundled",
    amount: "Amount (yuan)", received: "Received on", year: "Year", linkingHint: "Counted for the key-village share",
    bundledHint: "Bundled from another department: its purpose must be kept",
  },
  project: {
    name: "Name", region: "Place", purpose: "Purpose", budget: "Budget (yuan)", year: "Year", account: "Dedicated account",
    byProgress: "Paid by progress", byProgressHint: "Construction; not for subsidies (relocation, rangers)", assets: "Assets created",
    holder: "Asset holder", regionHint: "Village (or township, county)",
  },
  plan: { name: "Plan", region: "Region", year: "Year", households: "Households", people: "People", hint: "The subsidy per person is the county's; a subsidy project is created." },
  contract: {
    pick: "Household", household: "Head's name", householdHint: "Type the head's name", member: "Ranger", station: "Forestry station (party A)", group: "Villager group",
    area: "Area (mu)", east: "East", south: "South", west: "West", north: "North", start: "Start", end: "End",
    project: "Subsidy project", projectHint: "The ecology project payouts come from", subsidy: "Annual subsidy (yuan)", subsidyHint: "Empty: the county's standard",
    noProject: "No ecology project this year: create one first.",
    signed: "Signed on", signedHint: "Empty: today",
  },
  incidentForm: {
    on: "Date", kind: "Kind", burnt: "Burnt area (mu)", negligence: "Through negligence", threshold: "Above the case threshold",
    major: "Major loss", description: "Description",
  },
  patrolForm: { on: "Day", area: "Route or area", findings: "Findings", nothing: "Empty: nothing found", reported: "Reported to the station" },
  inspectionForm: { on: "Date", present: "Present", absent: "Absent", result: "Result", note: "Note" },
  termination: { on: "Last day", reason: "Reason", confirm: "No month after it will be paid. Terminate?" },
  refused: {
    fund_exhausted: "Not saved: more than the fund has left.", over_budget: "Not saved: beyond the project's budget.",
    purpose_changed: "Not saved: the fund's purpose differs from the project's.", terminated: "Not saved: the contract is terminated.",
    month_paid: "Not saved: that month is paid and closed (an incident that ends the contract cannot fall before a paid month either).", paid: "Not saved: paid already.",
    contract_overlaps: "Not saved: this person has a ranger contract over part of that period; one at a time.",
  },
};
