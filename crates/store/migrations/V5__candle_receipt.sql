-- How each logged candle reached the agent. `received_at` is the wall
-- clock when it arrived (epoch ms; NULL in logs written before this
-- migration). `history` is 1 for a candle fetched over REST to fill a gap
-- (after a restart or a reconnect) rather than published by the live
-- stream as it closed: live mode lets such a candle update the strategy
-- but open no new risk, and the replay after a restart reads the flag so
-- that it decides exactly as the run did.

ALTER TABLE candles ADD COLUMN received_at INTEGER;
ALTER TABLE candles ADD COLUMN history INTEGER NOT NULL DEFAULT 0;
