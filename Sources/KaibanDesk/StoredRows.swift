import Foundation

/// A value of a stored row as one store hands it to another (`kaiban admin migrate-to`): what
/// SQLite keeps, without any store's types.
package enum StoredValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// Some rows of one table: its columns, then each row's values in their order.
package struct StoredRows: Sendable {
    package var table: String
    package var columns: [String]
    package var rows: [[StoredValue]]

    package init(table: String, columns: [String], rows: [[StoredValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
