import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 8, class 1: each event keeps when it happened and when it was written; a past step is a
/// supervisor's late entry with a reason.
@Suite struct LateEntryTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aStepDatedHoursAgoIsRefusedUnlessASupervisorEntersItWithAReason(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let refused = await Fixtures.problem {
            _ = try await desk.intake(Fixtures.application(), documents: .all, as: self.window, at: Fixtures.at(9, 5))
        }
        #expect(refused?.code == "instant.late-entry")
        #expect(refused?.kind == .refused)
        let notSupervisor = await Fixtures.problem {
            _ = try await desk.intake(
                Fixtures.application(), documents: .all, as: self.window, at: Fixtures.at(9, 5),
                late: LateEntry(reason: "停电后补录纸质收件"))
        }
        #expect(notSupervisor?.code == "role.supervisor-required")
        let noReason = await Fixtures.problem {
            _ = try await desk.intake(
                Fixtures.application(), documents: .all, as: self.supervisor, at: Fixtures.at(9, 5),
                late: LateEntry(reason: "  ", doneBy: "wangfang"))
        }
        #expect(noReason?.code == "text.not-accepted")
        #expect(noReason?.fields.first?.field == "lateReason")
        #expect(try await desk.summary().total == 0)

        let number = try await desk.intake(
            Fixtures.application(), documents: .all, as: supervisor, at: Fixtures.at(9, 5),
            late: LateEntry(reason: "停电后补录纸质收件", doneBy: "wangfang")
        ).case.number
        // The clerk who did it needs the step's role: a reviewer cannot have taken in a case.
        let wrongRole = await Fixtures.problem {
            _ = try await desk.step(
                number, "accept", as: self.supervisor, at: Fixtures.at(9, 20),
                late: LateEntry(reason: "停电后补录", doneBy: "lijun"))
        }
        #expect(wrongRole?.code == "role.required", "\(String(describing: wrongRole))")
        _ = try await desk.step(
            number, "accept", as: supervisor, at: Fixtures.at(9, 20),
            late: LateEntry(reason: "停电后补录", doneBy: "wangfang"))
        // Within the tolerance a clerk records a step as usual.
        _ = try await desk.step(number, "review", as: reviewer, at: Fixtures.at(17, 50))

        let history = try await desk.history(number)
        #expect(history.map(\.actor) == ["wangfang", "wangfang", "lijun"])
        #expect(history.map(\.at) == [Fixtures.at(9, 5), Fixtures.at(9, 20), Fixtures.at(17, 50)])
        #expect(history.map(\.recordedAt) == [Fixtures.at(18, 0), Fixtures.at(18, 0), Fixtures.at(18, 0)])
        #expect(history.map(\.recordedBy) == ["zhouqiang", "zhouqiang", nil])
        #expect(history.map(\.lateReason) == ["停电后补录纸质收件", "停电后补录", nil])
        #expect(history.map(\.isLateEntry) == [true, true, false])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aLateEntryStillCannotPrecedeTheCasesLastEvent(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let number = try await desk.playing(Fixtures.at(10, 0)).intake(
            Fixtures.application(), documents: .all, as: window, at: Fixtures.at(10, 0)
        ).case.number
        _ = desk.playing(Fixtures.at(18, 0))
        let problem = await Fixtures.problem {
            _ = try await desk.step(
                number, "accept", as: self.supervisor, at: Fixtures.at(9, 30),
                late: LateEntry(reason: "补录", doneBy: "wangfang"))
        }
        #expect(problem?.code == "step.before-last-event")
        #expect(try await desk.history(number).count == 1)
    }
}

