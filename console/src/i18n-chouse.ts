// Messages of the console's issue 21 part 2 screens (chouse): a household's benefit card and its
// bulk import, the relocation roster, the county's CORS origins, and picking a project's
// manager from a list. Under `ch.`, merged in `src/i18n.ts`. Chinese first; English beside it.

export const chZh = {
  menu: { cors: "跨域来源" },
  card: {
    title: "惠民惠农财政补贴资金“一卡通”", bank: "开户银行", number: "卡号", recorded: "登记时间", none: "尚未登记一卡通。",
    set: "登记一卡通", replace: "更换一卡通", hint: "卡号保存时加密，页面只显示前四位和后四位；更换后新卡生效，以往的发放仍记在原卡上。",
    numberHint: "12–19 位数字（空格和连字符不计）", saved: "已保存", luhn: "卡号须为 12–19 位数字",
    required: "必填", noRead: "您没有查看资金的权限，看不到一卡通信息。",
  },
  imports: {
    kind: "导入内容", households: "农户信息", benefitCards: "一卡通（开户银行和卡号）",
    cardsHint: "每行一户：户编号和/或成员身份证号、开户银行、卡号。已登记的同一张卡不会重复登记；不同的卡将替换原卡。",
    recorded: "已登记", unchanged: "未变化", refusedRows: "未导入", rows: "行",
  },
  roster: { label: "补助花名册", notReady: "该计划下尚无已发放的农户，花名册暂不能生成。", column: "花名册" },
  cors: {
    title: "跨域来源（CORS）",
    hint: "本县自建的网页前端所在的来源地址，如 https://fupin.sishui.gov.cn。只写协议、主机和端口，不带路径；必须使用 https（仅 localhost 可用 http）。列出后约一分钟内生效，默认不允许任何来源。",
    origin: "来源地址", add: "添加", remove: "删除", none: "尚未允许任何来源。", saved: "已保存",
    removeConfirm: "删除后，{origin} 上的前端将不能再调用接口。确定删除？", removeTitle: "删除来源",
    exists: "该来源已在列表中", required: "请填写来源地址", placeholder: "https://app.example.gov.cn",
  },
  manager: {
    pick: "选择用户", search: "输入姓名或账号的开头查找", none: "没有可指定的用户", more: "更多结果请输入更多字查找",
    pickHint: "请选择一名用户", other: "其他用户",
  },
};

export const chEn: typeof chZh = {
  menu: { cors: "CORS origins" },
  card: {
    title: "Benefit card (一卡通)", bank: "Bank", number: "Card number", recorded: "Recorded", none: "No benefit card recorded.",
    set: "Record a card", replace: "Replace the card", hint: "The number is stored encrypted and shown with its first and last four digits; a new card replaces the old one, earlier payments keep naming the card they were paid to.",
    numberHint: "12 to 19 digits (spaces and hyphens ignored)", saved: "Saved", luhn: "12 to 19 digits",
    required: "Required", noRead: "You may not read funds: the benefit card is not shown.",
  },
  imports: {
    kind: "What to import", households: "Households", benefitCards: "Benefit cards (bank and card number)",
    cardsHint: "One row per household: its number and/or a member's ID number, the bank, the card number. The card in use is not recorded again; another card replaces it.",
    recorded: "Recorded", unchanged: "Unchanged", refusedRows: "Refused", rows: "rows",
  },
  roster: { label: "Subsidy roster", notReady: "No household has been paid under this plan yet: there is no roster.", column: "Roster" },
  cors: {
    title: "CORS origins",
    hint: "Origins your county's own browser front ends are served from, such as https://fupin.sishui.gov.cn: scheme, host and port, no path; https only (http for localhost). In force within a minute; none is allowed by default.",
    origin: "Origin", add: "Add", remove: "Remove", none: "No origin is allowed.", saved: "Saved",
    removeConfirm: "Front ends served from {origin} will no longer call the API. Remove it?", removeTitle: "Remove an origin",
    exists: "Listed already", required: "Enter an origin", placeholder: "https://app.example.gov.cn",
  },
  manager: {
    pick: "User", search: "Type the start of a name or username", none: "No user may be named", more: "Type more to find others",
    pickHint: "Pick a user", other: "Another user",
  },
};
