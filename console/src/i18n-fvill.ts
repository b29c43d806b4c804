// Messages of the forms on the villages-and-teams and workflow pages (issue 21, console part 2:
// teams, village profiles, key villages, township plans, monitoring leads, property routing),
// under `fv.`, merged into the console's i18n when one of these pages is first loaded (so they
// stay out of the first screen's JavaScript and out of the shared i18n.ts). English falls back
// to the Chinese (the console's first language) until it is written.
import { i18n } from "./i18n";
import { asProblem, fieldErrors, problemText } from "./lib/problem";

const zh = {
  fv: {
    saved: "已保存",
    refused: {
      // 409s of these forms, by the server's code, in Chinese.
      term_overlaps: "未添加：此人在该任期内已在另一支工作队任职（同一人同一时间只能在一支队伍）。",
      paired: "未结对：该帮扶责任人已与该户结对，无需重复结对。",
      assessed: "未保存：该村这一年度已考核。",
      exited: "未保存：该村已作出退出决定。",
      plan_approved: "未保存：县级已审批该乡镇计划，需县级重新打开后才能修改。",
      case_closed: "未保存：该监测对象已结束监测。",
      conflict: "未保存：记录已存在或状态已变化，请刷新后再试。",
    },
    stale: "未保存：该记录已于 {when} 被他人修改，您看到的不是最新内容。请重新加载后再修改。",
    reload: "重新加载",
    teams: {
      create: "新建工作队",
      village: "驻村",
      name: "队伍名称",
      addMember: "添加队员",
      member: "队员",
      memberName: "姓名",
      idNumber: "身份证号",
      unit: "派出单位",
      position: "职务",
      termStart: "任期开始",
      termEnd: "任期结束",
      userId: "队员账号 ID",
      userIdHint: "可选：队员本人在本村持有走访权限（如驻村队员角色）的账号 ID，填写后可登录记录走访",
      pair: "结对帮扶",
      cadre: "帮扶责任人",
      household: "帮扶农户",
      startDate: "开始日期",
      visit: "记录走访",
      visitHint: "只有与该户结对的工作队员本人可以记录走访",
      visitedOn: "走访日期",
      found: "发现情况",
      done: "帮扶措施",
      villagePair: "强村带弱村",
      strong: "强村",
      weak: "弱村",
      fromYear: "起始年度",
      toYear: "结束年度",
      content: "帮带内容",
      created: "工作队已建立",
    },
    profiles: {
      record: "录入档案",
      edit: "修改",
      year: "年度",
      households: "总户数",
      population: "总人口",
      income: "人均可支配收入(元)",
      collective: "村集体经济收入(元)",
      cultivated: "耕地(亩)",
      forest: "林地(亩)",
      main: "主要产业",
      featured: "特色产业",
      industriesHint: "多个产业用顿号或逗号分隔",
      road: "硬化路(%)",
      water: "自来水(%)",
      electricity: "通电(%)",
      toilet: "卫生厕所(%)",
      school: "适龄儿童入学率(%)",
      merged: "两项改革合并村",
      formerPoor: "原贫困村",
      yuanHint: "以元为单位，最多两位小数",
      exists: "该年度已有档案，已打开修改",
      existsRefused: "未保存：{year} 年度的档案已经录入，新增不会覆盖已有档案。如需更改，请修改该年度的档案。",
      editExisting: "修改 {year} 年度档案",
    },
    key: {
      assess: "年度考核",
      year: "考核年度",
      grade: "考核等次",
      notes: "考核意见",
      targetsNow: "目标完成情况（考核时按当年数据计算并记入考核）",
      exit: "退出决定",
      decidedOn: "决定日期",
      decisionNo: "文号",
      reason: "退出理由",
      grades: { excellent: "优秀", good: "良好", fair: "一般", poor: "较差" },
    },
    plans: {
      title: "乡镇年度计划",
      edit: "编制计划",
      township: "乡镇",
      exitHouseholds: "计划退出户数",
      exitPeople: "计划退出人数",
      entryPeople: "计划新识别人数（可选）",
      milestones: "退出时间表",
      step: "环节",
      dueOn: "完成日期",
      addMilestone: "添加节点",
      remove: "删除",
      approved: "已审批",
      draft: "待审批",
      approve: "审批",
      reopen: "重新打开",
      approveConfirm: "审批后乡镇不能再修改该计划，确定审批？",
      reopenConfirm: "重新打开后乡镇可以修改计划，确定？",
      changed: "乡镇已在您查看后修改了该计划，未审批。已重新加载，请核对后再审批。",
      none: "本年度暂无乡镇计划",
      version: "版本",
    },
    leads: { head: "户主" },
    contact: {
      set: "设置监测联系人",
      user: "监测联系人",
      me: "我本人（{name}）",
      hint: "监测联系人须为本县在该村或其上级工作的用户；可选择本人，或输入其他用户的账号 ID",
      other: "其他用户的账号 ID",
    },
    routing: {
      leaderName: "经由挂点领导",
      liaisonName: "现挂点领导",
      liaisons: "挂点领导",
      assign: "设置挂点领导",
      village: "村",
      leader: "挂点领导",
      none: "无（由站所直接转交）",
      me: "我本人（{name}）",
      other: "其他用户（账号 ID）",
      hint: "挂点领导须为本乡镇持有转交权限（挂点领导或乡镇审核员）的用户",
    },
  },
};

i18n.global.mergeLocaleMessage("zh-CN", zh);

/** A refused write in Chinese: the server's 409 code named when known, else by status. */
export function refusal(status: number, error: unknown): string {
  const code = asProblem(error)?.code ?? "";
  if (status === 409) {
    const key = `fv.refused.${code}`;
    return i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t("fv.refused.conflict");
  }
  return problemText(status, error);
}

/** The answer of a dialog's write: field errors for the form (422), or a message to show. */
export function outcome(status: number, error: unknown): { fields: Record<string, string>; message: string } {
  const fields = fieldErrors(error);
  return { fields, message: Object.keys(fields).length ? "" : refusal(status, error) };
}
