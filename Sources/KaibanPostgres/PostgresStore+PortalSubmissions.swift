import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 网上办/掌上办 on PostgreSQL, with the SQLite store's meaning: a portal's submission taken in
/// with its idempotency record and the case's access in one transaction; applicants' access with
/// their query passwords; failed guesses, counted for the rate limit. Several servers at once:
/// - the same key submitted to two servers at once makes one case: the submission's primary key
///   (portal, key) makes the second wait for the first's commit and then refuses it
///   (``StoreError/submissionExists``), which rolls its case back (its number given back too);
///   the desk then answers it as the first was answered;
/// - a portal revoked meanwhile: the submission holds its portal's row (`FOR KEY SHARE`) from its
///   check to its commit, so a revocation waits for it, or it sees the revocation;
/// - wrong passwords for one case are counted one after the other (the case's access row locked),
///   so each is told the count with those before it, as on SQLite.
extension PostgresStore {
    public func earlierSubmission(portalID: String, keySHA256: String) async throws
        -> EarlierSubmission?
    {
        try await guarded { [self] in
            for try await earlier in try await client.execute(
                PortalEarlierSubmission(portalID: portalID, keySHA256: keySHA256), logger: logger)
            {
                return try earlier.get()
            }
            return nil
        }
    }

    /// The earlier submission and, when there is none, the name records, in one statement (one
    /// round trip fewer for every submission).
    public func submissionLookup(portalID: String, keySHA256: String, names: NameQuery) async throws
        -> SubmissionLookup
    {
        try await guarded { [self] in
            var records = NameRecords(registered: [], open: [])
            for try await row in try await client.execute(
                PortalSubmissionLookup(portalID: portalID, keySHA256: keySHA256, names: names), logger: logger)
            {
                switch row {
                case .earlier(let earlier): return .earlier(try earlier.get())
                case .names(let names): records.add(names)
                }
            }
            return .new(records)
        }
    }

