-- An exit that a sampling inspection finds false (被脱贫/错退) stays on its filed list as it was
-- announced, marked overturned: the year's exit figures (progress, reports, campaign and
-- township roll-ups) leave it out.
ALTER TABLE exit_entries
  ADD COLUMN overturned_at timestamptz,
  ADD COLUMN overturned_by_inspection uuid;
