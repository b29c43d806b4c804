DROP TABLE demonstration_villages;
