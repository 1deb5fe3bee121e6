-- Migration 3: one private feed address per attendee email.
CREATE TABLE "attendee_feeds" ("id" bigserial,"email_norm" varchar(254) NOT NULL,"nonce" varchar(32) NOT NULL,"token_hash" varchar(64) NOT NULL,"created_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "idx_attendee_feeds_token_hash" ON "attendee_feeds" ("token_hash");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_attendee_feeds_email_norm" ON "attendee_feeds" ("email_norm");
-- FeedFingerprint read MAX(updated_at) on every feed request.
CREATE INDEX IF NOT EXISTS idx_events_updated_at ON events (updated_at);
