import Foundation
import KaibanCore

extension Desk {
    /// How long after a visit a clerk back at the hall may still record it as it happened (the
    /// same day's outing); older visits are late entries (补录) by a supervisor.
    public static let visitTolerance: TimeInterval = 12 * 3600

    /// The kind a clerk typed, or a problem naming the field and the kinds there are.
    public static func specialKind(_ text: String, field: String = "kind") throws -> SpecialKind {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let kind = SpecialKind(rawValue: trimmed) else {
            throw Problem(
                .invalid, "special.unknown-kind",
                zh: "未知的特殊办类别“\(text)”（可选：\(SpecialKind.known(.zh))）",
                en: "unknown special-service kind \"\(text)\" (known: \(SpecialKind.known(.en)))",
                fields: [
                    FieldProblem(field: field, reason: LocalizedText(zh: "未知的类别", en: "unknown kind"))
                ])
        }
        return kind
    }

    /// A supervisor flags case `number` for special service (特殊办): `kind` (elderly, disabled,
    /// key-project, door-to-door) with its `reason`. A door-to-door case still in the stage it was
    /// taken in at, before any step, waits for its visit on the applicant's time (see the README).
    public func flagSpecial(
        _ number: CaseNumber, kind: String, reason: String, as actor: DeskActor, at instant: Date? = nil,
        late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            let kind = try Self.specialKind(kind)
            let reason = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "特殊办理由", en: "the reason for special service"),
                required: true)
            _ = try await requireSupervisor(actor, for: LocalizedText(zh: "标记特殊办", en: "flag for special service"))
            return try await perform(
                .flagSpecial(SpecialRequest(kind: kind, reason: reason)), on: number, as: actor, at: instant, nil,
                late: late)
        }
    }

    /// A supervisor removes case `number`'s special-service flag, with a reason.
    public func unflagSpecial(
        _ number: CaseNumber, reason: String, as actor: DeskActor, at instant: Date? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            let reason = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "取消理由", en: "the reason for removing the flag"),
                required: true)
            _ = try await requireSupervisor(
                actor, for: LocalizedText(zh: "取消特殊办标记", en: "remove the special-service flag"))
            return try await perform(
                .unflagSpecial(reason: reason), on: number, as: actor, at: instant, nil, late: late)
        }
    }

    /// Records a visit to the applicant of flagged case `number` (上门服务) at `instant`: where,
    /// which clerks went (each must be registered), a note. A visit up to ``visitTolerance`` ago
    /// is recorded by any window clerk as it happened; an older one is a supervisor's late entry.
    /// The first visit of a door-to-door case waiting for it starts its clock.
    public func recordVisit(
        _ number: CaseNumber, at instant: Date, place: String, clerks: [String], note: String? = nil,
        as actor: DeskActor, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            let at = try recordingInstant(instant)
            var went: [String] = []
            for id in clerks.map({ $0.trimmingCharacters(in: .whitespaces) }) where !went.contains(id) {
                guard Clerk.isValidID(id) else {
                    throw Problem(
                        .invalid, "clerk.invalid", zh: "上门人员“\(id)”不是有效的工作人员编号",
                        en: "\"\(id)\" is not a clerk id (the clerks who went)",
                        fields: [FieldProblem(field: "by", reason: LocalizedText(zh: "无效编号", en: "not a clerk id"))])
                }
                // Unknown clerks are refused by name (clerk.not-found); a clerk who went was in
                // post at the visit: registered by then and not yet deactivated.
                let clerk = try await store.clerk(id)
                guard clerk.asOf(at, history: try await store.clerkHistory(id))?.active == true else {
                    throw Problem(
                        .refused, "special.clerk-not-in-post",
                        zh: "上门人员\(id)在\(HallTime.localText(of: at))不是在岗的工作人员（尚未登记或已停用）",
                        en:
                            "clerk \(id) was not in post at \(HallTime.localText(of: at)) (not yet registered, or deactivated)",
                        fields: [
                            FieldProblem(
                                field: "by", reason: LocalizedText(zh: "上门时不在岗", en: "not in post at the visit"))
                        ])
                }
                went.append(id)
            }
            let details = VisitDetails(place: place, clerks: went, note: note)
            let now = self.instant(nowRounded: clock.now())
            if late == nil, at >= now.addingTimeInterval(-Self.visitTolerance) {
                let clerk = try await requireActiveClerk(actor)
                try await bringInStep(.workflow)
                return try await store.apply(
                    .recordVisit(details), to: number, by: clerk.id, at: at, expectedVersion: nil,
                    recording: Recording(at: now), clock: try await slaClock())
            }
            return try await perform(.recordVisit(details), on: number, as: actor, at: at, nil, late: late)
        }
    }

    /// `page` (the first entries of the worklist in its order) with each stage's flagged cases
    /// first among that stage's places: every line keeps the stage it had, and the cases of a
    /// stage fill its places flagged first (in worklist order), then the others. `specials(stage,
    /// n)` gives the first `n` open flagged cases of a stage in worklist order.
    static func specialFirst<Entry>(
        _ page: [Entry], number: (Entry) -> String, stage: (Entry) -> String, flagged: (Entry) -> Bool,
        specials: (String, Int) async throws -> [Entry]
    ) async throws -> [Entry] {
        var places: [String: Int] = [:]
        for entry in page { places[stage(entry), default: 0] += 1 }
        var queues: [String: [Entry]] = [:]
        for (name, count) in places.sorted(by: { $0.key < $1.key }) {
            var seen: Set<String> = []
            var queue: [Entry] = []
            for entry in try await specials(name, count) where seen.insert(number(entry)).inserted {
                queue.append(entry)
            }
            // Flagged lines of the page that the read did not return (changed between the two
            // reads), then the others, each once.
            for entry in page where stage(entry) == name && flagged(entry) && seen.insert(number(entry)).inserted {
                queue.append(entry)
            }
            for entry in page where stage(entry) == name && seen.insert(number(entry)).inserted {
                queue.append(entry)
            }
            queues[name] = queue
        }
        var next: [String: Int] = [:]
        return page.map { entry in
            let name = stage(entry)
            let index = next[name, default: 0]
            next[name] = index + 1
            return queues[name].flatMap { index < $0.count ? $0[index] : nil } ?? entry
        }
    }
}
