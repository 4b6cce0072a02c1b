-- Issue #14: each record keeps its substitute decision maker (searchable by
-- the SDM's document: a parent finds their newborns) and its notification
-- channel; every uploaded image is linked to the record or application it
-- supports. Forward-only: never edit a shipped migration, add the next one.
ALTER TABLE records ADD COLUMN sdm TEXT;
ALTER TABLE records ADD COLUMN sdm_doc_type TEXT;
ALTER TABLE records ADD COLUMN sdm_doc_number TEXT;
ALTER TABLE records ADD COLUMN notification TEXT;
CREATE INDEX records_sdm_document ON records (sdm_doc_type, sdm_doc_number)
    WHERE sdm_doc_type IS NOT NULL;
CREATE INDEX records_awaiting ON records (state, hospital_code, registered_on);
ALTER TABLE document_images ADD COLUMN record_ehr_number TEXT REFERENCES records (ehr_number);
ALTER TABLE document_images ADD COLUMN application_reference TEXT REFERENCES applications (reference);
CREATE INDEX document_images_record ON document_images (record_ehr_number)
    WHERE record_ehr_number IS NOT NULL;
