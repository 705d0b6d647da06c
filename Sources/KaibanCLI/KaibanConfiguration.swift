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
    /// Settings from the environment that are not usable, each naming its variable.
    public var problems: [String] = []

    public static let defaultDatabasePath = "kaiban.sqlite"
    public static let defaultHall = "510811"
    public static let defaultWorkflow = "company-formation"

    init(options: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        databasePath = options.db ?? environment["KAIBAN_DB"].nonEmpty ?? Self.defaultDatabasePath
        clerk = options.clerk ?? environment["KAIBAN_CLERK"].nonEmpty
        let lang = environment["KAIBAN_LANG"].nonEmpty
        language = options.lang ?? lang.flatMap(Language.init(rawValue:)) ?? .zh
        if options.lang == nil, let lang, Language(rawValue: lang) == nil {
            problems.append("KAIBAN_LANG=\(lang): use zh or en")
        }
        formsPath = options.forms ?? environment["KAIBAN_FORMS"].nonEmpty
        hall = environment["KAIBAN_HALL"].nonEmpty ?? Self.defaultHall
        if hall.count != 6 || !hall.allSatisfy({ $0.isASCII && $0.isNumber }) {
            problems.append("KAIBAN_HALL=\(hall): give the hall's 6-digit division code, e.g. 510811")
        }
        workflowID = environment["KAIBAN_WORKFLOW"].nonEmpty ?? Self.defaultWorkflow
        calendarPath = environment["KAIBAN_CALENDAR"].nonEmpty
        riskThreshold = 0.75
        if let text = environment["KAIBAN_SLA_RISK"].nonEmpty {
            if let risk = Double(text), (0.01...1).contains(risk) {
                riskThreshold = risk
            } else {
                problems.append("KAIBAN_SLA_RISK=\(text): give a share between 0.01 and 1, e.g. 0.75")
            }
        }
    }
}

extension Optional where Wrapped == String {
    /// The string unless it is nil or empty.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
