-- Management keys are kept only as their SHA-256 (lower-case hex of the UTF-8 key), as the tenants topic carries them
-- and gateways check them (ADR 24): a copy of the database or of the topic gives no key that works. A key is shown
-- once, when tally-ops issues it.
alter table tenant rename column management_key to management_key_sha256;
/* [jooq ignore start] */
update tenant set management_key_sha256 = encode(sha256(convert_to(management_key_sha256, 'UTF8')), 'hex');
/* [jooq ignore stop] */