    public func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String,
        as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?,
        clock: SLAClock
    ) async throws -> RegistrationCase {
        // The engine takes the case in as the portal's clerk, as it stands now.
        var acting = recording
        acting.doneByThen = clerk
        let opening = try await prepareOpening(
            application, workflowID: workflowID, by: clerk.id, at: now, recording: acting,
            checklist: checklist,
            documents: [])
        // Mail and the exchange keep rows of their own beside a case, written in a transaction.
        if application.channel != .mail, opening.application.crossProvince == nil {
            return try await submitCase(
                opening, submission: submission, at: recording.at, hall: hall, nameParts: nameParts, clock: clock)
        }
        return try await guarded { [self] in
            try await transaction { [self] connection in
                let portalID = submission.portal.id
                let record = PostgresStatements.RecordSubmission(
                    submission: submission, caseID: 0, at: Self.wholeSeconds(recording.at))
                let logger = logger
                return try await intake(opening, hall: hall, nameParts: nameParts, clock: clock, connection) {
                    caseID, connection in
                    var record = record
                    record.caseID = caseID
                    do {
                        // Another server's submission under the same key, not yet committed, makes
                        // this wait here; once it commits, this is refused and rolls back (before
                        // this one takes a number).
                        let written = try await connection.execute(record, logger: logger)
                        // The portal must still be active when the case is written.
                        guard try await written.first(where: { _ in true }) == true else {
                            throw StoreError.portalNotFound(portalID)
                        }
                    } catch  where Self.portalUniqueViolation(error, of: "submission_pkey") {
                        throw StoreError.submissionExists
                    }
                }.state
            }
        }
    }

    /// Writes a portal's submission with its case in one statement (``PostgresStatements/SubmitCase``)
    /// in a transaction of its own, recorded as made at `at`.
    func submitCase(
        _ opening: Opening, submission: PortalSubmission, at: Date, hall: String, nameParts: NameParts?,
        clock: SLAClock
    ) async throws -> RegistrationCase {
        let day = HallTime.localDate(of: opening.at)
        let definition = opening.definition
        let provisional = try RegistrationCase.replay(
            [opening.event], number: CaseNumber(division: hall, date: day, sequence: 1), definition: definition)
        let statement = try PostgresStatements.SubmitCase(
            provisional, hall: hall, day: day,
            schedule: clock.schedule(provisional, budgetMinutes: definition.budgetMinutes), nameParts: nameParts,
            opening: opening.event,
            lookup: CaseLookup.entries(of: opening.application, tradeName: nameParts?.tradeName, creditCode: nil),
            submission: submission, at: Self.wholeSeconds(at), calendarRevision: clock.calendar.revision)
        let portalID = submission.portal.id
        let number = try await guarded { [self] in
            // In a transaction of its own, committed by COMMIT: postgres-nio answers a statement at
            // its CommandComplete, before an implicit transaction commits, and would not report a
            // failure of that commit (the counts by day are added then). The time limit also
            // covers the statement's waits for the hall's counter, the key and the portal's row.
            try await transaction { [self] connection in
                let written: PostgresStatements.SubmitCase.Row?
                do {
                    written = try await connection.execute(statement, logger: logger).first(where: { _ in true })
                } catch  where Self.portalUniqueViolation(error, of: "submission_pkey") {
                    throw StoreError.submissionExists
                }
                // No row: the portal was revoked (or removed) since its token was read; nothing was written.
                guard let written else { throw StoreError.portalNotFound(portalID) }
                let number = CaseNumber(division: hall, date: day, sequence: written.sequence)
                guard written.number == number.description else {
                    throw PostgresStoreError.storage(
                        "case \(number) was written as \(written.number) (case id \(written.caseID))")
                }
                return number
            }
        }
        return try RegistrationCase.replay([opening.event], number: number, definition: definition)
    }

    public func caseAccess(_ number: CaseNumber, failuresSince: Date) async throws -> CaseAccess? {
        try await guarded { [self] in
            for try await access in try await client.execute(
                PortalCaseAccess(number: number.description, since: Self.wholeSeconds(failuresSince)),
                logger: logger)
            {
                return access
            }
            return nil
        }
    }

    public func recordAccessFailure(_ number: CaseNumber, at now: Date, countingSince since: Date)
        async throws -> Int
    {
        try await guarded { [self] in
            try await transaction { [self] connection in
                // Failures for one case one after the other, across servers: each counts those before it.
                try await connection.runToEnd(
                    """
                    SELECT 1 FROM case_access
                    WHERE case_id = (SELECT id FROM registration_case WHERE number = \(number.description))
                    FOR UPDATE
                    """, logger: logger)
                _ = try await connection.query(
                    """
                    INSERT INTO access_failure (case_number, at) VALUES (\(number.description), \(Self.wholeSeconds(now)))
                    """, logger: logger)
                return try await connection.query(
                    """
                    SELECT count(*) FROM access_failure
                    WHERE case_number = \(number.description) AND at >= \(Self.wholeSeconds(since))
                    """, logger: logger
                ).decode(Int.self).first(where: { _ in true }) ?? 0
            }
        }
    }

    public func accessFailure(_ number: CaseNumber, since: Date, skipping: Int) async throws -> Date? {
        try await guarded { [self] in
            try await client.query(
                """
                SELECT at FROM access_failure WHERE case_number = \(number.description) AND at >= \(Self.wholeSeconds(since))
                ORDER BY at LIMIT 1 OFFSET \(max(0, skipping))
                """, logger: logger
            ).decode(Date.self).first(where: { _ in true })
        }
    }

    /// Whether `error` is PostgreSQL's refusal of a duplicate under `constraint` (23505).
    fileprivate static func portalUniqueViolation(_ error: any Error, of constraint: String) -> Bool {
        guard let error = error as? PSQLError, error.serverInfo?[.sqlState] == "23505" else {
            return false
        }
        return error.serverInfo?[.constraintName] == constraint
    }
}

