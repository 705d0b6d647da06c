import Foundation
import KaibanCore
import Synchronization

/// The process's settings, read once from flags and the environment: where the data is, which
/// hall, which workflow, where the definitions and reference data are, when a case is at risk.
/// What changes per call (who acts, the language, the time) is not here.
public struct KaibanSettings: Sendable {
    /// The database. Flag `--db`, env `KAIBAN_DB`, default `./kaiban.sqlite`.
    public var database: String
    /// GB/T 2260 code of the hall, the prefix of its case numbers. Env `KAIBAN_HALL`, default 510811 (昭化区).
    public var hall: String
    /// The workflow new cases run under. Env `KAIBAN_WORKFLOW`, default `company-formation`.
    public var workflowID: String
    /// The Forms/ folder (definitions, schemas, name rules). Flag `--forms`, env `KAIBAN_FORMS`,
    /// default `./Forms` or the checkout's.
    public var formsRoot: URL
    /// Holiday notices and office hours. Env `KAIBAN_CALENDAR`, default `seeds/calendar` beside Forms/.
    public var calendarFolder: URL
    /// GB/T 2260 divisions: `seeds/divisions/divisions.xml` beside Forms/.
    public var divisionsFile: URL
    /// Share of a budget at which a case counts as at risk. Env `KAIBAN_SLA_RISK`, default 0.75.
    public var riskThreshold: Double
    /// The county-level divisions whose enterprises the hall registers. Env `KAIBAN_JURISDICTION`
    /// (comma-separated codes); nil: the hall's own division only.
    public var jurisdiction: [String]?
    /// Where the files of electronic documents are kept (content-addressed, by SHA-256). Env
    /// `KAIBAN_DATA_DIR`, default `NAME.files` beside the database `NAME.sqlite`
    /// (``defaultDataDirectory(forDatabase:)``).
    public var dataDirectory: URL
    /// Working days after its intake when a supervisor may close a mail case whose documents
    /// never arrived. Env `KAIBAN_MAIL_CLOSE_DAYS`, default 10 (1 to 60).
    public var mailCloseDays: Int = defaultMailCloseDays

    public static let defaultMailCloseDays = 10
    /// The authority this hall speaks for in the 川渝通办 exchange (its market regulator): env
    /// `KAIBAN_AUTHORITY_CODE` (a unified social credit code) and `KAIBAN_AUTHORITY_NAME`; for the
    /// default hall 510811 the fictitious Zhaohua regulator of Forms/exchange/examples.
    public var authorityCode: String? = "11510811MB1530521R"
    public var authorityName: String? = "广元市昭化区市场监督管理局"
    /// This hall's SM2 private key for the exchange (made by `kaiban exchange keygen`). Env
    /// `KAIBAN_EXCHANGE_KEY`, default `exchange/key.pem` in the data directory.
    public var exchangeKeyOverride: URL?
    /// Whether this is a test system of the exchange (it takes and sends only test messages).
    /// Env `KAIBAN_EXCHANGE_TEST` = `true` or `false` (default).
    public var exchangeTest = false

    public var exchangeKeyFile: URL {
        exchangeKeyOverride ?? dataDirectory.appendingPathComponent("exchange/key.pem")
    }
    public static let defaultDatabase = "kaiban.sqlite"
    public static let defaultHall = "510811"
    public static let defaultWorkflow = "company-formation"
    public static let defaultRiskThreshold = 0.75

    public init(
        database: String = defaultDatabase, hall: String = defaultHall, workflowID: String = defaultWorkflow,
        formsRoot: URL, calendarFolder: URL? = nil, riskThreshold: Double = defaultRiskThreshold
    ) {
        self.database = database
        self.hall = hall
        self.workflowID = workflowID
        self.formsRoot = formsRoot
        let seeds = formsRoot.deletingLastPathComponent().appendingPathComponent("seeds")
        self.calendarFolder = calendarFolder ?? seeds.appendingPathComponent("calendar")
        self.divisionsFile = seeds.appendingPathComponent("divisions/divisions.xml")
        self.riskThreshold = riskThreshold
        self.dataDirectory = Self.defaultDataDirectory(forDatabase: database)
    }

