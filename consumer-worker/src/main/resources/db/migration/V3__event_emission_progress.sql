-- Per partition of tally.commands.v1, the highest offset whose events are known to be committed to tally.events.v1
-- (offsets, events and replies commit in one Kafka transaction, so everything below the group's committed offset was
-- emitted). Only grows: after an operator rewinds the group to replay, commands at or below it are answered again but
-- emit no second event.
create table event_emission_progress (
    kafka_partition integer primary key,
    emitted_through bigint not null
);
