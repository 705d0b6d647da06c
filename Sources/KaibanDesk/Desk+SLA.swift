import Foundation
import KaibanCore

extension Desk {
    /// The SLA report over the cases completed (outcome `completed`) from `first` to `last`
    /// (local days), each measured against the budgets of its own workflow version.
    public func slaReport(from first: CivilDate, to last: CivilDate, by grouping: SLAGrouping) async throws
        -> SLAReport
    {
        try await slaReport(from: first, to: last, by: grouping, withFigures: true)
    }

    /// The instants a period of local days spans: from the first day's midnight to the midnight
    /// after the last.
    static func period(_ first: CivilDate, _ last: CivilDate) -> (start: Date, end: Date) {
        (
            HallTime.instant(first, hour: 0, minute: 0),
            HallTime.instant(
                HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(last) + 1), hour: 0, minute: 0)
        )
    }

    /// The ids of the stages that complete a case in any of `definitions`, sorted.
    static func completionStages(_ definitions: [WorkflowDefinition]) -> [String] {
        Array(Set(definitions.flatMap { $0.stages.filter { $0.outcome?.isCompletion == true }.map(\.id) })).sorted()
    }

    /// The report; `withFigures` false leaves out the 容缺 figures and the count per channel (for a
    /// caller that has them from another report of the same period).
    func slaReport(from first: CivilDate, to last: CivilDate, by grouping: SLAGrouping, withFigures: Bool)
        async throws -> SLAReport
    {
        let reports = try await slaReports(from: first, to: last, by: grouping, thenBy: nil, withFigures: withFigures)
        return reports.first
    }

    /// The report by `grouping` and, when `second` is given, the report of the same cases by
    /// `second`, both from one reading of the closed cases.
    func slaReports(
        from first: CivilDate, to last: CivilDate, by grouping: SLAGrouping, thenBy second: SLAGrouping?,
        withFigures: Bool
    ) async throws -> (first: SLAReport, second: SLAReport?) {
        try await run {
            guard first <= last else {
                throw Problem(
                    .invalid, "period.reversed", zh: "起始日\(first)晚于截止日\(last)",
                    en: "the period starts (\(first)) after it ends (\(last))")
            }
            let definitions = try await definitions()
            let completed = Self.completionStages(definitions)
            // A few versions: found by comparing, cheaper per case than hashing the key.
            let budgets = definitions.map { (key: $0.key, budgets: SLAReport.Budgets($0)) }
            let newest = try await latestDefinition()
            let fallback = SLAReport.Budgets(newest)
            let (start, end) = Self.period(first, last)
            // The clock, not only the calendar: stored minutes are brought in step with it first.
            let calendar = try await slaClock().calendar
            let groupings = [grouping] + (second.map { [$0] } ?? [])
            let empty = groupings.map { SLAReport.Builder(grouping: $0, calendar: calendar) }
            let deferrals =
                withFigures
                ? try await deferralFigures(from: start, to: end, stages: completed, definitions: definitions) : nil
            let channels =
                withFigures && grouping == .channel
                ? try await channelActivity(from: first, to: last, definitions: definitions) : nil
            func finished(_ builders: [SLAReport.Builder]) -> (first: SLAReport, second: SLAReport?) {
                let reports = builders.map {
                    var report = $0.report(from: first, to: last, budgetMinutes: fallback.whole)
                    report.deferrals = deferrals
                    report.channels = channels
                    return report
                }
                return (reports[0], reports.count > 1 ? reports[1] : nil)
            }
            guard let span = try await store.closedSpan(from: start, to: end, stages: completed) else {
                return finished(empty)
            }
            // The closing times in as many stretches as there are processors, folded at once, merged.
            let parts = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
            let low = span.first
            let high = span.last.addingTimeInterval(1)
            let step = high.timeIntervalSince(low) / Double(parts)
            let bounds = (0...parts).map {
                $0 == parts ? high : low.addingTimeInterval((step * Double($0)).rounded(.down))
            }
            var builders = try await withThrowingTaskGroup(of: [SLAReport.Builder].self) { group in
                for part in 0..<parts {
                    group.addTask { [store] in
                        try await store.closedCases(
                            from: bounds[part], to: bounds[part + 1], stages: completed, groupedBy: grouping,
                            thenBy: second, into: empty
                        ) { builders, row in
                            let budget = budgets.first { $0.key == row.workflow }?.budgets ?? fallback
                            for index in builders.indices {
                                let group = index == 0 ? row.group : row.secondGroup
                                if groupings[index] != .stage, let minutes = row.governmentMinutes {
                                    builders[index].add(group: group, governmentMinutes: minutes, budgets: budget)
                                } else {
                                    builders[index].add(
                                        group: group, clockSegments: row.clockSegments, budgets: budget)
                                }
                            }
                        }
                    }
                }
                var merged = empty
                for try await part in group {
                    for index in merged.indices { merged[index].merge(part[index]) }
                }
                return merged
            }
            // Stored minutes carry no provisional mark: cases closed in a year without a holiday
            // notice make the report provisional.
            let years = HallTime.localDate(of: span.first).year...HallTime.localDate(of: span.last).year
            if years.contains(where: { !calendar.coveredYears.contains($0) }) {
                for index in builders.indices { builders[index].markProvisional() }
            }
            return finished(builders)
        }
    }

    /// What came in and went out through each channel from `first` to `last` (local days), with
    /// the bookings as they stand now (see ``ChannelActivity``).
    public func channelActivity(from first: CivilDate, to last: CivilDate) async throws -> ChannelActivity {
        try await run { try await channelActivity(from: first, to: last, definitions: try await definitions()) }
    }

    func channelActivity(from first: CivilDate, to last: CivilDate, definitions: [WorkflowDefinition]) async throws
        -> ChannelActivity
    {
        let (start, end) = Self.period(first, last)
        let calendar = try await slaClock().calendar
        let records = try await store.channelActivity(from: start, to: end, firstDay: first, lastDay: last)
        // A stage's outcome by its id, from the newest version that has it.
        var outcomes: [String: CaseOutcome] = [:]
        for definition in definitions {
            for stage in definition.stages { if let outcome = stage.outcome { outcomes[stage.id] = outcome } }
        }
        return records.activity(
            outcome: { outcomes[$0] }, at: instant(nowRounded: clock.now()), calendar: calendar)
    }

    /// The 容缺 figures of the period, with the working minutes completed cases waited in the
    /// stages where the licence waits for documents (on the applicant's time).
    func deferralFigures(from start: Date, to end: Date, stages completed: [String], definitions: [WorkflowDefinition])
        async throws -> DeferralFigures
    {
        // Where a case stands once accepted: the stages a step needing the acceptance documents
        // takes it to.
        let accepted = Set(
            definitions.flatMap { definition in
                definition.transitions.filter { $0.guards.contains(.acceptanceDocuments) }.map(\.to)
            })
        let records = try await store.deferralFigures(
            from: start, to: end, stages: completed, acceptedStages: accepted.sorted(),
            at: instant(nowRounded: clock.now()))
        // Where the licence waits: the stages an automatic step takes a case to when it lacks them.
        let waiting = Set(
            definitions.flatMap { definition in
                definition.transitions.filter { $0.automatic && $0.guards.contains(.licenceDocumentsMissing) }.map(\.to)
            })
        let calendar = try await workingCalendar()
        var figures = records.figures
        // Accepted with a deferral: the commitment not yet fulfilled at acceptance. One whose
        // documents all came before it was accepted with nothing missing (from a hostile trial: it
        // was counted, and the report's 容缺 share disagreed with the notices).
        figures.completedWithDeferral = records.fulfilledBeforeAcceptance.filter { !$0 }.count
        for text in records.segments {
            let (segments, extra) = ClockSegment.decodeTimeline(text[...]) ?? ([], [])
            let timeline = CaseTimeline(calendar: calendar, extra: extra)
            let minutes = WorkingTime.minutes(
                ofSeconds: segments.filter { waiting.contains($0.stage) }.reduce(0) {
                    $0 + timeline.elapsed(from: $1.start, to: $1.end ?? $1.start).seconds
                })
            figures.waitingMinutes += minutes
            if minutes > 0 { figures.casesThatWaited += 1 }
        }
        return figures
    }
}

