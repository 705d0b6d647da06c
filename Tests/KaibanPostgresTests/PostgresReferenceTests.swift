import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// Reference data on PostgreSQL at the store's level: what the desk's suites do not reach before
/// cases are kept there (divisions, definition versions read back), several servers taking in the
/// same file at once, and instants kept as the SQLite store keeps them.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresReferenceTests {
    static let morning = Date(timeIntervalSince1970: 1_795_660_800)  // 2026-11-26 09:20 in Shanghai
    static let day = CivilDate(uncheckedYear: 2026, month: 11, day: 26)

    /// A desk on `store` with the checkout's Forms/ and seeds/.
    static func desk(_ store: PostgresStore) -> Desk {
        Desk(
            settings: KaibanSettings(database: store.location, formsRoot: Fixtures.formsRoot), store: store,
            clock: ManualClock(morning))
    }

    @Test func aDefinitionVersionIsRegisteredOnceAndNeverChanged() async throws {
        let store = try await TestPostgres.freshStore()
        let shipped = try #require(try await Self.desk(store).definitions().first)
        var raised = shipped
        raised.key = WorkflowDefinition.Key(id: shipped.key.id, version: 99)
        let source = ReferenceSource(key: "workflow:raised.xml", text: "<workflow version=\"99\"/>")
        #expect(try await !store.isReferenceCurrent(source))
        #expect(try await store.register(raised, source: source, at: Self.morning))
        #expect(try await store.isReferenceCurrent(source))
        #expect(try await !store.register(raised, source: source, at: Self.morning))
        let changed = ReferenceSource(key: source.key, text: "<workflow version=\"99\" changed=\"yes\"/>")
        let refusal = await Fixtures.failure { _ = try await store.register(raised, source: changed, at: Self.morning) }
        #expect(refusal as? StoreError == .definitionChanged(raised.key))
        // The refusal wrote nothing, not even the file's text.
        #expect(try await store.isReferenceCurrent(source))

        // Another server reads the same versions, newest first.
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        #expect(try await other.latestDefinition(shipped.key.id) == raised)
        #expect(try await other.definition(shipped.key) == shipped)
        let versions = try await other.definitions().filter { $0.key.id == shipped.key.id }.map(\.key.version)
        #expect(versions == [99, shipped.key.version])
        let unknown = WorkflowDefinition.Key(id: shipped.key.id, version: 1000)
        #expect(
            await Fixtures.failure { _ = try await other.definition(unknown) } as? StoreError
                == .definitionNotFound(unknown))
        #expect(
            await Fixtures.failure { _ = try await other.latestDefinition("none") } as? StoreError
                == .noDefinition("none"))
        // What the cached versions rely on: the database refuses to change one.
        for statement in ["UPDATE workflow_definition SET title = 'x'", "DELETE FROM workflow_definition"] {
            let refused = await Fixtures.failure { try await store.execute(statement) }
            #expect(refused is PostgresStoreError, "\(statement): \(String(describing: refused))")
        }
    }

    @Test func divisionsAreReplacedByTheirFileAndReadWithTheirParents() async throws {
        let store = try await TestPostgres.freshStore()
        let from = CivilDate(uncheckedYear: 1989, month: 1, day: 1)
        let until = CivilDate(uncheckedYear: 2013, month: 1, day: 1)
        try await store.loadDivisions(
            [
                Division(code: "510000", name: "四川省", validFrom: from),
                Division(code: "510800", name: "广元市", validFrom: from),
                Division(code: "510812", name: "朝天区", validFrom: from, note: "旧名"),
                // A later entry for the same code and day wins, as in the SQLite store.
                Division(code: "510812", name: "朝天新区", validFrom: from),
                Division(code: "510899", name: "旧县", validFrom: from, validTo: until),
            ], source: ReferenceSource(key: "divisions:test.xml", text: "1"))
        let status = try await store.division("510812", on: Self.day)
        #expect(status.fullName == "四川省 广元市 朝天新区")
        #expect(status.history == [Division(code: "510812", name: "朝天新区", validFrom: from)])
        let abolished = try await store.division("510899", on: Self.day)
        #expect(abolished.state == .notInForce)
        #expect(abolished.history.first?.validTo == until)
        #expect(
            try await store.division("510899", on: CivilDate(uncheckedYear: 2000, month: 1, day: 1)).state == .current)

        try await store.loadDivisions(
            [Division(code: "510000", name: "四川省", validFrom: from)],
            source: ReferenceSource(key: "divisions:test.xml", text: "2"))
        #expect(try await store.division("510812", on: Self.day).state == .unknown)
        #expect(try await store.isReferenceCurrent(ReferenceSource(key: "divisions:test.xml", text: "2")))

        // The checkout's file, thousands of rows, through the desk.
        let desk = Self.desk(store)
        #expect(try await desk.division("510812", on: Self.day).fullName == "四川省 广元市 朝天区")
        #expect(try await desk.division("510811", on: Self.day).state == .current)
    }

    @Test func twoServersTakingInTheSameYearsRecordThemOnce() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let years = (2030...2032).map { Self.year($0) }
        let source = ReferenceSource(key: "calendar:holidays.xml", text: "holidays")
        let at = Self.morning.addingTimeInterval(0.1234)
        async let here: Void = store.loadHolidayYears(years, source: source, reason: "holidays.xml", at: at)
        async let there: Void = other.loadHolidayYears(years, source: source, reason: "holidays.xml", at: at)
        _ = try await (here, there)
        let changes = try await store.calendarChanges()
        #expect(changes.map(\.subject) == ["2030", "2031", "2032"])
        #expect(changes.allSatisfy { $0.change == "added" && $0.by == nil })
        // Kept to the millisecond, as the SQLite store keeps these instants.
        let loaded = try #require(try await store.calendarYears().first?.loadedAt)
        #expect(abs(loaded.timeIntervalSince(Self.morning.addingTimeInterval(0.123))) < 0.000_01)
        #expect(try await store.calendarYears().map(\.source) == ["holidays.xml", "holidays.xml", "holidays.xml"])

        // A file never replaces a known year; a supervisor does, with replace.
        var corrected = Self.year(2031)
        corrected.holidays.append(
            HolidayYear.Holiday(
                name: LocalizedText(zh: "测试", en: "test"), from: CivilDate(uncheckedYear: 2031, month: 3, day: 3),
                to: CivilDate(uncheckedYear: 2031, month: 3, day: 3)))
        try await store.loadHolidayYears(
            [corrected], source: ReferenceSource(key: "calendar:holidays.xml", text: "corrected"), reason: "file",
            at: Self.morning)
        #expect(try await store.calendarChanges().count == 3)
        let refused = await Fixtures.failure {
            _ = try await other.importCalendar(
                [corrected], source: "holidays-2031.xml", replace: false, reason: "更正", by: "zhouqiang",
                at: Self.morning)
        }
        #expect(refused as? StoreError == .calendarYearExists(2031))
        let replaced = try await other.importCalendar(
            [corrected], source: "holidays-2031.xml", replace: true, reason: "更正", by: "zhouqiang", at: Self.morning)
        #expect(replaced.map(\.change) == ["replaced"])
        #expect(
            try await store.importCalendar(
                [corrected], source: "holidays-2031.xml", replace: false, reason: "更正", by: "zhouqiang",
                at: Self.morning
            ).isEmpty)
        #expect(try await store.calendarYears().first { $0.year == 2031 }?.loadedBy == "zhouqiang")
    }

    @Test func officeHoursAreAppendOnlyAndMakeTheCalendarWithItsRevision() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let noHours = await Fixtures.failure { _ = try await store.workingCalendar(hall: "510811") }
        #expect(noHours as? StoreError == .noOfficeHours("510811"))
        let hours = OfficeHours(
            hall: "510811", name: "昭化区政务服务中心",
            seasons: [
                OfficeHours.Season(
                    name: LocalizedText(zh: "全年", en: "all year"), from: 101, to: 1231,
                    sessions: [OfficeHours.Session(start: 540, end: 720)])
            ])
        let source = ReferenceSource(key: "calendar:office-hours.xml", text: "hours")
        async let here: Void = store.loadOfficeHours(
            hours, source: source, reason: "office-hours.xml", at: Self.morning)
        async let there: Void = other.loadOfficeHours(
            hours, source: source, reason: "office-hours.xml", at: Self.morning)
        _ = try await (here, there)
        try await store.loadHolidayYears(
            [Self.year(2026)], source: ReferenceSource(key: "calendar:h.xml", text: "h"), reason: "h.xml",
            at: Self.morning)
        var later = hours
        later.seasons[0].sessions = [OfficeHours.Session(start: 510, end: 720)]
        let version = OfficeHoursVersion(effectiveFrom: CivilDate(uncheckedYear: 2026, month: 12, day: 1), hours: later)
        let change = try await store.addOfficeHours(
            version, source: "office-hours-2026.xml", reason: "冬令时", by: "zhouqiang", at: Self.morning)
        #expect(change.subject == "office-hours 510811 2026-12-01")
        // In force by then: a second version for the day is refused (before it, it would correct).
        let again = await Fixtures.failure {
            _ = try await other.addOfficeHours(
                version, source: "office-hours-2026.xml", reason: "再次", by: "zhouqiang",
                at: Self.morning.addingTimeInterval(5 * 86_400))
        }
        #expect(again as? StoreError == .officeHoursExist(hall: "510811", from: "2026-12-01"))

        let history = try await other.officeHoursHistory(hall: "510811")
        #expect(history.map(\.version.effectiveFrom) == [OfficeHoursVersion.beginning, version.effectiveFrom])
        #expect(history.map(\.recordedBy) == [nil, "zhouqiang"])
        #expect(history.last?.version == version)
        #expect(history.first?.source == "office-hours.xml")
        let calendar = try await other.workingCalendar(hall: "510811")
        #expect(calendar.revision == 3)
        #expect(try await store.calendarChanges().count == calendar.revision)
        for statement in ["UPDATE office_hours_version SET reason = 'x'", "DELETE FROM office_hours_version"] {
            let refused = await Fixtures.failure { try await store.execute(statement) }
            #expect(refused is PostgresStoreError, "\(statement): \(String(describing: refused))")
        }
    }

    /// A year with one holiday on the first of May.
    static func year(_ year: Int) -> HolidayYear {
        HolidayYear(
            year: year, notice: "国务院办公厅关于\(year)年部分节假日安排的通知",
            holidays: [
                HolidayYear.Holiday(
                    name: LocalizedText(zh: "劳动节", en: "Labour Day"),
                    from: CivilDate(uncheckedYear: year, month: 5, day: 1),
                    to: CivilDate(uncheckedYear: year, month: 5, day: 1))
            ], makeUpDays: [])
    }
}
