import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Reference data comes in through one mechanism, and each case keeps its own workflow version.
@Suite struct ReferenceDataTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    /// Raises the copy's workflow to version 6 with a 30-minute budget and a renamed review stage.
    func raiseVersion(_ forms: URL) throws {
        let file = forms.appendingPathComponent("workflows/company-formation.xml")
        let text = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(
                of: "id=\"company-formation\" version=\"6\"", with: "id=\"company-formation\" version=\"7\""
            )
            .replacingOccurrences(of: "budget-minutes=\"192\"", with: "budget-minutes=\"30\"")
            .replacingOccurrences(of: "name=\"审查中\"", with: "name=\"审核中\"")
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    /// The sample application under another trade name, so that several can be licensed.
    func application(_ tradeName: String, tasks: [String] = []) -> CaseApplication {
        var application = Fixtures.application(tasks: tasks)
        application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
        return application
    }

    /// Takes a window case from intake at 09:00 to completion at 09:45 (45 government minutes).
    func complete(_ desk: Desk, _ tradeName: String, day: Int) async throws -> CaseNumber {
        let number = try await desk.playing(Fixtures.at(9, 0, day: day)).intake(
            application(tradeName), documents: .all, as: window, at: Fixtures.at(9, 0, day: day)
        ).case
            .number
        for (step, actor, minute) in [
            ("accept", window, 10), ("review", reviewer, 20), ("approve", reviewer, 30), ("issue-licence", window, 45),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute, day: day)).step(
                number, step, as: actor, at: Fixtures.at(9, minute, day: day))
        }
        return number
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports))
    func eachCaseIsMeasuredAgainstItsOwnWorkflowVersion(store: TestStoreKind) async throws {
        let forms = try Fixtures.formsCopy()
        let path = Fixtures.temporaryDatabasePath()
        let before = try await Fixtures.desk(formsRoot: forms, path: path, store: store)
        let old = try await complete(before, "青禾", day: 24)
        let oldOpen = try await before.playing(Fixtures.at(9, 0)).intake(
            application("青木"), documents: .all, as: window, at: Fixtures.at(9, 0)
        ).case.number
        try raiseVersion(forms)
        before.reload()
        let newOpen = try await before.playing(Fixtures.at(9, 1)).intake(
            application("青松"), documents: .all, as: window, at: Fixtures.at(9, 1)
        ).case.number
        let new = try await complete(before, "青山", day: 25)
        #expect(try await before.caseView(old).case.definition.version == 6)
        #expect(try await before.caseView(new).case.definition.version == 7)
        // 45 minutes: within version 6's 192, beyond version 7's 30.
        let report = try await before.slaReport(
            from: CivilDate(uncheckedYear: 2026, month: 11, day: 24), to: Fixtures.day, by: .all)
        #expect(report.total?.count == 2)
        #expect(report.total?.withinBudgetShare == 0.5)
        #expect(report.budgetMinutes == 30)
        // The worklist measures each open case against its own version's budget.
        let items = try await before.worklist(at: Fixtures.at(9, 30))
        let budgets = Dictionary(uniqueKeysWithValues: items.map { ($0.number, $0.sla.budgetMinutes) })
        #expect(budgets[oldOpen] == 192)
        #expect(budgets[newOpen] == 30)
        #expect(items.first { $0.number == newOpen }?.workflow.version == 7)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func referenceFilesAreTakenInOnlyWhenTheirTextChanges(store: TestStoreKind) async throws {
        let calendar = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-cal-\(UUID().uuidString)")
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"), to: calendar)
        try FileManager.default.removeItem(at: calendar.appendingPathComponent("holidays-2026.xml"))
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(calendarFolder: calendar, path: path, store: store)
        let first = try await desk.calendarStatus()
        #expect(first.years.map(\.year) == Array(2020...2025))
        #expect(try await desk.elapsed(from: Fixtures.at(9, 0), to: Fixtures.at(10, 0)).provisional)
        // Read again with nothing changed: nothing is recorded again.
        desk.reload()
        #expect(try await desk.calendarStatus().changes.count == first.changes.count)
        // A new notice in the folder is taken in on the next reload, with the file as its reason.
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("seeds/calendar/holidays-2026.xml"),
            to: calendar.appendingPathComponent("holidays-2026.xml"))
        desk.reload()
        let later = try await desk.calendarStatus()
        #expect(later.years.map(\.year) == Array(2020...2026))
        #expect(later.changes.count == first.changes.count + 1)
        #expect(later.changes.last?.reason.hasSuffix("holidays-2026.xml") == true)
        #expect(try await !desk.elapsed(from: Fixtures.at(9, 0), to: Fixtures.at(10, 0)).provisional)
    }

    // SQLite only: two stores on one file (PostgresReferenceTests reads divisions on PostgreSQL).
    @Test func aDivisionIsReadFromMemoryUntilItsFileIsTakenInAgain() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-div-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("divisions.xml")
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("seeds/divisions/divisions.xml"), to: file)
        var settings = KaibanSettings(database: Fixtures.temporaryDatabasePath(), formsRoot: Fixtures.formsRoot)
        settings.divisionsFile = file
        let desk = Desk(
            settings: settings, store: try CaseStore(path: settings.database), clock: ManualClock(Fixtures.at(9, 0)))
        let day = Fixtures.day
        #expect(try await desk.division("510812", on: day).fullName == "四川省 广元市 朝天区")
        #expect(try await desk.division("510812", on: day).fullName == "四川省 广元市 朝天区")
        // The file renames the district: this desk took the file in already and keeps what it read
        // (as it kept the table's rows before); once reloaded it takes the new file in and reads anew.
        try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "name=\"朝天区\"", with: "name=\"朝天新区\"")
            .write(to: file, atomically: true, encoding: .utf8)
        #expect(try await desk.division("510812", on: day).fullName == "四川省 广元市 朝天区")
        desk.reload()
        #expect(try await desk.division("510812", on: day).fullName == "四川省 广元市 朝天新区")
        // Another desk on the same database reads what this one took in.
        let other = Desk(
            settings: settings, store: try CaseStore(path: settings.database), clock: ManualClock(Fixtures.at(9, 0)))
        #expect(try await other.division("510812", on: day).fullName == "四川省 广元市 朝天新区")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func aBrokenDefinitionIsBrokenDataNamingFileAndLine(store: TestStoreKind) async throws {
        let forms = try Fixtures.formsCopy()
        let file = forms.appendingPathComponent("workflows/company-formation.xml")
        try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "to=\"review\" roles=\"reviewer\"", with: "to=\"reveiw\" roles=\"reviewer\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let problem = await Fixtures.problem { _ = try await Fixtures.desk(formsRoot: forms, store: store) }
        #expect(problem?.kind == .brokenData)
        #expect(problem?.fields.first?.field.hasPrefix(file.path + ":") == true, "\(String(describing: problem))")
    }
}

