SELECT set_config('app.scope_lo', '0', true), set_config('app.scope_hi', '999999999999', true);
UPDATE calendar_years
   SET source = 'State Council notice, via chinese-calendar 1.11.0 (data/calendar)'
 WHERE source = '国务院办公厅关于部分节假日安排的通知（据 chinese-calendar 1.11.0 整理）';
