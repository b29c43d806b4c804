-- The yearly dynamic-adjustment campaign (动态调整, issue 19 item 2): a county opens the year's
-- campaign with a due date per step; every village's progress per step is derived from its exit
-- lists and intake lists of the year (nothing of it is stored here); the county excuses villages
-- with a reason and closes the campaign once every village is done or excused.
--
-- `region_code` of a campaign is the county's node: the row is read by every user inside the
-- county (the "inherited" rule of tenants and settings), written only by the county.
CREATE TABLE campaigns (
  county_code  integer NOT NULL,
  id           uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  year         integer NOT NULL CHECK (year BETWEEN 1980 AND 2100),
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  opened_on    date NOT NULL,
  -- [{step, nominal, due_on}] in step order: the day set (or defaulted) and the working day it
  -- falls due on.
  deadlines    jsonb NOT NULL,
  note         text,
  version      integer NOT NULL DEFAULT 1,
  created_by   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  closed_by    uuid,
  closed_at    timestamptz,
  PRIMARY KEY (county_code, id),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX campaigns_id ON campaigns (id);
CREATE INDEX campaigns_list ON campaigns (county_code, year DESC, id);
-- One open campaign per county and year.
CREATE UNIQUE INDEX campaigns_one_open ON campaigns (county_code, year) WHERE status = 'open';

-- A village excused from the campaign, with the reason (本年度无增减, …); one per village.
CREATE TABLE campaign_excuses (
  county_code  integer NOT NULL,
  campaign_id  uuid NOT NULL,
  region_code  bigint NOT NULL REFERENCES regions (code),
  reason       text NOT NULL,
  excused_by   uuid NOT NULL,
  excused_at   timestamptz NOT NULL,
  PRIMARY KEY (county_code, campaign_id, region_code),
  FOREIGN KEY (county_code, campaign_id) REFERENCES campaigns (county_code, id)
);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY campaigns_inherited ON campaigns
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi())
         OR (region_code <= (SELECT zx_scope_lo()) AND zx_subtree_hi(region_code) >= (SELECT zx_scope_hi())))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
ALTER TABLE campaign_excuses ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_excuses FORCE ROW LEVEL SECURITY;
CREATE POLICY campaign_excuses_own ON campaign_excuses
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));

GRANT SELECT, INSERT ON campaigns TO zhenxing_app;
GRANT UPDATE (status, version, closed_by, closed_at) ON campaigns TO zhenxing_app;
GRANT SELECT, INSERT ON campaign_excuses TO zhenxing_app;
GRANT UPDATE (reason, excused_by, excused_at) ON campaign_excuses TO zhenxing_app;
