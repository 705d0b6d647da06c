import Foundation
import GRDB
import KaibanDesk

extension CaseStore {
    /// The tables of the database, with how many rows each holds (SQLite's own and GRDB's left out).
    package func tableCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for table in try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master
                    WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'
                    """)
            {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? 0
            }
            return counts
        }
    }

    /// What the file holds of a hall other than `hall`, named (a case, a day's numbers, office
    /// hours while it has none of `hall`'s), or nil when it is `hall`'s alone: a file with no case
    /// yet is known by its office hours (its bookings were made against them).
    package func recordOfAnotherHall(than hall: String) throws -> (zh: String, en: String)? {
        try read { db in
            if let number = try String.fetchOne(
                db, sql: "SELECT number FROM registration_case WHERE substr(number, 1, 7) <> ? LIMIT 1",
                arguments: [hall + "-"])
            {
                return ("办件\(number)", "case \(number)")
            }
            if let prefix = try String.fetchOne(
                db, sql: "SELECT prefix FROM case_number_counter WHERE substr(prefix, 1, 7) <> ? LIMIT 1",
                arguments: [hall + "-"])
            {
                return ("办件编号\(prefix)", "case numbers \(prefix)")
            }
            if let other = try String.fetchOne(
                db,
                sql: """
                    SELECT hall FROM office_hours_version
                    WHERE NOT EXISTS (SELECT 1 FROM office_hours_version WHERE hall = ?) LIMIT 1
                    """, arguments: [hall])
            {
                return ("大厅\(other)的办公时间", "office hours of hall \(other)")
            }
            return nil
        }
    }

    /// Reads `tables` in that order, each whole, in one read transaction (one state of the file,
    /// whatever is written meanwhile), handing `batch` rows at a time to `each` (which may wait:
    /// the read waits with it).
    package func export(_ tables: [String], batch: Int, _ each: (StoredRows) throws -> Void) throws {
        try read { db in
            for table in tables {
                // The outbox in the order it was written: PostgreSQL numbers its rows as copied.
                let order = table == "exchange_outbox" ? " ORDER BY rowid" : ""
                let statement = try db.makeStatement(sql: "SELECT * FROM \"\(table)\"" + order)
                let columns = statement.columnNames
                var rows: [[StoredValue]] = []
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    rows.append(columns.indices.map { Self.storedValue(row[$0] as DatabaseValue) })
                    if rows.count == batch {
                        try each(StoredRows(table: table, columns: columns, rows: rows))
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                if !rows.isEmpty { try each(StoredRows(table: table, columns: columns, rows: rows)) }
            }
        }
    }

    static func storedValue(_ value: DatabaseValue) -> StoredValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}
