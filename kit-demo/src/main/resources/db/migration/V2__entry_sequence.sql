-- Each entry's number in its member's event stream (MemberSequences), kept to rebuild its event with the same number.
alter table demo_entry add column sequence bigint;
