import Foundation

/// Where a case stands against its time budget.
public enum SLAState: String, Sendable, Codable, CaseIterable, Comparable {
    case onTrack = "on-track"
    case atRisk = "at-risk"
    case breached

    public var name: LocalizedText {
        switch self {
        case .onTrack: LocalizedText(zh: "正常", en: "on track")
        case .atRisk: LocalizedText(zh: "临近超时", en: "at risk")
        case .breached: LocalizedText(zh: "已超时", en: "breached")
        }
    }

    public static func < (lhs: SLAState, rhs: SLAState) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A case's time, measured in working minutes: government time (stages that run the clock)
/// apart from applicant time (stages that pause it), against the whole budget and the current
/// stage's budget.
public struct SLAFigures: Sendable, Equatable, Codable {
    /// A stretch when the clock waited on the applicant, and why.
    public struct Pause: Sendable, Equatable, Codable {
        public var stage: String
        public var from: Date
        public var to: Date?
        public var workingMinutes: Int
        public var reason: String?
    }

    /// Government working minutes so far.
    public var governmentMinutes: Int
    /// Working minutes spent waiting on the applicant.
    public var applicantMinutes: Int
    /// Working minutes of the deciding authority's special procedures (特别程序): paused, as the
    /// applicant's time is, but not theirs.
    public var specialProcedureMinutes: Int
    public var budgetMinutes: Int?
    /// Budget minus government time (negative when breached).
    public var remainingMinutes: Int?
    /// The case against its whole budget (0.4 working day): the hall's promise.
    public var state: SLAState
    /// The current stage against its own budget while the clock runs there: a stage that
    /// lingers, reported apart from the case's state.
    public var stageState: SLAState
    /// The stage now, its government minutes and its budget.
    public var stage: String
    public var stageMinutes: Int
    public var stageBudgetMinutes: Int?
    /// Government minutes per stage over the case's life.
    public var minutesByStage: [String: Int]
    /// When the clock first ran (the case complete at the desk); nil if it never has.
    public var clockStartedAt: Date?
    /// While the clock runs: when the whole budget runs out if it keeps running, or, for a
    /// breached case, when it ran out. Nil while paused or stopped.
    public var deadline: Date?
    public var running: Bool
    public var pauses: [Pause]
    /// True when any figure rests on years the calendar does not know.
    public var provisional: Bool
}

/// An open case's place in the worklist (see ``SLAClock/schedule(_:budgetMinutes:)``).
public struct CaseSchedule: Sendable, Equatable {
    /// Government minutes in the stretches that have ended.
    public var governmentMinutes: Int
    public var remainingMinutes: Int?
    /// While the clock runs: the instant the whole budget runs out, or ran out.
    public var dueAt: Date?

    public init(governmentMinutes: Int, remainingMinutes: Int?, dueAt: Date?) {
        self.governmentMinutes = governmentMinutes
        self.remainingMinutes = remainingMinutes
        self.dueAt = dueAt
    }
}

/// Measures cases against their budgets on a working calendar. Pure: `now` is an argument.
public struct SLAClock: Sendable {
    public let calendar: WorkingCalendar
    /// Share of a budget at which a case is at risk (default 75%).
    public let riskThreshold: Double

    public init(calendar: WorkingCalendar, riskThreshold: Double = 0.75) {
        self.calendar = calendar
        self.riskThreshold = riskThreshold
    }

    /// What a store keeps beside the schedules it computed with this clock at calendar `revision`
    /// (`store_meta` `schedule-calendar`): schedules marked otherwise are recomputed. The rule's
    /// name is part of it, so schedules an older build computed by another rule (each stretch's
    /// minutes rounded down, then added) are recomputed by this one, also after that build ran again.
    public static func scheduleMark(revision: Int) -> String { "\(revision)/seconds" }

    /// Whether a case that took `minutes` of government time kept within `budget`: it never
    /// reached it (the state is not breached). Minutes are whole ones counted down, so a case at
    /// 192 minutes and some seconds used its whole 0.4 day and more.
    public static func isWithin(_ minutes: Int, budget: Int) -> Bool { minutes < budget }

    /// The state of `minutes` spent against `budget`.
    public func state(_ minutes: Int, budget: Int?) -> SLAState {
        guard let budget, budget > 0 else { return .onTrack }
        if minutes >= budget { return .breached }
        return Double(minutes) >= Double(budget) * riskThreshold ? .atRisk : .onTrack
    }

