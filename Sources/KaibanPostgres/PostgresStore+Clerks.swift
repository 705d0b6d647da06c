import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// Clerks on PostgreSQL: the register with its append-only history, clerks' API tokens and the
/// portals' tokens, with the SQLite store's meaning. Several servers write at once here, where
/// SQLite has one writer at a time; so that what a transaction checks still holds when it commits:
/// - changes to the register take turns (a table lock to the end of the transaction): the first
///   clerk is registered once, and two deactivations at once cannot remove the last two
///   supervisors;
/// - the supervisor who issues or revokes a token or a portal is locked (their row) until commit,
///   so they are not deactivated meanwhile; a clerk's tokens change one transaction at a time (the
///   clerk's row locked); a portal is revoked once (its row locked).
/// Instants are kept to whole seconds, as the SQLite store keeps them in these tables.
extension PostgresStore {
    public func addClerk(_ clerk: Clerk, by actor: String?, at now: Date) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockClerkRegister(connection)
                let count =
                    try await connection.query("SELECT count(*) FROM clerk", logger: logger)
                    .decode(Int.self).first(where: { _ in true }) ?? 0
                if count > 0 {
                    guard let actor else { throw StoreError.actorRequired }
                    try await requireRegisterSupervisor(actor, for: Self.clerkAdministration, connection)
                } else if !clerk.isSupervisor {
                    throw StoreError.firstClerkNotSupervisor(clerk.id)
                }
                do {
                    _ = try await connection.query(
                        """
                        INSERT INTO clerk (id, name, roles, active)
                        VALUES (\(clerk.id), \(clerk.name), \(clerk.roles.sorted().joined(separator: " ")), \(clerk.active))
                        """, logger: logger)
                } catch  where Self.isUniqueViolation(error, of: "clerk_pkey") {
                    throw StoreError.clerkExists(clerk.id)
                }
                try await appendRegisterEvent(
                    ClerkEvent(
                        clerk: clerk.id, sequence: 1, at: now, kind: .added, actor: count > 0 ? actor : nil,
                        roles: clerk.roles.sorted()), connection)
            }
        }
    }

    public func changeClerk(_ id: String, _ change: ClerkChange, reason: String, by actor: String, at now: Date)
        async throws -> Clerk
    {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockClerkRegister(connection)
                try await requireRegisterSupervisor(actor, for: Desk.clerkChanges, connection)
                guard let stored = try await clerkInRegister(id, connection) else { throw StoreError.clerkNotFound(id) }
                let (clerk, kind, before) = try change.applied(to: stored)
                if before.contains(Clerk.supervisorRole) && !clerk.isSupervisor {
                    // Counted under the register's lock: no other change is under way.
                    let others =
                        try await connection.query(
                            """
                            SELECT count(*) FROM clerk
                            WHERE active AND id <> \(id) AND (' ' || roles || ' ') LIKE '% supervisor %'
                            """, logger: logger
                        ).decode(Int.self).first(where: { _ in true }) ?? 0
                    guard others > 0 else { throw StoreError.lastSupervisor(id) }
                }
                _ = try await connection.query(
                    """
                    UPDATE clerk SET roles = \(clerk.roles.sorted().joined(separator: " ")), active = \(clerk.active)
                    WHERE id = \(id)
                    """, logger: logger)
                let sequence =
                    try await connection.query(
                        "SELECT coalesce(max(sequence), 0) FROM clerk_event WHERE clerk_id = \(id)", logger: logger
                    ).decode(Int.self).first(where: { _ in true }) ?? 0
                try await appendRegisterEvent(
                    ClerkEvent(
                        clerk: id, sequence: sequence + 1, at: now, kind: kind, actor: actor,
                        roles: clerk.roles.sorted(), previousRoles: kind == .rolesChanged ? before.sorted() : nil,
                        reason: reason), connection)
                if let revocation = ClerkChange.tokenRevocationReason(before: before, after: clerk, reason: reason) {
                    _ = try await connection.query(
                        """
                        UPDATE clerk_token SET revoked_at = \(Self.clerkInstant(now)), revoked_by = \(actor),
                            revoke_reason = \(revocation)
                        WHERE clerk_id = \(id) AND revoked_at IS NULL
                        """, logger: logger)
                }
                return clerk
            }
        }
    }

    public func clerkHistory(_ id: String) async throws -> [ClerkEvent] {
        try await guarded { [self] in
            // The clerk and the history in one statement (one state of both).
            let rows = try await client.query(
                """
                SELECT e.sequence, e.at, e.kind, e.actor, e.roles, e.previous_roles, e.reason
                FROM clerk c LEFT JOIN clerk_event e ON e.clerk_id = c.id
                WHERE c.id = \(id) ORDER BY e.sequence
                """, logger: logger)
            var found = false
            var events: [ClerkEvent] = []
            for try await (sequence, at, code, actor, roles, previous, reason) in rows.decode(
                (Int?, Date?, String?, String?, String?, String?, String?).self)
            {
                found = true
                guard let sequence, let at, let code, let roles else { continue }
                guard let kind = ClerkEvent.Kind(rawValue: code) else {
                    throw StoreError.storage("clerk \(id): unknown event kind \(code)")
                }
                events.append(
                    ClerkEvent(
                        clerk: id, sequence: sequence, at: at, kind: kind, actor: actor,
                        roles: roles.split(separator: " ").map(String.init),
                        previousRoles: previous.map { $0.split(separator: " ").map(String.init) }, reason: reason))
            }
            guard found else { throw StoreError.clerkNotFound(id) }
            return events
        }
    }

    // Read at every act of the desk (who acts), hence prepared.
    public func clerk(_ id: String) async throws -> Clerk {
        try await guarded { [self] in
            for try await clerk in try await client.execute(ClerkByID(id: id), logger: logger) { return clerk }
            throw StoreError.clerkNotFound(id)
        }
    }

    public func clerks() async throws -> [Clerk] {
        try await guarded { [self] in
            let rows = try await client.query("SELECT id, name, roles, active FROM clerk ORDER BY id", logger: logger)
            var clerks: [Clerk] = []
            for try await row in rows { clerks.append(try Self.registeredClerk(row)) }
            return clerks
        }
    }

    // MARK: Clerk tokens

    public func issueClerkToken(_ token: ClerkToken, tokenHash: String, replacedReason: String) async throws -> Bool {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let locked = try await lockClerkRows([token.issuedBy, token.clerk], connection)
                try Self.requireTokenSupervisor(
                    token.issuedBy, locked, act: LocalizedText(zh: "签发工作人员令牌", en: "issue a clerk's token"))
                guard let clerk = locked[token.clerk] else { throw StoreError.clerkNotFound(token.clerk) }
                guard clerk.active else { throw WorkflowError.clerkInactive(clerk: clerk.id) }
                let replaced = try await connection.query(
                    """
                    UPDATE clerk_token SET revoked_at = \(Self.clerkInstant(token.issuedAt)),
                        revoked_by = \(token.issuedBy), revoke_reason = \(replacedReason)
                    WHERE clerk_id = \(token.clerk) AND revoked_at IS NULL RETURNING id
                    """, logger: logger
                ).decode(Int64.self).first(where: { _ in true })
                _ = try await connection.query(
                    """
                    INSERT INTO clerk_token (clerk_id, token_hash, issued_at, issued_by, expires_at)
                    VALUES (\(token.clerk), \(tokenHash), \(Self.clerkInstant(token.issuedAt)), \(token.issuedBy),
                        \(Self.clerkInstant(token.expiresAt)))
                    """, logger: logger)
                return replaced != nil
            }
        }
    }

    public func revokeClerkToken(of clerk: String, by actor: String, reason: String, at now: Date) async throws
        -> ClerkToken
    {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let locked = try await lockClerkRows([actor, clerk], connection)
                try Self.requireTokenSupervisor(
                    actor, locked, act: LocalizedText(zh: "停用工作人员令牌", en: "revoke a clerk's token"))
                guard locked[clerk] != nil else { throw StoreError.clerkNotFound(clerk) }
                let rows = try await connection.query(
                    """
                    UPDATE clerk_token SET revoked_at = \(Self.clerkInstant(now)), revoked_by = \(actor),
                        revoke_reason = \(reason)
                    WHERE clerk_id = \(clerk) AND revoked_at IS NULL
                    RETURNING \(unescaped: Self.clerkTokenColumns)
                    """, logger: logger)
                for try await row in rows { return try Self.storedClerkToken(row) }
                throw StoreError.clerkTokenNotFound(clerk)
            }
        }
    }

    public func clerkTokens(of clerk: String?) async throws -> [ClerkToken] {
        try await guarded { [self] in
            let rows =
                if let clerk {
                    try await client.query(
                        """
                        SELECT \(unescaped: Self.clerkTokenColumns) FROM clerk_token WHERE clerk_id = \(clerk)
                        ORDER BY issued_at DESC, id DESC
                        """, logger: logger)
                } else {
                    try await client.query(
                        """
                        SELECT \(unescaped: Self.clerkTokenColumns) FROM clerk_token ORDER BY issued_at DESC, id DESC
                        """, logger: logger)
                }
            var tokens: [ClerkToken] = []
            for try await row in rows { tokens.append(try Self.storedClerkToken(row)) }
            return tokens
        }
    }

    // Read at every request made with a clerk's token, hence prepared.
    public func clerkToken(tokenHash: String) async throws -> (token: ClerkToken, clerk: Clerk)? {
        let found = try await guarded { [self] () -> ClerkTokenHolder? in
            for try await holder in try await client.execute(ClerkTokenByHash(tokenHash: tokenHash), logger: logger) {
                return holder
            }
            return nil
        }
        return found.map { ($0.token, $0.clerk) }
    }

    // MARK: Portals

    public func addPortal(_ portal: Portal, tokenHash: String) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try Self.requireTokenSupervisor(
                    portal.createdBy, try await lockClerkRows([portal.createdBy], connection),
                    act: LocalizedText(zh: "登记门户", en: "register a portal"))
                do {
                    _ = try await connection.query(
                        """
                        INSERT INTO portal (id, name, channel, token_hash, created_at, created_by)
                        VALUES (\(portal.id), \(portal.name), \(portal.channel.rawValue), \(tokenHash),
                            \(Self.clerkInstant(portal.createdAt)), \(portal.createdBy))
                        """, logger: logger)
                } catch  where Self.isUniqueViolation(error, of: "portal_pkey") {
                    throw StoreError.portalExists(portal.id)
                }
            }
        }
    }

    public func portals() async throws -> [Portal] {
        try await guarded { [self] in
            let rows = try await client.query(
                "SELECT \(unescaped: Self.portalColumns) FROM portal ORDER BY id", logger: logger)
            var portals: [Portal] = []
            for try await row in rows { portals.append(try Self.storedPortal(row)) }
            return portals
        }
    }

    public func revokePortal(_ id: String, by actor: String, reason: String, at now: Date) async throws -> Portal {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try Self.requireTokenSupervisor(
                    actor, try await lockClerkRows([actor], connection),
                    act: LocalizedText(zh: "停用门户", en: "revoke a portal"))
                // Locked: a second revocation at once waits, then finds it revoked.
                let rows = try await connection.query(
                    "SELECT \(unescaped: Self.portalColumns) FROM portal WHERE id = \(id) FOR UPDATE", logger: logger)
                var found: Portal?
                for try await row in rows { found = try Self.storedPortal(row) }
                guard let portal = found else { throw StoreError.portalNotFound(id) }
                guard portal.isActive else { throw StoreError.portalAlreadyRevoked(id) }
                let updated = try await connection.query(
                    """
                    UPDATE portal SET revoked_at = \(Self.clerkInstant(now)), revoked_by = \(actor),
                        revoke_reason = \(reason)
                    WHERE id = \(id) RETURNING \(unescaped: Self.portalColumns)
                    """, logger: logger)
                for try await row in updated { return try Self.storedPortal(row) }
                throw StoreError.portalNotFound(id)
            }
        }
    }

    // Read at every portal request, hence prepared.
    public func portal(tokenHash: String) async throws -> Portal? {
        try await guarded { [self] in
            for try await portal in try await client.execute(PortalByToken(tokenHash: tokenHash), logger: logger) {
                return portal
            }
            return nil
        }
    }

    // MARK: Within a transaction

    /// What only a supervisor may do with clerks, for messages (as the SQLite store says it).
    private static let clerkAdministration = LocalizedText(zh: "登记工作人员", en: "register clerks")

    /// Changes to the register take turns, across servers, to the end of the transaction; reads
    /// (and row locks taken by tokens and portals) go on meanwhile.
    private func lockClerkRegister(_ connection: PostgresConnection) async throws {
        _ = try await connection.query("LOCK TABLE clerk IN SHARE ROW EXCLUSIVE MODE", logger: logger)
    }

    /// The acting clerk for a change to the register, who must be active and a supervisor.
    private func requireRegisterSupervisor(_ id: String, for act: LocalizedText, _ connection: PostgresConnection)
        async throws
    {
        guard let acting = try await clerkInRegister(id, connection) else { throw StoreError.clerkNotFound(id) }
        guard acting.active else { throw WorkflowError.clerkInactive(clerk: id) }
        guard acting.isSupervisor else { throw StoreError.supervisorRequired(clerk: id, act: act) }
    }

    /// For tokens and portals, as the SQLite store checks it: `id` must be an active supervisor.
    private static func requireTokenSupervisor(_ id: String, _ locked: [String: Clerk], act: LocalizedText) throws {
        guard let clerk = locked[id] else { throw StoreError.clerkNotFound(id) }
        guard clerk.active, clerk.isSupervisor else { throw StoreError.supervisorRequired(clerk: id, act: act) }
    }

    /// The clerks `ids` as they stand, their rows locked to the end of the transaction (in the
    /// order of their ids, so two transactions locking the same two never wait for each other).
    private func lockClerkRows(_ ids: [String], _ connection: PostgresConnection) async throws -> [String: Clerk] {
        let rows = try await connection.query(
            "SELECT id, name, roles, active FROM clerk WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger)
        var clerks: [String: Clerk] = [:]
        for try await row in rows {
            let clerk = try Self.registeredClerk(row)
            clerks[clerk.id] = clerk
        }
        return clerks
    }

    private func clerkInRegister(_ id: String, _ connection: PostgresConnection) async throws -> Clerk? {
        let rows = try await connection.query(
            "SELECT id, name, roles, active FROM clerk WHERE id = \(id)", logger: logger)
        for try await row in rows { return try Self.registeredClerk(row) }
        return nil
    }

    private func appendRegisterEvent(_ event: ClerkEvent, _ connection: PostgresConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO clerk_event (clerk_id, sequence, at, kind, actor, roles, previous_roles, reason)
            VALUES (\(event.clerk), \(event.sequence), \(Self.clerkInstant(event.at)), \(event.kind.rawValue),
                \(event.actor), \(event.roles.joined(separator: " ")),
                \(event.previousRoles?.joined(separator: " ")), \(event.reason))
            """, logger: logger)
    }

    /// Whether `error` is PostgreSQL's refusal of a duplicate under `constraint` (23505).
    private static func isUniqueViolation(_ error: any Error, of constraint: String) -> Bool {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" else { return false }
        return error.serverInfo?[.constraintName] == constraint
    }

    // MARK: Rows

    /// `date` to whole seconds (down), as the SQLite store keeps these instants.
    private static func clerkInstant(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    fileprivate static func registeredClerk(_ row: PostgresRow) throws -> Clerk {
        let (id, name, roles, active) = try row.decode((String, String, String, Bool).self)
        return clerk(id: id, name: name, roles: roles, active: active)
    }

    fileprivate static func clerk(id: String, name: String, roles: String, active: Bool) -> Clerk {
        Clerk(id: id, name: name, roles: Set(roles.split(separator: " ").map(String.init)), active: active)
    }

    private static let clerkTokenColumns =
        "clerk_id, issued_at, issued_by, expires_at, revoked_at, revoked_by, revoke_reason"

    private static func storedClerkToken(_ row: PostgresRow) throws -> ClerkToken {
        let (clerk, issuedAt, issuedBy, expiresAt, revokedAt, revokedBy, reason) = try row.decode(
            (String, Date, String, Date, Date?, String?, String?).self)
        return ClerkToken(
            clerk: clerk, issuedAt: issuedAt, issuedBy: issuedBy, expiresAt: expiresAt, revokedAt: revokedAt,
            revokedBy: revokedBy, revokeReason: reason)
    }

    fileprivate static let portalColumns =
        "id, name, channel, created_at, created_by, revoked_at, revoked_by, revoke_reason"

    fileprivate static func storedPortal(_ row: PostgresRow) throws -> Portal {
        let (id, name, channelText, createdAt, createdBy, revokedAt, revokedBy, reason) = try row.decode(
            (String, String, String, Date, String, Date?, String?, String?).self)
        guard let channel = Channel(rawValue: channelText) else {
            throw StoreError.storage("portal \(id): unknown channel \(channelText)")
        }
        return Portal(
            id: id, name: name, channel: channel, createdAt: createdAt, createdBy: createdBy, revokedAt: revokedAt,
            revokedBy: revokedBy, revokeReason: reason)
    }
}

/// A clerk by id.
private struct ClerkByID: PostgresPreparedStatement {
    static let name = "kaiban_register_clerk_by_id"
    static let sql = "SELECT id, name, roles, active FROM clerk WHERE id = $1"
    typealias Row = Clerk
    var id: String

    func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(id) }

    func decodeRow(_ row: PostgresRow) throws -> Clerk { try PostgresStore.registeredClerk(row) }
}

/// A portal by its token's hash.
private struct PortalByToken: PostgresPreparedStatement {
    static let name = "kaiban_register_portal_by_token"
    static let sql = "SELECT \(PostgresStore.portalColumns) FROM portal WHERE token_hash = $1"
    typealias Row = Portal
    var tokenHash: String

    func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(tokenHash) }

    func decodeRow(_ row: PostgresRow) throws -> Portal { try PostgresStore.storedPortal(row) }
}

/// A clerk's token by its hash, with the clerk as they stand.
private struct ClerkTokenByHash: PostgresPreparedStatement {
    static let name = "kaiban_register_clerk_token_by_hash"
    static let sql = """
        SELECT t.clerk_id, t.issued_at, t.issued_by, t.expires_at, t.revoked_at, t.revoked_by, t.revoke_reason,
            c.id, c.name, c.roles, c.active
        FROM clerk_token t JOIN clerk c ON c.id = t.clerk_id WHERE t.token_hash = $1
        """
    typealias Row = ClerkTokenHolder
    var tokenHash: String

    func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(tokenHash) }

    func decodeRow(_ row: PostgresRow) throws -> ClerkTokenHolder {
        let (clerk, issuedAt, issuedBy, expiresAt, revokedAt, revokedBy, reason, id, name, roles, active) =
            try row.decode((String, Date, String, Date, Date?, String?, String?, String, String, String, Bool).self)
        return ClerkTokenHolder(
            token: ClerkToken(
                clerk: clerk, issuedAt: issuedAt, issuedBy: issuedBy, expiresAt: expiresAt, revokedAt: revokedAt,
                revokedBy: revokedBy, revokeReason: reason),
            clerk: PostgresStore.clerk(id: id, name: name, roles: roles, active: active))
    }
}

/// A token with its clerk, carried out of ``PostgresStore/guarded(_:)`` (a tuple is not
/// `Sendable` there).
private struct ClerkTokenHolder: Sendable {
    var token: ClerkToken
    var clerk: Clerk
}
