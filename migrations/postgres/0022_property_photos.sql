-- Listing photos an agent uploads for a property; the social images and the brochure use the first
-- (lowest position). The bytes live in the row, like artefacts, so a backup of the database is a
-- backup of the photos. Width and height are decoded from the bytes when they are uploaded, never
-- taken from the client. Deleting a property deletes its photos.
CREATE TABLE property_photos (
    id             UUID    PRIMARY KEY,
    property_id    UUID    NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    -- 1, 2, 3, … in upload order; a deleted photo leaves a gap, the order stays.
    position       INTEGER NOT NULL,
    content_type   TEXT    NOT NULL,
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    size_bytes     BIGINT  NOT NULL,
    sha256         TEXT    NOT NULL,
    caption        TEXT,
    uploaded_by    TEXT    NOT NULL,
    bytes          BYTEA   NOT NULL,
    created_at_us  BIGINT  NOT NULL,
    UNIQUE (property_id, position)
);
