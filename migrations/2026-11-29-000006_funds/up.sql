-- Funds (seeds 4 and 5): funds received by a county by year, level and source; projects in
-- villages with budgets and progress; allocations and disbursements as append-only ledgers
-- (a correction is a reversing entry); relocation plans; forest-ranger contracts (seed 3).

CREATE TABLE funds (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  year         integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  level        text NOT NULL CHECK (level IN ('central', 'province', 'city', 'county')),
  source       text NOT NULL,
  purpose      text NOT NULL,
  bundled      boolean NOT NULL DEFAULT false,
  linking      boolean NOT NULL DEFAULT false,
  amount_fen   bigint NOT NULL CHECK (amount_fen > 0),
  document_no  text NOT NULL DEFAULT '',
  received_on  date NOT NULL,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX funds_id ON funds (id);
CREATE INDEX funds_scope ON funds (region_code, year);

CREATE TABLE projects (
  county_code     integer NOT NULL,
  id              uuid NOT NULL,
  region_code     bigint NOT NULL REFERENCES regions (code),
  year            integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  name            text NOT NULL,
  purpose         text NOT NULL,
  budget_fen      bigint NOT NULL CHECK (budget_fen > 0),
  pay_by_progress boolean NOT NULL,
  account         text NOT NULL,
  progress_pct    integer NOT NULL DEFAULT 0 CHECK (progress_pct BETWEEN 0 AND 100),
  status          text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
  assets          text NOT NULL DEFAULT '',
  asset_holder    text NOT NULL DEFAULT '',
  version         integer NOT NULL DEFAULT 1,
  created_by      uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (county_code, id)
);
CREATE INDEX projects_id ON projects (id);
CREATE INDEX projects_scope ON projects (region_code, year);

-- Progress as recorded, in order (the project row holds the latest).
CREATE TABLE project_progress (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  project_id   uuid NOT NULL,
  region_code  bigint NOT NULL,
  progress_pct integer NOT NULL CHECK (progress_pct BETWEEN 0 AND 100),
  recorded_on  date NOT NULL,
  note         text NOT NULL DEFAULT '',
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id)
);

CREATE TABLE allocations (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  fund_id      uuid NOT NULL,
  project_id   uuid NOT NULL,
  region_code  bigint NOT NULL,
  amount_fen   bigint NOT NULL CHECK (amount_fen <> 0),
  reverses     uuid,
  note         text NOT NULL DEFAULT '',
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, fund_id) REFERENCES funds (county_code, id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id),
  FOREIGN KEY (county_code, reverses) REFERENCES allocations (county_code, id),
  CHECK ((reverses IS NULL) = (amount_fen > 0))
);
CREATE UNIQUE INDEX allocations_reversed_once ON allocations (county_code, reverses) WHERE reverses IS NOT NULL;
CREATE INDEX allocations_fund ON allocations (county_code, fund_id);
CREATE INDEX allocations_project ON allocations (county_code, project_id);

CREATE TABLE disbursements (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  project_id   uuid NOT NULL,
  region_code  bigint NOT NULL,
  amount_fen   bigint NOT NULL CHECK (amount_fen <> 0),
  kind         text NOT NULL CHECK (kind IN ('progress', 'subsidy')),
  payee        text NOT NULL,
  household_id uuid,
  reverses     uuid,
  paid_on      date NOT NULL,
  note         text NOT NULL DEFAULT '',
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  FOREIGN KEY (county_code, reverses) REFERENCES disbursements (county_code, id),
  CHECK ((reverses IS NULL) = (amount_fen > 0))
);
CREATE UNIQUE INDEX disbursements_reversed_once ON disbursements (county_code, reverses) WHERE reverses IS NOT NULL;
CREATE INDEX disbursements_project ON disbursements (county_code, project_id);

CREATE TABLE relocation_plans (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  region_code   bigint NOT NULL REFERENCES regions (code),
  year          integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  name          text NOT NULL,
  households    integer NOT NULL CHECK (households > 0),
  people        integer NOT NULL CHECK (people > 0),
  subsidy_per_person_fen bigint NOT NULL CHECK (subsidy_per_person_fen >= 0),
  entitlement_fen bigint NOT NULL CHECK (entitlement_fen >= 0),
  project_id    uuid NOT NULL,
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id)
);
CREATE INDEX relocation_plans_scope ON relocation_plans (region_code, year);