@Suite struct ReportRefreshTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports))
    func aCalendarCorrectionReachesTheReportAndTheWorklist(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(17, 0), store: store)
        let window = DeskActor.clerk("wangfang")
        let reviewer = DeskActor.clerk("lijun")
        let done = try await desk.playing(Fixtures.at(9, 0)).intake(
            Fixtures.application(tasks: []), documents: .all, as: window, at: Fixtures.at(9, 0)
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 10), ("review", reviewer, 20), ("approve", reviewer, 30), ("issue-licence", window, 45),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(done, step, as: actor, at: Fixtures.at(9, minute))
        }
        var open = Fixtures.application()
        open.proposedName = "广元市昭化区青木农业科技有限公司"
        let waiting = try await desk.playing(Fixtures.at(10, 0)).intake(
            open, documents: .all, as: window, at: Fixtures.at(10, 0)
        ).case
            .number
        let before = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        let stages = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .stage)
        #expect(before.total?.maxMinutes == 45)
        #expect(stages.total?.maxMinutes == 45)
        #expect(try await desk.worklist(at: Fixtures.at(11, 0)).first?.sla.deadline == Fixtures.at(13, 42 + 60))
        // The supervisor corrects 2026: the 26th becomes a holiday.
        let file = Fixtures.packageRoot.appendingPathComponent("seeds/calendar/holidays-2026.xml")
        let corrected = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "    <holiday name=\"元旦\"",
            with:
                "    <holiday name=\"测试\" name-en=\"test\" from=\"2026-11-26\" to=\"2026-11-26\"/>\n    <holiday name=\"元旦\""
        )
        _ = try await desk.importCalendar(
            Data(corrected.utf8), source: "holidays-2026.xml", replace: true, reason: "更正",
            as: .clerk("zhouqiang"))
        let after = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(after.total?.maxMinutes == 0)
        // The waiting case's budget now runs out on the next working day.
        let item = try await desk.worklist(at: Fixtures.at(11, 0)).first { $0.number == waiting }
        #expect(item?.sla.deadline == Fixtures.at(13, 42, day: 27))
    }
}
