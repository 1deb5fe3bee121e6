-- Migration 7: tokens carry the registration id, so no indexes of token hashes.
DROP INDEX IF EXISTS idx_registrations_token_hash;
DROP INDEX IF EXISTS idx_registrations_feed_token_hash;