/// The submission a portal made under an idempotency key (read at every submission, hence
/// prepared); a row with an unreadable case number comes back as its failure.
private struct PortalEarlierSubmission: PostgresPreparedStatement {
    static let name = "kaiban_portal_earlier_submission"
    static let sql = """
        SELECT c.number, s.request_sha256, s.sealed_password, s.warnings_json FROM submission s
        JOIN registration_case c ON c.id = s.case_id
        WHERE s.portal_id = $1 AND s.key_sha256 = $2
        """
    typealias Row = Result<EarlierSubmission, StoreError>
    var portalID: String
    var keySHA256: String

    func makeBindings() throws -> PostgresBindings {
        try PostgresStatements.bindings(portalID, keySHA256)
    }

    func decodeRow(_ row: PostgresRow) throws -> Result<EarlierSubmission, StoreError> {
        let (text, request, sealed, warnings) = try row.decode((String, String, String, String?).self)
        guard let number = CaseNumber(text) else {
            return .failure(.storage("unreadable case number \(text)"))
        }
        return .success(
            EarlierSubmission(number: number, requestSHA256: request, sealedPassword: sealed, warningsJSON: warnings))
    }
}

/// What a portal's submission reads before its checks, in one statement: the earlier submission
/// under its key, else the name records (``PostgresStatements/ReadNameRecords``, whose bindings
/// $1…$4 it shares).
private struct PortalSubmissionLookup: PostgresPreparedStatement {
    static let name = "kaiban_portal_submission_lookup"
    static let sql = """
        WITH earlier AS (
            SELECT c.number, s.request_sha256, s.sealed_password, s.warnings_json FROM submission s
            JOIN registration_case c ON c.id = s.case_id
            WHERE s.portal_id = $5 AND s.key_sha256 = $6
        )
        (SELECT 'earlier', number, request_sha256, sealed_password, NULL, warnings_json, NULL::timestamptz
        FROM earlier)
        UNION ALL
        (SELECT 'names', names.case_number, names.name, names.trade_name, names.industry, NULL, names.released_at
        FROM (\(PostgresStatements.ReadNameRecords.sql)) AS names
        WHERE NOT EXISTS (SELECT FROM earlier))
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .text]
    enum Row {
        case earlier(Result<EarlierSubmission, StoreError>)
        case names(PostgresStatements.ReadNameRecords.Row)
    }
    var portalID: String
    var keySHA256: String
    var names: NameQuery

    func makeBindings() throws -> PostgresBindings {
        try PostgresStatements.bindings(
            names.division, names.tradeName, names.industry, names.division + "-%", portalID, keySHA256)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (kind, number, second, third, fourth, warnings, released) = try row.decode(
            (String, String, String?, String?, String?, String?, Date?).self)
        if kind == "earlier" {
            guard let request = second, let sealed = third, let parsed = CaseNumber(number) else {
                return .earlier(.failure(.storage("unreadable earlier submission of case \(number)")))
            }
            return .earlier(
                .success(
                    EarlierSubmission(
                        number: parsed, requestSHA256: request, sealedPassword: sealed, warningsJSON: warnings)))
        }
        return .names(PostgresStatements.ReadNameRecords.row(number, second, third, fourth, released))
    }
}

/// A portal case's access with its failed passwords since an instant and its version, in one read
/// (at every request of an applicant, hence prepared).
private struct PortalCaseAccess: PostgresPreparedStatement {
    static let name = "kaiban_portal_case_access"
    static let sql = """
        SELECT a.portal_id, a.password_hash, c.version,
            (SELECT count(*) FROM access_failure f WHERE f.case_number = c.number AND f.at >= $2)
        FROM registration_case c JOIN case_access a ON a.case_id = c.id
        WHERE c.number = $1
        """
    typealias Row = CaseAccess
    var number: String
    var since: Date

    func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(number, since) }

    func decodeRow(_ row: PostgresRow) throws -> CaseAccess {
        let (portal, hash, version, failures) = try row.decode((String, String, Int, Int).self)
        return CaseAccess(portalID: portal, passwordHash: hash, failures: failures, version: version)
    }
}