    /// The folder beside a database file for its documents' files: `kaiban.sqlite` keeps them in
    /// `kaiban.files`. A database at an address (`postgres://…`) has no folder beside it: its
    /// files go to `kaiban.files` in the working directory unless KAIBAN_DATA_DIR says otherwise.
    public static func defaultDataDirectory(forDatabase database: String) -> URL {
        if database.contains("://") {
            return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("kaiban.files")
        }
        let file = URL(fileURLWithPath: database)
        let stem = file.deletingPathExtension().lastPathComponent
        return file.deletingLastPathComponent().appendingPathComponent("\(stem.isEmpty ? "kaiban" : stem).files")
    }

    /// Where files kept beside the database go, as a path without extension: beside a database
    /// file (`hall.sqlite` → `hall`), or, for a database at an address, in the data directory
    /// (`kaiban.files/kaiban`, the folder made when needed).
    public func besideDatabase() throws -> URL {
        guard database.contains("://") else { return URL(fileURLWithPath: database).deletingPathExtension() }
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        return dataDirectory.appendingPathComponent("kaiban")
    }

    /// Whether `code` is a county-level division code: six digits, the last two not 00.
    public static func isCountyLevel(_ code: String) -> Bool {
        code.count == 6 && code.allSatisfy { $0.isASCII && $0.isNumber } && !code.hasSuffix("00")
    }

    /// The settings from flags (`database`, `forms`; nil when not given) and `environment`.
    /// An unusable value is a problem naming its variable, never silently replaced by a default.
    public static func resolve(
        database: String?, forms: String?, environment: [String: String], executable: URL?
    ) throws(Problem) -> KaibanSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        var problems: [FieldProblem] = []
        let hall = value("KAIBAN_HALL") ?? defaultHall
        if !Self.isCountyLevel(hall) {
            problems.append(
                FieldProblem(
                    field: "KAIBAN_HALL",
                    reason: LocalizedText(
                        zh: "“\(hall)”不是本厅所在的县级行政区划代码（6位，末两位不为00，例如510811）",
                        en:
                            "\"\(hall)\" is not the hall's county-level division code (6 digits, not ending in 00), e.g. 510811"
                    )))
        }
        var risk = defaultRiskThreshold
        if let text = value("KAIBAN_SLA_RISK") {
            if let parsed = Double(text), (0.01...1).contains(parsed) {
                risk = parsed
            } else {
                problems.append(
                    FieldProblem(
                        field: "KAIBAN_SLA_RISK",
                        reason: LocalizedText(
                            zh: "“\(text)”不是0.01至1之间的比例（例如0.75）",
                            en: "\"\(text)\" is not a share between 0.01 and 1, e.g. 0.75")))
            }
        }
        var mailCloseDays = defaultMailCloseDays
        if let text = value("KAIBAN_MAIL_CLOSE_DAYS") {
            if let parsed = Int(text), (1...60).contains(parsed) {
                mailCloseDays = parsed
            } else {
                problems.append(
                    FieldProblem(
                        field: "KAIBAN_MAIL_CLOSE_DAYS",
                        reason: LocalizedText(
                            zh: "“\(text)”不是1至60之间的工作日数（例如10）",
                            en: "\"\(text)\" is not a number of working days between 1 and 60, e.g. 10")))
            }
        }
        var jurisdiction: [String]?
        if let text = value("KAIBAN_JURISDICTION") {
            let codes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            // County-level codes only: a province (510000) or a prefecture (510800) is no domicile.
            if codes.isEmpty || !codes.allSatisfy({ Self.isCountyLevel($0) }) {
                problems.append(
                    FieldProblem(
                        field: "KAIBAN_JURISDICTION",
                        reason: LocalizedText(
                            zh: "“\(text)”不是以逗号分隔的县级行政区划代码（6位，末两位不为00，例如510811,510812）",
                            en:
                                "\"\(text)\" is not a comma-separated list of county-level division codes (6 digits, not ending in 00), e.g. 510811,510812"
                        )))
            } else {
                // The hall's own division is always within its jurisdiction.
                jurisdiction = codes.contains(hall) ? codes : [hall] + codes
            }
        }
        var authorityCode: String? = hall == defaultHall ? "11510811MB1530521R" : nil
        var authorityName: String? = hall == defaultHall ? "广元市昭化区市场监督管理局" : nil
        if let text = value("KAIBAN_AUTHORITY_CODE") {
            if (try? CreditCode(text))?.value == text {
                authorityCode = text
            } else {
                problems.append(
                    FieldProblem(
                        field: "KAIBAN_AUTHORITY_CODE",
                        reason: LocalizedText(
                            zh: "“\(text)”不是有效的统一社会信用代码（18位，校验码正确）",
                            en:
                                "\"\(text)\" is not a valid unified social credit code (18 characters, right check characters)"
                        )))
            }
        }
        if let text = value("KAIBAN_AUTHORITY_NAME") {
            if let reason = FreeText.problem(text, limit: 200) {
                problems.append(FieldProblem(field: "KAIBAN_AUTHORITY_NAME", reason: reason))
            } else {
                authorityName = text
            }
        }
        var exchangeTest = false
        if let text = value("KAIBAN_EXCHANGE_TEST") {
            switch text {
            case "true": exchangeTest = true
            case "false": exchangeTest = false
            default:
                problems.append(
                    FieldProblem(
                        field: "KAIBAN_EXCHANGE_TEST",
                        reason: LocalizedText(
                            zh: "“\(text)”应为 true 或 false", en: "\"\(text)\" is neither true nor false")))
            }
        }
        guard problems.isEmpty else {
            throw Problem(.invalid, "settings.invalid", zh: "设置有误：", en: "unusable settings:", fields: problems)
        }
        let formsRoot = locateForms(explicit: forms ?? value("KAIBAN_FORMS"), executable: executable)
        var settings = KaibanSettings(
            database: database ?? value("KAIBAN_DB") ?? defaultDatabase, hall: hall,
            workflowID: value("KAIBAN_WORKFLOW") ?? defaultWorkflow, formsRoot: formsRoot,
            calendarFolder: value("KAIBAN_CALENDAR").map { URL(fileURLWithPath: $0) }, riskThreshold: risk)
        settings.jurisdiction = jurisdiction
        settings.mailCloseDays = mailCloseDays
        if let folder = value("KAIBAN_DATA_DIR") { settings.dataDirectory = URL(fileURLWithPath: folder) }
        settings.authorityCode = authorityCode
        settings.authorityName = authorityName
        settings.exchangeTest = exchangeTest
        settings.exchangeKeyOverride = value("KAIBAN_EXCHANGE_KEY").map { URL(fileURLWithPath: $0) }
        return settings
    }

    /// Finds the Forms folder: `explicit` if given, else `./Forms`, else `Forms` beside the
    /// executable's package checkout (for a build run from elsewhere).
    static func locateForms(explicit: String?, executable: URL?) -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Forms")
        if FileManager.default.fileExists(atPath: cwd.path) { return cwd }
        var folder = executable?.deletingLastPathComponent()
        for _ in 0..<5 {
            guard let current = folder else { break }
            let candidate = current.appendingPathComponent("Forms")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("schemas").path) {
                return candidate
            }
            folder = current.deletingLastPathComponent()
        }
        return cwd
    }
}

