-- Files attached to a problem's progress notes and close-out requests (photos re-encoded as a
-- visit's are, PDF documents as sent), stored in the database like visit photos (one file to back
-- up). `seq` is the step of `problem_events` the file belongs to.
CREATE TABLE problem_attachments (
    id           INTEGER PRIMARY KEY,
    problem_id   INTEGER NOT NULL REFERENCES problems (id),
    seq          INTEGER NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    FOREIGN KEY (problem_id, seq) REFERENCES problem_events (problem_id, seq)
);
CREATE INDEX problem_attachments_step ON problem_attachments (problem_id, seq, id);