/// A case crossing a line of its budget: at risk (75% used), or breached (all used).
public struct SLACrossing: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var proposedName: String
    public var stage: String
    public var state: SLAState
    public var at: Date
    /// The case's budget in working minutes.
    public var budgetMinutes: Int
    /// The government minutes reached at the crossing: the at-risk line (the risk threshold's
    /// share of the budget) or the whole budget.
    public var minutes: Int
}

extension Desk {
    /// The most crossings one call reports (a window over a whole backlog is cut there).
    public static let crossingLimit = 10_000

    /// The open cases whose clock runs that cross the at-risk line or their whole budget after
    /// `after` and at or before `through`, in the order they cross; as the cases stand now (a case
    /// paused or closed before its crossing does not cross). `kaiban sla watch` asks this for
    /// each stretch of time it watches.
    public func slaCrossings(after: Date, through: Date) async throws -> [SLACrossing] {
        try await run {
            guard after < through else { return [] }
            let clock = try await slaClock()
            let definitions = try await definitions()
            // A case crossing its at-risk line by `through` runs out of budget within what is
            // left after that line: no later than this.
            let margin = definitions.compactMap(\.budgetMinutes).map { $0 - clock.riskMinutes(budget: $0) }.max() ?? 0
            let horizon = clock.calendar.adding(minutes: margin, to: through).instant
            let entries = try await store.runningCases(dueAfter: after, through: horizon, limit: Self.crossingLimit)
            var known: [WorkflowDefinition.Key: WorkflowDefinition] = [:]
            for definition in definitions { known[definition.key] = definition }
            var crossings: [SLACrossing] = []
            for entry in entries {
                guard let budget = (known[entry.workflow] ?? definitions.last)?.budgetMinutes else { continue }
                for (state, minutes) in [(SLAState.atRisk, clock.riskMinutes(budget: budget)), (.breached, budget)] {
                    guard let at = clock.instant(reaching: minutes, entry.segments, extra: entry.extra),
                        at > after, at <= through
                    else { continue }
                    crossings.append(
                        SLACrossing(
                            number: entry.number, proposedName: entry.proposedName, stage: entry.stage, state: state,
                            at: at, budgetMinutes: budget, minutes: minutes))
                }
            }
            return crossings.sorted {
                ($0.at, $0.number.description, $0.state) < ($1.at, $1.number.description, $1.state)
            }
        }
    }
}

