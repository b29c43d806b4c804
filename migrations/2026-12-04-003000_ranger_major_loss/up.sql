-- Seed 3 §六(四): pests the ranger failed to find or report that caused a major loss of forest
-- resources withhold the month's fee and record a compensation claim.
ALTER TABLE ranger_incidents ADD COLUMN major_loss boolean NOT NULL DEFAULT false;