    /// The calendar as a case with `extra` working stretches (extended hours it was taken in
    /// during) sees it.
    public func timeline(_ extra: [DateInterval]) -> CaseTimeline {
        CaseTimeline(calendar: calendar, extra: extra)
    }

    /// Figures for a case with `segments` (from its history) and `extra` working stretches, as of
    /// `now`; a pause in one of `specialProcedureStages` is a special procedure's, not the applicant's.
    public func measure(
        _ segments: [ClockSegment], extra: [DateInterval] = [], budgetMinutes: Int?, stageBudgets: [String: Int],
        specialProcedureStages: Set<String> = [], now: Date
    ) -> SLAFigures {
        let calendar = timeline(extra)
        // Seconds are added up and rounded to minutes once per figure (``WorkingTime``).
        var governmentSeconds = 0
        var applicantSeconds = 0
        var specialProcedureSeconds = 0
        var provisional = false
        var secondsByStage: [String: Int] = [:]
        var pauses: [SLAFigures.Pause] = []
        for segment in segments {
            // Measured up to `now` at the latest (a figure as of a past moment), never before the start.
            let end = max(segment.start, min(segment.end ?? now, now))
            let time = calendar.elapsed(from: segment.start, to: end)
            provisional = provisional || time.provisional
            switch segment.effect {
            case .running:
                governmentSeconds += time.seconds
                secondsByStage[segment.stage, default: 0] += time.seconds
            case .paused:
                if specialProcedureStages.contains(segment.stage) {
                    specialProcedureSeconds += time.seconds
                } else {
                    applicantSeconds += time.seconds
                }
                pauses.append(
                    SLAFigures.Pause(
                        stage: segment.stage, from: segment.start, to: segment.end, workingMinutes: time.minutes,
                        // The figures are shown everywhere (worklists, the portal): an ID number in
                        // the step's reason is masked here once (`history` shows it with --show-ids).
                        reason: segment.reason.map(CitizenID.maskingIDs(inText:))))
            case .stopped:
                break
            }
        }
        let government = WorkingTime.minutes(ofSeconds: governmentSeconds)
        let applicant = WorkingTime.minutes(ofSeconds: applicantSeconds)
        let byStage = secondsByStage.mapValues(WorkingTime.minutes(ofSeconds:))
        let current = segments.last
        let running = current?.end == nil && current?.effect == .running
        let stage = current?.end == nil ? current?.stage ?? "" : ""
        // The current visit to the stage: every stretch since the case came into it (a pause in the
        // same stage, a door-to-door wait, does not start the stage again).
        var stageSeconds = 0
        if running {
            for segment in segments.reversed() {
                guard segment.stage == stage else { break }
                guard segment.effect == .running else { continue }
                let end = max(segment.start, min(segment.end ?? now, now))
                stageSeconds += calendar.elapsed(from: segment.start, to: end).seconds
            }
        }
        let stageMinutes = WorkingTime.minutes(ofSeconds: stageSeconds)
        let stageBudget = stageBudgets[stage]
        let remaining = budgetMinutes.map { $0 - government }
        let due = schedule(segments, extra: extra, budgetMinutes: budgetMinutes).dueAt
        provisional = provisional || (due.map { self.calendar.adding(minutes: 0, to: $0).provisional } ?? false)
        return SLAFigures(
            governmentMinutes: government, applicantMinutes: applicant,
            specialProcedureMinutes: WorkingTime.minutes(ofSeconds: specialProcedureSeconds),
            budgetMinutes: budgetMinutes,
            remainingMinutes: remaining, state: state(government, budget: budgetMinutes),
            stageState: running ? state(stageMinutes, budget: stageBudget) : .onTrack, stage: stage,
            stageMinutes: stageMinutes, stageBudgetMinutes: stageBudget, minutesByStage: byStage,
            clockStartedAt: clockStartedAt(segments, extra: extra),
            deadline: due,
            running: running,
            pauses: pauses, provisional: provisional)
    }

