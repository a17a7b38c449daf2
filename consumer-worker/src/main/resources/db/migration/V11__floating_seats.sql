-- Floating-cloud licenses and features (ADR 25): at most floating_users devices hold a seat at once, each until
-- floating_timeout minutes after its last check-in or the end of its borrow. Products carry the defaults an order
-- copies into its licenses; a product feature's, into each license's copy of it.
alter table product
    add column is_floating_cloud boolean not null default false,
    add column floating_users    integer not null default 1,
    add column floating_timeout  integer not null default 120,
    add column can_borrow        boolean not null default false,
    add column max_borrow_time   integer not null default 0;

alter table license
    add column is_floating_cloud boolean not null default false,
    add column floating_users    integer not null default 1,
    add column floating_timeout  integer not null default 120,
    add column can_borrow        boolean not null default false,
    add column max_borrow_time   integer not null default 0,
    add constraint license_floating_check check (floating_users >= 0 and floating_timeout >= 1 and max_borrow_time >= 0);

alter table product_feature
    add column is_floating_cloud boolean not null default false,
    add column floating_users    integer not null default 1,
    add column floating_timeout  integer not null default 120;

alter table license_feature
    add column is_floating_cloud boolean not null default false,
    add column floating_users    integer not null default 1,
    add column floating_timeout  integer not null default 120,
    add constraint license_feature_floating_check check (floating_users >= 0 and floating_timeout >= 1);

-- The seats held, one row per device and pool (feature_code '' for the license's own seats). A row whose held_until
-- has passed is a free seat not yet written as such: the worker frees it at the license's next decision, or at the
-- periodic expiry run, which finds such rows through the index on held_until without reading held ones.
create table floating_seat (
    license_id     bigint not null references license (id),
    feature_code   varchar(255) not null default '',
    hardware_id    varchar(255) not null,
    checked_in_at  timestamp with time zone not null,
    borrowed_until timestamp with time zone,
    held_until     timestamp with time zone not null,
    primary key (license_id, feature_code, hardware_id)
);

create index floating_seat_held_until_idx on floating_seat (held_until);