/// A late entry checks the clerk who did the step as they stood when it happened.
@Suite struct LateEntryClerkTests {
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func theClerkWhoDidAPastStepIsCheckedAsTheyStoodThen(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        // Registered, given the window role, and wangfang deactivated: all at 18:00.
        _ = try await desk.addClerk(id: "newbie", name: "新人", roles: ["window"], as: supervisor)
        _ = try await desk.changeRoles(of: "lijun", to: ["reviewer", "window"], reason: "调岗", as: supervisor)
        _ = try await desk.deactivateClerk("wangfang", reason: "调离", as: supervisor)
        let notYet = await Fixtures.problem {
            _ = try await desk.intake(
                Fixtures.application(), documents: .all, as: self.supervisor, at: Fixtures.at(9, 0),
                late: LateEntry(reason: "停电补录", doneBy: "newbie"))
        }
        #expect(notYet?.code == "clerk.not-yet-registered")
        let roleLater = await Fixtures.problem {
            _ = try await desk.intake(
                Fixtures.application(), documents: .all, as: self.supervisor, at: Fixtures.at(9, 0),
                late: LateEntry(reason: "停电补录", doneBy: "lijun"))
        }
        #expect(roleLater?.code == "role.required")
        #expect(try await desk.summary().total == 0)
        // wangfang was an active window clerk at 09:00, though deactivated since.
        let number = try await desk.intake(
            Fixtures.application(), documents: .all, as: supervisor, at: Fixtures.at(9, 0),
            late: LateEntry(reason: "停电补录", doneBy: "wangfang")
        ).case.number
        #expect(try await desk.history(number).first?.actor == "wangfang")
    }

    /// From a hostile trial: a step dated a few minutes back (no late entry) was recorded under a
    /// clerk registered, or given the role, only since.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aStepDatedMinutesBackIsCheckedAgainstTheClerkAsTheyStoodThen(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let number = try await desk.intake(Fixtures.application(), documents: .all, as: .clerk("wangfang")).case.number
        _ = try await desk.playing(Fixtures.at(9, 5)).step(number, "accept", as: .clerk("wangfang"))
        _ = try await desk.playing(Fixtures.at(10, 0)).addClerk(
            id: "newrev", name: "新审", roles: ["reviewer"], as: supervisor)
        let notYet = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(10, 10)).step(
                number, "review", as: .clerk("newrev"), at: Fixtures.at(9, 56))
        }
        #expect(notYet?.code == "clerk.not-yet-registered", "\(String(describing: notYet))")
        _ = try await desk.playing(Fixtures.at(10, 12)).changeRoles(
            of: "wangfang", to: ["window", "reviewer"], reason: "兼任审查", as: supervisor)
        let roleLater = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(10, 20)).step(
                number, "review", as: .clerk("wangfang"), at: Fixtures.at(10, 6))
        }
        #expect(roleLater?.code == "role.required", "\(String(describing: roleLater))")
        #expect(try await desk.caseView(number).case.stage == "accepted")
        // Dated after the role was given, and by a clerk registered then: taken.
        let reviewed = try await desk.playing(Fixtures.at(10, 25)).step(
            number, "review", as: .clerk("wangfang"), at: Fixtures.at(10, 13))
        #expect(reviewed.state.stage == "review" && reviewed.events.last?.at == Fixtures.at(10, 13))
    }
}

