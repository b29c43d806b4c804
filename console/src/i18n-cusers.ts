// Messages of editing a user on the users page (issue 21, cusers): the display name and the org
// unit (PATCH /api/v1/users/{id} with If-Match). Under `cu.`, merged in `src/i18n.ts`.

export const cuZh = {
  edit: "编辑", title: "编辑用户：{name}", displayName: "姓名", orgUnit: "所属单位",
  current: "当前：{name}", keep: "不调整单位请留空", moveTo: "调至",
  moveTitle: "调整所属单位将立即生效：",
  moveSessions: "该用户的全部登录将立即失效，须重新登录；",
  moveGrants: "不在“{to}”及所辖区域内的以下角色将被收回：",
  moveKeeps: "该用户的角色都在“{to}”及所辖区域内，均予保留。",
  sameUnit: "所选单位与当前单位相同，不作调整。",
  unchanged: "没有修改任何内容。",
  saved: "已保存用户信息", moved: "已将用户调至{to}，其登录已失效",
  stale: "该用户刚被他人修改过，本次修改未保存。请重新读取后再改。", reload: "重新读取",
  notManaged: "您无权管理该单位的用户（超出您的管理范围）。",
  selfReset: "不能在这里重置您本人的密码。本人密码请到“修改密码”页面，输入当前密码后修改。",
  toPassword: "前往修改密码",
  split: "以下权限分处多个单位，且没有一个授权覆盖全部（多为撤销了覆盖它们的角色）：需要这些权限的操作都会被拒绝。请在覆盖单位授予角色，或只保留其中一个单位的授权。",
  splitUnder: "{permission}（覆盖单位：{unit}）",
};

export const cuEn: typeof cuZh = {
  edit: "Edit", title: "Edit user: {name}", displayName: "Name", orgUnit: "Org unit",
  current: "Now: {name}", keep: "Leave empty to keep the org unit", moveTo: "Move to",
  moveTitle: "Moving the user takes effect at once:",
  moveSessions: "all their sessions end and they must sign in again;",
  moveGrants: "these roles, outside “{to}” and what lies below it, are revoked:",
  moveKeeps: "all their roles lie within “{to}” and are kept.",
  sameUnit: "That is the user's org unit already: nothing moves.",
  unchanged: "Nothing was changed.",
  saved: "User saved", moved: "The user was moved to {to}; their sessions ended",
  stale: "Someone changed this user meanwhile; nothing was saved. Read it again, then edit.", reload: "Read again",
  notManaged: "You do not manage users of that org unit (outside your scope).",
  selfReset: "Your own password is not reset here: change it on the Change password page, with the current one.",
  toPassword: "Go to Change password",
  split: "These permissions are held at several units with no grant covering them all (usually a covering role was revoked): every action needing them is refused. Grant a role at the covering unit, or keep the grant at one unit only.",
  splitUnder: "{permission} (covering unit: {unit})",
};
