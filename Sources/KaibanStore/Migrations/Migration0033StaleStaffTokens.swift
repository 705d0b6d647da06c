import GRDB

extension KaibanMigrations {
    /// A staff token opens only the supervisors' pages, and since this version a clerk's leaving
    /// the supervisor role revokes theirs with the change. Tokens still unrevoked of clerks who are
    /// not active supervisors (demoted or deactivated before, or given one before they became a
    /// supervisor) are revoked now: a later promotion would have brought them back. Revoked as of
    /// the clerk's last change, or of the token's issue when that came later; by nobody (the
    /// upgrade), saying why.
    static func staleStaffTokens(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE clerk_token SET
                    revoked_at = max(issued_at, coalesce(
                        (SELECT max(at) FROM clerk_event WHERE clerk_event.clerk_id = clerk_token.clerk_id), issued_at)),
                    revoked_by = NULL,
                    revoke_reason = ?
                WHERE revoked_at IS NULL AND clerk_id IN (
                    SELECT id FROM clerk WHERE NOT (active AND (' ' || roles || ' ') LIKE '% supervisor %'))
                """, arguments: ["不是在职负责人（升级时撤销） (not an active supervisor: revoked on upgrade)"])
    }
}
