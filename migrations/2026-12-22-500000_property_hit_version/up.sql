-- A hit may be verified again until the village's appraisal (a correction). Two village users
-- verifying the same hit from the same read (one: a veto; the other: not true) left whichever
-- came last, silently. A hit now has a version, answered with it and bumped by each
-- verification; a verification of a hit verified already names the version it corrects
-- (If-Match), so the second of two is told (412) instead of replacing the first.
ALTER TABLE property_hits ADD COLUMN version integer NOT NULL DEFAULT 1;
