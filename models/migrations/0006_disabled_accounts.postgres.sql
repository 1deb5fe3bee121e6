-- Migration 6: disabled accounts.
ALTER TABLE "users" ADD "disabled" boolean NOT NULL DEFAULT false;
