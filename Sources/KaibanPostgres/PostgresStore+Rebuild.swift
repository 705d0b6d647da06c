import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// A rebuild on PostgreSQL, as on SQLite: every case's history replayed, and every row derived
/// from it that differs rewritten (the projection, the lookup, the registered name, the credit
/// code, what the case's other parts keep beside it), then the clerks from theirs. It works through
/// the cases in chunks, each its own short transaction with the chunk's rows locked, so the desk
/// stays open meanwhile.
extension PostgresStore {
    /// Cases a rebuild checks per transaction.
    package static let rebuildChunk = 200

    public func rebuild(clock: SLAClock) async throws -> RebuildReport {
        // Definitions first: a version never changes, and none is read inside the transactions.
        var definitions: [WorkflowDefinition.Key: WorkflowDefinition] = [:]
        for definition in try await self.definitions() { definitions[definition.key] = definition }
        let known = definitions
        var report = RebuildReport(cases: 0, events: 0, repaired: [])
        var after: Int64 = -1
        while true {
            let from = after
            let (part, last) = try await guarded { [self] in
                try await transaction { [self] connection in
                    try await rebuildChunk(after: from, definitions: known, clock: clock, connection)
                }
            }
            report.cases += part.cases
            report.events += part.events
            report.repaired += part.repaired
            guard let last, part.cases == Self.rebuildChunk else { break }
            after = last
        }
        report.clerksRepaired = try await guarded { [self] in
            try await transaction { [self] connection in try await rebuildClerks(connection) }
        }
        report.orphansRemoved = try await guarded { [self] in
            try await transaction { [self] connection in
                var removed = 0
                for statement: PostgresQuery in [
                    """
                    WITH gone AS (
                        DELETE FROM case_lookup WHERE case_id NOT IN (SELECT id FROM registration_case) RETURNING 1
                    ) SELECT count(*) FROM gone
                    """,
                    """
                    WITH gone AS (
                        DELETE FROM registered_name WHERE case_number NOT IN (SELECT number FROM registration_case)
                        RETURNING 1
                    ) SELECT count(*) FROM gone
                    """,
                ] {
                    removed += try await connection.query(statement, logger: logger).decode(Int.self).reduce(0) {
                        $0 + $1
                    }
                }
                return removed
            }
        }
        report.figureDaysRepaired = try await repairFigureDays()
        return report
    }

