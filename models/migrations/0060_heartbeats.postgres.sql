-- Migration 60: a heartbeat row, so that readiness checks make a real write.
CREATE TABLE heartbeats (id bigint PRIMARY KEY, beat_at timestamptz NOT NULL);
