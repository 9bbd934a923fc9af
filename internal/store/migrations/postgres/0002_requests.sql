-- Requests acknowledged and not yet answered, so that a successor can finish
-- or report those of a replica that died.

CREATE TABLE requests (
	id            TEXT PRIMARY KEY,
	payload       BYTEA NOT NULL,
	owner         TEXT NOT NULL,
	claimed_until BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL,
	ended_at      BIGINT
);
CREATE INDEX requests_open ON requests (claimed_until) WHERE ended_at IS NULL;

CREATE INDEX reservations_holder ON reservations (holder);
