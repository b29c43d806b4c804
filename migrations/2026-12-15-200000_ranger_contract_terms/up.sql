-- A ranger contract keeps the day it was signed and the terms it was signed under (stop 37
-- leftover): the printed agreement showed the day it was entered as its signing day and the
-- deductions of today's settings, and a month was paid under today's deductions, so a county
-- changing `ranger.*` changed contracts already signed. `terms` is the `ranger` settings
-- object at signing (with the contract's own annual subsidy); NULL for contracts signed before
-- this change, which go on following the settings.
ALTER TABLE ranger_contracts ADD COLUMN signed_on date, ADD COLUMN terms jsonb;
SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true);
UPDATE ranger_contracts SET signed_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date;
ALTER TABLE ranger_contracts ALTER COLUMN signed_on SET NOT NULL,
  ADD CONSTRAINT ranger_contracts_terms_object CHECK (terms IS NULL OR jsonb_typeof(terms) = 'object');
