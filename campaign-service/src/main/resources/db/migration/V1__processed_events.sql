-- Events this service has applied, by eventId: a redelivered event is recognised and skipped,
-- in the same transaction as the change it made.
create table processed_event (
    event_id     text        not null primary key,
    merchant_id  text        not null,
    topic        text        not null,
    processed_at timestamptz not null default now()
);
