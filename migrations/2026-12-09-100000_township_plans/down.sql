DROP TABLE IF EXISTS township_plans;