    /// One chunk: the cases after id `after`, at most ``rebuildChunk``, their rows locked; the
    /// chunk's report and the last id seen.
    package func rebuildChunk(
        after: Int64, definitions: [WorkflowDefinition.Key: WorkflowDefinition], clock: SLAClock,
        _ connection: PostgresConnection
    ) async throws -> (RebuildReport, Int64?) {
        var report = RebuildReport(cases: 0, events: 0, repaired: [])
        let rows = try await connection.query(
            """
            SELECT id, number, \(unescaped: Self.projectionColumns)
            FROM registration_case WHERE id > \(after) ORDER BY id LIMIT \(Self.rebuildChunk) FOR UPDATE
            """, logger: logger)
        var cases: [(id: Int64, number: String, stored: [String])] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            cases.append(
                (try cells[0].decode(Int64.self), try cells[1].decode(String.self), try Self.storedProjection(cells)))
        }
        for (id, text, stored) in cases {
            guard let number = CaseNumber(text) else { throw StoreError.storage("malformed case number \(text)") }
            let events = try await fetchEvents(caseID: id, number: number, connection)
            guard let key = events.first?.definition else {
                throw HistoryError(number: number, sequence: 1, issue: "the first event is not a well-formed opening")
            }
            guard let definition = definitions[key] else { throw StoreError.definitionNotFound(key) }
            let state = try RegistrationCase.replay(events, number: number, definition: definition)
            let schedule = clock.schedule(state, budgetMinutes: definition.budgetMinutes)
            let parts =
                try await openingNameParts(caseID: id, connection)
                ?? NameParts(tradeName: stored[15], industry: stored[16])
            report.cases += 1
            report.events += events.count
            var repaired = try await repairLookup(state, tradeName: parts.tradeName, caseID: id, connection)
            if try await repairRegisteredName(state, parts, revoked: definition.revocation(in: events), connection) {
                repaired = true
            }
            if try await repairBeside(state, definition, caseID: id, connection) { repaired = true }
            if Self.projection(of: state, schedule, parts) != stored {
                repaired = true
                try await repairProjection(state, schedule, parts, caseID: id, connection)
            }
            if let code = state.creditCode, try await creditCodeHolder(code, connection) != text {
                repaired = true
                let issued = events.first { $0.creditCode == code }?.at ?? state.updatedAt
                _ = try await connection.query(
                    "DELETE FROM credit_code WHERE case_number = \(text) OR code = \(code)", logger: logger)
                _ = try await connection.query(
                    """
                    INSERT INTO credit_code (code, case_number, issued_at)
                    VALUES (\(code), \(text), \(Self.milliseconds(issued)))
                    """, logger: logger)
            }
            if repaired { report.repaired.append(text) }
        }
        return (report, cases.last?.id)
    }

    /// Writes again what the deferral and mail parts keep beside case `caseID`, as its history
    /// gives them (a deferral's row and its people, the mail row; none where the history gives none); whether
    /// anything differed from what was there, as the SQLite store's rebuild tells it.
    private func repairBeside(
        _ state: RegistrationCase, _ definition: WorkflowDefinition, caseID: Int64, _ connection: PostgresConnection
    ) async throws -> Bool {
        let before = try await besideRows(caseID: caseID, connection)
        _ = try await connection.query("DELETE FROM deferral_party WHERE case_id = \(caseID)", logger: logger)
        _ = try await connection.query("DELETE FROM case_deferral WHERE case_id = \(caseID)", logger: logger)
        _ = try await connection.query("DELETE FROM case_mail WHERE case_id = \(caseID)", logger: logger)
        try await writeDeferralRows(state, parties: true, caseID: caseID, connection)
        try await writeMailRow(state, definition, caseID: caseID, connection)
        return try await besideRows(caseID: caseID, connection) != before
    }

    /// The deferral row, the deferral's people (in order) and the mail row of case `caseID`, as text.
    private func besideRows(caseID: Int64, _ connection: PostgresConnection) async throws -> String {
        try await connection.query(
            """
            SELECT concat_ws(' | ',
                (SELECT row_to_json(d)::text FROM case_deferral d WHERE case_id = \(caseID)),
                (SELECT string_agg(id_number, ',' ORDER BY id_number) FROM deferral_party WHERE case_id = \(caseID)),
                (SELECT row_to_json(m)::text FROM case_mail m WHERE case_id = \(caseID)))
            """, logger: logger
        ).decode(String.self).first(where: { _ in true }) ?? ""
    }

    /// The case the registry holds `code` for, if any.
    private func creditCodeHolder(_ code: String, _ connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT case_number FROM credit_code WHERE code = \(code)", logger: logger)
            .decode(String.self).first(where: { _ in true })
    }

    /// The name parts the opening event kept (nil for an opening without them).
    private func openingNameParts(caseID: Int64, _ connection: PostgresConnection) async throws -> NameParts? {
        let text =
            try await connection.query(
                "SELECT data_json FROM case_event WHERE case_id = \(caseID) AND sequence = 1", logger: logger
            ).decode(String?.self).first(where: { _ in true }) ?? nil
        return try text.flatMap { try StoredHistory.decode(StoredHistory.Opening.self, $0).nameParts }
    }

    /// The projection's derived columns, in ``projection(of:_:_:)``'s order.
    static let projectionColumns = """
        workflow_id, workflow_version, stage, version, channel, enterprise_type, proposed_name, opened_by,
        opened_at, updated_at, closed_at, clock_segments, government_minutes, remaining_minutes, due_at, trade_name,
        industry, special_kind
        """

    /// The derived columns as the replay of a history gives them, as text (instants as the store
    /// keeps them: the projection's to the millisecond, the due time to the second).
    static func projection(of state: RegistrationCase, _ schedule: CaseSchedule, _ parts: NameParts) -> [String] {
        [
            state.definition.id, "\(state.definition.version)", state.stage, "\(state.version)",
            state.application.channel.rawValue, state.application.enterpriseType.rawValue,
            state.application.proposedName, state.openedBy, instantText(milliseconds(state.openedAt)),
            instantText(milliseconds(state.updatedAt)), state.closedAt.map { instantText(milliseconds($0)) } ?? "",
            ClockSegment.encode(state.segments, extra: state.extraWorkingTime), "\(schedule.governmentMinutes)",
            schedule.remainingMinutes.map(String.init) ?? "",
            schedule.dueAt.map { instantText(wholeSeconds($0)) } ?? "", parts.tradeName, parts.industry,
            state.special?.kind.rawValue ?? "",
        ]
    }

    /// The same columns as stored (the row's cells after its id and number).
    static func storedProjection(_ cells: PostgresRandomAccessRow) throws -> [String] {
        [
            try cells[2].decode(String.self), "\(try cells[3].decode(Int.self))", try cells[4].decode(String.self),
            "\(try cells[5].decode(Int.self))", try cells[6].decode(String.self), try cells[7].decode(String.self),
            try cells[8].decode(String.self), try cells[9].decode(String.self),
            instantText(try cells[10].decode(Date.self)), try cells[11].decode(Date?.self).map(instantText) ?? "",
            try cells[12].decode(Date?.self).map(instantText) ?? "", try cells[13].decode(String.self),
            try cells[14].decode(Int?.self).map(String.init) ?? "",
            try cells[15].decode(Int?.self).map(String.init) ?? "",
            try cells[16].decode(Date?.self).map(instantText) ?? "", try cells[17].decode(String.self),
            try cells[18].decode(String.self), try cells[19].decode(String?.self) ?? "",
        ]
    }

    /// An instant as exact text, for comparing what is stored with what the history gives.
    static func instantText(_ date: Date) -> String { "\(date.timeIntervalSince1970)" }

    /// Rewrites every derived column of the case's row from `state`.
    private func repairProjection(
        _ state: RegistrationCase, _ schedule: CaseSchedule, _ parts: NameParts, caseID: Int64,
        _ connection: PostgresConnection
    ) async throws {
        _ = try await connection.query(
            """
            UPDATE registration_case SET workflow_id = \(state.definition.id),
                workflow_version = \(state.definition.version), stage = \(state.stage), version = \(state.version),
                channel = \(state.application.channel.rawValue),
                enterprise_type = \(state.application.enterpriseType.rawValue),
                proposed_name = \(state.application.proposedName), opened_by = \(state.openedBy),
                opened_at = \(Self.milliseconds(state.openedAt)), updated_at = \(Self.milliseconds(state.updatedAt)),
                closed_at = \(state.closedAt.map(Self.milliseconds)),
                clock_segments = \(ClockSegment.encode(state.segments, extra: state.extraWorkingTime)),
                government_minutes = \(schedule.governmentMinutes), remaining_minutes = \(schedule.remainingMinutes),
                due_at = \(schedule.dueAt.map(Self.wholeSeconds)), trade_name = \(parts.tradeName),
                industry = \(parts.industry), special_kind = \(state.special?.kind.rawValue)
            WHERE id = \(caseID)
            """, logger: logger)
    }

    /// Makes the case's lookup entries those its history gives; whether they differed.
    private func repairLookup(
        _ state: RegistrationCase, tradeName: String, caseID: Int64, _ connection: PostgresConnection
    )
        async throws -> Bool
    {
        let entries = CaseLookup.entries(of: state.application, tradeName: tradeName, creditCode: state.creditCode)
        let expected = Set(entries.map { [StoredLookup.kindCode($0.kind), $0.key, StoredLookup.fieldCode($0.field)] })
        var stored: Set<[String]> = []
        for try await (kind, key, field) in try await connection.query(
            "SELECT kind, key, field FROM case_lookup WHERE case_id = \(caseID)", logger: logger
        ).decode((String, String, String).self) {
            stored.insert([kind, key, field])
        }
        guard expected != stored else { return false }
        _ = try await connection.query("DELETE FROM case_lookup WHERE case_id = \(caseID)", logger: logger)
        try await fileLookup(entries, caseID: caseID, connection)
        return true
    }

    /// Makes the case's registered name the one its licence registered (none before the licence),
    /// released when its registration was revoked (`revoked`, from the history); whether it differed.
    private func repairRegisteredName(
        _ state: RegistrationCase, _ parts: NameParts, revoked: Date?, _ connection: PostgresConnection
    ) async throws -> Bool {
        let number = state.number.description
        let expected: [String]? =
            state.creditCode != nil && !parts.tradeName.isEmpty
            ? [state.number.division, state.application.proposedName, parts.tradeName, parts.industry] : nil
        let row = try await connection.query(
            """
            SELECT division, name, trade_name, industry, released_at FROM registered_name
            WHERE case_number = \(number)
            """,
            logger: logger
        ).decode((String, String, String, String, Date?).self).first(where: { _ in true })
        let stored = row.map { [$0.0, $0.1, $0.2, $0.3] }
        let release = revoked.map(Self.milliseconds)
        guard stored != expected || (expected != nil && row?.4 != release) else { return false }
        _ = try await connection.query("DELETE FROM registered_name WHERE case_number = \(number)", logger: logger)
        if let expected {
            _ = try await connection.query(
                """
                INSERT INTO registered_name (case_number, division, name, trade_name, industry, released_at)
                VALUES (\(number), \(expected[0]), \(expected[1]), \(expected[2]), \(expected[3]), \(release))
                """, logger: logger)
        }
        return true
    }

    /// Rewrites every clerk whose roles or standing differ from their history; the clerks rewritten.
    package func rebuildClerks(_ connection: PostgresConnection) async throws -> [String] {
        // The register held first, as a clerk's change holds it: no change commits between the
        // history read here and the rows rewritten from it.
        _ = try await connection.query("LOCK TABLE clerk IN SHARE ROW EXCLUSIVE MODE", logger: logger)
        var derived: [String: (roles: Set<String>, active: Bool)] = [:]
        for try await (id, kind, roles) in try await connection.query(
            "SELECT clerk_id, kind, roles FROM clerk_event ORDER BY clerk_id, sequence", logger: logger
        ).decode((String, String, String).self) {
            let set = Set(roles.split(separator: " ").map(String.init))
            switch ClerkEvent.Kind(rawValue: kind) {
            case .added: derived[id] = (set, true)
            case .rolesChanged: derived[id] = (set, derived[id]?.active ?? true)
            case .deactivated: derived[id] = (derived[id]?.roles ?? set, false)
            case nil: throw StoreError.storage("clerk \(id): unknown event kind \(kind)")
            }
        }
        var stored: [String: (roles: Set<String>, active: Bool)] = [:]
        for try await (id, roles, active) in try await connection.query(
            "SELECT id, roles, active FROM clerk FOR UPDATE", logger: logger
        ).decode((String, String, Bool).self) {
            stored[id] = (Set(roles.split(separator: " ").map(String.init)), active)
        }
        var repaired: [String] = []
        for (id, state) in derived.sorted(by: { $0.key < $1.key }) {
            let roles = state.roles.sorted().joined(separator: " ")
            guard let row = stored[id] else {
                // A clerk with a history but no row: back, under their id (the name is not kept in
                // the history).
                _ = try await connection.query(
                    "INSERT INTO clerk (id, name, roles, active) VALUES (\(id), \(id), \(roles), \(state.active))",
                    logger: logger)
                repaired.append(id)
                continue
            }
            if row.roles != state.roles || row.active != state.active {
                _ = try await connection.query(
                    "UPDATE clerk SET roles = \(roles), active = \(state.active) WHERE id = \(id)", logger: logger)
                repaired.append(id)
            }
        }
        return repaired
    }
}
