-- Migration 30: calendar awareness: organisations' home places, iftar method and Hijri
-- offset, anniversaries, observance feeds, iftar times.
ALTER TABLE "organisations" ADD "home_place" varchar(100);
ALTER TABLE "organisations" ADD "home_latitude" decimal;
ALTER TABLE "organisations" ADD "home_longitude" decimal;
ALTER TABLE "organisations" ADD "iftar_method" varchar(30);
ALTER TABLE "organisations" ADD "hijri_offset" bigint NOT NULL DEFAULT 0;
ALTER TABLE "events" ADD "iftar_at" timestamptz;
CREATE TABLE "anniversaries" ("id" bigserial,"organisation_id" bigint NOT NULL,"title" varchar(200) NOT NULL,"month" bigint NOT NULL,"day" bigint NOT NULL,"year" bigint NOT NULL DEFAULT 0,"created_at" timestamptz,PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_anniversaries_organisation_id" ON "anniversaries" ("organisation_id");
CREATE TABLE "calendar_feeds" ("id" bigserial,"user_id" bigint NOT NULL,"organisation_id" bigint NOT NULL,"token_hash" varchar(64) NOT NULL,"created_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "idx_calendar_feed" ON "calendar_feeds" ("user_id","organisation_id");
