import Foundation
import KaibanCore

/// Everything a command needs to know about where and as whom it runs, read from flags and the
/// environment in one place. Flags win over the environment; the environment over the defaults.
public struct KaibanConfiguration: Sendable {
    /// SQLite database file. Flag `--db`, env `KAIBAN_DB`, default `./kaiban.sqlite`.
    public var databasePath: String
    /// The clerk acting. Flag `--as`, env `KAIBAN_CLERK`; read commands work without one.
    public var clerk: String?
    /// Flag `--lang`, env `KAIBAN_LANG`, default Simplified Chinese.
    public var language: Language
    /// The Forms/ folder. Flag `--forms`, env `KAIBAN_FORMS`, default `./Forms` (or beside the checkout).
    public var formsPath: String?
    /// GB/T 2260 code of the hall, the prefix of its case numbers. Env `KAIBAN_HALL`, default 510811 (昭化区).
    public var hall: String
    /// The workflow new cases run under. Env `KAIBAN_WORKFLOW`, default `company-formation`.
    public var workflowID: String
    /// The calendar folder (holiday notices, office hours). Env `KAIBAN_CALENDAR`, default
    /// `seeds/calendar` beside Forms/.
    public var calendarPath: String?
    /// Share of a budget at which a case counts as at risk. Env `KAIBAN_SLA_RISK`, default 0.75.
    public var riskThreshold: Double

    public static let defaultDatabasePath = "kaiban.sqlite"
    public static let defaultHall = "510811"
    public static let defaultWorkflow = "company-formation"

    init(options: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        databasePath = options.db ?? environment["KAIBAN_DB"].nonEmpty ?? Self.defaultDatabasePath
        clerk = options.clerk ?? environment["KAIBAN_CLERK"].nonEmpty
        language = options.lang ?? environment["KAIBAN_LANG"].nonEmpty.flatMap(Language.init(rawValue:)) ?? .zh
        formsPath = options.forms ?? environment["KAIBAN_FORMS"].nonEmpty
        hall = environment["KAIBAN_HALL"].nonEmpty ?? Self.defaultHall
        workflowID = environment["KAIBAN_WORKFLOW"].nonEmpty ?? Self.defaultWorkflow
        calendarPath = environment["KAIBAN_CALENDAR"].nonEmpty
        let risk = environment["KAIBAN_SLA_RISK"].nonEmpty.flatMap(Double.init) ?? 0.75
        riskThreshold = (0.01...1).contains(risk) ? risk : 0.75
    }
}

extension Optional where Wrapped == String {
    /// The string unless it is nil or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
