-- Issue 19 item 1 (seed 1 §三 steps 5–9): one township round a year. The township reviews all its
-- villages' first-notice lists together and fixes one township list; the second notice is posted
-- in every village of it at once (one posting per village, each with its own date and photo); the
-- county approves and announces the township's list, one decision each; objections in a village
-- hold back only that village's lists. The village lists stay the unit of record: a round groups
-- them (exit_lists.round_id) and takes each step on all of them that are ready.
CREATE TABLE exit_rounds (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  region_code    bigint NOT NULL,          -- the township
  year           integer NOT NULL,
  created_by     uuid NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (county_code, id),
  UNIQUE (county_code, region_code, year)
);
ALTER TABLE exit_rounds ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_rounds FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_rounds_own ON exit_rounds
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT, UPDATE ON exit_rounds TO zhenxing_app;

-- Each decision taken on a round (township review, second notice, approval, announcement): who,
-- when, which lists it moved and which it held back, and why.
CREATE TABLE exit_round_decisions (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  round_id       uuid NOT NULL,
  region_code    bigint NOT NULL,          -- the township
  step           text NOT NULL,
  actor_id       uuid NOT NULL,
  actor_username text NOT NULL,
  taken_at       timestamptz NOT NULL,
  details        jsonb NOT NULL DEFAULT '{}',
  attachments    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, round_id) REFERENCES exit_rounds (county_code, id) ON DELETE CASCADE
);
CREATE INDEX exit_round_decisions_round ON exit_round_decisions (county_code, round_id, taken_at);
ALTER TABLE exit_round_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_round_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_round_decisions_own ON exit_round_decisions
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON exit_round_decisions TO zhenxing_app;

-- The second notice's posting in each village of the round: one record per village and posting (a
-- village whose list was held back and reviewed later gets a posting of its own then).
CREATE TABLE exit_round_postings (
  county_code    integer NOT NULL,
  id             uuid NOT NULL,
  round_id       uuid NOT NULL,
  region_code    bigint NOT NULL,          -- the village
  location       text NOT NULL,
  posted_on      date NOT NULL,
  last_day       date NOT NULL,
  ends_at        timestamptz NOT NULL,
  posted_by      uuid NOT NULL,
  posted_at      timestamptz NOT NULL,
  attachments    jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, round_id) REFERENCES exit_rounds (county_code, id) ON DELETE CASCADE
);
ALTER TABLE exit_round_postings ENABLE ROW LEVEL SECURITY;
ALTER TABLE exit_round_postings FORCE ROW LEVEL SECURITY;
CREATE POLICY exit_round_postings_own ON exit_round_postings
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON exit_round_postings TO zhenxing_app;

ALTER TABLE exit_lists ADD COLUMN round_id uuid;
ALTER TABLE exit_lists ADD FOREIGN KEY (county_code, round_id) REFERENCES exit_rounds (county_code, id);
CREATE INDEX exit_lists_round ON exit_lists (county_code, round_id) WHERE round_id IS NOT NULL;
