-- Migration 90 (SQLite only): PostgreSQL keeps summing revisions for the
-- feed fingerprint (see FeedFingerprint). A counter row kept by triggers
-- would be locked by every edit until its commit, across instances.
SELECT 1;
