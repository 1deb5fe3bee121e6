-- Migration 60: a heartbeat row, so that readiness checks make a real write.
CREATE TABLE heartbeats (id integer PRIMARY KEY, beat_at datetime NOT NULL);
