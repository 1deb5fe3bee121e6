-- Migration 40: food per person. An event may turn the dietary question off
-- (skip_dietary); each guest of a party states their own requirement
-- (guest_dietary, a JSON list), so that catering counts are right.
ALTER TABLE "events" ADD "skip_dietary" boolean NOT NULL DEFAULT false;
ALTER TABLE "registrations" ADD "guest_dietary" text NOT NULL DEFAULT '[]';
