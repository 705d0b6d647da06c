import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    static func portal(_ row: Row) throws -> Portal {
        let channelText: String = row["channel"]
        guard let channel = Channel(rawValue: channelText) else {
            throw StoreError.storage("portal \(row["id"] as String): unknown channel \(channelText)")
        }
        func date(_ column: String) -> Date? {
            (row[column] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
        return Portal(
            id: row["id"], name: row["name"], channel: channel, createdAt: date("created_at") ?? .distantPast,
            createdBy: row["created_by"], revokedAt: date("revoked_at"), revokedBy: row["revoked_by"],
            revokeReason: row["revoke_reason"])
    }

    /// Checks inside the transaction that `id` is an active supervisor.
    func requireSupervisor(_ id: String, act: LocalizedText, _ db: Database) throws {
        let clerk = try fetchClerk(id, db)
        guard clerk.active, clerk.isSupervisor else { throw StoreError.supervisorRequired(clerk: id, act: act) }
    }

    package func addPortal(_ portal: Portal, tokenHash: String) throws {
        try write { db in
            try requireSupervisor(portal.createdBy, act: LocalizedText(zh: "登记门户", en: "register a portal"), db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM portal WHERE id = ?", arguments: [portal.id]) == true {
                throw StoreError.portalExists(portal.id)
            }
            try db.execute(
                sql: """
                    INSERT INTO portal (id, name, channel, token_hash, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    portal.id, portal.name, portal.channel.rawValue, tokenHash, Self.seconds(portal.createdAt),
                    portal.createdBy,
                ])
        }
    }

    package func portals() throws -> [Portal] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM portal ORDER BY id").map(Self.portal) }
    }

    package func revokePortal(_ id: String, by actor: String, reason: String, at now: Date) throws -> Portal {
        try write { db in
            try requireSupervisor(actor, act: LocalizedText(zh: "停用门户", en: "revoke a portal"), db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM portal WHERE id = ?", arguments: [id]) else {
                throw StoreError.portalNotFound(id)
            }
            guard try Self.portal(row).isActive else { throw StoreError.portalAlreadyRevoked(id) }
            try db.execute(
                sql: "UPDATE portal SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?",
                arguments: [Self.seconds(now), actor, reason, id])
            guard let updated = try Row.fetchOne(db, sql: "SELECT * FROM portal WHERE id = ?", arguments: [id]) else {
                throw StoreError.portalNotFound(id)
            }
            return try Self.portal(updated)
        }
    }

    package func fetchPortal(tokenHash: String) throws -> Portal? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM portal WHERE token_hash = ?"), arguments: [tokenHash]
            ).map(Self.portal)
        }
    }

    func earlierSubmission(portalID: String, keySHA256: String, _ db: Database) throws -> EarlierSubmission? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT c.number, s.request_sha256, s.sealed_password, s.warnings_json FROM submission s
                        JOIN registration_case c ON c.id = s.case_id
                        WHERE s.portal_id = ? AND s.key_sha256 = ?
                        """), arguments: [portalID, keySHA256])
        else { return nil }
        let text: String = row[0]
        guard let number = CaseNumber(text) else { throw StoreError.storage("unreadable case number \(text)") }
        return EarlierSubmission(number: number, requestSHA256: row[1], sealedPassword: row[2], warningsJSON: row[3])
    }

    package func earlierSubmission(portalID: String, keySHA256: String) throws -> EarlierSubmission? {
        try read { db in try earlierSubmission(portalID: portalID, keySHA256: keySHA256, db) }
    }

    /// Takes in a portal's submission with its idempotency record and access in one transaction.
    package func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, clock: SLAClock
    ) throws -> RegistrationCase {
        try batch(clock: clock) { batch in
            try batch.intake(
                application, submission: submission, workflowID: workflowID, hall: hall, as: clerk, at: now,
                nameParts: nameParts, recording: recording, checklist: checklist)
        }
    }

    /// ``intake(_:submission:workflowID:hall:as:at:nameParts:recording:checklist:clock:)`` with
    /// group commit: concurrent submissions share one transaction, each in its own savepoint, and
    /// each is answered once that transaction has committed.
    package func groupedIntake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, clock: SLAClock
    ) async throws -> RegistrationCase {
        try await groupedBatch(clock: clock) { batch in
            try batch.intake(
                application, submission: submission, workflowID: workflowID, hall: hall, as: clerk, at: now,
                nameParts: nameParts, recording: recording, checklist: checklist)
        }
    }
}

extension CaseStore.Batch {
    /// Takes in a portal's submission with its idempotency record and access.
    package func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?
    ) throws -> RegistrationCase {
        let batch = self
        let db = batch.db
        // The portal must still be active when the case is written.
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM portal WHERE id = ?"), arguments: [submission.portal.id]),
            try CaseStore.portal(row).isActive
        else { throw StoreError.portalNotFound(submission.portal.id) }
        if try store.earlierSubmission(portalID: submission.portal.id, keySHA256: submission.keySHA256, db) != nil {
            throw StoreError.submissionExists
        }
        var acting = recording
        acting.doneByThen = clerk
        let state = try batch.intake(
            application, workflowID: workflowID, hall: hall, by: clerk.id, at: now, nameParts: nameParts,
            recording: acting, checklist: checklist)
        // Statements prepared once per connection (every portal submission runs them).
        let caseID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM registration_case WHERE number = ?"),
            arguments: [state.number.description])
        try db.cachedStatement(sql: "INSERT INTO case_access (case_id, portal_id, password_hash) VALUES (?, ?, ?)")
            .execute(arguments: [caseID, submission.portal.id, submission.passwordHash])
        try db.cachedStatement(
            sql: """
                INSERT INTO submission (
                    portal_id, key_sha256, request_sha256, case_id, sealed_password, created_at, warnings_json)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                submission.portal.id, submission.keySHA256, submission.requestSHA256, caseID,
                submission.sealedPassword, CaseStore.seconds(recording.at), submission.warningsJSON,
            ])
        return state
    }
}

extension CaseStore {

    package func fetchCaseAccess(_ number: CaseNumber, failuresSince since: Date) throws -> CaseAccess? {
        if let read = accessReads?.access(number: number.description, failuresSince: Self.seconds(since)) {
            return read
        }
        return try readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: AccessReads.sql), arguments: [Self.seconds(since), number.description]
            ).map { CaseAccess(portalID: $0[0], passwordHash: $0[1], failures: $0[3], version: $0[2]) }
        }
    }

    func accessFailures(_ number: CaseNumber, since: Date, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM access_failure WHERE case_number = ? AND at >= ?"),
            arguments: [number.description, Self.seconds(since)]) ?? 0
    }

    package func accessFailure(_ number: CaseNumber, since: Date, skipping: Int) throws -> Date? {
        try readStatement { db in
            try Int64.fetchOne(
                db.cachedStatement(
                    sql: "SELECT at FROM access_failure WHERE case_number = ? AND at >= ? ORDER BY at LIMIT 1 OFFSET ?"),
                arguments: [number.description, Self.seconds(since), max(0, skipping)]
            ).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
    }

    package func recordAccessFailure(_ number: CaseNumber, at now: Date, countingSince since: Date) throws -> Int {
        try write { db in
            try db.execute(
                sql: "INSERT INTO access_failure (case_number, at) VALUES (?, ?)",
                arguments: [number.description, Self.seconds(now)])
            return try accessFailures(number, since: since, db)
        }
    }
}
