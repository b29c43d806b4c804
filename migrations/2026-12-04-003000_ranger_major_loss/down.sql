ALTER TABLE ranger_incidents DROP COLUMN major_loss;
