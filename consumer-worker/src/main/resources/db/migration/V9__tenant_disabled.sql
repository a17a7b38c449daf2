-- A tenant disabled by an operator (tally-ops tenants disable): every API key it had is revoked, so that neither its
-- License API calls nor its management key authenticate any more; the row stays, with its ledger, for audits.
alter table tenant add column disabled_at timestamp with time zone;
