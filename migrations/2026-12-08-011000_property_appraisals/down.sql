DROP TABLE property_appraisals;