CREATE TABLE ranger_contracts (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  region_code    bigint NOT NULL REFERENCES regions (code),
  member_id      uuid NOT NULL,
  household_id   uuid NOT NULL,
  station        text NOT NULL,
  villager_group text NOT NULL DEFAULT '',
  area_mu_tenths bigint NOT NULL CHECK (area_mu_tenths > 0),
  bound_east     text NOT NULL,
  bound_south    text NOT NULL,
  bound_west     text NOT NULL,
  bound_north    text NOT NULL,
  start_date     date NOT NULL,
  end_date       date NOT NULL,
  annual_subsidy_fen bigint NOT NULL CHECK (annual_subsidy_fen > 0),
  project_id     uuid NOT NULL,
  terminated_on  date,
  termination_reason text,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, member_id) REFERENCES members (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
  FOREIGN KEY (county_code, project_id) REFERENCES projects (county_code, id),
  CHECK (start_date <= end_date)
);
CREATE INDEX ranger_contracts_id ON ranger_contracts (id);
CREATE INDEX ranger_contracts_scope ON ranger_contracts (region_code);

CREATE TABLE ranger_inspections (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  contract_id  uuid NOT NULL,
  region_code  bigint NOT NULL,
  inspected_on date NOT NULL,
  present      boolean NOT NULL,
  note         text NOT NULL DEFAULT '',
  created_by   uuid NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, contract_id) REFERENCES ranger_contracts (county_code, id)
);
CREATE INDEX ranger_inspections_contract ON ranger_inspections (county_code, contract_id, inspected_on);

CREATE TABLE ranger_incidents (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  contract_id  uuid NOT NULL,
  region_code  bigint NOT NULL,
  occurred_on  date NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('fire', 'illegal_logging', 'unreported_pests')),
  burnt_mu_tenths bigint NOT NULL DEFAULT 0 CHECK (burnt_mu_tenths >= 0),
  through_negligence boolean NOT NULL,
  above_case_threshold boolean NOT NULL DEFAULT false,
  description  text NOT NULL DEFAULT '',
  created_by   uuid NOT NULL,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, contract_id) REFERENCES ranger_contracts (county_code, id)
);
CREATE INDEX ranger_incidents_contract ON ranger_incidents (county_code, contract_id, occurred_on);

CREATE TABLE ranger_payouts (
  county_code  integer NOT NULL,
  contract_id  uuid NOT NULL,
  month        text NOT NULL,
  region_code  bigint NOT NULL,
  lines        jsonb NOT NULL,
  total_fen    bigint NOT NULL CHECK (total_fen >= 0),
  disbursement_id uuid,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, contract_id, month),
  FOREIGN KEY (county_code, contract_id) REFERENCES ranger_contracts (county_code, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['funds', 'projects', 'project_progress', 'allocations', 'disbursements', 'relocation_plans',
                           'ranger_contracts', 'ranger_inspections', 'ranger_incidents', 'ranger_payouts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())) '
                   'WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))', t || '_own', t);
  END LOOP;
END $$;

INSERT INTO permissions (name, description) VALUES
  ('funds:read',   'Read funds, projects, ledgers, execution rates, relocation plans and ranger contracts'),
  ('funds:manage', 'Record funds, projects, progress, allocations, disbursements and reversals; relocation plans; ranger contracts, inspections, incidents and payouts');
INSERT INTO role_permissions (role, permission) VALUES
  ('fund_officer', 'funds:read'), ('fund_officer', 'funds:manage'),
  ('county_approver', 'funds:read'),
  ('auditor', 'funds:read'),
  ('observer', 'funds:read');

GRANT SELECT, INSERT ON funds, project_progress, allocations, disbursements, relocation_plans,
  ranger_inspections, ranger_incidents, ranger_payouts TO zhenxing_app;
GRANT SELECT, INSERT, UPDATE ON projects, ranger_contracts TO zhenxing_app;
