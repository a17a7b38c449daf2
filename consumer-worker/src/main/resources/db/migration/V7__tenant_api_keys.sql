-- A tenant may have several API keys at once, so that clients move to a new key before the old one is revoked
-- (ADR 18). The tenant's first key stays in tenant.api_key / tenant.shared_key; this table holds its further keys and
-- the revocation of any key (a row for the first key, with its shared key, once it is revoked). The worker publishes
-- one tally.tenants.v1 record per key, revoked ones included, so that gateways answer revoked_api_key.
create table tenant_api_key (
    api_key    varchar(255) primary key,
    tenant_id  varchar(64) not null references tenant (id),
    shared_key varchar(255) not null,
    created_at timestamp with time zone not null default current_timestamp,
    revoked_at timestamp with time zone
);

create index tenant_api_key_tenant_idx on tenant_api_key (tenant_id);
