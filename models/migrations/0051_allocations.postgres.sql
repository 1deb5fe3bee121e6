-- Migration 51: reserved places (allocations) for communities.
-- events.reserved holds the in-person places kept for unreleased
-- allocations and not yet taken, so that one guarded UPDATE of the event row
-- keeps taken + reserved within capacity.
ALTER TABLE "events" ADD "reserved" bigint NOT NULL DEFAULT 0;
CREATE TABLE "allocations" ("id" bigserial,"event_id" bigint NOT NULL,"label" varchar(120) NOT NULL,"organisation_id" bigint,"places" bigint NOT NULL,"taken" bigint NOT NULL DEFAULT 0,"release_at" timestamptz,"released_at" timestamptz,"contact_email" varchar(254),"code_nonce" varchar(32) NOT NULL,"created_at" timestamptz,"updated_at" timestamptz,PRIMARY KEY ("id"),CONSTRAINT "fk_events_allocations" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE,CONSTRAINT "fk_allocations_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"));
CREATE INDEX "idx_allocations_event_id" ON "allocations" ("event_id");
-- A registration through an allocation's code names it; allocated is how
-- many of its places come from the allocation (the rest from the public).
ALTER TABLE "registrations" ADD "allocation_id" bigint;
ALTER TABLE "registrations" ADD "allocated" bigint NOT NULL DEFAULT 0;
