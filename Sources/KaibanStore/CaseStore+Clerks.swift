import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// What only a supervisor may do with clerks, for messages.
    package static let clerkAdministration = LocalizedText(zh: "登记工作人员", en: "register clerks")

    /// Registers a clerk, and records it in the clerk's history at `now`. The first clerk of a new
    /// database needs no one's authority and must be a supervisor; after that, `actor` must be an
    /// active supervisor.
    package func addClerk(_ clerk: Clerk, by actor: String?, at now: Date = Date()) throws {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clerk") ?? 0
            if count > 0 {
                guard let actor else { throw StoreError.actorRequired }
                _ = try requireSupervisor(actor, for: Self.clerkAdministration, db)
            } else if !clerk.isSupervisor {
                throw StoreError.firstClerkNotSupervisor(clerk.id)
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM clerk WHERE id = ?", arguments: [clerk.id]) == true {
                throw StoreError.clerkExists(clerk.id)
            }
            try db.execute(
                sql: "INSERT INTO clerk (id, name, roles, active) VALUES (?, ?, ?, ?)",
                arguments: [clerk.id, clerk.name, clerk.roles.sorted().joined(separator: " "), clerk.active])
            try appendClerkEvent(
                ClerkEvent(
                    clerk: clerk.id, sequence: 1, at: now, kind: .added, actor: count > 0 ? actor : nil,
                    roles: clerk.roles.sorted()), db)
        }
    }

    /// The acting clerk, who must be active and hold the supervisor role.
    func requireSupervisor(_ id: String, for act: LocalizedText, _ db: Database) throws -> Clerk {
        let acting = try fetchClerk(id, db)
        guard acting.active else { throw WorkflowError.clerkInactive(clerk: id) }
        guard acting.isSupervisor else { throw StoreError.supervisorRequired(clerk: id, act: act) }
        return acting
    }

    /// A supervisor's change to clerk `id` (new roles, or deactivation) with its reason, in one
    /// transaction with its entry in the clerk's history. A deactivated clerk is not changed again;
    /// the last active supervisor keeps the role and stays active.
    package func changeClerk(_ id: String, _ change: ClerkChange, reason: String, by actor: String, at now: Date)
        throws -> Clerk
    {
        try write { db in
            _ = try requireSupervisor(actor, for: Desk.clerkChanges, db)
            let (clerk, kind, before) = try change.applied(to: try fetchClerk(id, db))
            if before.contains(Clerk.supervisorRole) && !clerk.isSupervisor {
                let others =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT COUNT(*) FROM clerk
                            WHERE active AND id <> ? AND (' ' || roles || ' ') LIKE '% supervisor %'
                            """, arguments: [id]) ?? 0
                guard others > 0 else { throw StoreError.lastSupervisor(id) }
            }
            try db.execute(
                sql: "UPDATE clerk SET roles = ?, active = ? WHERE id = ?",
                arguments: [clerk.roles.sorted().joined(separator: " "), clerk.active, id])
            let sequence =
                try Int.fetchOne(
                    db, sql: "SELECT MAX(sequence) FROM clerk_event WHERE clerk_id = ?", arguments: [id]) ?? 0
            try appendClerkEvent(
                ClerkEvent(
                    clerk: id, sequence: sequence + 1, at: now, kind: kind, actor: actor, roles: clerk.roles.sorted(),
                    previousRoles: kind == .rolesChanged ? before.sorted() : nil, reason: reason), db)
            if let revocation = ClerkChange.tokenRevocationReason(before: before, after: clerk, reason: reason) {
                _ = try revokeValidToken(of: id, by: actor, reason: revocation, at: now, db)
            }
            return clerk
        }
    }

    /// Clerk `id`'s history, oldest first.
    package func clerkHistory(_ id: String) throws -> [ClerkEvent] {
        try read { db in
            _ = try fetchClerk(id, db)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT clerk_id, sequence, at, kind, actor, roles, previous_roles, reason FROM clerk_event
                    WHERE clerk_id = ? ORDER BY sequence
                    """, arguments: [id]
            ).map { row in
                let code: String = row[3]
                guard let kind = ClerkEvent.Kind(rawValue: code) else {
                    throw StoreError.storage("clerk \(id): unknown event kind \(code)")
                }
                let seconds: Int64 = row[2]
                let roles: String = row[5]
                let previous: String? = row[6]
                return ClerkEvent(
                    clerk: row[0], sequence: row[1], at: Date(timeIntervalSince1970: TimeInterval(seconds)), kind: kind,
                    actor: row[4], roles: roles.split(separator: " ").map(String.init),
                    previousRoles: previous.map { $0.split(separator: " ").map(String.init) }, reason: row[7])
            }
        }
    }

    func appendClerkEvent(_ event: ClerkEvent, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO clerk_event (clerk_id, sequence, at, kind, actor, roles, previous_roles, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.clerk, event.sequence, Self.seconds(event.at), event.kind.rawValue, event.actor,
                event.roles.joined(separator: " "), event.previousRoles?.joined(separator: " "), event.reason,
            ])
    }

    package func clerk(_ id: String) throws -> Clerk {
        try read { db in try fetchClerk(id, db) }
    }

    package func clerks() throws -> [Clerk] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, roles, active FROM clerk ORDER BY id").map(Self.clerk(from:))
        }
    }

    func fetchClerk(_ id: String, _ db: Database) throws -> Clerk {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, name, roles, active FROM clerk WHERE id = ?"), arguments: [id])
        else {
            throw StoreError.clerkNotFound(id)
        }
        return Self.clerk(from: row)
    }

    static func clerk(from row: Row) -> Clerk {
        // Positional: the acting clerk is read at every step.
        let roles: String = row[2]
        return Clerk(id: row[0], name: row[1], roles: Set(roles.split(separator: " ").map(String.init)), active: row[3])
    }
}
