-- A refused import row keeps its reason in Chinese beside the English (`message`), both
-- rendered from the field error's rule when the row was refused, so the console's error table
-- answers in the caller's language. Rows stored before have none: they show the English.
ALTER TABLE job_errors ADD COLUMN message_zh text;