/// Where the desk reads the time: the system clock in production, a fixed instant in tests.
public protocol DeskClock: Sendable {
    func now() -> Date
}

/// The system clock, to whole seconds (as instants are stored).
public struct SystemClock: DeskClock {
    public init() {}

    public func now() -> Date {
        Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    }
}

/// A clock that always says the same instant.
public struct FixedClock: DeskClock {
    public var instant: Date

    public init(_ instant: Date) {
        self.instant = instant
    }

    public func now() -> Date { instant }
}

/// Who is calling the desk.
public enum DeskActor: Sendable, Equatable {
    /// A clerk of the hall, by id.
    case clerk(String)
    /// Nobody named (reads, and bootstrapping an empty database).
    case anonymous

    public var clerkID: String? {
        if case .clerk(let id) = self { return id }
        return nil
    }
}

/// A step entered after the fact (补录) by a supervisor: why, and which clerk did it (by default
/// the supervisor).
public struct LateEntry: Sendable, Equatable {
    public var reason: String
    public var doneBy: String?

    public init(reason: String, doneBy: String? = nil) {
        self.reason = reason
        self.doneBy = doneBy
    }
}

/// A clock a script moves: the demo plays its day at the instants of its steps.
public final class ManualClock: DeskClock {
    let current: Mutex<Date>

    public init(_ now: Date) {
        current = Mutex(now)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock to `instant`.
    public func set(_ instant: Date) {
        current.withLock { $0 = instant }
    }
}
