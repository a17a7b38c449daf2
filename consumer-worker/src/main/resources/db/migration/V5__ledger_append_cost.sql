-- The ledger takes one row per command, so each row's cost bounds the worker's rate (docs/benchmarks.md).
-- No foreign key to license: checking it ran a lookup and a row lock on license for every ledger row. The worker
-- writes a ledger row only for a license it holds locked in the same transaction, and licenses are never deleted.
/* [jooq ignore start] */
alter table command_ledger drop constraint command_ledger_license_id_fkey;
/* [jooq ignore stop] */
-- The answer as the worker wrote it, checked to be JSON but kept as text: it is only ever read back whole (a retry's
-- answer), so converting it to jsonb on every insert bought nothing. Cast to jsonb to query inside it.
-- (jOOQ's code generator reads the migrations in an in-memory database that names constraints otherwise and cannot
-- read USING; the generated code reads the column as JSON text either way.)
/* [jooq ignore start] */
alter table command_ledger alter column result type json using result::json;
/* [jooq ignore stop] */
