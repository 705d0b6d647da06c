import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 11, special service (特殊办): flags (at intake or by a supervisor), the worklist's order,
/// visits, and the clock of a door-to-door case counted from its visit.
@Suite struct SpecialServiceTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    /// An application with its own trade name (names must not clash), optionally flagged.
    func application(_ trade: String, special: SpecialRequest? = nil, tasks: [String] = ["seal"]) -> CaseApplication {
        var application = Fixtures.application(channel: special == nil ? .window : .special, tasks: tasks)
        application.proposedName = "广元市昭化区\(trade)农业科技有限公司"
        application.special = special
        return application
    }

    func intake(_ desk: Desk, _ application: CaseApplication, at instant: Date) async throws -> CaseNumber {
        try await desk.playing(instant).intake(application, documents: .all, as: window).case.number
    }

    /// Four cases: `ordinary1` received 09:00, `accepted` taken in 09:01 and accepted 09:04,
    /// `ordinary2` received 09:02 and `elderly` received 09:03, flagged at intake.
    func fourCases(_ desk: Desk) async throws -> (
        ordinary1: CaseNumber, accepted: CaseNumber, ordinary2: CaseNumber, elderly: CaseNumber
    ) {
        let ordinary1 = try await intake(desk, application("青禾"), at: Fixtures.at(9, 0))
        let accepted = try await intake(desk, application("青木"), at: Fixtures.at(9, 1))
        let ordinary2 = try await intake(desk, application("青松"), at: Fixtures.at(9, 2))
        let elderly = try await intake(
            desk, application("青竹", special: SpecialRequest(kind: .elderly, reason: "申请人82岁，行动不便")),
            at: Fixtures.at(9, 3))
        _ = try await desk.playing(Fixtures.at(9, 4)).step(accepted, "accept", as: window)
        return (ordinary1, accepted, ordinary2, elderly)
    }

    @Test func aFlaggedCaseGoesToTheTopOfItsStageAndOtherStagesKeepTheirPlaces() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let (ordinary1, accepted, ordinary2, elderly) = try await fourCases(desk)
        _ = desk.playing(Fixtures.at(9, 10))
        // By urgency alone: 青禾 (received, due 13:42), 青木 (accepted, 13:43), 青松 (13:44), 青竹 (13:45).
        // The flagged 青竹 takes the received stage's first place, above the more urgent 青禾 and
        // 青松; the accepted 青木 keeps the second line, which its urgency gives it.
        let list = try await desk.worklist()
        #expect(list.map(\.number) == [elderly, accepted, ordinary1, ordinary2])
        #expect(list.map(\.special) == [.elderly, nil, nil, nil])
        #expect(list[0].sla.remainingMinutes ?? 0 > list[2].sla.remainingMinutes ?? 0)
        // One stage: the flagged case first, then the others by urgency.
        #expect(try await desk.worklist(stage: "received").map(\.number) == [elderly, ordinary1, ordinary2])
        // A short page: the received stage's one place goes to the flagged case beyond the page.
        #expect(try await desk.worklist(limit: 2).map(\.number) == [elderly, accepted])
        // Two flagged cases of a stage: between them, urgency.
        _ = try await desk.playing(Fixtures.at(9, 12)).flagSpecial(
            ordinary2, kind: "key-project", reason: "县重点招商项目", as: supervisor)
        #expect(try await desk.worklist().map(\.number) == [ordinary2, accepted, elderly, ordinary1])
        // Read as the list stood at 09:11 (rebuilt from the histories), before the second flag.
        let past = try await desk.playing(Fixtures.at(9, 30)).worklist(at: Fixtures.at(9, 11))
        #expect(past.map(\.number) == [elderly, accepted, ordinary1, ordinary2])
    }

    @Test func onlyASupervisorFlagsAndEveryRefusalNamesItsFieldAndWritesNothing() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let number = try await intake(desk, application("青禾"), at: Fixtures.at(9, 0))
        _ = desk.playing(Fixtures.at(9, 5))
        let byWindow = await Fixtures.problem {
            _ = try await desk.flagSpecial(number, kind: "elderly", reason: "申请人82岁", as: window)
        }
        #expect(byWindow?.code == "role.supervisor-required")
        let unknown = await Fixtures.problem {
            _ = try await desk.flagSpecial(number, kind: "vip", reason: "贵宾", as: supervisor)
        }
        #expect(unknown?.code == "special.unknown-kind")
        #expect(unknown?.text.zh.contains("door-to-door（上门服务）") == true)
        #expect(unknown?.fields.map(\.field) == ["kind"])
        let noReason = await Fixtures.problem {
            _ = try await desk.flagSpecial(number, kind: "elderly", reason: "  ", as: supervisor)
        }
        #expect(noReason?.code == "text.not-accepted")
        #expect(noReason?.fields.map(\.field) == ["reason"])
        #expect(try await desk.history(number).count == 1)
        #expect(try await desk.caseView(number).case.special == nil)
        // The supervisor's flag, then a second one refused; the unflag needs its reason.
        _ = try await desk.flagSpecial(number, kind: "disabled", reason: "申请人持残疾人证", as: supervisor)
        let twice = await Fixtures.problem {
            _ = try await desk.flagSpecial(number, kind: "elderly", reason: "又一次", as: supervisor)
        }
        #expect(twice?.code == "special.already-flagged")
        let unflagByWindow = await Fixtures.problem {
            _ = try await desk.unflagSpecial(number, reason: "误标", as: window)
        }
        #expect(unflagByWindow?.code == "role.supervisor-required")
        _ = try await desk.unflagSpecial(number, reason: "误标：申请人未持残疾人证", as: supervisor)
        let history = try await desk.history(number)
        #expect(history.map(\.kind) == [.opened, .specialFlagged, .specialUnflagged])
        #expect(history[1].special == SpecialRequest(kind: .disabled, reason: "申请人持残疾人证"))
        #expect(history[1].actor == "zhouqiang" && history[2].reason == "误标：申请人未持残疾人证")
        #expect(try await desk.caseView(number).case.special == nil)
    }

    @Test func anApplicationFlaggedAtIntakeNeedsItsReason() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let refused = await Fixtures.problem {
            _ = try await intake(
                desk, application("青禾", special: SpecialRequest(kind: .elderly, reason: " ")), at: Fixtures.at(9, 0))
        }
        #expect(refused?.code == "application.invalid")
        #expect(refused?.fields.map(\.field) == ["special.reason"])
        let number = try await intake(
            desk, application("青禾", special: SpecialRequest(kind: .elderly, reason: "申请人82岁")), at: Fixtures.at(9, 1))
        let state = try await desk.caseView(number).case
        #expect(state.special?.kind == .elderly && state.special?.flaggedBy == "wangfang")
        #expect(state.application.channel == .special)
    }

    /// From a hostile trial: a window clerk flagged a walk-in case door-to-door at intake, no one
    /// ever went, and the case was accepted hours later: the morning counted as the applicant's
    /// and the case within 0.4 day. A step before any visit makes the wait the hall's time.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aStepBeforeAnyVisitCountsTheWaitAsTheHallsTime(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let number = try await intake(
            desk, application("青木", special: SpecialRequest(kind: .doorToDoor, reason: "行动不便")),
            at: Fixtures.at(9, 0))
        let waiting = try await desk.playing(Fixtures.at(11, 0)).caseView(number)
        #expect(
            waiting.case.isAwaitingVisit && waiting.sla.applicantMinutes == 120 && waiting.sla.governmentMinutes == 0)
        _ = try await desk.playing(Fixtures.at(16, 0)).step(number, "accept", as: window)
        let view = try await desk.playing(Fixtures.at(16, 10)).caseView(number)
        // 09:00–12:00 and 13:30–16:10 (winter hours, lunch 12:00–13:30): 340 minutes, none the applicant's.
        #expect(view.sla.applicantMinutes == 0, "\(view.sla)")
        #expect(view.sla.governmentMinutes == 340, "\(view.sla)")
        #expect(view.case.visits.isEmpty)
        // From a re-trial: the applicant withdrawing before any visit leaves the wait theirs.
        let withdrawn = try await intake(
            desk, application("青禾", special: SpecialRequest(kind: .doorToDoor, reason: "行动不便")),
            at: Fixtures.at(16, 11))
        _ = try await desk.playing(Fixtures.at(17, 11)).withdraw(withdrawn, reason: "申请人撤回", as: window)
        let gone = try await desk.caseView(withdrawn)
        #expect(gone.sla.governmentMinutes == 0 && gone.sla.applicantMinutes == 60, "\(gone.sla)")
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }

    @Test func aVisitNamesClerksWhoExistAndOnlyAFlaggedCaseIsVisited() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let plain = try await intake(desk, application("青禾"), at: Fixtures.at(9, 0))
        let flagged = try await intake(
            desk, application("青木", special: SpecialRequest(kind: .doorToDoor, reason: "重度残疾，无法到厅")),
            at: Fixtures.at(9, 1))
        _ = desk.playing(Fixtures.at(11, 0))
        let unknownClerk = await Fixtures.problem {
            _ = try await desk.recordVisit(
                flagged, at: Fixtures.at(10, 0), place: "昭化镇太守街5号", clerks: ["wangfang", "nobody"], as: window)
        }
        #expect(unknownClerk?.code == "clerk.not-found")
        #expect(unknownClerk?.text.zh.contains("nobody") == true)
        let unflagged = await Fixtures.problem {
            _ = try await desk.recordVisit(
                plain, at: Fixtures.at(10, 0), place: "昭化镇太守街5号", clerks: ["wangfang"], as: window)
        }
        #expect(unflagged?.code == "special.not-flagged")
        let noPlace = await Fixtures.problem {
            _ = try await desk.recordVisit(
                flagged, at: Fixtures.at(10, 0), place: " ", clerks: ["wangfang"], as: window)
        }
        #expect(noPlace?.code == "text.not-accepted" && noPlace?.fields.map(\.field) == ["place"])
        #expect(try await desk.history(flagged).count == 1)
        #expect(try await desk.history(plain).count == 1)
        // Older than 12 hours: a supervisor's late entry.
        let old = await Fixtures.problem {
            _ = try await desk.recordVisit(
                flagged, at: Fixtures.at(16, 0, day: 25), place: "昭化镇太守街5号", clerks: ["wangfang"], as: window)
        }
        #expect(old?.code == "instant.late-entry")
        // Within 12 hours, the clerk back at the hall records it as it happened (90 minutes ago).
        let back = try await desk.recordVisit(
            flagged, at: Fixtures.at(9, 30), place: "昭化镇太守街5号", clerks: ["wangfang"], as: window)
        #expect(back.events.first?.at == Fixtures.at(9, 30) && back.events.first?.lateReason == nil)
        #expect(back.events.first?.recordedAt == Fixtures.at(11, 0))
    }

    @Test func aClerkWhoWentWasInPostAtTheVisit() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let flagged = try await intake(
            desk, application("青木", special: SpecialRequest(kind: .doorToDoor, reason: "重度残疾，无法到厅")),
            at: Fixtures.at(9, 0))
        // Added at 09:10 and deactivated at 10:30: not yet in post at 09:05, no longer at 10:40.
        _ = try await desk.playing(Fixtures.at(9, 10)).addClerk(
            id: "linshi", name: "林石", roles: ["window"], as: supervisor)
        _ = try await desk.playing(Fixtures.at(10, 30)).deactivateClerk("linshi", reason: "离职", as: supervisor)
        _ = desk.playing(Fixtures.at(11, 0))
        for minute in [(9, 5), (10, 40)] {
            let refused = await Fixtures.problem {
                _ = try await desk.recordVisit(
                    flagged, at: Fixtures.at(minute.0, minute.1), place: "昭化镇太守街5号", clerks: ["wangfang", "linshi"],
                    as: window)
            }
            #expect(refused?.code == "special.clerk-not-in-post" && refused?.fields.map(\.field) == ["by"], "\(minute)")
            #expect(refused?.text.zh.contains("linshi") == true)
        }
        #expect(try await desk.history(flagged).count == 1)
        // In post at 10:00: the visit is recorded with both.
        let visit = try await desk.recordVisit(
            flagged, at: Fixtures.at(10, 0), place: "昭化镇太守街5号", clerks: ["wangfang", "linshi"], as: window)
        #expect(visit.events.count == 1)
    }

    /// The worked example of the README's rule, on Thursday 2026-11-26 (winter hours 09:00-12:00,
    /// 13:30-17:30). The door-to-door case is taken in at 09:00 (its clock waits for the visit);
    /// the clerks visit at 10:30, recorded at 10:40; accepted at 10:45. As of 11:00:
    /// government time 10:30-11:00 = 30 minutes; applicant time (the wait) 09:00-10:30 = 90;
    /// the budget of 192 minutes runs out at 10:30 + 90 (to 12:00) + 102 after 13:30 = 15:12.
    /// The same case without the flag would have spent 120 minutes and run out at 13:42.
    @Test func aDoorToDoorCasesClockCountsFromTheVisitAndARebuildKeepsIt() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let number = try await intake(
            desk, application("青禾", special: SpecialRequest(kind: .doorToDoor, reason: "申请人瘫痪在床")),
            at: Fixtures.at(9, 0))
        let waiting = try await desk.playing(Fixtures.at(10, 0)).caseView(number)
        #expect(waiting.case.isAwaitingVisit)
        #expect(!waiting.sla.running && waiting.sla.governmentMinutes == 0 && waiting.sla.applicantMinutes == 60)
        #expect(waiting.sla.clockStartedAt == nil)
        let visited = try await desk.playing(Fixtures.at(10, 40)).recordVisit(
            number, at: Fixtures.at(10, 30), place: "昭化区王家店村3组12号", clerks: ["wangfang", "lijun"], note: "材料已收齐",
            as: window)
        #expect(visited.events.map(\.kind) == [.visitRecorded])
        #expect(visited.events[0].at == Fixtures.at(10, 30) && visited.events[0].recordedAt == Fixtures.at(10, 40))
        #expect(visited.state.visits.first?.startedClock == true)
        _ = try await desk.playing(Fixtures.at(10, 45)).step(number, "accept", as: window)
        let view = try await desk.playing(Fixtures.at(11, 0)).caseView(number)
        #expect(view.sla.governmentMinutes == 30)
        #expect(view.sla.applicantMinutes == 90)
        #expect(view.sla.clockStartedAt == Fixtures.at(10, 30))
        #expect(view.sla.deadline == Fixtures.at(15, 12))
        #expect(view.sla.pauses.first?.reason == RegistrationCase.awaitingVisitReason)
        // The worklist and the at-risk list measure it the same way.
        let line = try #require(try await desk.worklist().first { $0.number == number })
        #expect(line.special == .doorToDoor)
        #expect(line.sla.governmentMinutes == 30 && line.sla.applicantMinutes == 90)
        #expect(line.sla.deadline == Fixtures.at(15, 12) && line.sla.clockStartedAt == Fixtures.at(10, 30))
        // A second visit is recorded but starts nothing.
        let again = try await desk.playing(Fixtures.at(11, 5)).recordVisit(
            number, at: Fixtures.at(11, 2), place: "昭化区王家店村3组12号", clerks: ["wangfang"], as: window)
        #expect(again.state.visits.map(\.startedClock) == [true, false])
        #expect(try await desk.playing(Fixtures.at(11, 5)).caseView(number).sla.clockStartedAt == Fixtures.at(10, 30))
        // Every derived column comes back the same from the history.
        let report = try await desk.rebuild(as: supervisor)
        #expect(report.repaired.isEmpty)
        let rebuilt = try await desk.playing(Fixtures.at(11, 0)).caseView(number)
        #expect(rebuilt.sla.deadline == Fixtures.at(15, 12))
    }

    @Test func aFlagAfterTheFirstStepOrAVisitToAnotherKindLeavesTheClockAlone() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let number = try await intake(desk, application("青禾"), at: Fixtures.at(9, 0))
        _ = try await desk.playing(Fixtures.at(9, 10)).step(number, "accept", as: window)
        _ = try await desk.playing(Fixtures.at(9, 20)).flagSpecial(
            number, kind: "door-to-door", reason: "申请人住院", as: supervisor)
        let view = try await desk.playing(Fixtures.at(9, 30)).caseView(number)
        #expect(view.sla.running && view.sla.governmentMinutes == 30 && view.sla.clockStartedAt == Fixtures.at(9, 0))
        // A door-to-door flag before any step pauses from the flag; the unflag resumes.
        let second = try await intake(desk, application("青木"), at: Fixtures.at(9, 30))
        _ = try await desk.playing(Fixtures.at(9, 40)).flagSpecial(
            second, kind: "door-to-door", reason: "申请人住院", as: supervisor)
        _ = try await desk.playing(Fixtures.at(10, 0)).unflagSpecial(second, reason: "申请人已出院，到厅办理", as: supervisor)
        let resumed = try await desk.playing(Fixtures.at(10, 10)).caseView(second)
        // 09:30-09:40 and 10:00-10:10 count; the 20 minutes flagged waited.
        #expect(resumed.sla.governmentMinutes == 20 && resumed.sla.applicantMinutes == 20 && resumed.sla.running)
        // The wait did not start the stage again: its minutes are the stage's since intake.
        #expect(resumed.sla.stageMinutes == 20 && resumed.sla.minutesByStage[resumed.sla.stage] == 20)
        // Flagged again before any step: the clock pauses again (it had kept running).
        _ = try await desk.playing(Fixtures.at(10, 20)).flagSpecial(
            second, kind: "door-to-door", reason: "申请人再次住院", as: supervisor)
        let again = try await desk.playing(Fixtures.at(10, 50)).caseView(second)
        #expect(again.case.isAwaitingVisit && !again.sla.running)
        #expect(again.sla.governmentMinutes == 30 && again.sla.applicantMinutes == 50)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }

    @Test func theSpecialChannelHasItsLineInTheReportByChannel() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        // From a hostile trial: a window clerk designated a key project at intake (first in its
        // stage), which only a supervisor may do later. The intake of one is a supervisor's too.
        let keyProject = application("青禾", special: SpecialRequest(kind: .keyProject, reason: "市重点项目"))
        let refused = await Fixtures.problem {
            _ = try await intake(desk, keyProject, at: Fixtures.at(9, 0))
        }
        #expect(refused?.code == "role.supervisor-required", "\(String(describing: refused))")
        let special = try await desk.playing(Fixtures.at(9, 0)).intake(keyProject, documents: .all, as: supervisor)
            .case.number
        let ordinary = try await intake(desk, application("青木"), at: Fixtures.at(9, 1))
        for number in [special, ordinary] {
            for (minute, step, actor) in [
                (10, "accept", window), (20, "review", reviewer), (30, "approve", reviewer),
                (40, "issue-licence", window),
            ] {
                _ = try await desk.playing(Fixtures.at(9, minute)).step(number, step, as: actor)
            }
            _ = try await desk.playing(Fixtures.at(9, 50)).completeTask(number, "seal", as: window)
        }
        let report = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(report.groups.map(\.group).sorted() == ["special", "window"])
        #expect(report.groups.first { $0.group == "special" }?.count == 1)
        #expect(report.groups.first { $0.group == "special" }?.maxMinutes == 50)
    }
}
