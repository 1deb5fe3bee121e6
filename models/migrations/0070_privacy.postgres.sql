-- Migration 70: privacy lifecycle: each event says how many days after it
-- ends the answers to it (dietary, access needs, own questions) are erased;
-- a registration records when its answers were erased (their catering
-- headcount then lives in catering_tallies). Rows purged before keep theirs.
ALTER TABLE "events" ADD "answers_retention_days" bigint NOT NULL DEFAULT 7;
ALTER TABLE "registrations" ADD "answers_purged_at" timestamptz;
UPDATE "registrations" SET "answers_purged_at" = "purged_at" WHERE "purged_at" IS NOT NULL;
