import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 容缺受理 on PostgreSQL, as the SQLite store keeps it: the deferral row of each case accepted
/// against a commitment and the people it binds (derived from the history, written in the step's
/// transaction under the case's row lock), and the applicants' flags (append-only in the
/// database). Several servers record flags at once: one person's are recorded one at a time (a
/// lock on the person, held to the end of the transaction), so a flag is never recorded twice
/// over, and the supervisor recording one stays a supervisor until it is committed (their row
/// locked).
extension PostgresStore {
    public func deferrals(dueFrom: Date?, dueBy: Date?, limit: Int) async throws -> [CaseNumber] {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT c.number FROM case_deferral d JOIN registration_case c ON c.id = d.case_id
                WHERE d.next_deadline IS NOT NULL
                    AND d.next_deadline >= coalesce(\(dueFrom.map(Self.wholeSeconds))::timestamptz, '-infinity')
                    AND d.next_deadline <= coalesce(\(dueBy.map(Self.wholeSeconds))::timestamptz, 'infinity')
                ORDER BY d.next_deadline, d.case_id LIMIT \(limit)
                """, logger: logger)
            var numbers: [CaseNumber] = []
            for try await text in rows.decode(String.self) {
                guard let number = CaseNumber(text) else { throw StoreError.storage("unreadable case number \(text)") }
                numbers.append(number)
            }
            return numbers
        }
    }

    /// Each person's standing for a deferral at `now`: their current dishonesty flag, and the
    /// commitments they broke since a supervisor last cleared them; all read from one snapshot.
    public func applicantStanding(_ ids: [String], at now: Date) async throws -> [ApplicantStanding] {
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                var standings: [ApplicantStanding] = []
                for id in ids {
                    let flags = try await deferralApplicantFlags(id, connection)
                    let current = flags.last.flatMap { $0.flagged ? $0 : nil }
                    standings.append(
                        ApplicantStanding(
                            idNumber: id, flag: current,
                            brokenCommitments: try await deferralBrokenCommitments(
                                id, since: flags, at: now, connection)))
                }
                return standings
            }
        }
    }

    public func applicantFlags(_ id: String) async throws -> [ApplicantFlag] {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await deferralApplicantFlags(id, connection)
            }
        }
    }

    /// Records a supervisor's flag or clearing of a person, as the SQLite store does: the actor
    /// must be an active supervisor (their row locked to the commit, so not deactivated
    /// meanwhile); flagging a person already flagged, or clearing one neither flagged nor with a
    /// broken commitment since the last clearing, is refused. The person's flags are read and
    /// written under a lock on that person, so two servers take turns.
    public func recordApplicantFlag(_ flag: ApplicantFlag) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let rows = try await connection.query(
                    "SELECT roles, active FROM clerk WHERE id = \(flag.actor) FOR SHARE", logger: logger)
                guard let (roles, active) = try await rows.decode((String, Bool).self).first(where: { _ in true })
                else { throw StoreError.clerkNotFound(flag.actor) }
                let supervisor = Clerk(
                    id: flag.actor, name: "", roles: Set(roles.split(separator: " ").map(String.init)), active: active)
                guard supervisor.active, supervisor.isSupervisor else {
                    throw StoreError.supervisorRequired(
                        clerk: flag.actor,
                        act: flag.act)
                }
                // One person's flags change one transaction at a time (an unrelated person whose
                // id hashes alike only waits its turn).
                try await connection.runToEnd(
                    "SELECT pg_advisory_xact_lock(\(Self.applicantFlagLock), hashtext(current_schema() || ' ' || \(flag.idNumber)))",
                    logger: logger)
                let flags = try await deferralApplicantFlags(flag.idNumber, connection)
                let flagged = flags.last?.flagged ?? false
                // A clearing also forgives the commitments broken before it: it is refused only for
                // a person neither flagged nor with a broken commitment since the last clearing.
                let broken = try await deferralBrokenCommitments(flag.idNumber, since: flags, at: flag.at, connection)
                if flag.flagged == flagged && (flag.flagged || broken.isEmpty) {
                    throw StoreError.applicantFlagUnchanged(flagged: flagged)
                }
                _ = try await connection.query(
                    """
                    INSERT INTO applicant_flag (id_number, flagged, at, actor, reason)
                    VALUES (\(flag.idNumber), \(flag.flagged), \(Self.wholeSeconds(flag.at)), \(flag.actor),
                        \(flag.reason))
                    """, logger: logger)
            }
        }
    }

    /// Writes the deferral row of `state` (and its parties when `parties`: they are fixed by the
    /// commitment) inside the step's transaction, case `caseID`'s row locked, as the SQLite
    /// store's `writeDeferral`.
    func writeDeferralRows(
        _ state: RegistrationCase, parties: Bool, caseID: Int64, _ connection: PostgresConnection
    ) async throws {
        guard let deferral = state.deferral else { return }
        let broken: Int16 = deferral.suppliedLate ? 1 : deferral.endedOverdue ? 2 : 0
        _ = try await connection.query(
            """
            INSERT INTO case_deferral (case_id, signer_id, committed_at, next_deadline, last_deadline, fulfilled_at,
                ended_at, broken, breached_at, extended)
            VALUES (\(caseID), \(deferral.commitment.signerID), \(Self.wholeSeconds(deferral.recordedAt)),
                \(deferral.nextDeadline.map(Self.wholeSeconds)), \(Self.wholeSeconds(deferral.lastDeadline)),
                \(deferral.fulfilledAt.map(Self.wholeSeconds)), \(deferral.endedAt.map(Self.wholeSeconds)), \(broken),
                \(deferral.breachedAt.map(Self.wholeSeconds)), \(deferral.extensionGranted != nil))
            ON CONFLICT (case_id) DO UPDATE SET signer_id = excluded.signer_id,
                committed_at = excluded.committed_at, next_deadline = excluded.next_deadline,
                last_deadline = excluded.last_deadline, fulfilled_at = excluded.fulfilled_at,
                ended_at = excluded.ended_at, broken = excluded.broken, breached_at = excluded.breached_at,
                extended = excluded.extended
            """, logger: logger)
        for id in parties ? Self.deferralParties(state) : [] {
            _ = try await connection.query(
                "INSERT INTO deferral_party (id_number, case_id) VALUES (\(id), \(caseID)) ON CONFLICT DO NOTHING",
                logger: logger)
        }
    }

    /// The people a deferral binds, by ID number in upper case: the signer, the legal
    /// representative and every individual investor (an exclusion for a broken commitment
    /// follows each of them); as the SQLite store lists them.
    static func deferralParties(_ state: RegistrationCase) -> [String] {
        guard let deferral = state.deferral else { return [] }
        let people =
            [deferral.commitment.signerID, state.application.legalRepresentative.idNumber]
            + state.application.investors.filter { $0.kind == .person }.map(\.idNumber)
        return Array(Set(people.filter { !$0.isEmpty }.map { $0.uppercased() })).sorted()
    }

    /// The first key of the advisory lock on a person's flags (the second is the hash of the hall's
    /// schema and their id):
    /// "af" for applicant flags.
    private static let applicantFlagLock: Int32 = 0x6166

    /// Every flag and clearing of `id`, oldest first.
    private func deferralApplicantFlags(_ id: String, _ connection: PostgresConnection) async throws
        -> [ApplicantFlag]
    {
        let rows = try await connection.query(
            "SELECT flagged, at, actor, reason FROM applicant_flag WHERE id_number = \(id) ORDER BY sequence",
            logger: logger)
        var flags: [ApplicantFlag] = []
        for try await (flagged, at, actor, reason) in rows.decode((Bool, Date, String, String).self) {
            flags.append(ApplicantFlag(idNumber: id, flagged: flagged, at: at, actor: actor, reason: reason))
        }
        return flags
    }

    /// The cases whose commitment `id` broke (an item supplied late, outstanding past its
    /// deadline at `now`, or the case ended with one overdue) after the last clearing in `flags`:
    /// a clearing forgives breaches before it, not commitments still running.
    private func deferralBrokenCommitments(
        _ id: String, since flags: [ApplicantFlag], at now: Date, _ connection: PostgresConnection
    ) async throws -> [CaseNumber] {
        let cleared = flags.last { !$0.flagged }.map { Self.wholeSeconds($0.at) }
        let rows = try await connection.query(
            """
            SELECT c.number FROM deferral_party p
            JOIN case_deferral d ON d.case_id = p.case_id
            JOIN registration_case c ON c.id = p.case_id
            WHERE p.id_number = \(id)
                AND ((d.breached_at IS NOT NULL
                        AND d.breached_at > coalesce(\(cleared)::timestamptz, '-infinity'))
                    OR (d.next_deadline IS NOT NULL AND d.next_deadline < \(Self.wholeSeconds(now))
                        AND d.next_deadline > coalesce(\(cleared)::timestamptz, '-infinity')))
            ORDER BY c.id
            """, logger: logger)
        var numbers: [CaseNumber] = []
        for try await text in rows.decode(String.self) {
            if let number = CaseNumber(text) { numbers.append(number) }
        }
        return numbers
    }
}
