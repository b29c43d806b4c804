//! Vocabularies of the platform's own work — background jobs, webhook deliveries, inbox tasks,
//! reports — and of records that had none: their Chinese labels are the server's, so front ends
//! show them from `GET /api/v1/vocabularies` instead of copying lists.

vocabulary! {
    /// Where a background job stands.
    JobStatus {
        /// Waiting for a worker.
        Queued = "queued" / "排队中",
        /// A worker runs it.
        Running = "running" / "进行中",
        /// Done.
        Succeeded = "succeeded" / "已完成",
        /// Stopped by an error.
        Failed = "failed" / "失败",
        /// Cancelled by a user (`POST /jobs/{id}/cancel`): never run, or stopped at the end of
        /// a batch.
        Cancelled = "cancelled" / "已取消",
    }
}

vocabulary! {
    /// What a background job does.
    JobKind {
        /// 农户导入.
        HouseholdImport = "household_import" / "农户导入",
        /// 农户导出.
        HouseholdExport = "household_export" / "农户导出",
        /// 年度收入调查导入.
        HouseholdYearImport = "household_year_import" / "年度收入导入",
        /// 村情档案导入.
        VillageProfileImport = "village_profile_import" / "村情档案导入",
        /// 走访记录导入.
        VisitImport = "visit_import" / "走访记录导入",
        /// 工作队成员导入.
        TeamMemberImport = "team_member_import" / "工作队成员导入",
        /// 巡护记录导入.
        RangerPatrolImport = "ranger_patrol_import" / "巡护记录导入",
        /// 护林员检查导入.
        RangerInspectionImport = "ranger_inspection_import" / "护林员检查导入",
        /// 一卡通账户导入.
        BenefitCardImport = "benefit_card_import" / "一卡通账户导入",
    }
}

vocabulary! {
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting to be sent (again).
        Pending = "pending" / "待推送",
        /// Accepted by the receiver.
        Delivered = "delivered" / "已送达",
        /// Given up after the last attempt.
        Failed = "failed" / "失败",
    }
}

vocabulary! {
    /// The kinds of waiting work in a user's inbox (`GET /me/tasks`).
    TaskKind {
        /// 退出名单待办理.
        ExitStep = "exit_step" / "退出名单待办理",
        /// 公示期满待下一步.
        NoticeEnded = "notice_ended" / "公示期满待下一步",
        /// 异议待处理.
        Objection = "objection" / "异议待处理",
        /// 监测对象待认定.
        MonitoringCase = "monitoring_case" / "监测对象待认定",
        /// 比对结果待核实.
        PropertyHit = "property_hit" / "比对结果待核实",
        /// 核查表待确认.
        PropertyTable = "property_table" / "核查表待确认",
        /// 护林员待发放.
        RangerMonth = "ranger_month" / "护林员待发放",
        /// 农户待走访.
        VisitOverdue = "visit_overdue" / "农户待走访",
        /// 失败的后台任务.
        FailedJob = "failed_job" / "失败的后台任务",
        /// 授权待审批.
        GrantRequest = "grant_request" / "授权待审批",
        /// 动态调整逾期村.
        CampaignStep = "campaign_step" / "动态调整逾期村",
        /// 纳入名单待办理.
        IntakeStep = "intake_step" / "纳入名单待办理",
        /// 乡镇年度计划待制定.
        TownshipPlan = "township_plan" / "乡镇年度计划待制定",
        /// 节假日安排待录入.
        CalendarYear = "calendar_year" / "节假日安排待录入",
    }
}

vocabulary! {
    /// The kinds of report (`GET /reports/{kind}`).
    ReportKind {
        /// 农户与人口.
        Households = "households" / "农户与人口",
        /// 退出与目标.
        Exits = "exits" / "退出与目标",
        /// 防返贫监测.
        Monitoring = "monitoring" / "防返贫监测",
        /// 重点帮扶村目标.
        KeyVillages = "key_villages" / "重点帮扶村目标",
        /// 帮扶覆盖.
        Coverage = "coverage" / "帮扶覆盖",
        /// 资金执行.
        Funds = "funds" / "资金执行",
        /// 生态护林员.
        Rangers = "rangers" / "生态护林员",
    }
}

vocabulary! {
    /// Where a property-check hit stands.
    HitStatus as "PropertyHitStatus" {
        /// 待核实.
        Pending = "pending" / "待核实",
        /// 已核实.
        Verified = "verified" / "已核实",
        /// 已评议.
        Appraised = "appraised" / "已评议",
        /// 已上报.
        Submitted = "submitted" / "已上报",
        /// 已确认.
        Confirmed = "confirmed" / "已确认",
    }
}

vocabulary! {
    /// A position on a resident work team.
    TeamPosition {
        /// 第一书记.
        FirstSecretary = "first_secretary" / "第一书记",
        /// 队长.
        Leader = "leader" / "队长",
        /// 队员.
        Member = "member" / "队员",
    }
}

vocabulary! {
    /// A person's sex, as the ID number says it.
    Sex {
        /// 男.
        Male = "male" / "男",
        /// 女.
        Female = "female" / "女",
    }
}
