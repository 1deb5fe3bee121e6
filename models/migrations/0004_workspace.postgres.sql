-- Migration 4: organiser workspace: sessions, invitations, door assignments.
CREATE TABLE "sessions" ("id" bigserial,"user_id" bigint NOT NULL,"token_hash" varchar(64) NOT NULL,"created_at" timestamptz,"last_seen_at" timestamptz,"expires_at" timestamptz NOT NULL,PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_sessions_expires_at" ON "sessions" ("expires_at");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_sessions_token_hash" ON "sessions" ("token_hash");
CREATE INDEX IF NOT EXISTS "idx_sessions_user_id" ON "sessions" ("user_id");
CREATE TABLE "password_tokens" ("id" bigserial,"user_id" bigint NOT NULL,"token_hash" varchar(64) NOT NULL,"expires_at" timestamptz,"used_at" timestamptz,"created_by_id" bigint,"created_at" timestamptz,PRIMARY KEY ("id"));
CREATE UNIQUE INDEX IF NOT EXISTS "idx_password_tokens_token_hash" ON "password_tokens" ("token_hash");
CREATE INDEX IF NOT EXISTS "idx_password_tokens_user_id" ON "password_tokens" ("user_id");
CREATE TABLE "door_assignments" ("id" bigserial,"user_id" bigint NOT NULL,"event_id" bigint NOT NULL,"created_by_id" bigint,"created_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_door_assignments_user" FOREIGN KEY ("user_id") REFERENCES "users"("id"));
CREATE INDEX IF NOT EXISTS "idx_door_assignments_event_id" ON "door_assignments" ("event_id");
CREATE UNIQUE INDEX IF NOT EXISTS "idx_door_assignment" ON "door_assignments" ("user_id","event_id");
CREATE INDEX IF NOT EXISTS idx_activities_action ON activities (action, id);
