import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// The deferral columns of a case as its history gives them, in the order of ``deferralRow(_:_:)``.
    static func deferralColumns(_ deferral: Deferral) -> [DatabaseValue] {
        [
            deferral.commitment.signerID.databaseValue, seconds(deferral.recordedAt).databaseValue,
            deferral.nextDeadline.map(seconds).databaseValue, seconds(deferral.lastDeadline).databaseValue,
            deferral.fulfilledAt.map(seconds).databaseValue, deferral.endedAt.map(seconds).databaseValue,
            (deferral.suppliedLate ? 1 : deferral.endedOverdue ? 2 : 0).databaseValue,
            deferral.breachedAt.map(seconds).databaseValue,
            (deferral.extensionGranted == nil ? 0 : 1).databaseValue,
        ]
    }

    /// The people a deferral binds, by ID number: the signer, the legal representative and every
    /// individual investor (an exclusion for a broken commitment follows each of them).
    static func deferralParties(_ state: RegistrationCase) -> [String] {
        guard let deferral = state.deferral else { return [] }
        let people =
            [deferral.commitment.signerID, state.application.legalRepresentative.idNumber]
            + state.application.investors.filter { $0.kind == .person }.map(\.idNumber)
        return Array(Set(people.filter { !$0.isEmpty }.map { $0.uppercased() })).sorted()
    }

    /// The query a rebuild compares a case's parties with (through `deferral_party_by_case`).
    static let partiesSQL = "SELECT id_number FROM deferral_party WHERE case_id = ? ORDER BY id_number"

    /// Writes the case's deferral row from `state`, and its parties when `parties` (they are
    /// fixed by the commitment: written with it, and by a rebuild).
    func writeDeferral(_ state: RegistrationCase, parties: Bool, _ db: Database) throws {
        guard let deferral = state.deferral else { return }
        let caseID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM registration_case WHERE number = ?"),
            arguments: [state.number.description])
        guard let caseID else { throw StoreError.caseNotFound(state.number.description) }
        try db.cachedStatement(
            sql: """
                INSERT INTO case_deferral (case_id, signer_id, committed_at, next_deadline, last_deadline, fulfilled_at,
                    ended_at, broken, breached_at, extended)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(case_id) DO UPDATE SET signer_id = excluded.signer_id,
                    committed_at = excluded.committed_at, next_deadline = excluded.next_deadline,
                    last_deadline = excluded.last_deadline, fulfilled_at = excluded.fulfilled_at,
                    ended_at = excluded.ended_at, broken = excluded.broken, breached_at = excluded.breached_at,
                    extended = excluded.extended
                """
        ).execute(arguments: StatementArguments([caseID.databaseValue] + Self.deferralColumns(deferral)))
        for id in parties ? Self.deferralParties(state) : [] {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO deferral_party (id_number, case_id) VALUES (?, ?)")
                .execute(arguments: [id, caseID])
        }
    }

    /// Rewrites the deferral row and parties of case `caseID` when they differ from `state`; whether
    /// anything was rewritten.
    func repairDeferral(_ state: RegistrationCase, caseID: Int64, _ db: Database) throws -> Bool {
        let stored = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT signer_id, committed_at, next_deadline, last_deadline, fulfilled_at, ended_at, broken,
                        breached_at, extended
                    FROM case_deferral WHERE case_id = ?
                    """), arguments: [caseID]
        ).map { row in (0..<9).map { row[$0] as DatabaseValue } }
        let expected = state.deferral.map(Self.deferralColumns)
        let parties = try String.fetchAll(
            db.cachedStatement(sql: Self.partiesSQL),
            arguments: [caseID])
        guard stored != expected || parties != Self.deferralParties(state) else { return false }
        try db.cachedStatement(sql: "DELETE FROM case_deferral WHERE case_id = ?").execute(arguments: [caseID])
        try db.cachedStatement(sql: "DELETE FROM deferral_party WHERE case_id = ?").execute(arguments: [caseID])
        try writeDeferral(state, parties: true, db)
        return true
    }

    /// The open deferrals (an item outstanding), earliest deadline first: all of them, those whose
    /// next deadline is at most `dueBy`, or those already past it at `overdueAt`.
    static let deferralsSQL = """
        SELECT c.number FROM case_deferral d JOIN registration_case c ON c.id = d.case_id
        WHERE d.next_deadline IS NOT NULL AND d.next_deadline >= ? AND d.next_deadline <= ?
        ORDER BY d.next_deadline, d.case_id LIMIT ?
        """

    package func deferrals(dueFrom: Date?, dueBy: Date?, limit: Int) throws -> [CaseNumber] {
        try read { db in
            let texts = try String.fetchAll(
                db.cachedStatement(sql: Self.deferralsSQL),
                arguments: [dueFrom.map(Self.seconds) ?? Int64.min, dueBy.map(Self.seconds) ?? Int64.max, limit])
            return try texts.map { text in
                guard let number = CaseNumber(text) else { throw StoreError.storage("unreadable case number \(text)") }
                return number
            }
        }
    }

    /// Each person's standing for a deferral at `now`: their current dishonesty flag, and the
    /// commitments they broke (an item supplied late, or outstanding past its deadline) since a
    /// supervisor last cleared them.
    package func applicantStanding(_ ids: [String], at now: Date) throws -> [ApplicantStanding] {
        try read { db in
            try ids.map { id in
                let flags = try applicantFlags(id, db)
                let current = flags.last.flatMap { $0.flagged ? $0 : nil }
                return ApplicantStanding(
                    idNumber: id, flag: current, brokenCommitments: try brokenCommitments(id, since: flags, at: now, db)
                )
            }
        }
    }

    /// The cases whose commitment `id` broke (an item supplied late, outstanding past its
    /// deadline at `now`, or the case ended with one overdue) after the last clearing in `flags`:
    /// a clearing forgives breaches before it, not commitments still running.
    func brokenCommitments(_ id: String, since flags: [ApplicantFlag], at now: Date, _ db: Database) throws
        -> [CaseNumber]
    {
        let cleared = flags.last { !$0.flagged }.map { Self.seconds($0.at) } ?? Int64.min
        return try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT c.number FROM deferral_party p
                    JOIN case_deferral d ON d.case_id = p.case_id
                    JOIN registration_case c ON c.id = p.case_id
                    WHERE p.id_number = ?1
                        AND ((d.breached_at IS NOT NULL AND d.breached_at > ?2)
                            OR (d.next_deadline IS NOT NULL AND d.next_deadline < ?3 AND d.next_deadline > ?2))
                    ORDER BY c.id
                    """),
            arguments: [id, cleared, Self.seconds(now)]
        ).compactMap(CaseNumber.init)
    }

    func applicantFlags(_ id: String, _ db: Database) throws -> [ApplicantFlag] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT flagged, at, actor, reason FROM applicant_flag WHERE id_number = ? ORDER BY sequence"),
            arguments: [id]
        ).map { row in
            ApplicantFlag(
                idNumber: id, flagged: row[0], at: Date(timeIntervalSince1970: TimeInterval(row[1] as Int64)),
                actor: row[2], reason: row[3])
        }
    }

    /// Every flag and clearing of a person, oldest first.
    package func applicantFlags(_ id: String) throws -> [ApplicantFlag] {
        try read { db in try applicantFlags(id, db) }
    }

    /// Records a supervisor's flag or clearing of a person; `actor` must be an active supervisor,
    /// checked in the same transaction. Flagging a person already flagged (or clearing one who
    /// is not) is refused.
    package func recordApplicantFlag(_ flag: ApplicantFlag) throws {
        try write { db in
            let actor = try fetchClerk(flag.actor, db)
            guard actor.active, actor.isSupervisor else {
                throw StoreError.supervisorRequired(
                    clerk: flag.actor,
                    act: flag.act)
            }
            let flags = try applicantFlags(flag.idNumber, db)
            let flagged = flags.last?.flagged ?? false
            // A clearing also forgives the commitments broken before it: it is refused only for a
            // person neither flagged nor with a broken commitment since the last clearing.
            let broken = try brokenCommitments(flag.idNumber, since: flags, at: flag.at, db)
            if flag.flagged == flagged && (flag.flagged || broken.isEmpty) {
                throw StoreError.applicantFlagUnchanged(flagged: flagged)
            }
            try db.execute(
                sql: "INSERT INTO applicant_flag (id_number, flagged, at, actor, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [flag.idNumber, flag.flagged, Self.seconds(flag.at), flag.actor, flag.reason])
        }
    }

    /// The deferral figures of the cases closed in `stages` between two instants, and of the
    /// deferrals committed then, at `now`.
    package func deferralFigures(
        from: Date, to: Date, stages: [String], acceptedStages: [String], at now: Date
    ) throws -> DeferralRecords {
        try read { db in
            var figures = DeferralRecords()
            if !stages.isEmpty {
                // Whether the commitment was fulfilled before the case's acceptance (its first step
                // into an accepted stage), by the events' order: each case's events by its key.
                let accepted = Array(repeating: "?", count: max(1, acceptedStages.count)).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.clock_segments, EXISTS (
                            SELECT 1 FROM case_event f WHERE f.case_id = c.id AND f.kind = ?
                                AND f.sequence < coalesce((
                                    SELECT min(a.sequence) FROM case_event a
                                    WHERE a.case_id = c.id AND a.kind = ? AND a.to_stage IN (\(accepted))), 0))
                        FROM case_deferral d JOIN registration_case c ON c.id = d.case_id
                        WHERE c.closed_at >= ? AND c.closed_at < ?
                            AND c.stage IN (\(Array(repeating: "?", count: stages.count).joined(separator: ",")))
                        """,
                    arguments: StatementArguments([
                        Self.eventKindCode(.deferralFulfilled), Self.eventKindCode(.transitioned),
                    ])
                        + StatementArguments(acceptedStages.isEmpty ? [""] : acceptedStages)
                        + StatementArguments([Self.storageText(from), Self.storageText(to)])
                        + StatementArguments(stages))
                {
                    figures.segments.append(row[0])
                    figures.fulfilledBeforeAcceptance.append(row[1])
                }
            }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*),
                        coalesce(sum(fulfilled_at IS NOT NULL AND broken = 0), 0),
                        coalesce(sum(broken = 1 AND NOT (next_deadline IS NOT NULL AND next_deadline < ?3)), 0),
                        coalesce(sum(broken = 2 OR (next_deadline IS NOT NULL AND next_deadline < ?3)), 0),
                        coalesce(sum(extended = 1), 0)
                    FROM case_deferral WHERE committed_at >= ?1 AND committed_at < ?2
                    """, arguments: [Self.seconds(from), Self.seconds(to), Self.seconds(now)])
            if let row {
                figures.figures.committed = row[0]
                figures.figures.suppliedOnTime = row[1]
                figures.figures.suppliedLate = row[2]
                figures.figures.overdue = row[3]
                figures.figures.extended = row[4]
            }
            return figures
        }
    }
}
