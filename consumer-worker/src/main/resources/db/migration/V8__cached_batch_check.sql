-- A batch decided on the worker's cached license state is written without reading first: each license row is updated
-- only if its version is still the cached one, and this check fails the whole statement (SQLState TL001, a class of
-- Tally's own) when any was not, so that nothing of the batch is written. The worker then decides the batch again
-- after reading and locking (see BatchWrites and ADR 20).
/* [jooq ignore start] */
create function tally_expect_written(written bigint, expected integer) returns boolean language plpgsql as $$
begin
    if written <> expected then
        raise exception using errcode = 'TL001',
            message = format('%s of %s licenses changed since they were cached', expected - written, expected);
    end if;
    return true;
end
$$;
/* [jooq ignore stop] */
