import Foundation
import PostgresNIO

/// The statements of the hot paths, prepared once per connection (postgres-nio keeps them by
/// name): parsing and planning each time was a large part of an opening's cost.
enum PostgresStatements {
    /// The values bound to a statement's $1, $2, … in order.
    static func bindings<each Value: PostgresEncodable>(_ values: repeat each Value) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        repeat try bindings.append(each values)
        return bindings
    }

    /// The next number of a hall's day; the counter row stays locked until the transaction ends.
    struct NextNumber: PostgresPreparedStatement {
        static let name = "kaiban_next_number"
        static let sql = """
            INSERT INTO case_number_counter (hall, day, last) VALUES ($1, $2::date, 1)
            ON CONFLICT (hall, day) DO UPDATE SET last = case_number_counter.last + 1
            RETURNING last
            """
        typealias Row = Int
        var hall: String
        var day: String

        func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(hall, day) }

        func decodeRow(_ row: PostgresRow) throws -> Int { try row.decode(Int.self) }
    }

    /// A new case row; its id.
    struct InsertCase: PostgresPreparedStatement {
        static let name = "kaiban_insert_case"
        static let sql = """
            INSERT INTO registration_case (number, hall, channel, stage, opened_at)
            VALUES ($1, $2, $3, $4, $5) RETURNING id
            """
        typealias Row = Int64
        var number: String
        var hall: String
        var channel: String
        var stage: String
        var at: Date

        func makeBindings() throws -> PostgresBindings {
            try PostgresStatements.bindings(number, hall, channel, stage, at)
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// A case's opening event (sequence 1).
    struct InsertOpening: PostgresPreparedStatement {
        static let name = "kaiban_insert_opening"
        static let sql = """
            INSERT INTO case_event (case_id, sequence, at, kind, actor, to_stage) VALUES ($1, 1, $2, 0, $3, $4)
            """
        typealias Row = ()
        var caseID: Int64
        var at: Date
        var actor: String
        var stage: String

        func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(caseID, at, actor, stage) }

        func decodeRow(_ row: PostgresRow) throws {}
    }
}
