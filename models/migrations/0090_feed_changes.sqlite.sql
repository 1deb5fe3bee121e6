-- Migration 90: one counter of the changes public feeds show, kept by
-- triggers, so that a calendar's repeat request reads one row instead of
-- summing the revisions of every event, organisation and series (a scan that
-- grew with the number of events). It changes exactly when that sum or the
-- numbers of rows would: a row added or removed, or its revision changed,
-- by this app or by anything else writing the file.
CREATE TABLE `feed_changes` (`id` integer PRIMARY KEY CHECK (`id` = 1), `changes` integer NOT NULL);
INSERT INTO `feed_changes` (`id`, `changes`) VALUES (1, 0);
CREATE TRIGGER `events_feed_insert` AFTER INSERT ON `events` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `events_feed_delete` AFTER DELETE ON `events` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `events_feed_revision` AFTER UPDATE OF `revision` ON `events` WHEN NEW.`revision` IS NOT OLD.`revision` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `organisations_feed_insert` AFTER INSERT ON `organisations` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `organisations_feed_delete` AFTER DELETE ON `organisations` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `organisations_feed_revision` AFTER UPDATE OF `revision` ON `organisations` WHEN NEW.`revision` IS NOT OLD.`revision` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `series_feed_insert` AFTER INSERT ON `series` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `series_feed_delete` AFTER DELETE ON `series` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
CREATE TRIGGER `series_feed_revision` AFTER UPDATE OF `revision` ON `series` WHEN NEW.`revision` IS NOT OLD.`revision` BEGIN UPDATE `feed_changes` SET `changes` = `changes` + 1 WHERE `id` = 1; END;
