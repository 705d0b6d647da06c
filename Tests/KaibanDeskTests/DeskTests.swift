import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Synchronization
import Testing

/// The desk's use cases, in process, on each real store (SQLite, and PostgreSQL where it keeps the parts).
@Suite struct DeskTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aCaseGoesFromIntakeToCompletionThroughTheDesk(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let intake = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(tasks: ["seal", "bank"]), documents: .all, as: window, at: Fixtures.at(9, 5))
        let number = intake.case.number
        #expect(number.description == "510811-20261126-0001")
        #expect(intake.case.stage == "received")
        let plan: [(String, DeskActor, Int)] = [
            ("accept", window, 20), ("review", reviewer, 30), ("approve", reviewer, 40), ("issue-licence", window, 50),
        ]
        for (step, actor, minute) in plan {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(number, step, as: actor, at: Fixtures.at(9, minute))
        }
        let started = try await desk.caseView(number, at: Fixtures.at(10, 0))
        #expect(started.case.stage == "startup")
        #expect(started.case.creditCode?.hasPrefix("91510811MA") == true)
        // Pending start-up tasks are among the next steps, with who may do them.
        #expect(started.nextSteps.filter { $0.kind == .task }.map(\.id) == ["seal", "bank"])
        _ = try await desk.playing(Fixtures.at(10, 5)).completeTask(number, "seal", as: window, at: Fixtures.at(10, 5))
        let done = try await desk.playing(Fixtures.at(10, 10)).completeTask(
            number, "bank", as: window, at: Fixtures.at(10, 10))
        #expect(done.state.stage == "completed")
        #expect(done.events.map(\.kind) == [.taskCompleted, .transitioned])
        let view = try await desk.caseView(number, at: Fixtures.at(17, 0))
        #expect(view.nextSteps.isEmpty)
        // 09:05 to 10:10, all government time, measured to the close, not to 17:00.
        #expect(view.sla.governmentMinutes == 65)
        #expect(try await desk.history(number).count == 8)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find))
    func idNumbersAreKeptWrittenOneWayWhoeverTypedThem(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        var application = Fixtures.application()
        // A lower-case check character and blanks around: valid, and kept as `X`, without the blanks.
        application.legalRepresentative.idNumber = " 11010519491231002x"
        application.investors[0].idNumber = "11010519491231002x "
        let intake = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        let kept = intake.case.application
        #expect(kept.legalRepresentative.idNumber == Fixtures.idZhang)
        #expect(kept.investors.map(\.idNumber) == [Fixtures.idZhang, Fixtures.idLi])
        let opened = try #require(try await desk.history(intake.case.number).first)
        #expect(opened.kind == .opened && opened.application?.legalRepresentative.idNumber == Fixtures.idZhang)
        // Found by the number as anyone writes it.
        let found = try await desk.find("11010519491231002X")
        #expect(found.cases.map(\.number) == [intake.case.number])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases)) func refusalsAreProblemsWithKindsAndStableCodes(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(12, 0), store: store)
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(), as: window, at: Fixtures.at(9, 5)
        ).case.number
        let cases: [(String, ProblemKind, () async throws -> Void)] = [
            ("step.not-allowed", .refused, { _ = try await desk.step(number, "approve", as: self.reviewer) }),
            ("step.unknown", .refused, { _ = try await desk.step(number, "teleport", as: self.window) }),
            ("role.required", .forbidden, { _ = try await desk.step(number, "accept", as: self.reviewer) }),
            ("step.reason-required", .refused, { _ = try await desk.step(number, "refuse", as: self.window) }),
            ("actor.required", .invalid, { _ = try await desk.step(number, "accept", as: .anonymous) }),
            ("clerk.not-found", .notFound, { _ = try await desk.step(number, "accept", as: .clerk("ghost")) }),
            (
                "case.not-found", .notFound,
                {
                    _ = try await desk.step(
                        CaseNumber(division: "510811", date: Fixtures.day, sequence: 99), "accept", as: self.window)
                }
            ),
            (
                "case.stale", .conflict,
                { _ = try await desk.step(number, "accept", as: self.window, expectedVersion: 7) }
            ),
            ("role.supervisor-required", .forbidden, { _ = try await desk.rebuild(as: self.window) }),
            ("worklist.unknown-role", .invalid, { _ = try await desk.worklist(role: "janitor") }),
        ]
        for (code, kind, body) in cases {
            let problem = await Fixtures.problem(body)
            #expect(problem?.code == code, "\(code): \(String(describing: problem))")
            #expect(problem?.kind == kind, "\(code)")
            for language in Language.allCases {
                let text = problem?.message(language) ?? ""
                #expect(!text.contains("--") && !text.contains("kaiban ") && !text.contains("KAIBAN_"), "\(text)")
            }
        }
        // Every refusal left the case as it was.
        #expect(try await desk.history(number).count == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aBadApplicationIsRefusedWithEveryFieldAndWritesNothing(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        var application = Fixtures.application()
        application.registeredCapital = Money(fen: -100)
        application.legalRepresentative.idNumber = "11010519491231002Y"
        let problem = await Fixtures.problem { _ = try await desk.intake(application, as: self.window) }
        #expect(problem?.code == "application.invalid")
        #expect(problem?.kind == .refused)
        let fields = Set(problem?.fields.map(\.field) ?? [])
        #expect(fields.isSuperset(of: ["registeredCapital", "legalRepresentative.idNumber"]), "\(fields)")
        #expect(try await desk.summary().total == 0)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func anApplicationFileThatBreaksItsSchemaIsABadApplicationWithItsLine(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let url = Fixtures.packageRoot.appendingPathComponent("seeds/demo/cases/01-llc-window.xml")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "<capital>500000</capital>", with: "<capital>-500000</capital>")
        let problem = await Fixtures.problem {
            _ = try desk.application(fromCaseFile: Data(text.utf8), source: "negative.xml")
        }
        #expect(problem?.code == "application.invalid")
        #expect(problem?.kind == .refused)
        #expect(problem?.fields.first?.field == "negative.xml:4", "\(String(describing: problem))")
    }

    @Test func theFirstClerkMustBeASupervisorAndLaterOnesAreAddedByOne() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = Desk(
            settings: KaibanSettings(database: path, formsRoot: Fixtures.formsRoot),
            store: try CaseStore(path: path), clock: FixedClock(Fixtures.at(9, 0)))
        let first = await Fixtures.problem {
            _ = try await desk.addClerk(id: "wangfang", name: "王芳", roles: ["window"], as: .anonymous)
        }
        #expect(first?.code == "clerk.first-not-supervisor")
        #expect(try await desk.clerks().isEmpty)
        _ = try await desk.addClerk(id: "zhouqiang", name: "周强", roles: ["supervisor"], as: .anonymous)
        let anonymous = await Fixtures.problem {
            _ = try await desk.addClerk(id: "wangfang", name: "王芳", roles: ["window"], as: .anonymous)
        }
        #expect(anonymous?.code == "actor.required")
        _ = try await desk.addClerk(id: "wangfang", name: "王芳", roles: ["window"], as: .clerk("zhouqiang"))
        let byWindow = await Fixtures.problem {
            _ = try await desk.addClerk(id: "liuyang", name: "刘洋", roles: ["window"], as: .clerk("wangfang"))
        }
        #expect(byWindow?.code == "role.supervisor-required")
        let unknownRole = await Fixtures.problem {
            _ = try await desk.addClerk(id: "liuyang", name: "刘洋", roles: ["janitor"], as: .clerk("zhouqiang"))
        }
        #expect(unknownRole?.fields.map(\.field) == ["roles"])
        #expect(try await desk.clerks().map(\.id) == ["wangfang", "zhouqiang"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .caseImport, .mail, .deferrals))
    func calendarImportAndSynthesisAreSupervisorsActsAndSaySo(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let file = Fixtures.packageRoot.appendingPathComponent("seeds/calendar/holidays-2026.xml")
        let importing = await Fixtures.problem {
            _ = try await desk.importCalendar(
                try Data(contentsOf: file), source: file.path, replace: false, reason: nil, as: self.window)
        }
        #expect(importing?.code == "role.supervisor-required")
        #expect(importing?.message(.zh).contains("节假日") == true, "\(String(describing: importing))")
        #expect(importing?.message(.zh).contains("工作人员") == false)
        let synthesizing = await Fixtures.problem {
            try await desk.synthesize(
                count: 10, lastDay: Fixtures.day, perDay: 5, openShare: 0, seed: 1, as: self.window)
        }
        #expect(synthesizing?.code == "role.supervisor-required")
        #expect(try await desk.summary().total == 0)
        try await desk.synthesize(count: 10, lastDay: Fixtures.day, perDay: 5, openShare: 0, seed: 1, as: supervisor)
        #expect(try await desk.summary().total == 10)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases)) func concurrentIntakesGetDistinctDenseNumbers(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(10, 12), store: store)
        let numbers = try await withThrowingTaskGroup(of: String.self) { group in
            for minute in 0..<12 {
                group.addTask {
                    try await desk.intake(Fixtures.application(), as: self.window, at: Fixtures.at(10, minute)).case
                        .number.description
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == (1...12).map { String(format: "510811-20261126-%04d", $0) })
    }
}

@Suite struct DeskInstantTests {
    let window = DeskActor.clerk("wangfang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases)) func aStepDatedBeforeTheCasesLastEventIsRefused(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(store: store)
        let number = try await desk.playing(Fixtures.at(10, 0)).intake(
            Fixtures.application(), documents: .all, as: window, at: Fixtures.at(10, 0)
        ).case.number
        let problem = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(9, 0)).step(number, "accept", as: self.window, at: Fixtures.at(9, 0))
        }
        #expect(problem?.code == "step.before-last-event")
        #expect(try await desk.history(number).count == 1)
        // Seconds apart in one minute (two clerks at once): said to the second, not "10:00 before 10:00".
        let sameMinute = WorkflowError.beforeLastEvent(
            case: number, at: Fixtures.at(10, 6).addingTimeInterval(5), last: Fixtures.at(10, 6).addingTimeInterval(40))
        #expect(
            sameMinute.problem.text.en.contains("last changed at 2026-11-26 10:06:40"), "\(sameMinute.problem.text.en)")
        _ = try await desk.playing(Fixtures.at(10, 0)).step(number, "accept", as: window, at: Fixtures.at(10, 0))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func instantsTheCalendarCannotMeasureAreRefusedNeverStored(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        for text in ["2099-01-05T10:00", "1999-12-31T10:00"] {
            let problem = await Fixtures.problem {
                _ = try await desk.intake(Fixtures.application(), as: self.window, at: Fixtures.local(text))
            }
            #expect(problem?.code == "instant.out-of-range", "\(text)")
        }
        #expect(try await desk.summary().total == 0)
        let page = await Fixtures.problem { _ = try await desk.worklist(limit: -1) }
        #expect(page?.code == "limit.out-of-range")
    }
}

