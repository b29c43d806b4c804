-- Chinese labels for the role and permission catalogs, so front ends show the server's words
-- (GET /api/v1/vocabularies: `Role`, `Permission`) instead of copying lists that drift.
ALTER TABLE roles ADD COLUMN label text NOT NULL DEFAULT '';
ALTER TABLE permissions ADD COLUMN label text NOT NULL DEFAULT '';

UPDATE roles r SET label = v.label FROM (VALUES
  ('platform_admin',    '平台管理员'),
  ('tenant_admin',      '县级管理员'),
  ('city_admin',        '市级管理员'),
  ('village_clerk',     '村文书'),
  ('township_reviewer', '乡镇审核员'),
  ('township_liaison',  '挂点领导'),
  ('county_approver',   '县级审批员'),
  ('fund_officer',      '资金管理员'),
  ('team_member',       '驻村工作队员'),
  ('auditor',           '审计员'),
  ('observer',          '观察员'),
  ('property_checker',  '财产核查员')
) AS v(name, label) WHERE r.name = v.name;

UPDATE permissions p SET label = v.label FROM (VALUES
  ('tenants:read',         '查看租户'),
  ('tenants:manage',       '开通县'),
  ('users:read',           '查看用户'),
  ('users:manage',         '管理用户'),
  ('settings:read',        '查看参数'),
  ('settings:manage',      '修改参数'),
  ('audit:read',           '查看审计日志'),
  ('cases:read',           '查看农户'),
  ('cases:write',          '登记修改农户'),
  ('cases:reveal',         '查看完整身份证号'),
  ('cases:drilldown',      '县以上查看明细'),
  ('cases:import',         '批量导入'),
  ('cases:export',         '导出'),
  ('workflow:read',        '查看流程'),
  ('workflow:village',     '村级流程'),
  ('workflow:township',    '乡镇级流程'),
  ('workflow:county',      '县级流程'),
  ('workflow:inspect',     '督查验收抽查'),
  ('workflow:acknowledge', '逐级备案确认'),
  ('property:import',      '导入核查数据'),
  ('property:read',        '查看财产核查'),
  ('property:forward',     '转交核查数据'),
  ('property:verify',      '核实比对结果'),
  ('property:review',      '审核核查'),
  ('property:decide',      '核查认定'),
  ('villages:read',        '查看村情'),
  ('villages:write',       '填报村情'),
  ('villages:manage',      '管理重点帮扶村'),
  ('visits:write',         '填写走访记录'),
  ('funds:read',           '查看资金'),
  ('funds:manage',         '管理资金项目'),
  ('funds:payment_file',   '导出一卡通发放清单'),
  ('webhooks:manage',      '管理事件推送'),
  ('cors:manage',          '管理跨域来源')
) AS v(name, label) WHERE p.name = v.name;

-- A role or permission added later names its label: no default, and never empty.
ALTER TABLE roles ALTER COLUMN label DROP DEFAULT, ADD CONSTRAINT roles_label CHECK (label <> '');
ALTER TABLE permissions ALTER COLUMN label DROP DEFAULT, ADD CONSTRAINT permissions_label CHECK (label <> '');
