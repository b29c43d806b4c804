-- Issue 22 item 4: a true fact from before the cut-off that matches none of the veto conditions
-- (不属于否决情形) is a proposal of its own, neither a veto nor a no-veto hardship exception.
ALTER TABLE property_hits DROP CONSTRAINT property_hits_proposal_check;
ALTER TABLE property_hits ADD CONSTRAINT property_hits_proposal_check
  CHECK (proposal IN ('veto', 'no_veto', 'not_matching', 'not_applicable', 'none')) NOT VALID;
ALTER TABLE property_hits VALIDATE CONSTRAINT property_hits_proposal_check;
