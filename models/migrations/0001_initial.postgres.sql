-- Migration 1, PostgreSQL: the initial schema. Frozen when migrations became
-- SQL: the tables as the models then declared them, without what migrations
-- 2–8 added. (Before, this migration ran GORM's AutoMigrate of whatever the
-- structs said; migration 61 brings databases made that way to this schema.)
CREATE TABLE "organisations" ("id" bigserial,"slug" varchar(80) NOT NULL,"name" varchar(200) NOT NULL,"kind" varchar(40),"description" text,"website" varchar(300),"email" varchar(254),"timezone" varchar(64) NOT NULL DEFAULT 'Europe/London',"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_organisations_slug" ON "organisations" ("slug");
CREATE TABLE "series" ("id" bigserial,"slug" varchar(80) NOT NULL,"title" varchar(200) NOT NULL,"description" text,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_series_slug" ON "series" ("slug");
CREATE TABLE "events" ("id" bigserial,"slug" varchar(80) NOT NULL,"title" varchar(200) NOT NULL,"summary" varchar(500),"description" text,"kind" varchar(20) NOT NULL,"status" varchar(20) NOT NULL,"tentative" boolean NOT NULL DEFAULT false,"starts_at" timestamptz NOT NULL,"ends_at" timestamptz NOT NULL,"timezone" varchar(64) NOT NULL,"start_rule" varchar(20),"local_date" varchar(10),"sunset_offset_minutes" bigint,"duration_minutes" bigint,"in_person" boolean NOT NULL,"online" boolean NOT NULL DEFAULT false,"venue_name" varchar(200),"venue_address" varchar(500),"latitude" decimal,"longitude" decimal,"access_notes" text,"address_visibility" varchar(20) NOT NULL DEFAULT 'public',"stream_url" varchar(500),"capacity" bigint,"online_capacity" bigint,"taken" bigint NOT NULL DEFAULT 0,"online_taken" bigint NOT NULL DEFAULT 0,"waitlist_seq" bigint NOT NULL DEFAULT 0,"max_guests" bigint NOT NULL DEFAULT 0,"waitlist" boolean NOT NULL,"registration_opens_at" timestamptz,"registration_closes_at" timestamptz,"series_id" bigint,"sequence" bigint NOT NULL DEFAULT 0,"cancel_message" text,"reminder_hours" bigint NOT NULL,"created_by_id" bigint,"created_at" timestamptz,"updated_at" timestamptz,"status_change_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_events_series" FOREIGN KEY ("series_id") REFERENCES "series"("id"));
CREATE INDEX "idx_events_series_id" ON "events" ("series_id");
CREATE INDEX "idx_events_starts_at" ON "events" ("starts_at");
CREATE INDEX "idx_events_status" ON "events" ("status");
CREATE INDEX "idx_events_kind" ON "events" ("kind");
CREATE UNIQUE INDEX "idx_events_slug" ON "events" ("slug");
CREATE TABLE "event_hosts" ("id" bigserial,"event_id" bigint NOT NULL,"organisation_id" bigint NOT NULL,"role" varchar(20) NOT NULL DEFAULT 'host',"position" bigint NOT NULL DEFAULT 0,PRIMARY KEY ("id"),CONSTRAINT "fk_events_hosts" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE,CONSTRAINT "fk_event_hosts_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"));
CREATE INDEX "idx_event_hosts_organisation_id" ON "event_hosts" ("organisation_id");
CREATE UNIQUE INDEX "idx_event_host" ON "event_hosts" ("event_id","organisation_id");
CREATE TABLE "questions" ("id" bigserial,"event_id" bigint NOT NULL,"key" varchar(60) NOT NULL,"label" varchar(300) NOT NULL,"hint" varchar(300),"kind" varchar(20) NOT NULL,"options" text,"required" boolean NOT NULL DEFAULT false,"position" bigint NOT NULL DEFAULT 0,PRIMARY KEY ("id"),CONSTRAINT "fk_events_questions" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE);
CREATE INDEX "idx_questions_event_id" ON "questions" ("event_id");
CREATE TABLE "registrations" ("id" bigserial,"event_id" bigint NOT NULL,"name" varchar(200) NOT NULL,"email" varchar(254) NOT NULL,"email_norm" varchar(254) NOT NULL,"guests" bigint NOT NULL DEFAULT 0,"attendance" varchar(20) NOT NULL,"status" varchar(20) NOT NULL,"waitlist_seq" bigint NOT NULL DEFAULT 0,"answers" text,"dietary" varchar(20),"dietary_other" varchar(200),"access_needs" text,"consent_at" timestamptz,"token_nonce" varchar(32) NOT NULL,"token_hash" varchar(64) NOT NULL,"feed_nonce" varchar(32) NOT NULL,"feed_token_hash" varchar(64) NOT NULL,"checked_in_at" timestamptz,"promoted_at" timestamptz,"cancelled_at" timestamptz,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_registrations_event" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE);
-- One active registration per email per event, whatever the load.
CREATE UNIQUE INDEX idx_registrations_active_email ON registrations (event_id, email_norm) WHERE status <> 'cancelled';
CREATE TABLE "users" ("id" bigserial,"email" varchar(254) NOT NULL,"name" varchar(200),"password_hash" varchar(200),"admin" boolean NOT NULL DEFAULT false,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_users_email" ON "users" ("email");
CREATE TABLE "memberships" ("id" bigserial,"user_id" bigint NOT NULL,"organisation_id" bigint NOT NULL,"role" varchar(20) NOT NULL DEFAULT 'organiser',PRIMARY KEY ("id"),CONSTRAINT "fk_users_memberships" FOREIGN KEY ("user_id") REFERENCES "users"("id"),CONSTRAINT "fk_memberships_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"));
CREATE UNIQUE INDEX "idx_membership" ON "memberships" ("user_id","organisation_id");
CREATE TABLE "api_tokens" ("id" bigserial,"user_id" bigint NOT NULL,"name" varchar(100),"token_hash" varchar(64) NOT NULL,"last_used_at" timestamptz,"revoked_at" timestamptz,"created_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_api_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id"));
CREATE UNIQUE INDEX "idx_api_tokens_token_hash" ON "api_tokens" ("token_hash");
CREATE INDEX "idx_api_tokens_user_id" ON "api_tokens" ("user_id");
CREATE TABLE "activities" ("id" bigserial,"event_id" bigint,"registration_id" bigint,"user_id" bigint,"action" varchar(40) NOT NULL,"detail" text,"created_at" timestamptz,PRIMARY KEY ("id"));
CREATE INDEX "idx_activities_registration_id" ON "activities" ("registration_id");
CREATE INDEX "idx_activities_event_id" ON "activities" ("event_id");
CREATE TABLE "outbox_mails" ("id" bigserial,"kind" varchar(40) NOT NULL,"event_id" bigint,"registration_id" bigint,"to" varchar(254) NOT NULL,"data" text,"status" varchar(20) NOT NULL,"attempts" bigint NOT NULL DEFAULT 0,"next_attempt_at" timestamptz,"last_error" varchar(500),"sent_at" timestamptz,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"));
CREATE INDEX "idx_outbox_mails_registration_id" ON "outbox_mails" ("registration_id");
