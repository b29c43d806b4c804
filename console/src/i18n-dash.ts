// Messages of the funds, villages-and-teams and dashboard pages (issue 21), under `dash.` so they
// never collide with the other pages' keys. Chinese first; English where it differs.

export const dashZh = {
  menu: {
    funds: "资金台账", fundCharts: "资金执行分析", relocation: "易地搬迁", teams: "帮扶队伍", teamsGroup: "帮扶队伍",
    profiles: "村情档案",
  },
  funds: {
    title: "资金台账", hint: "点击资金查看它安排到的项目，点击项目查看分配和拨付明细。", funds: "资金", projects: "项目",
    none: "本年度暂无资金", noProjects: "没有项目", document: "文号", source: "来源", level: "级次", purpose: "用途",
    amount: "到位(元)", allocated: "已安排(元)", unallocated: "未安排(元)", disbursed: "已支付(元)", execution: "执行率",
    received: "到位日期", linking: "衔接资金", bundled: "整合", ofFund: "本资金安排(元)", allFunds: "全部资金",
    fundOnly: "只看 {doc} 安排的项目", clear: "显示全部项目", ledger: "项目明细：{name}", allocations: "资金分配",
    disbursements: "资金拨付", noEntries: "暂无记录", payee: "收款人", paidOn: "支付日期", kind: "方式", note: "备注",
    card: "一卡通", recorded: "记录时间", fund: "资金", reversal: "冲销", progress: "工程进度", byProgress: "按进度拨付",
    budget: "预算(元)", allocate: "安排资金", recordProgress: "录入进度", pay: "拨付", progressPct: "进度(%)",
    date: "日期", amountYuan: "金额(元)", yuanHint: "以元为单位，最多两位小数", saved: "已保存", cap: "按进度最多可拨付 {cap}",
    kinds: { progress: "按进度拨付", subsidy: "补助发放" },
    refused: {
      over_budget: "未保存：超过项目预算的剩余额度。", over_allocation: "未拨付：超过已安排到项目的资金。",
      beyond_progress: "未拨付：超过按工程进度可拨付的金额，请先录入进度。", fund_exhausted: "未安排：超过该资金未安排的余额。",
      purpose_changed: "未安排：资金用途与项目用途不一致（不得改变资金用途）。",
    },
  },
  charts: {
    title: "资金执行分析", byRegion: "按地区", byFund: "按资金", byProject: "按项目", received: "到位", allocated: "已安排",
    disbursed: "已支付", rate: "执行率(%)", unit: "万元", share: "衔接资金投向重点帮扶村比例", shareOf: "{county}：{share}%（不低于 {min}%）",
    shareShort: "低于最低比例", shareOk: "达到最低比例", needCounty: "请选择一个县查看衔接资金比例。", keyFunding: "重点帮扶村建设资金",
    construction: "已安排建设资金(元)", minimum: "最低标准(元)", shortfall: "缺口(元)", short: "不足", enough: "达标",
    top: "执行率最低的 {n} 个项目",
  },
  relocation: {
    title: "易地扶贫搬迁", plans: "搬迁计划", name: "计划名称", households: "户数", people: "人数", perPerson: "人均补助(元)",
    entitlement: "应补(元)", paid: "已发放(元)", fundsTotal: "搬迁资金到位(元)", byLevel: "按级次", none: "暂无搬迁计划",
    summary: "共 {plans} 个计划，{households} 户 {people} 人；应补 {entitlement}，已发放 {paid}。",
  },
  teams: {
    title: "帮扶队伍", teams: "驻村工作队", members: "队员", expand: "展开", pairings: "结对帮扶", visits: "走访记录", villagePairs: "强村带弱村",
    coverage: "覆盖缺口", village: "村", team: "队名", name: "姓名", id: "身份证号", unit: "派出单位", position: "职务", term: "任期",
    positions: { first_secretary: "第一书记", leader: "队长", member: "队员" }, none: "暂无记录",
    household: "农户", cadre: "帮扶责任人", from: "开始", to: "结束", open: "进行中", visitedOn: "走访日期", found: "发现问题",
    done: "帮扶措施", strong: "强村", weak: "弱村", years: "年度", content: "帮扶内容", asOf: "截至",
    interval: "走访周期 {d} 天", gaps: "缺口", count: "数量", region: "地区",
    cols: {
      key_villages: "重点村", key_villages_without_first_secretary: "无第一书记", key_villages_without_adviser: "无专家特派员",
      key_villages_without_leader: "无县级领导联系", demonstration_villages: "示范村", demonstration_villages_unpaired: "示范村未结对",
      households: "帮扶户", households_without_cadre: "无帮扶责任人", households_unvisited: "超期未走访",
    },
    lists: { villages_without_first_secretary: "无第一书记的重点村", villages_without_adviser: "无专家特派员的重点村", villages_without_leader: "无县级领导联系的重点村", demonstration_villages_unpaired: "未结对的示范村", households_without_cadre: "无帮扶责任人的户", households_unvisited: "超期未走访的户" },
    more: "等 {n} 个",
  },
  profiles: {
    title: "村情档案", pick: "选择村", pickHint: "请在上方选择一个村（村级）。", none: "该村暂无档案", year: "年度",
    reported: "填报", registry: "建档立卡库", households: "户数", population: "人口", income: "人均可支配收入(元)",
    collective: "村集体经济收入(元)", cultivated: "耕地(亩)", forest: "林地(亩)", industries: "主要产业", featured: "特色产业",
    merged: "合并村", formerPoor: "原贫困村", yes: "是", no: "否", road: "硬化路(%)", water: "自来水(%)", toilet: "卫生厕所(%)",
    updated: "更新时间", diff: "差异",
  },
  keyVillages: {
    detail: "考核与摘帽", grade: "考核等次", assessments: "年度考核", exitDecision: "摘帽决定", decisionNo: "文号", reason: "理由", noAssessment: "暂无考核",
    growth: "收入增长（对比全县）", growthYear: "年度", village: "本村(%)", county: "全县(%)", faster: "快于全县",
  },
  rangers: {
    reason: "终止日期及原因", incidents: "事件记录", noIncidents: "暂无事件", kind: "事件类型", burnt: "过火(亩)", flags: "情节",
    negligence: "管护失职", majorLoss: "重大损失", case: "达到立案标准", description: "情况", inspections: "检查记录",
    noInspections: "暂无检查", present: "在岗", atPost: "在岗", absent: "脱岗",
  },
  dashboard: {
    years: "历年变化", yearsHint: "农户与人口为每年年末的状态（本年为今天）；退出为每年的退出与目标。", unitHouseholds: "户/人", unitWan: "万元", unitPercent: "%", overview: "总览（全部报表）", single: "单项报表", mode: "显示方式",
  },
};

export const dashEn: typeof dashZh = JSON.parse(JSON.stringify(dashZh));
Object.assign(dashEn.menu, { funds: "Funds", fundCharts: "Fund execution", relocation: "Relocation", teams: "Teams", teamsGroup: "Teams", profiles: "Village profiles" });
