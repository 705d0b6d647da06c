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

    /// Replays every case's history and rewrites its current-state row from it, reporting any row
    /// that differed. Proves that the history is the truth.
    package func rebuild() throws -> RebuildReport {
        try write { db in
            var report = RebuildReport(cases: 0, events: 0, repaired: [])
            let numbers = try String.fetchAll(db, sql: "SELECT number FROM registration_case ORDER BY number")
            for text in numbers {
                guard let number = CaseNumber(text) else { throw StoreError.storage("malformed case number \(text)") }
                let events = try fetchEvents(number, db)
                guard let key = events.first?.definition else {
                    throw HistoryError(number: number, sequence: 0, issue: "no opening event")
                }
                let replayed = try RegistrationCase.replay(events, number: number, definition: try definition(key, db))
                let stored = try fetchCase(number, db)
                report.cases += 1
                report.events += events.count
                if stored != replayed {
                    report.repaired.append(text)
                    try updateCase(replayed, previousVersion: nil, db)
                }
            }
            return report
        }
    }
}
