// Messages of the console's issue 21 review gaps (cmem): a household's members (add, correct,
// remove), every bulk import, the household card (档案卡) and a ranger's agreement (协议书), and a
// monitoring case a village identifies itself. Under `cm.`, merged in `src/i18n.ts`.

export const cmZh = {
  member: {
    add: "添加成员", edit: "修改", remove: "移除", editTitle: "修改成员：{name}", addTitle: "添加成员",
    name: "姓名", idNumber: "身份证号", idNumberNew: "更正身份证号", idNumberKeep: "不更正请留空（当前：{masked}）",
    relationship: "与户主关系", education: "文化程度", schoolStatus: "在校生状况", health: "健康状况",
    disability: "残疾", labour: "劳动能力", medical: "城乡居民基本医疗保险", pension: "城乡居民基本养老保险", phone: "联系电话",
    headHint: "改为户主时，原户主改为“其他”。",
    added: "已添加成员", saved: "已保存", removed: "已移除",
    removeTitle: "移除成员", removeConfirm: "确定将 {name}（{masked}）从本户移除？移除后其不再计入本户人口，操作记入变更记录。",
    removeReason: "移除原因，如：死亡、婚出、户口迁出、分户",
    removeReasonRule: "请填写移除原因（最多200字）",
    removeHead: "户主不能移除：请先将其他成员改为户主。",
    stale: "该成员已被他人修改，请重新打开后再改。", registered: "此人已在册登记，不能重复登记。",
  },
  imports: {
    householdYears: "年度收入调查", villageProfiles: "村情信息", visits: "走访记录", teamMembers: "驻村工作队队员",
    rangerPatrols: "护林员巡护记录", rangerInspections: "护林员检查考核",
    created: "新增", updated: "更新", unchanged: "未变化", refused: "未导入", rows: "行",
  },
  docs: { card: "档案卡", agreement: "协议书" },
  caseNew: {
    open: "识别监测对象", title: "识别监测对象（村级）", household: "农户", kind: "监测类型", risks: "风险类型",
    foundOn: "发现日期", description: "情况说明", rescueFirst: "先救后核（因灾等突发严重困难）", created: "已识别，待乡镇审核",
    hint: "请选择本村已脱贫户或一般农户；提交后进入乡镇审核，识别时限从发现日期起算。", pickHousehold: "请选择农户",
  },
};

export const cmEn: typeof cmZh = {
  member: {
    add: "Add a member", edit: "Correct", remove: "Remove", editTitle: "Correct a member: {name}", addTitle: "Add a member",
    name: "Name", idNumber: "ID number", idNumberNew: "Corrected ID number", idNumberKeep: "Leave empty to keep it (now {masked})",
    relationship: "Relationship", education: "Education", schoolStatus: "Schooling", health: "Health",
    disability: "Disability", labour: "Labour ability", medical: "Medical insurance", pension: "Pension", phone: "Phone",
    headHint: "Making a member the head makes the former head “other”.",
    added: "Member added", saved: "Saved", removed: "Removed",
    removeTitle: "Remove a member", removeConfirm: "Remove {name} ({masked}) from the household? They no longer count in it; the change is kept in the history.",
    removeReason: "Why, e.g. died, married out, moved away, split into a new household",
    removeReasonRule: "Give the reason (at most 200 characters)",
    removeHead: "The head cannot be removed: make another member the head first.",
    stale: "Someone changed this member: open it again.", registered: "This person is registered already.",
  },
  imports: {
    householdYears: "Annual income survey", villageProfiles: "Village profiles", visits: "Visits", teamMembers: "Village team members",
    rangerPatrols: "Ranger patrols", rangerInspections: "Ranger inspections",
    created: "Created", updated: "Updated", unchanged: "Unchanged", refused: "Refused", rows: "rows",
  },
  docs: { card: "Household card", agreement: "Agreement" },
  caseNew: {
    open: "Identify a case", title: "Identify a monitoring case (village)", household: "Household", kind: "Kind", risks: "Risk types",
    foundOn: "Found on", description: "Description", rescueFirst: "Help first, verify after (sudden hardship)", created: "Identified; the township reviews it next",
    hint: "Pick an exited or non-poor household of the village; the township reviews it next, the deadline counts from the day found.", pickHousehold: "Pick a household",
  },
};
