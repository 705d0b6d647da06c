import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// What only a supervisor may do with clerks, for messages.
    package static let clerkAdministration = LocalizedText(zh: "登记工作人员", en: "register clerks")

    /// Registers a clerk. The first clerk of a new database needs no one's authority and must be a
    /// supervisor; after that, `actor` must be an active supervisor.
    package func addClerk(_ clerk: Clerk, by actor: String?) throws {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clerk") ?? 0
            if count > 0 {
                guard let actor else { throw StoreError.actorRequired }
                let acting = try fetchClerk(actor, db)
                guard acting.isSupervisor else {
                    throw StoreError.supervisorRequired(clerk: actor, act: Self.clerkAdministration)
                }
            } else if !clerk.isSupervisor {
                throw StoreError.firstClerkNotSupervisor(clerk.id)
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM clerk WHERE id = ?", arguments: [clerk.id]) == true {
                throw StoreError.clerkExists(clerk.id)
            }
            try db.execute(
                sql: "INSERT INTO clerk (id, name, roles, active) VALUES (?, ?, ?, ?)",
                arguments: [clerk.id, clerk.name, clerk.roles.sorted().joined(separator: " "), clerk.active])
        }
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
