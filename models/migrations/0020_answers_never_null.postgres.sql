-- Migration 20: registrations stored without answers said null; the API answers {}, as its schema says.
UPDATE registrations SET answers = '{}' WHERE answers IS NULL OR answers IN ('', 'null');
