import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Replaces the stored divisions with those of a file.
    package func loadDivisions(_ divisions: [Division], source: ReferenceSource) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM division")
            let insert = try db.makeStatement(
                sql: "INSERT OR REPLACE INTO division (code, name, valid_from, valid_to, note) VALUES (?, ?, ?, ?, ?)")
            for division in divisions {
                try insert.execute(arguments: [
                    division.code, division.name, division.validFrom.description, division.validTo?.description,
                    division.note,
                ])
            }
            try recordReference(source, db)
        }
    }

    /// What is known of `code` on `date`: its names over time and its parents' names.
    package func division(_ code: String, on date: CivilDate) throws -> DivisionStatus {
        try read { db in try division(code, on: date, db) }
    }

    func division(_ code: String, on date: CivilDate, _ db: Database) throws -> DivisionStatus {
        func entries(_ code: String) throws -> [Division] {
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM division WHERE code = ? ORDER BY valid_from"), arguments: [code]
            ).compactMap { row in
                guard let from = CivilDate(row["valid_from"] as String) else { return nil }
                return Division(
                    code: row["code"], name: row["name"], validFrom: from,
                    validTo: (row["valid_to"] as String?).flatMap(CivilDate.init), note: row["note"])
            }
        }
        let parents = try Division.parents(of: code).flatMap(entries)
        return DivisionStatus(code: code, on: date, history: try entries(code), parents: parents)
    }

    /// How many divisions are loaded (0 before the first sync).
    package func divisionCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM division") ?? 0 }
    }
}
