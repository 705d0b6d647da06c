import GRDB

extension KaibanMigrations {
    /// A revoked registration's name is held three years, not for ever (STANDARDS.md §10): each
    /// registered name keeps when it was released (`released_at`, the revocation), and only the
    /// names still standing are unique per division, trade name and industry (a name free again
    /// may be registered once more beside its old row). The conflict reads keep an index of
    /// every row. Registrations revoked before this version get their release here, from their
    /// history (the last step into their stage, a stage of their workflow version whose outcome is
    /// revoked), as `kaiban admin rebuild` derives it.
    static func revokedNameHold(_ db: Database) throws {
        try db.alter(table: "registered_name") { t in t.add(column: "released_at", .datetime) }
        try db.drop(index: "registered_name_unique")
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX registered_name_standing ON registered_name (division, trade_name, industry)
                WHERE released_at IS NULL
                """)
        try db.create(
            index: "registered_name_by_trade_name", on: "registered_name",
            columns: ["division", "trade_name", "industry"])
        try db.execute(sql: releaseRevokedNamesSQL)
    }

    /// Releases the names of registrations revoked before migration 0031 (the release as the
    /// revocation's instant, written as GRDB writes dates; `kind` 1 is a transition, as
    /// migration 0008 numbers the event kinds).
    static let releaseRevokedNamesSQL = """
        UPDATE registered_name SET released_at = (
            SELECT strftime('%Y-%m-%d %H:%M:%f', e.at, 'unixepoch')
            FROM case_event e JOIN registration_case c ON c.id = e.case_id
            WHERE c.number = registered_name.case_number AND e.kind = 1 AND e.to_stage = c.stage
            ORDER BY e.sequence DESC LIMIT 1)
        WHERE case_number IN (
            SELECT c.number FROM registration_case c JOIN workflow_definition w
                ON w.workflow_id = c.workflow_id AND w.version = c.workflow_version
            WHERE EXISTS (
                SELECT 1 FROM json_each(w.definition_json, '$.stages') s
                WHERE json_extract(s.value, '$.id') = c.stage
                    AND json_extract(s.value, '$.outcome') = 'revoked'))
        """
}
