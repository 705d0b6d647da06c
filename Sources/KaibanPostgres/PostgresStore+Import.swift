import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// Copying a hall's SQLite database into PostgreSQL (`kaiban admin migrate-to`), row for row: the
/// histories and everything kept beside them, in one transaction; then, in the same transaction,
/// every case and clerk rebuilt from its history and compared with what was copied. Any
/// difference rolls the whole copy back.
extension PostgresStore {
    /// The tables a copy writes, in an order that respects their references. Rows the database
    /// derives by itself (the counts by day its triggers keep, the schedules' calendar mark) are
    /// not copied: they are made again, and compared.
    package static let copiedTables = [
        "reference_file", "workflow_definition", "division", "calendar_year", "calendar_change",
        "office_hours_version", "clerk", "clerk_event", "clerk_token", "portal", "case_number_counter",
        "credit_code_counter", "registration_case", "case_event", "case_lookup", "credit_code", "registered_name",
        "case_deferral", "deferral_party", "applicant_flag", "submission", "case_access", "access_failure",
        "attachment", "case_mail", "appointment_capacity", "appointment_extension", "appointment",
        "appointment_event", "exchange_partner", "exchange_partner_key", "exchange_partner_change", "exchange_inbox",
        "exchange_dead_letter",
        "exchange_case", "exchange_status", "exchange_outbox",
    ]

    /// Tables the copy leaves for the target to derive.
    package static let derivedTables: Set<String> = ["case_figure_day", "store_meta"]

    /// A column of the target: its type (as PostgreSQL names it) and whether its values come from
    /// a sequence (kept as copied, the sequence moved past them).
    package struct TargetColumn: Sendable {
        var type: String
        var generated: Bool
        var hasDefault: Bool
        var nullable: Bool
    }

    /// The target's tables and columns.
    package func targetColumns() async throws -> [String: [String: TargetColumn]] {
        try await guarded { [self] in
            var tables: [String: [String: TargetColumn]] = [:]
            for try await (table, column, type, identity, defaultValue, nullable) in try await client.query(
                """
                SELECT table_name::text, column_name::text, data_type::text, is_identity::text,
                    column_default::text, is_nullable::text
                FROM information_schema.columns WHERE table_schema = current_schema()
                """, logger: logger
            ).decode((String, String, String, String, String?, String).self) {
                let generated = identity == "YES" || (defaultValue?.hasPrefix("nextval(") ?? false)
                tables[table, default: [:]][column] = TargetColumn(
                    type: type, generated: generated, hasDefault: defaultValue != nil || identity == "YES",
                    nullable: nullable == "YES")
            }
            return tables
        }
    }

    /// Runs what the database leaves for the commit now (the counts by day), so that the
    /// transaction reads them as they will be.
    package func settleDeferred(_ connection: PostgresConnection) async throws {
        _ = try await connection.query("SET CONSTRAINTS ALL IMMEDIATE", logger: logger)
    }

    /// Makes the transaction read instants written without an offset as UTC (SQLite's form),
    /// whatever the server's time zone.
    package func readInstantsAsUTC(_ connection: PostgresConnection) async throws {
        _ = try await connection.query("SET LOCAL TimeZone = 'UTC'", logger: logger)
    }