@Suite struct FreeTextTests {
    let window = DeskActor.clerk("wangfang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func reasonsNotesAndNamesAreOneLineOfVisibleTextOfBoundedLength(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(12, 0), store: store)
        let number = try await desk.playing(Fixtures.at(9, 0)).intake(
            Fixtures.application(), as: window, at: Fixtures.at(9, 0)
        ).case.number
        for reason in [
            "缺少签字页\n2026-11-26 10:00  zhouqiang  核准", "缺少\u{1B}[31m签字页", "缺少\u{200B}签字页",
            String(repeating: "长", count: 501),
        ] {
            let problem = await Fixtures.problem {
                _ = try await desk.step(number, "request-correction", reason: reason, as: self.window)
            }
            #expect(problem?.code == "text.not-accepted", "\(reason.prefix(20))")
        }
        #expect(try await desk.history(number).count == 1)
        // 500 characters are taken (a request for correction adds its list of missing documents,
        // so the bare limit is tried on a withdrawal).
        _ = try await desk.withdraw(number, reason: String(repeating: "长", count: 500), as: window)
        let clerk = await Fixtures.problem {
            _ = try await desk.addClerk(
                id: "liuyang", name: "刘洋\nzhouqiang", roles: ["window"], as: .clerk("zhouqiang"))
        }
        #expect(clerk?.fields.map(\.field) == ["name"])
        var application = Fixtures.application()
        application.domicile = "四川省广元市昭化区\t元坝镇中街12号"
        application.contact.name = "张伟\u{202E}"
        let intake = await Fixtures.problem { _ = try await desk.intake(application, as: self.window) }
        #expect(Set(intake?.fields.map(\.field) ?? []) == ["domicile", "contact.name"])
    }
}

