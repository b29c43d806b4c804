-- Issue 22, seed 5 (专户储存、专款专用、专人管理、一卡兑付): payments to individuals go to the
-- household's one benefit card. The card number is personal data, kept like ID numbers:
-- AES-256-GCM with the row id as associated data (card_cipher, card_key), shown masked.
-- A card is never changed in place: a new card replaces the current one (replaced_at), so a
-- disbursement keeps naming the card it was paid to.
CREATE TABLE benefit_cards (
  county_code   integer NOT NULL,
  id            uuid NOT NULL,
  household_id  uuid NOT NULL,
  region_code   bigint NOT NULL,
  bank_name     text NOT NULL CHECK (length(bank_name) BETWEEN 1 AND 100),
  card_cipher   bytea NOT NULL,
  card_key      smallint NOT NULL,
  card_masked   text NOT NULL,
  created_by    uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  replaced_at   timestamptz,
  PRIMARY KEY (county_code, id),
  FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
-- One card in use per household (一卡).
CREATE UNIQUE INDEX benefit_cards_current ON benefit_cards (county_code, household_id)
  WHERE replaced_at IS NULL;
CREATE INDEX benefit_cards_id ON benefit_cards (id);

ALTER TABLE benefit_cards ENABLE ROW LEVEL SECURITY;
ALTER TABLE benefit_cards FORCE ROW LEVEL SECURITY;
CREATE POLICY benefit_cards_own ON benefit_cards
  USING (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()))
  WITH CHECK (region_code BETWEEN (SELECT zx_scope_lo()) AND (SELECT zx_scope_hi()));
GRANT SELECT, INSERT ON benefit_cards TO zhenxing_app;
GRANT UPDATE (replaced_at, card_cipher, card_key) ON benefit_cards TO zhenxing_app;

-- The card a household disbursement was paid to (masked copy for the ledger's readers).
ALTER TABLE disbursements
  ADD COLUMN card_id uuid,
  ADD COLUMN card_masked text,
  ADD FOREIGN KEY (county_code, card_id) REFERENCES benefit_cards (county_code, id);

INSERT INTO permissions (name, description) VALUES
  ('funds:payment_file', 'Print a project''s payment file for the bank (一卡兑付): names, full ID and card numbers; with a reason, audited');
INSERT INTO role_permissions (role, permission) VALUES ('fund_officer', 'funds:payment_file');