    /// Locks `tables` (of ``copiedTables``) against every other writer until the transaction ends,
    /// then answers those that hold any row.
    package func lockAndFindRows(_ tables: [String], _ connection: PostgresConnection) async throws -> [String] {
        let known = tables.filter { Self.copiedTables.contains($0) }
        guard !known.isEmpty else { return [] }
        let list = known.map { "\"\($0)\"" }.joined(separator: ", ")
        _ = try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(list) IN EXCLUSIVE MODE"), logger: logger)
        var filled: [String] = []
        for table in known {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \"\(table)\")"), logger: logger)
            if try await rows.decode(Bool.self).first(where: { _ in true }) == true { filled.append(table) }
        }
        return filled
    }

    /// Runs `body` in one transaction within the store's time limit (set a long one for a copy).
    package func inTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try await guarded { [self] in try await transaction(body) }
    }

    /// Writes `rows` into their table inside `connection`'s transaction, each value converted to
    /// the target column's type; a value the type cannot hold is refused naming table, column and row.
    package func copy(_ rows: StoredRows, into columns: [String: TargetColumn], _ connection: PostgresConnection)
        async throws
    {
        guard !rows.rows.isEmpty else { return }
        var names = rows.columns
        var values = rows.rows
        // The SQLite store keys the day's counter by "hall-yyyyMMdd"; this one by hall and day.
        if rows.table == "case_number_counter", let prefix = names.firstIndex(of: "prefix") {
            names.replaceSubrange(prefix...prefix, with: ["hall", "day"])
            values = try values.map { row in
                guard case .text(let text) = row[prefix], let dash = text.lastIndex(of: "-") else {
                    throw StoreError.storage("case_number_counter: unreadable prefix \(row[prefix])")
                }
                let day = text[text.index(after: dash)...]
                guard day.count == 8 else { throw StoreError.storage("case_number_counter: unreadable prefix \(text)") }
                let date = "\(day.prefix(4))-\(day.dropFirst(4).prefix(2))-\(day.suffix(2))"
                var converted = row
                converted.replaceSubrange(prefix...prefix, with: [.text(String(text[..<dash])), .text(date)])
                return converted
            }
        }
        // The hall of a case is the division its number begins with.
        if rows.table == "registration_case", columns["hall"] != nil, !names.contains("hall"),
            let number = names.firstIndex(of: "number")
        {
            names.append("hall")
            values = values.map { row in
                guard case .text(let text) = row[number] else { return row + [.null] }
                return row + [.text(String(text.prefix { $0 != "-" }))]
            }
        }
        // A hall's schema takes that hall's cases only (the command refuses such a source first).
        if rows.table == "registration_case", let hall, let number = names.firstIndex(of: "number"),
            let other = values.lazy.compactMap({ row -> String? in
                guard case .text(let text) = row[number], !text.hasPrefix(hall + "-") else { return nil }
                return text
            }).first
        {
            throw StoreError.storage(
                "registration_case: the case \(other) is not of hall \(hall), whose schema this is")
        }
        for name in names where columns[name] == nil {
            throw StoreError.storage("\(rows.table).\(name) has no column on PostgreSQL: nothing would keep it")
        }
        let types = names.map { columns[$0]?.type ?? "text" }
        let overriding = names.contains { columns[$0]?.generated == true } ? " OVERRIDING SYSTEM VALUE" : ""
        let columnList = names.map { "\"\($0)\"" }.joined(separator: ", ")
        // At most about 30,000 parameters per statement (PostgreSQL takes 65,535).
        let perStatement = max(1, 30_000 / max(1, names.count))
        var start = 0
        while start < values.count {
            let slice = values[start..<min(values.count, start + perStatement)]
            var bindings = PostgresBindings(capacity: slice.count * names.count)
            var tuples: [String] = []
            var parameter = 0
            for (offset, row) in slice.enumerated() {
                var placeholders: [String] = []
                for (index, value) in row.enumerated() {
                    parameter += 1
                    placeholders.append("$\(parameter)::\(types[index])")
                    do {
                        if let text = try Self.targetText(value, type: types[index]) {
                            bindings.append(text)
                        } else {
                            bindings.appendNull()
                        }
                    } catch {
                        throw StoreError.storage(
                            "\(rows.table) row \(start + offset + 1), column \(names[index]): \(error)")
                    }
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            let sql =
                "INSERT INTO \"\(rows.table)\" (\(columnList))\(overriding) VALUES " + tuples.joined(separator: ", ")
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            start += slice.count
        }
    }

    /// Moves every sequence of `tables` past the largest value copied.
    package func advanceSequences(_ columns: [String: [String: TargetColumn]], _ connection: PostgresConnection)
        async throws
    {
        for (table, tableColumns) in columns.sorted(by: { $0.key < $1.key }) {
            for (column, target) in tableColumns where target.generated {
                _ = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT setval(pg_get_serial_sequence('"\(table)"', '\(column)'),
                                coalesce(max("\(column)"), 1), max("\(column)") IS NOT NULL) FROM "\(table)"
                            """), logger: logger)
            }
        }
    }

    /// Why a value cannot be written.
    struct Unconvertible: Error, CustomStringConvertible {
        var description: String
    }

    /// A SQLite value as PostgreSQL text input for a column of `type` (nil for NULL).
    static func targetText(_ value: StoredValue, type: String) throws -> String? {
        switch (value, type) {
        case (.null, _):
            return nil
        case (.integer(let number), "boolean"):
            return number == 0 ? "false" : "true"
        case (.integer(let seconds), "timestamp with time zone"):
            return timestampText(Double(seconds))
        case (.real(let seconds), "timestamp with time zone"):
            return timestampText(seconds)
        case (.text(let text), "timestamp with time zone"):
            // GRDB's "yyyy-MM-dd HH:mm:ss.SSS" (UTC), or ISO 8601 with its own offset.
            if text.count >= 19, text.dropFirst(10).first == " " || text.dropFirst(10).first == "T",
                !text.dropFirst(19).contains(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
            {
                return text + "+00"
            }
            return text
        case (.integer(let number), _):
            return "\(number)"
        case (.real(let number), _):
            return "\(number)"
        case (.text(let text), "bytea"):
            return "\\x" + Data(text.utf8).map { String(format: "%02x", $0) }.joined()
        case (.text(let text), _):
            guard !text.contains("\u{0}") else { throw Unconvertible(description: "a NUL character in text") }
            return text
        case (.blob(let data), "bytea"):
            return "\\x" + data.map { String(format: "%02x", $0) }.joined()
        case (.blob(let data), _):
            guard let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else {
                throw Unconvertible(description: "bytes that are no text, for a \(type) column")
            }
            return text
        }
    }

    /// Unix seconds as PostgreSQL timestamp input, in UTC, to the microsecond.
    static func timestampText(_ seconds: Double) -> String {
        let micros = Int64((seconds * 1_000_000).rounded(.down))
        let whole = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - whole * 1_000_000
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let second = Int(whole - days * 86_400)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = HallTime.civilDate(fromDaysSinceEpoch: Int(days))
        return
            "\(date) \(pad(Int64(second / 3600), 2)):\(pad(Int64(second % 3600 / 60), 2)):\(pad(Int64(second % 60), 2))."
            + "\(pad(fraction, 6))+00"
    }

    /// The counts by day the database derived from what was copied, as text rows (day, measure,
    /// channel, type, stage, count; the halls' counts added up, as the reports add them), for
    /// comparison with the source's; nil when it keeps none.
    package func figureDays(_ columns: [String: [String: TargetColumn]], _ connection: PostgresConnection)
        async throws -> Set<[String]>?
    {
        guard let table = columns["case_figure_day"], table["count"] != nil else { return nil }
        var rows: Set<[String]> = []
        for try await (day, measure, channel, type, stage, count) in try await connection.query(
            """
            SELECT day::text, measure, channel, enterprise_type, stage, sum(count)::bigint FROM case_figure_day
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(count) <> 0
            """, logger: logger
        ).decode((String, String, String, String, String, Int64).self) {
            rows.insert([day, measure, channel, type, stage, "\(count)"])
        }
        return rows
    }
}
