ALTER TABLE job_errors DROP COLUMN message_zh;
