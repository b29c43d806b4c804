DROP TABLE campaign_excuses;
DROP TABLE campaigns;