extension Desk {
    /// The hall's figures from `first` to `last` (local days): see ``HallFigures`` and the
    /// README's definitions.
    public func hallFigures(from first: CivilDate, to last: CivilDate) async throws -> HallFigures {
        try await run {
            guard first <= last else {
                throw Problem(
                    .invalid, "period.reversed", zh: "起始日\(first)晚于截止日\(last)",
                    en: "the period starts (\(first)) after it ends (\(last))")
            }
            let definitions = try await definitions()
            // The reference data and the clock are brought in step once, before the three reads
            // below run at once (each on its own connection of the pool).
            let calendar = try await slaClock().calendar
            let (start, end) = Self.period(first, last)
            async let recordsRead = store.hallFigureRecords(
                from: start, to: end, firstDay: first, lastDay: last, correction: Self.correctionTransition)
            // The reports' time figures only: the counts per channel are the records' own (the
            // bookings come with them), not read a second time.
            // Both from one reading of the period's closed cases.
            async let timesRead = slaReports(from: first, to: last, by: .channel, thenBy: .type, withFigures: false)
            async let deferralsRead = deferralFigures(
                from: start, to: end, stages: Self.completionStages(definitions), definitions: definitions)
            var outcomes: [String: CaseOutcome] = [:]
            for definition in definitions {
                for stage in definition.stages { if let outcome = stage.outcome { outcomes[stage.id] = outcome } }
            }
            let records = try await recordsRead
            let counts = records.counts(outcome: { outcomes[$0] })
            let times = try await timesRead
            let byChannel = times.first
            let byType = times.second ?? times.first
            return HallFigures(
                from: first, to: last, budgetMinutes: byChannel.budgetMinutes, total: counts.total,
                byChannel: counts.byChannel, byType: counts.byType, time: byChannel.total,
                timeByChannel: byChannel.groups, timeByType: byType.groups,
                returnedForCorrection: records.returnedForCorrection, deferrals: try await deferralsRead,
                bookings: ChannelActivity.Bookings(
                    records.bookings, at: instant(nowRounded: clock.now()), calendar: calendar),
                crossProvinceOutbound: records.crossProvinceOutbound)
        }
    }
}
