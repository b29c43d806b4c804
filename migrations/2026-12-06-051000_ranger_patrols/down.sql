DELETE FROM ranger_incidents WHERE kind NOT IN ('fire', 'illegal_logging', 'unreported_pests');
ALTER TABLE ranger_incidents DROP CONSTRAINT ranger_incidents_kind_check;
ALTER TABLE ranger_incidents ADD CONSTRAINT ranger_incidents_kind_check
  CHECK (kind IN ('fire', 'illegal_logging', 'unreported_pests'));
DROP TABLE ranger_patrols;
