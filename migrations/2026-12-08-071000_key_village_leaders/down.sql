DROP TABLE key_village_leaders;
