import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension KaibanMigrations {
    /// Cases filed by the names, ID numbers, phone and credit codes in them, for `find`: one row
    /// per key (kind, key, case, field: a short code, `CaseStore.fieldCode`), searched through its
    /// primary key; kept in the transaction
    /// of every intake and licence, recomputed by rebuild. Existing cases are filed from their
    /// opening event (the application), their trade name and the credit code issued to them.
    static func caseLookup(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE case_lookup (
                    kind TEXT NOT NULL,
                    key TEXT NOT NULL,
                    case_id INTEGER NOT NULL REFERENCES registration_case(id) ON DELETE CASCADE,
                    field TEXT NOT NULL,
                    PRIMARY KEY (kind, key, case_id, field)
                ) WITHOUT ROWID;
                CREATE INDEX case_lookup_case ON case_lookup(case_id);
                """)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT c.id, c.number, c.trade_name, e.data_json,
                    (SELECT code FROM credit_code WHERE case_number = c.number)
                FROM registration_case c JOIN case_event e ON e.case_id = c.id AND e.sequence = 1
                ORDER BY c.id
                """)
        while let row = try rows.next() {
            let number: String = row[1]
            guard let text = row[3] as String? else {
                throw StoreError.storage("case \(number): its opening event holds no application")
            }
            let opening = try CaseStore.decodeStorage(CaseStore.OpeningData.self, text)
            try CaseStore.fileLookup(
                CaseLookup.entries(of: opening.application, tradeName: row[2], creditCode: row[4]), caseID: row[0], db)
        }
    }
}
