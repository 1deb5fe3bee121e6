-- Migration 12: retention: a purged flag on registrations, catering tallies of purged ones.
-- (The rows anonymised before the flag are cleaned by the Go half of the migration.)
ALTER TABLE "registrations" ADD "purged_at" timestamptz;
CREATE TABLE "catering_tallies" ("id" bigserial,"event_id" bigint NOT NULL,"diet" varchar(20) NOT NULL,"people" bigint NOT NULL,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "idx_catering_tally" ON "catering_tallies" ("event_id","diet");
