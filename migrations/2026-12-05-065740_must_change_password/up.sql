-- An administrator's password reset obliges the user to choose their own password at the next
-- sign-in (issue 20: the console forces the password page); changing one's own password clears it.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