@Suite struct JurisdictionAndRangeTests {
    let window = DeskActor.clerk("wangfang")

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aDomicileOutsideTheHallsJurisdictionIsRefusedUnlessConfigured(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        // A NUL typed into the code is refused as a code on both stores (PostgreSQL's text cannot
        // hold one: it had answered 503 database.refused, a retry that could never succeed).
        for code in ["510812", "110105", "510000", "510811\u{0}", "5108１1"] {
            var application = Fixtures.application()
            application.domicileDivision = code
            let problem = await Fixtures.problem { _ = try await desk.intake(application, as: self.window) }
            #expect(problem?.code == "application.invalid", "\(code)")
            #expect(problem?.fields.map(\.field).contains("domicileDivision") == true, "\(code)")
        }
        #expect(try await desk.summary().total == 0)
        // A hall that serves the next district too says so in its settings.
        var settings = desk.settings
        settings.jurisdiction = ["510811", "510812"]
        let wider = Desk(settings: settings, store: desk.store, clock: desk.clock)
        var application = Fixtures.application()
        application.domicileDivision = "510812"
        #expect(try await wider.intake(application, as: window).case.number.division == "510811")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks)) func theCalendarMeasuresWhatItCanAndRefusesTheRest(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(store: store)
        let reversed = await Fixtures.problem {
            _ = try await desk.elapsed(from: Fixtures.at(12, 0), to: Fixtures.at(9, 0))
        }
        #expect(reversed?.code == "period.reversed")
        let beyond = await Fixtures.problem {
            _ = try await desk.elapsed(from: Fixtures.local("2061-01-05T09:00"), to: Fixtures.local("2061-01-06T09:00"))
        }
        #expect(beyond?.code == "instant.out-of-range")
        let tooLong = await Fixtures.problem {
            _ = try await desk.adding(.workingDays(400), to: Fixtures.local("2060-06-01T09:00"))
        }
        #expect(tooLong?.code == "calendar.out-of-range")
        #expect(try await desk.elapsed(from: Fixtures.at(9, 0), to: Fixtures.at(12, 0)).workingMinutes == 180)
    }
}

