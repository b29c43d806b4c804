-- 小额信贷 (seed 4: 扎实做好脱贫人口小额信贷工作) as an assistance measure kind, with the loan's
-- amount (amount_fen, more than zero) and its term in months; only a small loan has a term.
ALTER TABLE assistance_measures DROP CONSTRAINT assistance_measures_kind_check;
ALTER TABLE assistance_measures
  ADD CONSTRAINT assistance_measures_kind_check CHECK (kind IN ('industry', 'employment', 'education',
    'health', 'housing', 'relocation', 'ecological_job', 'social_security', 'small_loan', 'other')),
  ADD COLUMN term_months integer CHECK (term_months BETWEEN 1 AND 120),
  ADD CONSTRAINT assistance_measures_small_loan_terms CHECK (
    (kind = 'small_loan') = (term_months IS NOT NULL) AND (kind <> 'small_loan' OR amount_fen > 0));
