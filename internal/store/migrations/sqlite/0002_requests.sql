-- Requests acknowledged and not yet answered, so that a successor can finish
-- or report those of a replica that died.

CREATE TABLE requests (
	id            TEXT PRIMARY KEY,
	payload       BLOB NOT NULL,
	owner         TEXT NOT NULL,
	claimed_until INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	ended_at      INTEGER
);
CREATE INDEX requests_open ON requests (claimed_until) WHERE ended_at IS NULL;

CREATE INDEX reservations_holder ON reservations (holder);
