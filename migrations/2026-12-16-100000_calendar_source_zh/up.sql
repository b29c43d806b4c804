-- The seeded years named their source in English, and the console shows it to county offices
-- as 依据 ("依据：State Council notice, via chinese-calendar …"). The same source in Chinese; a
-- year a platform administrator has since given its own source keeps it. (The version is not
-- raised: the days are the same.)
SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true);
UPDATE calendar_years
   SET source = '国务院办公厅关于部分节假日安排的通知（据 chinese-calendar 1.11.0 整理）'
 WHERE source = 'State Council notice, via chinese-calendar 1.11.0 (data/calendar)';
