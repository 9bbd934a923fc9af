-- Secrets the bot makes itself, kept so that they outlive a restart: the
-- key that signs button values when BUTTON_SECRET is unset. The first
-- process to make one keeps it; every other reads it.

CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BYTEA NOT NULL
);
