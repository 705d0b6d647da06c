import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// The dashboard's read of a period's closed cases: through the report index on closing time
    /// (`registration_case_report`), each row then read for its clock segments.
    static func closedTimesSQL(stages: Int) -> String {
        """
        SELECT closed_at, workflow_id, workflow_version, government_minutes, clock_segments
        FROM registration_case INDEXED BY registration_case_report
        WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ?
            AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ",")))
        """
    }

    /// See ``DeskStore/closedCaseTimes(from:to:stages:)``.
    package func closedCaseTimes(from: Date, to: Date, stages: [String]) throws -> [ClosedCaseTime] {
        guard !stages.isEmpty else { return [] }
        return try read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: Self.closedTimesSQL(stages: stages.count)),
                arguments: StatementArguments([Self.storageText(from), Self.storageText(to)])
                    + StatementArguments(stages))
            var result: [ClosedCaseTime] = []
            while let row = try rows.next() {
                guard let closedAt = row[0] as Date? else {
                    throw StoreError.storage("a closed case has an unreadable closing instant")
                }
                result.append(
                    ClosedCaseTime(
                        closedAt: closedAt, workflow: WorkflowDefinition.Key(id: row[1], version: row[2]),
                        governmentMinutes: row[3], clockSegments: row[4] ?? ""))
            }
            return result
        }
    }

    /// How SQLite runs the dashboard's read (for tests).
    package func closedTimesPlan() throws -> String {
        try queryPlan(
            Self.closedTimesSQL(stages: 2),
            [
                Self.storageText(Date(timeIntervalSince1970: 0)), Self.storageText(Date(timeIntervalSince1970: 1)),
                "completed", "completed-deferred",
            ])
    }
}