    /// What the worklist orders open cases by, fixed between two events while the calendar does
    /// not change: government minutes up to the last event, what is left of the budget, and, while
    /// the clock runs, when the budget runs (or ran) out.
    public func schedule(_ segments: [ClockSegment], extra: [DateInterval] = [], budgetMinutes: Int?) -> CaseSchedule {
        let calendar = timeline(extra)
        let running = segments.last.map { $0.end == nil && $0.effect == .running } ?? false
        let budget = budgetMinutes.map { $0 * 60 }
        var spent = 0
        var due: Date?
        for segment in segments where segment.effect == .running {
            guard let end = segment.end else {
                if due == nil, let budget {
                    due = calendar.adding(seconds: budget - spent, to: segment.start).instant
                }
                break
            }
            let seconds = calendar.elapsed(from: segment.start, to: end).seconds
            if running, due == nil, let budget, spent + seconds >= budget {
                due = calendar.adding(seconds: budget - spent, to: segment.start).instant
            }
            spent += seconds
        }
        let minutes = WorkingTime.minutes(ofSeconds: spent)
        return CaseSchedule(
            governmentMinutes: minutes, remainingMinutes: budgetMinutes.map { $0 - minutes }, dueAt: running ? due : nil
        )
    }

    /// The instant a case's government minutes reach `minutes`, from its segments and extra
    /// stretches: within a stretch that has ended, or in the one running now (if it keeps
    /// running); nil when they never reach it.
    public func instant(reaching minutes: Int, _ segments: [ClockSegment], extra: [DateInterval] = []) -> Date? {
        let calendar = timeline(extra)
        let target = minutes * 60
        var spent = 0
        for segment in segments where segment.effect == .running {
            guard let end = segment.end else {
                return calendar.adding(seconds: max(0, target - spent), to: segment.start).instant
            }
            let length = calendar.elapsed(from: segment.start, to: end).seconds
            if spent + length >= target {
                return calendar.adding(seconds: max(0, target - spent), to: segment.start).instant
            }
            spent += length
        }
        return nil
    }

    /// The government minutes at which a case with `budget` becomes at risk.
    public func riskMinutes(budget: Int) -> Int {
        Int((Double(budget) * riskThreshold).rounded(.up))
    }

    /// The first working instant at or after `instant` (a case submitted at 23:00 starts its
    /// clock at the next office opening; one taken in at 11:59:30, before a noon break, at once):
    /// the second before its first working second is used up. Office hours are whole minutes, so
    /// that second is working time too.
    /// When the clock first ran: the first working instant of its first running stretch; none for
    /// a case that ended before it (all its time on days off: a past day made a holiday by a
    /// correction had shown a clock started the day after the case closed; from a trial).
    func clockStartedAt(_ segments: [ClockSegment], extra: [DateInterval]) -> Date? {
        guard let first = segments.first(where: { $0.effect == .running }) else { return nil }
        let start = clockStart(first.start, extra: extra)
        if let closed = segments.last?.end, start >= closed { return nil }
        return start
    }

    public func clockStart(_ instant: Date, extra: [DateInterval] = []) -> Date {
        timeline(extra).adding(seconds: 1, to: instant).instant.addingTimeInterval(-1)
    }

    /// What the worklist orders `state` by (see ``schedule(_:extra:budgetMinutes:)``).
    public func schedule(_ state: RegistrationCase, budgetMinutes: Int?) -> CaseSchedule {
        schedule(state.segments, extra: state.extraWorkingTime, budgetMinutes: budgetMinutes)
    }

    /// Figures for `state` under `definition`'s budgets.
    public func measure(_ state: RegistrationCase, definition: WorkflowDefinition, now: Date) -> SLAFigures {
        measure(
            state.segments, extra: state.extraWorkingTime, budgetMinutes: definition.budgetMinutes,
            stageBudgets: definition.stageBudgets, specialProcedureStages: definition.specialProcedureStages,
            now: state.closedAt ?? now)
    }
}

extension WorkflowDefinition {
    /// Each stage's budget in working minutes, where it has one.
    public var stageBudgets: [String: Int] {
        Dictionary(uniqueKeysWithValues: stages.compactMap { stage in stage.budgetMinutes.map { (stage.id, $0) } })
    }

    /// The paused stages that are the deciding authority's special procedures, not the applicant's time.
    public var specialProcedureStages: Set<String> {
        Set(stages.filter { $0.clock == .paused && $0.pause == .specialProcedure }.map(\.id))
    }
}
