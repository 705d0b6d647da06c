import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Open cases, oldest first (the most urgent until SLA figures exist), optionally only in
    /// `stages`. Uses the partial indexes on open cases: closed cases are never scanned.
    package func queue(stages: [String]?, limit: Int?) throws -> [QueueEntry] {
        try read { db in
            var sql = """
                SELECT number, stage, channel, enterprise_type, proposed_name, opened_at, updated_at, version,
                    workflow_id, workflow_version, clock_segments
                FROM registration_case WHERE closed_at IS NULL
                """
            var arguments: StatementArguments = []
            if let stages {
                guard !stages.isEmpty else { return [] }
                sql += " AND stage IN (\(stages.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(stages)
            }
            if let limit {
                sql += " ORDER BY opened_at, number LIMIT ?"
                arguments += [limit]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let number = CaseNumber(row["number"]),
                    let channel = Channel(rawValue: row["channel"]),
                    let type = EnterpriseType(rawValue: row["enterprise_type"])
                else { return nil }
                return QueueEntry(
                    number: number, stage: row["stage"], channel: channel, enterpriseType: type,
                    proposedName: row["proposed_name"], openedAt: row["opened_at"], updatedAt: row["updated_at"],
                    version: row["version"],
                    workflow: WorkflowDefinition.Key(id: row["workflow_id"], version: row["workflow_version"]),
                    segments: ClockSegment.decode((row["clock_segments"] as String?)?[...] ?? "") ?? [])
            }
        }
    }

    /// The query plan SQLite picks for the worklist (for tests and benchmarks).
    package func queuePlan(stages: [String]?) throws -> String {
        try read { db in
            let filter = stages.map { " AND stage IN (\($0.map { "'\($0)'" }.joined(separator: ",")))" } ?? ""
            return try Row.fetchAll(
                db,
                sql:
                    "EXPLAIN QUERY PLAN SELECT number FROM registration_case WHERE closed_at IS NULL\(filter) ORDER BY opened_at, number LIMIT 50"
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    /// Streams the cases closed in `stages` between two instants (the SLA report's population) to
    /// `body`, read through the covering index on closing time: the wide rows are never touched.
    package func forEachClosedCase(from: Date, to: Date, stages: [String], _ body: (ClosedCaseRow) throws -> Void)
        throws
    {
        guard !stages.isEmpty else { return }
        try read { db in
            let placeholders = stages.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT channel, enterprise_type, opened_by, workflow_id, workflow_version, clock_segments
                    FROM registration_case
                    WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ? AND stage IN (\(placeholders))
                    """,
                arguments: StatementArguments([from, to] as [any DatabaseValueConvertible]) + StatementArguments(stages)
            )
            while let row = try rows.next() {
                // Positional access: this loop runs once per closed case.
                let text: String = row[5]
                try body(
                    ClosedCaseRow(
                        channel: row[0], enterpriseType: row[1], openedBy: row[2],
                        workflow: WorkflowDefinition.Key(id: row[3], version: row[4]),
                        segments: ClockSegment.decode(text[...]) ?? []))
            }
        }
    }

    /// The query plan of the open-applications-by-name read (for tests).
    package func openNamesPlan() throws -> String {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT number FROM registration_case
                    WHERE closed_at IS NULL AND trade_name = ? AND industry = ? AND number LIKE ?
                    """, arguments: ["青禾", "农业科技", "510811-%"]
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    /// The query plan of the SLA report's read (for tests and benchmarks).
    package func closedCasesPlan() throws -> String {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT channel, enterprise_type, opened_by, workflow_id, workflow_version,
                        clock_segments
                    FROM registration_case WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ? AND stage IN (?)
                    """, arguments: [Date(timeIntervalSince1970: 0), Date(), "completed"]
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    /// The cases closed in `stages` between two instants, as a list.
    package func closedCases(from: Date, to: Date, stages: [String]) throws -> [ClosedCaseRow] {
        var result: [ClosedCaseRow] = []
        try forEachClosedCase(from: from, to: to, stages: stages) { result.append($0) }
        return result
    }

    package func caseCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case") ?? 0 }
    }

    package func summary() throws -> DeskSummary {
        try read { db in
            func grouped(_ column: String, _ filter: String = "") throws -> [String: Int] {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(column) AS key, COUNT(*) AS n FROM registration_case \(filter) GROUP BY \(column)")
                return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as String, $0["n"] as Int) })
            }
            return DeskSummary(
                total: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case") ?? 0,
                open: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case WHERE closed_at IS NULL") ?? 0,
                byStage: try grouped("stage"), byChannel: try grouped("channel"),
                events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event") ?? 0)
        }
    }

    /// Replays every case's history and rewrites every derived column of its projection row
    /// that differs from the replay, reporting the cases repaired. Proves that the history is the
    /// truth.
    package func rebuild() throws -> RebuildReport {
        try write { db in
            var report = RebuildReport(cases: 0, events: 0, repaired: [])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, workflow_id, workflow_version, stage, version, channel, enterprise_type,
                        proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments
                    FROM registration_case ORDER BY number
                    """)
            for row in rows {
                let text: String = row["number"]
                guard let number = CaseNumber(text) else { throw StoreError.storage("malformed case number \(text)") }
                let events = try fetchEvents(number, db)
                let state = try fetchCase(number, db)
                report.cases += 1
                report.events += events.count
                if Self.projection(of: state) != Self.projection(of: row) {
                    report.repaired.append(text)
                    try repairProjection(state, db)
                }
            }
            return report
        }
    }

    /// The derived columns of a case's projection row, as the replay of its history gives them.
    static func projection(of state: RegistrationCase) -> [String] {
        [
            state.definition.id, "\(state.definition.version)", state.stage, "\(state.version)",
            state.application.channel.rawValue, state.application.enterpriseType.rawValue,
            state.application.proposedName,
            state.openedBy, HallTime.utcText(of: state.openedAt), HallTime.utcText(of: state.updatedAt),
            state.closedAt.map(HallTime.utcText(of:)) ?? "", ClockSegment.encode(state.segments),
        ]
    }

    /// The same columns as stored.
    static func projection(of row: Row) -> [String] {
        let version: Int = row["workflow_version"]
        let caseVersion: Int = row["version"]
        let opened: Date = row["opened_at"]
        let updated: Date = row["updated_at"]
        let closed: Date? = row["closed_at"]
        return [
            row["workflow_id"], "\(version)", row["stage"], "\(caseVersion)", row["channel"], row["enterprise_type"],
            row["proposed_name"], row["opened_by"], HallTime.utcText(of: opened), HallTime.utcText(of: updated),
            closed.map(HallTime.utcText(of:)) ?? "", row["clock_segments"],
        ]
    }

    /// Rewrites every derived column of the case's projection row from `state`.
    func repairProjection(_ state: RegistrationCase, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE registration_case SET workflow_id = ?, workflow_version = ?, stage = ?, version = ?, channel = ?,
                    enterprise_type = ?, proposed_name = ?, opened_by = ?, opened_at = ?, updated_at = ?, closed_at = ?,
                    clock_segments = ?
                WHERE number = ?
                """,
            arguments: [
                state.definition.id, state.definition.version, state.stage, state.version,
                state.application.channel.rawValue, state.application.enterpriseType.rawValue,
                state.application.proposedName, state.openedBy, state.openedAt, state.updatedAt, state.closedAt,
                ClockSegment.encode(state.segments), state.number.description,
            ])
    }
}
