-- The ledger grows by a row per command forever; partitioned by the month a command was accepted, old months can be
-- dropped whole (a retention of TALLY_LEDGERRETENTION) instead of deleted row by row, and a batch's duplicate check
-- reads only the months of its commands. ADR 17.
--
-- The existing table becomes the partition of everything accepted before next month, attached as it is (no copy);
-- the worker creates the following months ahead of time (LedgerPartitions). A command's accepted_at never changes, so
-- (command_id, accepted_at) is as unique as command_id was: a command delivered again has both the same.
-- (jOOQ's code generator cannot read partitioned tables; the columns it generates from V1-V5 are unchanged.)
/* [jooq ignore start] */
alter table command_ledger rename to command_ledger_before_partitioning;
alter index command_ledger_license_accepted_idx rename to command_ledger_before_partitioning_license_accepted_idx;
alter table command_ledger_before_partitioning drop constraint command_ledger_pkey;
alter table command_ledger_before_partitioning add constraint command_ledger_before_partitioning_pkey
    primary key (command_id, accepted_at);

create table command_ledger (like command_ledger_before_partitioning including defaults including constraints)
    partition by range (accepted_at);
alter table command_ledger add constraint command_ledger_pkey primary key (command_id, accepted_at);
create index command_ledger_license_accepted_idx on command_ledger (license_id, accepted_at);

do $$
declare
    next_month timestamptz := date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' + interval '1 month';
begin
    execute format('alter table command_ledger attach partition command_ledger_before_partitioning'
                   ' for values from (minvalue) to (%L)', next_month);
end $$;
/* [jooq ignore stop] */
