DROP TABLE project_postings;
ALTER TABLE projects DROP COLUMN posting_required, DROP COLUMN manager_user_id;
