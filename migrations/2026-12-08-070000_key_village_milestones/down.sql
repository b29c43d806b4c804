ALTER TABLE key_villages DROP COLUMN industry_plan_adopted_on;
DROP TABLE village_indicators;
