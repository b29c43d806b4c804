DELETE FROM role_permissions WHERE permission IN ('funds:read', 'funds:manage');
DELETE FROM permissions WHERE name IN ('funds:read', 'funds:manage');
DROP TABLE IF EXISTS ranger_payouts, ranger_incidents, ranger_inspections, ranger_contracts, relocation_plans,
  disbursements, allocations, project_progress, projects, funds;