@Suite struct DivisionCheckTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func aCodeBeforeItExistedIsNotYetCreatedNotFormerlySomething(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let before = try await desk.checkDivision("510811", on: CivilDate(uncheckedYear: 1900, month: 1, day: 1))
        #expect(!before.valid)
        #expect(before.problems.first?.en.hasPrefix("not yet created on 1900-01-01") == true, "\(before.problems)")
        let renamed = try await desk.checkDivision("510811", on: CivilDate(uncheckedYear: 2010, month: 1, day: 1))
        #expect(renamed.valid)
    }
}

@Suite struct FutureInstantTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aStepOrIntakeDatedInTheFutureIsRefusedAndCannotLockTheCase(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(10, 0), store: store)
        let window = DeskActor.clerk("wangfang")
        let future = await Fixtures.problem {
            _ = try await desk.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 0, day: 28))
        }
        #expect(future?.code == "instant.in-future")
        let number = try await desk.intake(
            Fixtures.application(), documents: .all, as: window, at: Fixtures.at(9, 50)
        ).case.number
        let ahead = await Fixtures.problem {
            _ = try await desk.step(number, "accept", as: window, at: Fixtures.local("2059-06-01T10:00"))
        }
        #expect(ahead?.code == "instant.in-future")
        // Within the tolerance for clocks that drift: recorded as now, and the clerk is told so.
        let told = Mutex<[LocalizedText]>([])
        let telling = Desk(
            settings: desk.settings, store: desk.store, clock: desk.clock,
            notices: { text in told.withLock { $0.append(text) } })
        // A step refused is told nothing of its instant: nothing was recorded.
        let refused = await Fixtures.problem {
            _ = try await telling.step(number, "approve", as: window, at: Fixtures.at(10, 4))
        }
        #expect(refused != nil && told.withLock { $0 }.isEmpty, "\(told.withLock { $0 })")
        _ = try await telling.step(number, "accept", as: window, at: Fixtures.at(10, 4))
        let history = try await desk.history(number)
        #expect(history.count == 2 && history.last?.at == Fixtures.at(10, 0))
        let notices = told.withLock { $0 }
        #expect(notices.count == 1, "\(notices)")
        #expect(notices.first?.zh.contains("2026-11-26 10:04晚于现在，按现在（2026-11-26 10:00）记录") == true, "\(notices)")
    }
}