/// Issue 8, class 3: office hours have effective dates; a change applies from a date on and
/// leaves time already spent as it was measured.
@Suite struct OfficeHoursHistoryTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    /// A copy of seeds/calendar in a new folder, to edit.
    func calendarCopy() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-cal-\(UUID().uuidString)")
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"), to: folder)
        return folder
    }

    /// Winter hours that start at 08:00 and end at 18:00, with the same lunch break.
    func longerHours(hall: String = "510811", overlapping: Bool = false) -> Data {
        let summerFrom = overlapping ? "04-01" : "05-01"
        return Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <office-hours xmlns="urn:kaiban:office-hours:1" hall="\(hall)" name="昭化区政务服务中心">
              <season name="冬季作息" name-en="winter hours" from="10-01" to="04-30">
                <session from="08:00" to="12:00"/>
                <session from="13:30" to="18:00"/>
              </season>
              <season name="夏季作息" name-en="summer hours" from="\(summerFrom)" to="09-30">
                <session from="09:00" to="12:00"/>
                <session from="14:00" to="18:00"/>
              </season>
            </office-hours>
            """.utf8)
    }

    /// Extended hours opened for 17:30–19:00, then office hours that run to 18:00 from before that
    /// day: 17:30 is the office's slot, listed once (it had been listed twice, office and
    /// extended, a place each); 18:00 and 18:30 stay extended.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func extendedHoursTheOfficeHoursGrewOverAreTheOfficesSlots(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let december = CivilDate(uncheckedYear: 2026, month: 12, day: 10)
        _ = try await desk.openAppointmentExtension(
            date: december, from: "17:30", to: "19:00", capacity: 3, reason: "延时服务", as: supervisor)
        _ = try await desk.changeOfficeHours(
            longerHours(), source: "hours.xml", from: CivilDate(uncheckedYear: 2026, month: 12, day: 5),
            reason: "冬季延长服务", as: supervisor)
        let late = try await desk.appointmentSlots(on: december).filter { $0.startMinute >= 17 * 60 + 30 }
        #expect(late.map(\.startMinute) == [1050, 1080, 1110], "\(late)")
        #expect(late.map(\.extended) == [false, true, true])
    }

    /// A case taken in at 09:05 and licensed at 09:50 without start-up tasks (45 minutes).
    func closedCase(_ desk: Desk) async throws -> CaseNumber {
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(tasks: []), documents: .all, as: window, at: Fixtures.at(9, 5)
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 10), ("review", reviewer, 20), ("approve", reviewer, 30), ("issue-licence", window, 50),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(number, step, as: actor, at: Fixtures.at(9, minute))
        }
        return number
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments, .rebuild))
    func aChangeAppliesFromItsDateOnAndLeavesThePastAsItWas(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        _ = try await closedCase(desk)
        _ = desk.playing(Fixtures.at(18, 0))
        let before = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(before.total?.maxMinutes == 45)

        let today = await Fixtures.problem {
            _ = try await desk.changeOfficeHours(
                longerHours(), source: "hours.xml", from: Fixtures.day, reason: "冬季延长服务", as: self.supervisor)
        }
        #expect(today?.code == "office-hours.retroactive")
        let byWindow = await Fixtures.problem {
            _ = try await desk.changeOfficeHours(
                longerHours(), source: "hours.xml", from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
                reason: "冬季延长服务", as: self.window)
        }
        #expect(byWindow?.code == "role.supervisor-required")
        let otherHall = await Fixtures.problem {
            _ = try await desk.changeOfficeHours(
                longerHours(hall: "510802"), source: "hours.xml",
                from: CivilDate(uncheckedYear: 2026, month: 11, day: 27), reason: "冬季延长服务", as: self.supervisor)
        }
        #expect(otherHall?.code == "office-hours.other-hall")
        let overlapping = await Fixtures.problem {
            _ = try await desk.changeOfficeHours(
                longerHours(overlapping: true), source: "hours.xml",
                from: CivilDate(uncheckedYear: 2026, month: 11, day: 27), reason: "冬季延长服务", as: self.supervisor)
        }
        #expect(overlapping?.kind == .brokenData, "\(String(describing: overlapping))")
        #expect(overlapping?.fields.contains { $0.reason.en.contains("seasons overlap") } == true)

        let change = try await desk.changeOfficeHours(
            longerHours(), source: "hours.xml", from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
            reason: "冬季延长服务", as: supervisor)
        #expect(change.by == "zhouqiang")
        // The 26th keeps the old hours: 08:00–09:00 was not office time then.
        #expect(try await desk.elapsed(from: Fixtures.at(8, 0), to: Fixtures.at(9, 0)).workingMinutes == 0)
        // From the 27th, it is.
        #expect(
            try await desk.elapsed(from: Fixtures.at(8, 0, day: 27), to: Fixtures.at(9, 0, day: 27)).workingMinutes
                == 60)
        let after = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(after.total?.maxMinutes == 45)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
        let status = try await desk.calendarStatus()
        #expect(status.officeHoursVersions.map(\.version.effectiveFrom.description) == ["2000-01-01", "2026-11-27"])
        #expect(status.officeHoursVersions.last?.recordedBy == "zhouqiang")
        #expect(status.officeHoursVersions.last?.reason == "冬季延长服务")
        // From a hostile trial: hours announced for a day not yet come could not be corrected
        // for that day. A second version for it corrects the first before it comes (both kept).
        let corrected = Data(
            String(decoding: longerHours(), as: UTF8.self).replacingOccurrences(
                of: #"<session from="08:00""#, with: #"<session from="08:30""#
            ).utf8)
        let correction = try await desk.changeOfficeHours(
            corrected, source: "hours-corrected.xml", from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
            reason: "更正：早上8:30起", as: supervisor)
        #expect(correction.change == "corrected")
        #expect(
            try await desk.elapsed(from: Fixtures.at(8, 0, day: 27), to: Fixtures.at(9, 0, day: 27)).workingMinutes
                == 30)
        let versions = try await desk.calendarStatus().officeHoursVersions
        #expect(versions.map(\.version.effectiveFrom.description) == ["2000-01-01", "2026-11-27", "2026-11-27"])
        #expect(versions.last?.source == "hours-corrected.xml")
        #expect(versions.map(\.corrected) == [false, true, false])
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
        // Once the day has come, its hours stand.
        let late = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(9, 0, day: 27)).changeOfficeHours(
                longerHours(), source: "hours.xml", from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
                reason: "再次", as: self.supervisor)
        }
        #expect(late?.code == "office-hours.retroactive")
    }

    /// A running server's desk learns of hours a supervisor changed through another process (the
    /// command line) within ``Desk/calendarLifetime``: it had kept the hours it read first until
    /// restarted, and so told applicants other deadlines than the hall's and wrote them.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func hoursChangedByAnotherProcessReachARunningDesk(store: TestStoreKind) async throws {
        let server = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let earlyHour = { try await server.elapsed(from: Fixtures.at(8, 0, day: 27), to: Fixtures.at(9, 0, day: 27)) }
        #expect(try await earlyHour().workingMinutes == 0)
        let commandLine = Desk(
            settings: server.settings, store: try TestPostgres.secondStore(of: server), clock: server.clock)
        _ = try await commandLine.changeOfficeHours(
            longerHours(), source: "hours.xml", from: CivilDate(uncheckedYear: 2026, month: 11, day: 27),
            reason: "冬季延长服务", as: supervisor)
        try await Task.sleep(for: Desk.calendarLifetime + .milliseconds(200))
        #expect(try await earlyHour().workingMinutes == 60)
        #expect(try await server.workingCalendar().revision == commandLine.workingCalendar().revision)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments))
    func anEditedOfficeHoursFileChangesNothingByItself(store: TestStoreKind) async throws {
        let calendar = try calendarCopy()
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), calendarFolder: calendar, path: path, store: store)
        _ = try await closedCase(desk)
        _ = desk.playing(Fixtures.at(18, 0))
        #expect(try await desk.calendarStatus().officeHoursFileDiffers == false)
        try longerHours().write(to: calendar.appendingPathComponent("office-hours.xml"))
        desk.reload()
        #expect(try await desk.elapsed(from: Fixtures.at(8, 0), to: Fixtures.at(9, 0)).workingMinutes == 0)
        #expect(try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel).total?.maxMinutes == 45)
        let status = try await desk.calendarStatus()
        #expect(status.officeHoursFileDiffers)
        #expect(status.officeHoursVersions.count == 1)
    }

    @Test func overlappingSeasonsAreAnError() throws {
        let session = [OfficeHours.Session(start: 540, end: 720)]
        let hours = OfficeHours(
            hall: "510811", name: "test",
            seasons: [
                .init(name: LocalizedText(zh: "冬", en: "winter"), from: 1001, to: 430, sessions: session),
                .init(name: LocalizedText(zh: "夏", en: "summer"), from: 401, to: 930, sessions: session),
            ])
        #expect(hours.problems().contains { $0.hasPrefix("作息季节重叠：冬、夏都包括04-01（seasons overlap: 冬, 夏 all cover 04-01）") })
    }
}

/// Issue 8, class 10: a read at an earlier instant shows the cases as they stood then, rebuilt
/// from their history.
@Suite struct PastReadTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func showAndTheWorklistAtAnEarlierInstantShowThatInstant(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let first = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(tasks: []), documents: .all, as: window, at: Fixtures.at(9, 5)
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 20), ("review", reviewer, 30), ("approve", reviewer, 40), ("issue-licence", window, 50),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(first, step, as: actor, at: Fixtures.at(9, minute))
        }
        var other = Fixtures.application()
        other.proposedName = "广元市昭化区青木农业科技有限公司"
        let second = try await desk.playing(Fixtures.at(11, 0)).intake(
            other, documents: .all, as: window, at: Fixtures.at(11, 0)
        ).case
            .number
        _ = desk.playing(Fixtures.at(18, 0))

        let then = try await desk.caseView(first, at: Fixtures.at(9, 25))
        #expect(then.reconstructed)
        #expect(then.case.stage == "accepted")
        #expect(then.case.version == 2)
        #expect(then.case.isOpen)
        #expect(then.nextSteps.isEmpty)
        #expect(then.sla.governmentMinutes == 20)
        let now = try await desk.caseView(first)
        #expect(!now.reconstructed)
        #expect(now.case.stage == "completed")
        let before = await Fixtures.problem { _ = try await desk.caseView(second, at: Fixtures.at(10, 0)) }
        #expect(before?.code == "case.not-yet-opened")

        let morning = try await desk.worklist(at: Fixtures.at(9, 25))
        #expect(morning.map(\.number) == [first])
        #expect(morning.first?.stage == "accepted")
        let lateMorning = try await desk.worklist(at: Fixtures.at(10, 30))
        #expect(lateMorning.isEmpty)
        let afternoon = try await desk.worklist(at: Fixtures.at(14, 0))
        #expect(afternoon.map(\.number) == [second])
        #expect(afternoon.first?.stage == "received")
        // Filters apply to the stage then: at 09:25 the case awaited review, no longer intake.
        #expect(try await desk.worklist(role: "reviewer", at: Fixtures.at(9, 25)).map(\.number) == [first])
        #expect(try await desk.worklist(stage: "received", at: Fixtures.at(9, 25)).isEmpty)
    }

    @Test func theCasesOpenAtAnInstantAreFoundThroughIndexes() throws {
        let store = try Fixtures.store()
        let plan = try store.openAtPlan()
        #expect(!plan.contains("SCAN registration_case\n") && !plan.hasSuffix("SCAN registration_case"), "\(plan)")
        #expect(plan.contains("USING INDEX registration_case_report"), "\(plan)")
        #expect(plan.contains("USING INDEX registration_case_due"), "\(plan)")
    }
}

/// Issue 8, class 7: the jurisdiction is the hall's own county plus those configured, all
/// county-level.
@Suite struct JurisdictionSettingsTests {
    @Test func theHallsOwnCountyIsAlwaysInItsJurisdictionAndOnlyCountiesCount() async throws {
        let settings = try KaibanSettings.resolve(
            database: nil, forms: Fixtures.formsRoot.path, environment: ["KAIBAN_JURISDICTION": "510812"],
            executable: nil)
        #expect(settings.jurisdiction == ["510811", "510812"])
        for text in ["510000", "510800", "510812,510800"] {
            let problem = await Fixtures.problem {
                _ = try KaibanSettings.resolve(
                    database: nil, forms: Fixtures.formsRoot.path, environment: ["KAIBAN_JURISDICTION": text],
                    executable: nil)
            }
            #expect(problem?.code == "settings.invalid", "\(text)")
            #expect(problem?.fields.first?.field == "KAIBAN_JURISDICTION", "\(text)")
        }
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aDomicileGivenAsAProvinceOrPrefectureIsRefused(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        for code in ["510000", "510800"] {
            var application = Fixtures.application()
            application.domicileDivision = code
            let problem = await Fixtures.problem {
                _ = try await desk.intake(application, documents: .all, as: .clerk("wangfang"), at: Fixtures.at(9, 5))
            }
            #expect(
                problem?.fields.contains { $0.field == "domicileDivision" && $0.reason.en.contains("county-level") }
                    == true, "\(code): \(String(describing: problem))")
        }
    }
}

/// Issue 8, class 3 (holiday notices): an edited notice of a year already loaded changes no
/// figure by itself; a new year comes in from its file.
@Suite struct HolidayFileTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks)) func anEditedNoticeOfALoadedYearChangesNothingByItself(
        store: TestStoreKind
    ) async throws {
        let calendar = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-cal-\(UUID().uuidString)")
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"), to: calendar)
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), calendarFolder: calendar, store: store)
        #expect(try await desk.elapsed(from: Fixtures.at(9, 0), to: Fixtures.at(10, 0)).workingMinutes == 60)
        #expect(try await desk.calendarStatus().holidayFilesDiffer.isEmpty)
        let file = calendar.appendingPathComponent("holidays-2026.xml")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "    <holiday name=\"元旦\"",
            with:
                "    <holiday name=\"测试\" name-en=\"test\" from=\"2026-11-26\" to=\"2026-11-26\"/>\n    <holiday name=\"元旦\""
        ).write(to: file, atomically: true, encoding: .utf8)
        desk.reload()
        #expect(try await desk.elapsed(from: Fixtures.at(9, 0), to: Fixtures.at(10, 0)).workingMinutes == 60)
        let status = try await desk.calendarStatus()
        #expect(status.holidayFilesDiffer == [2026])
        #expect(status.changes.allSatisfy { $0.change == "added" })
    }
}

/// What the hostile trial found in `find`: a name typed with compatibility characters, and a
/// public credit code shown masked.
@Suite struct FindReadingTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find))
    func aNameTypedWithKangxiRadicalsIsFoundAndACreditCodeIsNotMasked(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        var application = Fixtures.application(tasks: [])
        application.proposedName = "广元市昭化区山色农业科技有限公司"
        let window = DeskActor.clerk("wangfang")
        let reviewer = DeskActor.clerk("lijun")
        let number = try await desk.playing(Fixtures.at(9, 0)).intake(
            application, documents: .all, as: window, at: Fixtures.at(9, 0)
        )
        .case.number
        for (step, actor, minute) in [
            ("accept", window, 10), ("review", reviewer, 20), ("approve", reviewer, 30), ("issue-licence", window, 40),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(number, step, as: actor, at: Fixtures.at(9, minute))
        }
        // U+2F2D and U+2F8A are the Kangxi radicals that read 山 and 色.
        for query in ["山色", "\u{2F2D}\u{2F8A}"] {
            #expect(try await desk.find(query).cases.map(\.number) == [number], "\(query.unicodeScalars.map(\.value))")
        }
        let code = try #require(try await desk.caseView(number).case.creditCode)
        let byCode = try await desk.find(code)
        #expect(byCode.cases.map(\.number) == [number])
        #expect(byCode.maskingIDs().query == code)
        let byID = try await desk.find(Fixtures.idLi).maskingIDs()
        #expect(byID.query == CitizenID.masked(Fixtures.idLi))
    }
}

/// Generated cases never mix with a hall's records nor carry instants the calendar cannot measure.
@Suite struct SyntheticCasesPlaceTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .caseImport))
    func generatedCasesGoOnlyIntoANewDatabaseAndNoLaterThanToday(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        let supervisor = DeskActor.clerk("zhouqiang")
        let future = await Fixtures.problem {
            try await desk.synthesize(
                count: 5, lastDay: CivilDate(uncheckedYear: 2061, month: 6, day: 1), perDay: 5, openShare: 0, seed: 1,
                as: supervisor)
        }
        #expect(future?.code == "calendar.out-of-range")
        _ = try await desk.playing(Fixtures.at(9, 0)).intake(
            Fixtures.application(), documents: .all, as: .clerk("wangfang"), at: Fixtures.at(9, 0))
        let mixed = await Fixtures.problem {
            try await desk.synthesize(
                count: 5, lastDay: Fixtures.day, perDay: 5, openShare: 0, seed: 1, as: supervisor)
        }
        #expect(mixed?.code == "database.not-empty")
        #expect(try await desk.summary().total == 1)
    }
}

/// The review's findings on late entries and requests for correction.
@Suite struct LateEntryReviewTests {
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test func aClerkRegisteredBeforeTheHistoryIsTakenAsTheyStoodThen() {
        let now = Clerk(id: "oldhand", name: "老手", roles: ["supervisor"])
        let promoted = ClerkEvent(
            clerk: "oldhand", sequence: 1, at: Fixtures.at(18, 0), kind: .rolesChanged, actor: "zhouqiang",
            roles: ["supervisor"], previousRoles: ["reviewer", "window"], reason: "提拔")
        #expect(now.asOf(Fixtures.at(9, 0), history: [promoted])?.roles == ["reviewer", "window"])
        #expect(now.asOf(Fixtures.at(19, 0), history: [promoted])?.roles == ["supervisor"])
        #expect(now.asOf(Fixtures.at(9, 0), history: [])?.roles == ["supervisor"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases)) func aLateEntryForNowIsRefused(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        let problem = await Fixtures.problem {
            _ = try await desk.intake(
                Fixtures.application(), documents: .all, as: self.supervisor, at: Fixtures.at(9, 5),
                late: LateEntry(reason: "代录", doneBy: "wangfang"))
        }
        #expect(problem?.code == "instant.not-late")
        #expect(try await desk.summary().total == 0)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aCorrectionNeverDropsTheListOfMissingDocuments(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        let number = try await desk.intake(Fixtures.application(), as: .clerk("wangfang"), at: Fixtures.at(9, 5))
            .case.number
        let problem = await Fixtures.problem {
            _ = try await desk.step(
                number, "request-correction", reason: String(repeating: "缺", count: 480), as: .clerk("wangfang"))
        }
        #expect(problem?.code == "text.not-accepted")
        #expect(problem?.fields.first?.field == "reason")
        #expect(try await desk.history(number).count == 1)
    }
}
