DELETE FROM assistance_measures WHERE kind = 'small_loan';
ALTER TABLE assistance_measures DROP CONSTRAINT assistance_measures_small_loan_terms;
ALTER TABLE assistance_measures DROP COLUMN term_months;
ALTER TABLE assistance_measures DROP CONSTRAINT assistance_measures_kind_check;
ALTER TABLE assistance_measures
  ADD CONSTRAINT assistance_measures_kind_check CHECK (kind IN ('industry', 'employment', 'education',
    'health', 'housing', 'relocation', 'ecological_job', 'social_security', 'other'));
