-- Migration 46: an optional cover image per event, kept in the database (so
-- that every instance on one PostgreSQL database serves it) under a random
-- name, with its alt text and size on the event for pages and link previews.
ALTER TABLE "events" ADD "cover_name" varchar(40);
ALTER TABLE "events" ADD "cover_alt" varchar(300);
ALTER TABLE "events" ADD "cover_width" bigint NOT NULL DEFAULT 0;
ALTER TABLE "events" ADD "cover_height" bigint NOT NULL DEFAULT 0;
CREATE TABLE "cover_images" ("id" bigserial,"name" varchar(40) NOT NULL,"event_id" bigint NOT NULL,"content_type" varchar(40) NOT NULL,"data" bytea NOT NULL,"created_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_cover_images_event" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE);
CREATE UNIQUE INDEX IF NOT EXISTS "idx_cover_images_name" ON "cover_images" ("name");
CREATE INDEX IF NOT EXISTS "idx_cover_images_event_id" ON "cover_images" ("event_id");
