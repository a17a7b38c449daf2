-- A license's version grows with every change to its row, its devices or its features, whoever makes it: the worker,
-- a management command, or an operator with psql. The worker caches license state between batches and, with the row
-- locked, reloads any license whose version is not the one it cached (see LicenseCache), so the cache can never
-- decide on a state the database no longer has.
alter table license add column version bigint not null default 0;

/* [jooq ignore start] */
-- An UPDATE that does not set the version itself gets the next one. The worker sets it (to the old one plus one), and
-- so do the triggers below, so neither counts twice.
create function license_version_next() returns trigger language plpgsql as $$
begin
    new.version := old.version + 1;
    return new;
end
$$;

create trigger license_version_on_update before update on license
    for each row when (new.version = old.version) execute function license_version_next();

-- Devices and features move their license's version, once per statement and license.
create function license_version_of_changed_rows() returns trigger language plpgsql as $$
begin
    update license set version = version + 1 where id in (select distinct license_id from changed);
    return null;
end
$$;

create trigger device_inserted after insert on device
    referencing new table as changed for each statement execute function license_version_of_changed_rows();
create trigger device_updated after update on device
    referencing new table as changed for each statement execute function license_version_of_changed_rows();
create trigger device_deleted after delete on device
    referencing old table as changed for each statement execute function license_version_of_changed_rows();
create trigger license_feature_inserted after insert on license_feature
    referencing new table as changed for each statement execute function license_version_of_changed_rows();
create trigger license_feature_updated after update on license_feature
    referencing new table as changed for each statement execute function license_version_of_changed_rows();
create trigger license_feature_deleted after delete on license_feature
    referencing old table as changed for each statement execute function license_version_of_changed_rows();
/* [jooq ignore stop] */
