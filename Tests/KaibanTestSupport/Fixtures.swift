import Foundation
import KaibanCore
import KaibanDesk
import KaibanForms
import KaibanStore

/// Shared fixtures: the real Forms/ of this checkout, fixed instants in Asia/Shanghai, a sample
/// application with valid ID numbers, and stores on real temporary SQLite files.
public enum Fixtures {
    /// The package checkout, found from this file's path.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let formsRoot = packageRoot.appendingPathComponent("Forms")

    public static let workflowFile = formsRoot.appendingPathComponent("workflows/company-formation.xml")

    /// The compiled Forms library.
    public static func forms() throws -> FormsLibrary {
        try FormsLibrary(root: formsRoot)
    }

    /// The committed company-formation definition and its source text.
    public static func companyFormation() throws -> (WorkflowDefinition, String) {
        let data = try Data(contentsOf: workflowFile)
        return (try forms().workflowLoader.load(data, source: workflowFile.path), String(decoding: data, as: UTF8.self))
    }

    /// 2026-11-26 00:00 in Asia/Shanghai (2026-11-25T16:00Z), a Thursday.
    static let thursdayMidnight = Date(timeIntervalSince1970: 1_795_622_400)

    /// `2026-11-DD hh:mm` in Asia/Shanghai; `day` defaults to the 26th, a working Thursday.
    public static func at(_ hour: Int, _ minute: Int, day: Int = 26) -> Date {
        thursdayMidnight.addingTimeInterval(TimeInterval((day - 26) * 86_400 + hour * 3600 + minute * 60))
    }

    /// 2026-11-26, the Thursday of `at`.
    public static let day = CivilDate(uncheckedYear: 2026, month: 11, day: 26)

    public static let window = Clerk(id: "wangfang", name: "王芳", roles: ["window"])
    public static let reviewer = Clerk(id: "lijun", name: "李军", roles: ["reviewer"])
    public static let supervisor = Clerk(id: "zhouqiang", name: "周强", roles: ["supervisor"])
    public static let trainee = Clerk(id: "trainee", name: "实习生", roles: [])

    /// Valid GB 11643 numbers.
    public static let idZhang = "11010519491231002X"
    public static let idLi = "510811198503120178"

    /// A complete, valid application for a limited liability company.
    public static func application(
        channel: Channel = .window, tasks: [String] = ["seal", "tax", "bank"]
    ) -> CaseApplication {
        CaseApplication(
            channel: channel, enterpriseType: .limitedLiabilityCompany, proposedName: "广元市昭化区青禾农业科技有限公司",
            registeredCapital: Money(fen: 50_000_000), domicile: "四川省广元市昭化区元坝镇中街12号", domicileDivision: "510811",
            businessScope: "农业技术推广服务", legalRepresentative: Person(name: "张伟", idNumber: idZhang),
            investors: [
                Investor(name: "张伟", kind: .person, idNumber: idZhang, contribution: Money(fen: 30_000_000)),
                Investor(name: "李秀英", kind: .person, idNumber: idLi, contribution: Money(fen: 20_000_000)),
            ],
            contact: Contact(name: "张伟", phone: "13800000000"), requestedTasks: tasks,
            mailingAddress: channel == .mail ? mailingAddress : nil)
    }

    /// Where a mail application's licence goes.
    public static let mailingAddress = "四川省广元市昭化区元坝镇中街12号 张伟收 13800000000"

    /// The committed workflow file as the desk presents it to a store.
    public static func workflowSource(_ text: String) -> ReferenceSource {
        ReferenceSource(key: "workflow:company-formation.xml", text: text)
    }

    /// A new database file in a fresh temporary folder.
    public static func temporaryDatabasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("kaiban.sqlite").path
    }

    /// A store on a new temporary SQLite file, with the committed workflow and the four clerks.
    public static func store(path: String = temporaryDatabasePath()) throws -> CaseStore {
        let store = try CaseStore(path: path)
        let (definition, source) = try companyFormation()
        try store.register(definition, source: workflowSource(source), at: at(8, 0))
        try store.addClerk(supervisor, by: nil)
        for clerk in [window, reviewer, trainee] {
            try store.addClerk(clerk, by: supervisor.id)
        }
        return store
    }
}

extension Fixtures {
    /// The committed calendar: holiday notices 2020-2026 and the Zhaohua hall's office hours.
    public static func calendar() throws -> WorkingCalendar {
        let loader = try forms().calendarLoader
        let folder = packageRoot.appendingPathComponent("seeds/calendar")
        var years: [HolidayYear] = []
        for year in 2020...2026 {
            let url = folder.appendingPathComponent("holidays-\(year).xml")
            years += try loader.holidayYears(try Data(contentsOf: url), source: url.path)
        }
        let hoursURL = folder.appendingPathComponent("office-hours.xml")
        let hours = try loader.officeHours(try Data(contentsOf: hoursURL), source: hoursURL.path)
        return WorkingCalendar(years: years, officeHours: hours)
    }

    /// An instant in Asia/Shanghai from "yyyy-MM-dd HH:mm". A mistyped fixture stops the run:
    /// falling back to some instant would let a test compare two wrong values and pass.
    public static func local(_ text: String) -> Date {
        guard let instant = HallTime.parse(text) else {
            preconditionFailure("fixture time \"\(text)\" is not ISO 8601")
        }
        return instant
    }
}

extension Fixtures {
    /// The SLA clock on the committed calendar, as the desk gives it to the store.
    public static func sla() throws -> SLAClock {
        SLAClock(calendar: try calendar())
    }
}
