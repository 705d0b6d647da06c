import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import PostgresNIO
import Testing

@testable import KaibanPostgres

/// The supervisors' figures on PostgreSQL, where the desk's suites cannot look: the same figures
/// as the SQLite store's for the same history, the counts by day the database keeps following
/// every change of a case row (whoever makes it), two servers counting at once, and every read
/// through an index.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresReportsTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let november = (
        CivilDate(uncheckedYear: 2026, month: 11, day: 1), CivilDate(uncheckedYear: 2026, month: 11, day: 30)
    )

    /// A desk on a fresh PostgreSQL database with the fixtures' staff, and its store.
    static func desk(at instant: Date) async throws -> (Desk, PostgresStore) {
        let desk = try await Fixtures.desk(at: instant, store: .postgres)
        return (desk, try #require(desk.store as? PostgresStore))
    }

    /// Every row of `case_figure_day` with a count, and the same rows computed afresh from the
    /// cases and their histories.
    static func figureDays(_ store: PostgresStore) async throws -> (stored: [String: Int], fresh: [String: Int]) {
        func rows(_ query: PostgresQuery) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for try await (key, count) in try await store.client.query(query, logger: store.logger).decode(
                (String, Int).self)
            where count != 0 {
                result[key] = count
            }
            return result
        }
        let stored = try await rows(
            "SELECT concat_ws('|', day, measure, channel, enterprise_type, stage, hall), count::bigint FROM case_figure_day"
        )
        let fresh = try await rows(
            """
            SELECT concat_ws('|', day, measure, channel, enterprise_type, stage, hall), count FROM (
                SELECT kaiban_figure_local_day(opened_at) AS day, 'received' AS measure, channel, enterprise_type,
                        CASE WHEN special_kind IS NULL THEN '' ELSE 'special' END AS stage, hall, count(*)
                    FROM registration_case GROUP BY 1, 3, 4, 5, 6
                UNION ALL
                SELECT kaiban_figure_local_day(closed_at), 'closed', channel, enterprise_type, stage, hall, count(*)
                    FROM registration_case WHERE closed_at IS NOT NULL GROUP BY 1, 3, 4, 5, 6
                UNION ALL
                SELECT kaiban_figure_local_day(e.at), 'accepted', c.channel, c.enterprise_type, '', c.hall, count(*)
                    FROM case_event e JOIN registration_case c ON c.id = e.case_id
                    WHERE e.transition = 'accept' AND e.sequence = (
                        SELECT min(sequence) FROM case_event f WHERE f.case_id = e.case_id AND f.transition = 'accept')
                    GROUP BY 1, 3, 4, 6
            ) AS computed
            """)
        return (stored, fresh)
    }

    @Test func theFiguresOfAHistoryAreThoseOfTheSQLiteStore() async throws {
        var desks: [Desk] = []
        var instants: [Date] = []
        for kind in [TestStoreKind.sqlite, .postgres] {
            let desk = try await Fixtures.desk(at: Fixtures.local("2026-11-26 08:00"), store: kind)
            let (_, at) = try await Fixtures.dashboardMonth(desk)
            desks.append(desk)
            instants.append(at)
        }
        let (sqlite, postgres) = (desks[0], desks[1])
        #expect(instants[0] == instants[1])
        let at = instants[0]
        // The dashboard reads them all: the hall's figures, the closed cases' times, the report by stage.
        let dashboard = try await postgres.dashboard(from: november.0, to: november.1, at: at)
        #expect(dashboard == (try await sqlite.dashboard(from: november.0, to: november.1, at: at)))
        #expect(dashboard.figures.total.received == 5 && dashboard.figures.total.completed == 3)
        #expect(dashboard.figures.time?.medianMinutes == 70 && dashboard.times.cases == 3)
        #expect(dashboard.figures.returnedForCorrection == 1)
        for grouping in [SLAGrouping.all, .channel, .type, .clerk, .stage] {
            let report = try await postgres.slaReport(from: november.0, to: november.1, by: grouping)
            #expect(
                report == (try await sqlite.slaReport(from: november.0, to: november.1, by: grouping)), "\(grouping)")
            #expect(report.total?.count == 3, "\(grouping)")
        }
        // A day, and a day outside the history.
        for day in [
            CivilDate(uncheckedYear: 2026, month: 11, day: 27), CivilDate(uncheckedYear: 2026, month: 10, day: 8),
        ] {
            let activity = try await postgres.channelActivity(from: day, to: day)
            #expect(activity == (try await sqlite.channelActivity(from: day, to: day)), "\(day)")
            let figures = try await postgres.hallFigures(from: day, to: day)
            #expect(figures == (try await sqlite.hallFigures(from: day, to: day)), "\(day)")
            #expect(
                try await postgres.deferralFigures(from: day, to: day) == sqlite.deferralFigures(from: day, to: day))
        }
        let eleventh = try await postgres.channelActivity(
            from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
            to: CivilDate(uncheckedYear: 2026, month: 11, day: 27))
        // On 11-27: E received at the window, C completed there.
        #expect(eleventh.total.received == 1 && eleventh.total.completed == 1)
    }

    @Test func theCountsByDayFollowEveryChangeOfACaseRowWhoeverMakesIt() async throws {
        let (desk, store) = try await Self.desk(at: Fixtures.local("2026-11-26 08:00"))
        _ = try await Fixtures.dashboardMonth(desk)
        var figures = try await Self.figureDays(store)
        #expect(figures.stored == figures.fresh && !figures.stored.isEmpty)
        #expect(figures.stored["2026-11-26|received|window|llc||510811"] == 2)
        #expect(figures.stored["2026-11-26|accepted|window|llc||510811"] == 2)
        #expect(figures.stored["2026-11-27|closed|window|llc|completed|510811"] == 1)
        // A case moved to another hall is counted there; the reports sum the halls' counts.
        let month = try await desk.channelActivity(from: november.0, to: november.1)
        try await store.execute("UPDATE registration_case SET hall = '510812' WHERE number LIKE '%-0002'")
        figures = try await Self.figureDays(store)
        #expect(figures.stored == figures.fresh && figures.stored["2026-11-26|received|online|llc||510812"] == 1)
        #expect(try await desk.channelActivity(from: november.0, to: november.1) == month)
        #expect(month.total.received == 5)
        // Changes made past the desk (an administrator's statement) move the counts too.
        for change in [
            "UPDATE registration_case SET channel = 'mobile' WHERE number LIKE '%-0001'",
            "UPDATE registration_case SET special_kind = 'elderly' WHERE number LIKE '%-0002'",
            "UPDATE registration_case SET opened_at = opened_at - interval '20 hours' WHERE number LIKE '%-0003'",
            "UPDATE registration_case SET closed_at = closed_at + interval '1 day', stage = 'withdrawn' WHERE closed_at IS NOT NULL",
            "UPDATE registration_case SET closed_at = NULL, stage = 'accepted' WHERE stage = 'withdrawn' AND channel = 'online'",
            """
            INSERT INTO registration_case (number, hall, channel, stage, opened_at, closed_at, enterprise_type)
            VALUES ('510811-20261128-0001', '510811', 'window', 'completed', '2026-11-27 16:30:00+00',
                '2026-11-27 17:00:00+00', 'llc')
            """,
            "DELETE FROM registration_case WHERE number = '510811-20261128-0001'",
        ] {
            try await store.execute(change)
            figures = try await Self.figureDays(store)
            #expect(figures.stored == figures.fresh, "\(change)")
        }
        // 16:30 UTC is 00:30 the next day in the hall: the local day counts, not UTC's.
        try await store.execute(
            """
            INSERT INTO registration_case (number, hall, channel, stage, opened_at, enterprise_type)
            VALUES ('510811-20261128-0002', '510811', 'window', 'received', '2026-11-27 16:30:00+00', 'llc')
            """)
        figures = try await Self.figureDays(store)
        #expect(figures.stored["2026-11-28|received|window|llc||510811"] == 1 && figures.stored == figures.fresh)
        // Rows that differ (a damaged table) are found and rewritten by the check, the rest left:
        // each row of 11-26's received cases (those of cases moved away since among them), and a
        // stray row.
        let damaged = try await store.client.query(
            "SELECT count(*) FROM case_figure_day WHERE measure = 'received' AND day = '2026-11-26'",
            logger: store.logger
        ).decode(Int.self).first(where: { _ in true })
        try await store.execute(
            "UPDATE case_figure_day SET count = count + 5 WHERE measure = 'received' AND day = '2026-11-26'")
        try await store.execute(
            "INSERT INTO case_figure_day VALUES ('2025-01-15', 'closed', 'window', 'llc', 'completed', 3, '510811')")
        #expect(damaged ?? 0 >= 3)
        #expect(try await store.repairFigureDays() == (damaged ?? 0) + 1)
        figures = try await Self.figureDays(store)
        #expect(figures.stored == figures.fresh)
        #expect(try await store.repairFigureDays() == 0)
    }

    @Test func twoServersCountingAtOnceLoseNoCount() async throws {
        let (desk, first) = try await Self.desk(at: Fixtures.at(9, 0))
        let second = try TestPostgres.secondServer(first)
        defer { second.close() }
        let other = Desk(settings: desk.settings, store: second, clock: ManualClock(Fixtures.at(9, 0)))
        // Twelve cases taken in, six through each server at once, then each accepted through the other.
        let trades = ["青禾", "青木", "青松", "青山", "青川", "青田", "青石", "青竹", "青云", "青溪", "青柏", "青梅"]
        let numbers = try await withThrowingTaskGroup(of: CaseNumber.self) { group in
            for index in 0..<12 {
                let through = index % 2 == 0 ? desk : other
                group.addTask {
                    var application = Fixtures.application(tasks: [])
                    application.proposedName = "广元市昭化区\(trades[index])农业科技有限公司"
                    return try await through.intake(application, documents: .all, as: window).case.number
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(numbers).count == 12)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, number) in numbers.enumerated() {
                let through = index % 2 == 0 ? other : desk
                group.addTask { _ = try await through.playing(Fixtures.at(9, 30)).step(number, "accept", as: window) }
            }
            try await group.waitForAll()
        }
        let figures = try await Self.figureDays(first)
        #expect(figures.stored["2026-11-26|received|window|llc||510811"] == 12, "\(figures.stored)")
        #expect(figures.stored["2026-11-26|accepted|window|llc||510811"] == 12, "\(figures.stored)")
        #expect(figures.stored == figures.fresh)
    }

    @Test func everyReadOfTheReportsGoesThroughAnIndex() async throws {
        let (_, store) = try await Self.desk(at: Fixtures.at(9, 0))
        let plans = try await store.reportsPlans()
        // Every read, the tables of each part being there.
        #expect(plans.count == 14, "\(plans.keys.sorted())")
        for (name, plan) in plans {
            for table in [
                "registration_case", "case_event", "case_figure_day", "case_mail", "appointment",
                "case_deferral", "exchange_case",
            ] {
                #expect(!plan.contains("Seq Scan on \(table) "), "\(name): \(plan)")
            }
        }
        for name in ["figure-days", "received", "closed-by-day"] {
            #expect(plans[name]?.contains("case_figure_day_pkey") == true, "\(name): \(plans[name] ?? "")")
        }
        for name in ["closed-by-channel", "closed-by-stage", "closed-span", "closed-times", "closed-deferrals"] {
            #expect(plans[name]?.contains("registration_case_report") == true, "\(name): \(plans[name] ?? "")")
        }
        // Grouped by channel and type the report reads the index alone, never the case rows.
        #expect(plans["closed-by-channel"]?.contains("Index Only Scan") == true, "\(plans["closed-by-channel"] ?? "")")
        #expect(plans["corrected"]?.contains("case_event_by_transition") == true, "\(plans["corrected"] ?? "")")
        #expect(plans["outbound"]?.contains("exchange_case_direction_opened") == true, "\(plans["outbound"] ?? "")")
        #expect(plans["bookings"]?.contains("appointment_by_slot") == true, "\(plans["bookings"] ?? "")")
    }
}
