import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Issues a new unified social credit code for `state` inside the licence's transaction: the
    /// next issue number of market regulation (9), the entity's type and the hall's division, with
    /// both check characters. The code is unique and never reused; the name is registered with it.
    func issueCreditCode(for state: RegistrationCase, at now: Date, _ db: Database) throws -> CreditCode {
        let type = state.application.enterpriseType.creditCodeType
        let division = state.number.division
        let prefix = "9\(type)\(division)"
        let serial = try next(in: "credit_code_counter", prefix: prefix, db)
        guard let body = CreditCode.organizationBody(serial: serial),
            let code = CreditCode.make(authority: "9", type: type, division: division, organizationBody: body)
        else { throw StoreError.storage("credit code range exhausted for \(prefix)") }
        try db.cachedStatement(sql: "INSERT INTO credit_code (code, case_number, issued_at) VALUES (?, ?, ?)")
            .execute(arguments: [code.value, state.number.description, now])
        try fileLookup(
            [CaseLookup.Entry(kind: .creditCode, key: CaseLookup.codeKey(code.value), field: "creditCode")],
            for: state.number, db)
        let parts = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT trade_name, industry FROM registration_case WHERE number = ?"),
            arguments: [state.number.description])
        let tradeName: String = parts?["trade_name"] ?? ""
        let industry: String = parts?["industry"] ?? ""
        if !tradeName.isEmpty {
            // A name standing, or revoked less than three years ago, is taken.
            let holders = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT name, released_at FROM registered_name
                        WHERE division = ? AND trade_name = ? AND industry = ?
                        """),
                arguments: [division, tradeName, industry])
            let today = HallTime.localDate(of: now)
            if let holder = holders.first(where: { NameRules.isHeld(releasedAt: $0["released_at"], on: today) }) {
                throw StoreError.nameTaken(name: state.application.proposedName, holder: holder["name"])
            }
            try db.cachedStatement(
                sql:
                    "INSERT INTO registered_name (case_number, division, name, trade_name, industry) VALUES (?, ?, ?, ?, ?)"
            ).execute(arguments: [
                state.number.description, division, state.application.proposedName, tradeName, industry,
            ])
        }
        return code
    }

    /// The next number of a counter table (`case_number_counter`, `credit_code_counter`): 1 for a new
    /// prefix, then one more each time, inside the caller's transaction.
    func next(in table: String, prefix: String, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    INSERT INTO \(table) (prefix, last) VALUES (?, 1)
                    ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last
                    """), arguments: [prefix]) ?? 1
    }

    /// Names registered in a division with a trade name, or in an industry.
    static let registeredNamesSQL = """
        SELECT case_number, name, trade_name, industry, released_at FROM registered_name
        WHERE division = ? AND trade_name = ?
        UNION
        SELECT case_number, name, trade_name, industry, released_at FROM registered_name
        WHERE division = ? AND industry = ?
        """

    /// Names registered in `division` with `tradeName` or in `industry`, for conflict checks (those
    /// of revoked registrations with their release).
    package func registeredNames(division: String, tradeName: String, industry: String) throws -> [RegisteredName] {
        try read { db in
            try Row.fetchAll(
                db, sql: Self.registeredNamesSQL, arguments: [division, tradeName, division, industry]
            ).map {
                RegisteredName(
                    caseNumber: $0["case_number"], name: $0["name"], tradeName: $0["trade_name"],
                    industry: $0["industry"], releasedAt: $0["released_at"])
            }
        }
    }

    /// Open cases with a trade name and industry whose number starts with a prefix.
    static let openApplicationsSQL = """
        SELECT number FROM registration_case
        WHERE closed_at IS NULL AND trade_name = ? AND industry = ? AND number LIKE ?
        ORDER BY number
        """

    /// Open applications of the hall with the same trade name and industry (not yet registered).
    package func openApplications(hall: String, tradeName: String, industry: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: Self.openApplicationsSQL, arguments: [tradeName, industry, "\(hall)-%"])
        }
    }

    /// The query plans of the two name reads above (for tests).
    package func namePlans() throws -> (open: String, registered: String) {
        (
            try queryPlan(Self.openApplicationsSQL, ["青禾", "农业科技", "510811-%"]),
            try queryPlan(Self.registeredNamesSQL, ["510811", "青禾", "510811", "农业科技"])
        )
    }

    /// Every code issued, for checks and reports.
    package func issuedCreditCodes() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT code FROM credit_code ORDER BY code") }
    }
}
