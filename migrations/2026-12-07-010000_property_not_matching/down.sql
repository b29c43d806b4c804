-- Hits recorded as not_matching have no earlier equivalent: they go back to verification.
UPDATE property_hits SET status = 'pending', is_true = NULL, arose_on = NULL, before_cutoff = NULL,
  proposal = NULL, veto_condition = NULL, reason = NULL, note = NULL, verified_by = NULL,
  verified_at = NULL
WHERE proposal = 'not_matching';
ALTER TABLE property_hits DROP CONSTRAINT property_hits_proposal_check;
ALTER TABLE property_hits ADD CONSTRAINT property_hits_proposal_check
  CHECK (proposal IN ('veto', 'no_veto', 'not_applicable', 'none'));
