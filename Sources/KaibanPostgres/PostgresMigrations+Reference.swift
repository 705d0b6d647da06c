extension PostgresMigrations {
    /// Reference data: workflow definitions, the files read, divisions, calendar, office hours.
    static let referenceData: [PostgresMigration] = [
        PostgresMigration(
            version: 3, name: "reference-data",
            statements: [
                // The text of each reference file last taken in, by kind and file name: a file is
                // taken in again only when its text differs (compared exactly, hence text).
                """
                CREATE TABLE reference_file (
                    key text PRIMARY KEY,
                    text text NOT NULL
                )
                """,
                // Each registered version of a workflow, with the XML it was read from (compared
                // exactly when the file is read again) and its decoded form as JSON. Ids and codes
                // here sort byte by byte (as SQLite's BINARY), whatever the database's locale.
                """
                CREATE TABLE workflow_definition (
                    workflow_id text COLLATE "C" NOT NULL CHECK (workflow_id <> ''),
                    version integer NOT NULL,
                    title text NOT NULL,
                    source_xml text NOT NULL,
                    definition_json text NOT NULL,
                    registered_at timestamptz NOT NULL,
                    PRIMARY KEY (workflow_id, version)
                )
                """,
                // A registered version never changes: cases are measured against it, and servers
                // keep it decoded in memory. A changed definition is a new version.
                """
                CREATE FUNCTION kaiban_refuse_definition_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'a registered workflow definition version is never changed: % refused', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER workflow_definition_fixed BEFORE UPDATE OR DELETE ON workflow_definition
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_definition_change()
                """,
                """
                CREATE TRIGGER workflow_definition_no_truncate BEFORE TRUNCATE ON workflow_definition
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_definition_change()
                """,
                // Divisions as their file lists them: each name of a code with the days it held.
                """
                CREATE TABLE division (
                    code text COLLATE "C" NOT NULL,
                    name text NOT NULL,
                    valid_from date NOT NULL,
                    valid_to date,
                    note text,
                    PRIMARY KEY (code, valid_from)
                )
                """,
                // The holiday calendar, one row per year (its dates as JSON), and every change
                // made to it, in order: the calendar's revision is the number of changes.
                """
                CREATE TABLE calendar_year (
                    year integer PRIMARY KEY,
                    notice text NOT NULL,
                    data_json text NOT NULL,
                    source text NOT NULL,
                    loaded_at timestamptz NOT NULL,
                    loaded_by text
                )
                """,
                """
                CREATE TABLE calendar_change (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    at timestamptz NOT NULL,
                    subject text NOT NULL,
                    change text NOT NULL,
                    reason text NOT NULL,
                    by text
                )
                """,
                // Each version of a hall's office hours, in force from its date on: append-only,
                // as in the SQLite store (a correction is a later version).
                """
                CREATE TABLE office_hours_version (
                    hall text NOT NULL,
                    effective_from date NOT NULL,
                    data_json text NOT NULL,
                    source text NOT NULL,
                    recorded_at timestamptz NOT NULL,
                    recorded_by text,
                    reason text NOT NULL,
                    PRIMARY KEY (hall, effective_from)
                )
                """,
                """
                CREATE FUNCTION kaiban_refuse_office_hours_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'office hours history is append-only: % refused', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER office_hours_version_append_only BEFORE UPDATE OR DELETE ON office_hours_version
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_office_hours_change()
                """,
                """
                CREATE TRIGGER office_hours_version_no_truncate BEFORE TRUNCATE ON office_hours_version
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_office_hours_change()
                """,
            ])
    ]
}
