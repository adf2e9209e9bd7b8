-- The region of the administrator who created an account: while the account holds no grant, only
-- administrators of that region manage it (NULL: created nationwide or on the command line).
ALTER TABLE users ADD COLUMN home_region TEXT;
