// Chinese names of the audit log's action codes and object types, for the audit page: county
// auditors read 查看完整身份证号, not `member.reveal` (the code stays visible beside it).
//
// The codes are the ones the server writes (crate::audit::record, Ctx::audit, audit_household,
// record_change's `household.<change>`, the list steps' `<list>.<step>`, the `<object>.<status>`
// of objections, leads and monitoring cases, and the SQL function zx_record_duplicate_attempt).
// The API has no catalogue of them: a code added on the server and missing here is shown as
// itself, and can still be typed into the page's filter.

/** An option of the action filter: the code and its Chinese name. */
export interface AuditOption {
  value: string;
  label: string;
}

// In the order of the console's menu (system first, as auditors look there most), each group's
// own order following the work it records.
const ACTIONS: [string, string][] = [
  // 登录与账号
  ["auth.login", "登录"],
  ["auth.login_failed", "登录失败"],
  ["auth.logout", "退出登录"],
  ["auth.refresh_reuse", "登录凭证重复使用（疑似被盗用）"],
  ["user.password_change", "修改本人密码"],
  ["user.password_change_failed", "修改密码失败（原密码错误）"],
  ["user.password_reset", "重置用户密码"],
  ["user.create", "新增用户"],
  ["user.update", "修改用户信息"],
  ["user.move", "调整用户所属单位"],
  ["user.disable", "停用用户"],
  ["user.enable", "启用用户"],
  ["role.grant", "授予角色"],
  ["role.revoke", "撤销角色"],
  ["role.grant_request", "申请授予角色"],
  ["role.grant_request.approve", "批准角色授权申请"],
  ["role.grant_request.reject", "驳回角色授权申请"],
  ["tasks.read", "查看待办事项"],
  // 告警
  ["alert.quota_exceeded", "超出每日限额告警"],
  ["alert.operational_role_requested", "申请业务角色告警"],
  ["alert.operational_role_granted", "授予业务角色告警"],
  ["alert.membership_probing", "队员任期反复冲突告警"],
  // 建档立卡：农户与家庭成员
  ["household.list", "查询农户"],
  ["household.count", "统计农户数"],
  ["household.read", "查看户档案"],
  ["household.card", "查看户档案卡"],
  ["household.created", "新建户"],
  ["household.updated", "修改户信息"],
  ["household.status_changed", "变更户状态"],
  ["household.member_added", "新增家庭成员"],
  ["household.member_updated", "修改家庭成员信息"],
  ["household.member_removed", "删除家庭成员"],
  ["household.year_recorded", "登记年度收入情况"],
  ["household.measure_added", "新增帮扶措施"],
  ["household.measure_updated", "修改帮扶措施"],
  ["household.paired", "确定结对帮扶"],
  ["household.monitoring", "防返贫监测变动"],
  ["household.import", "导入农户"],
  ["household_year.import", "导入农户年度情况"],
  ["household.export", "导出农户"],
  ["household.export_revealed", "导出农户（含完整身份证号）"],
  ["household.export_download", "下载导出文件"],
  ["member.read", "查看家庭成员"],
  ["member.reveal", "查看完整身份证号"],
  ["member.reveal_bulk", "批量导出完整身份证号"],
  ["member.search", "按身份证号查询"],
  ["member.id_check", "核验身份证号是否已登记（登记或导入）"],
  ["member.duplicate_attempt", "重复登记身份证号（已在他处登记）"],
  ["benefit_card.set", "登记一卡通"],
  ["benefit_card.import", "导入一卡通"],
  ["disbursement.payment_file", "生成一卡通发放文件"],
  // 退出管理
  ["exit_target.set", "设置退出目标"],
  ["exit_list.nomination", "退出名单：村民小组提名"],
  ["exit_list.appraisal", "退出名单：民主评议"],
  ["exit_list.signoff", "退出名单：签署核实意见"],
  ["exit_list.verification", "退出名单：核实"],
  ["exit_list.first_notice", "退出名单：第一次公示"],
  ["exit_list.township_review", "退出名单：镇审核"],
  ["exit_list.second_notice", "退出名单：第二次公示"],
  ["exit_list.approval", "退出名单：县审批"],
  ["exit_list.announcement", "退出名单：公告"],
  ["exit_list.filing", "退出名单：备案"],
  ["exit_list.acknowledged", "退出名单：市、省级认可"],
  ["exit_list.document", "退出名单：生成文书"],
  ["exit_round.township_review", "乡镇批次：镇审核"],
  ["exit_round.second_notice", "乡镇批次：第二次公示"],
  ["exit_round.approval", "乡镇批次：县审批"],
  ["exit_round.announcement", "乡镇批次：公告"],
  ["exit_filing.county", "县级名单备案"],
  ["exit_objection.raised", "登记退出异议"],
  ["exit_objection.upheld", "退出异议成立"],
  ["exit_objection.dismissed", "退出异议不成立"],
  ["exit_inspection.create", "新建退出抽查"],
  ["exit_inspection.visit", "登记抽查入户核查"],
  // 纳入与动态调整
  ["intake_target.set", "设置纳入目标"],
  ["intake_list.application", "纳入名单：申请纳入"],
  ["intake_list.appraisal", "纳入名单：民主评议"],
  ["intake_list.notice", "纳入名单：公示"],
  ["intake_list.township_review", "纳入名单：镇审核"],
  ["intake_list.approval", "纳入名单：县审批"],
  ["intake_list.announcement", "纳入名单：公告"],
  ["intake_objection.raised", "登记纳入异议"],
  ["intake_objection.upheld", "纳入异议成立"],
  ["intake_objection.dismissed", "纳入异议不成立"],
  ["campaign.open", "启动年度动态调整"],
  ["campaign.excuse", "动态调整：为村说明原因"],
  ["campaign.close", "结束年度动态调整"],
  // 防返贫监测
  ["monitoring_lead.list", "查询预警线索"],
  ["monitoring_lead.scan", "运行预警扫描"],
  ["monitoring_lead.reported", "报告预警线索"],
  ["monitoring_lead.case_opened", "核实预警线索：纳入识别"],
  ["monitoring_lead.dismissed", "核实预警线索：无风险"],
  ["monitoring_case.list", "查询监测对象"],
  ["monitoring_case.identified", "识别监测对象（村级）"],
  ["monitoring_case.opened_help_first", "先救后核纳入监测"],
  ["monitoring_case.township_review", "监测对象：镇审核"],
  ["monitoring_case.confirmation", "监测对象：县确定"],
  ["monitoring_case.post_verification", "监测对象：事后核实"],
  ["monitoring_case.measure", "监测对象：新增帮扶措施"],
  ["monitoring_case.contact", "监测对象：设置监测联系人"],
  ["monitoring_case.risk_elimination", "监测对象：风险消除"],
  ["monitoring_case.return_to_poverty", "监测对象：返贫致贫"],
  ["monitoring_case.closed_by_intake", "监测对象：纳入建档立卡后关闭"],
  ["monitoring_case.closed_by_veto", "监测对象：一票否决后关闭"],
  ["monitoring_case.closed_by_false_exit", "监测对象：抽查发现错退后关闭"],
  // 财产核查
  ["property_check.import", "导入财产核查比对数据"],
  ["township.liaisons_set", "设置财产核查挂点领导"],
  ["property_check.forwarded_to_leaders", "财产核查：转交挂点领导"],
  ["property_check.forwarded_to_village", "财产核查：转交村委会"],
  ["property_check.routing", "查看财产核查转交情况"],
  ["property_hit.list", "查看财产比对结果列表"],
  ["property_hit.read", "查看财产比对结果"],
  ["property_hit.verified", "核实财产比对结果"],
  ["property_check.appraised", "财产核查：村评议处理意见"],
  ["property_check.sent_back", "财产核查：退回重新评议"],
  ["property_check.submitted", "财产核查：乡镇提交统计表"],
  ["property_check.confirmed", "财产核查：县级确认"],
  ["property_hit.veto_reversed", "财产核查：撤销否决"],
  ["property_check.statistics", "查看财产核查统计表"],
  ["property_check.document", "生成财产核查文书"],
  // 重点帮扶村与帮扶队伍
  ["village_profile.created", "新建村情档案"],
  ["village_profile.updated", "修改村情档案"],
  ["village_profile.import", "导入村情档案"],
  ["county_figure.set", "填报县级统计数据"],
  ["key_village.designated", "认定重点帮扶村"],
  ["key_village.industry_plan", "录入重点帮扶村产业规划"],
  ["key_village.leader_linked", "设置重点帮扶村县级领导联系"],
  ["key_village.assessed", "重点帮扶村年度考核"],
  ["key_village.exited", "重点帮扶村摘帽"],
  ["key_village.document", "生成重点帮扶村文书"],
  ["demonstration_village.designated", "认定示范村"],
  ["team.created", "新建驻村工作队"],
  ["team.member_added", "添加工作队队员"],
  ["team_member.import", "导入工作队队员"],
  ["team_member.term_conflict", "队员任期冲突（未保存）"],
  ["pairing.ended", "结束结对帮扶"],
  ["village_pairing.created", "建立强村带弱村结对"],
  ["adviser.added", "添加专家特派员"],
  ["visit.logged", "登记走访"],
  ["visit.import", "导入走访记录"],
  // 资金项目
  ["fund.received", "登记资金到位"],
  ["project.created", "新建项目"],
  ["project.posted", "登记项目公示"],
  ["project.manager", "设置项目负责人"],
  ["project.progress", "录入工程进度"],
  ["project.document", "生成项目文书"],
  ["allocation.made", "资金分配"],
  ["allocation.reversed", "冲销资金分配"],
  ["disbursement.made", "资金拨付"],
  ["disbursement.reversed", "冲销资金拨付"],
  ["relocation.planned", "登记易地搬迁计划"],
  ["relocation_plan.document", "生成易地搬迁文书"],
  ["township_plan.created", "新建乡镇年度计划"],
  ["township_plan.updated", "修改乡镇年度计划"],
  ["township_plan.approved", "批准乡镇年度计划"],
  ["township_plan.reopened", "重新打开乡镇年度计划"],
  // 生态护林员
  ["ranger_contract.signed", "签订护林员管护合同"],
  ["ranger_contract.patrolled", "记录护林员巡护"],
  ["ranger_contract.inspected", "护林员检查考核"],
  ["ranger_contract.incident", "记录护林事件"],
  ["ranger_contract.paid", "发放护林员管护补助"],
  ["ranger_contract.terminated", "解除护林员管护合同"],
  ["ranger_contract.document", "生成护林员文书"],
  ["ranger_patrol.import", "导入护林员巡护记录"],
  ["ranger_inspection.import", "导入护林员检查考核记录"],
  // 附件与报表
  ["attachment.stored", "上传附件"],
  ["attachment.listed", "查看附件列表"],
  ["attachment.read", "查看附件信息"],
  ["attachment.downloaded", "下载附件"],
  ["report.read", "查看统计报表"],
  // 系统管理
  ["settings.update", "修改参数设置"],
  ["calendar.update", "修改工作日历"],
  ["job.cancel", "取消后台任务"],
  ["webhook.create", "新增事件推送地址"],
  ["webhook.update", "修改事件推送地址"],
  ["webhook.delete", "删除事件推送地址"],
  ["webhook.redeliver", "重新推送事件"],
  ["cors.replace", "修改跨域来源"],
  ["tenant.create", "新增租户（县）"],
  ["tenant.offboarded", "租户（县）数据归档移出"],
  ["demo.clock_set", "设置演示时钟"],
  ["audit.month_retired", "审计日志按月归档"],
  ["partition.month_retired", "历史数据按月归档"],
  ["partition.baselines_backfilled", "补记农户历史基线"],
];

const OBJECT_TYPES: [string, string][] = [
  ["household", "农户"],
  ["member", "家庭成员"],
  ["person", "人员（身份证号）"],
  ["route", "接口"],
  ["import", "导入"],
  ["session", "登录会话"],
  ["user", "用户"],
  ["job", "后台任务"],
  ["report", "统计报表"],
  ["settings", "参数设置"],
  ["calendar_year", "工作日历"],
  ["tenant", "租户（县）"],
  ["township", "乡镇"],
  ["webhook_endpoint", "事件推送地址"],
  ["webhook_delivery", "事件推送记录"],
  ["demo_clock", "演示时钟"],
  ["exit_target", "退出目标"],
  ["exit_list", "退出名单"],
  ["exit_round", "乡镇退出批次"],
  ["exit_filing", "县级退出备案"],
  ["exit_objection", "退出异议"],
  ["exit_inspection", "退出抽查"],
  ["intake_target", "纳入目标"],
  ["intake_list", "纳入名单"],
  ["intake_objection", "纳入异议"],
  ["campaign", "动态调整工作"],
  ["monitoring_lead", "预警线索"],
  ["monitoring_case", "监测对象"],
  ["property_check", "财产核查批次"],
  ["property_hit", "财产比对结果"],
  ["village_profile", "村情档案"],
  ["county_figure", "县级统计数据"],
  ["key_village", "重点帮扶村"],
  ["demonstration_village", "示范村"],
  ["team", "驻村工作队"],
  ["team_member", "工作队队员"],
  ["pairing", "结对帮扶"],
  ["village_pairing", "强村带弱村结对"],
  ["adviser", "专家特派员"],
  ["visit", "走访记录"],
  ["fund", "资金"],
  ["project", "项目"],
  ["relocation_plan", "易地搬迁计划"],
  ["township_plan", "乡镇年度计划"],
  ["ranger_contract", "护林员管护合同"],
  // The monthly tables whose old months are retired (partition.month_retired).
  ["audit_log", "审计日志"],
  ["household_events", "户历史记录"],
  ["login_attempts", "登录尝试记录"],
  ["job_errors", "后台任务错误记录"],
  ["webhook_deliveries", "事件推送记录"],
];

const actionNames: ReadonlyMap<string, string> = new Map(ACTIONS);
const objectTypeNames: ReadonlyMap<string, string> = new Map(OBJECT_TYPES);

/** The Chinese name of an audit action, else the code itself. */
export function actionLabel(code: string): string {
  return actionNames.get(code) ?? code;
}

/** Whether the action has a Chinese name here. */
export function isKnownAction(code: string): boolean {
  return actionNames.has(code);
}

/** The Chinese name of an audit object type, else the code itself. */
export function objectTypeLabel(code: string): string {
  return objectTypeNames.get(code) ?? code;
}

/** Every known action, for a select (grouped by work, as listed above). */
export const auditActionOptions: readonly AuditOption[] = ACTIONS.map(([value, label]) => ({ value, label }));

/** Every known object type, for a select. */
export const auditObjectTypeOptions: readonly AuditOption[] = OBJECT_TYPES.map(([value, label]) => ({ value, label }));
