import Foundation

/// Why a case is served by the green channel (特殊办): the elderly, the disabled, a key project,
/// or door-to-door service (上门服务), whose clock counts from the visit.
public enum SpecialKind: String, Sendable, Hashable, Codable, CaseIterable {
    case elderly
    case disabled
    case keyProject = "key-project"
    case doorToDoor = "door-to-door"

    public var name: LocalizedText {
        switch self {
        case .elderly: LocalizedText(zh: "老年人", en: "elderly")
        case .disabled: LocalizedText(zh: "残疾人", en: "disabled")
        case .keyProject: LocalizedText(zh: "重点项目", en: "key project")
        case .doorToDoor: LocalizedText(zh: "上门服务", en: "door-to-door")
        }
    }

    /// The kinds as a clerk types them, for messages: `elderly（老年人）、…`.
    public static func known(_ language: Language) -> String {
        allCases.map { language == .zh ? "\($0.rawValue)（\($0.name.zh)）" : $0.rawValue }
            .joined(separator: language == .zh ? "、" : ", ")
    }
}

/// A request for special service with its reason: in an application (flagged at intake) or in
/// a supervisor's flag.
public struct SpecialRequest: Sendable, Hashable, Codable {
    public var kind: SpecialKind
    public var reason: String

    public init(kind: SpecialKind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// What is wrong with it, by field (`special.reason`): the reason is required, one line of
    /// visible text of bounded length.
    public var problems: [FieldProblem] {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            return [
                FieldProblem(
                    field: "special.reason",
                    reason: LocalizedText(zh: "特殊办须说明理由", en: "special service needs its reason"))
            ]
        }
        return FreeText.problem(trimmed, limit: FreeText.reasonLimit).map {
            [FieldProblem(field: "special.reason", reason: $0)]
        } ?? []
    }
}

/// A case's special-service flag as it stands: kind, reason, who flagged it and when.
public struct SpecialFlag: Sendable, Equatable, Codable {
    public var kind: SpecialKind
    public var reason: String
    public var flaggedBy: String
    public var flaggedAt: Date

    public init(kind: SpecialKind, reason: String, flaggedBy: String, flaggedAt: Date) {
        self.kind = kind
        self.reason = reason
        self.flaggedBy = flaggedBy
        self.flaggedAt = flaggedAt
    }
}

/// A visit to the applicant (上门服务): where, who went, a note. When is the event's instant.
public struct VisitDetails: Sendable, Hashable, Codable {
    public var place: String
    /// The clerks who went, by id, in the order given.
    public var clerks: [String]
    public var note: String?

    public init(place: String, clerks: [String], note: String? = nil) {
        self.place = place
        self.clerks = clerks
        self.note = note
    }
}

/// A visit as the case keeps it.
public struct Visit: Sendable, Equatable, Codable {
    public var at: Date
    public var place: String
    public var clerks: [String]
    public var note: String?
    /// The clerk who recorded it.
    public var recordedBy: String
    /// Whether the case's clock started at this visit (a door-to-door case waiting for it).
    public var startedClock: Bool
}

extension RegistrationCase {
    /// The reason of the pause while a door-to-door case waits for its visit.
    public static let awaitingVisitReason = "待上门服务"

    /// Whether the case is a door-to-door one still waiting for its visit: its clock pauses from
    /// the flag until the first visit (or the first step, or the flag's removal).
    public var isAwaitingVisit: Bool {
        guard isOpen, special?.kind == .doorToDoor, visits.isEmpty, let last = segments.last, last.end == nil
        else { return false }
        return last.effect == .paused && last.reason == Self.awaitingVisitReason
    }

    /// Whether a door-to-door flag now pauses the clock until the visit: the case is still in the
    /// stage it was taken in at, no step taken, and its clock runs there.
    /// (A flag given again after its removal pauses it again: the stretches since intake are the
    /// intake stage's own, running, paused for the earlier flag, running again.)
    var pausesForVisit: Bool {
        guard isOpen, visits.isEmpty, let first = segments.first, let last = segments.last else { return false }
        return last.end == nil && last.effect == .running && segments.allSatisfy { $0.stage == first.stage }
    }

    /// Pauses the clock for the visit from `at` (the flag's instant): a stretch that starts then
    /// becomes the pause itself.
    mutating func pauseForVisit(at instant: Date) {
        guard pausesForVisit else { return }
        let index = segments.count - 1
        let stage = segments[index].stage
        if segments[index].start >= instant {
            segments[index].effect = .paused
            segments[index].reason = Self.awaitingVisitReason
        } else {
            segments[index].end = instant
            segments.append(
                ClockSegment(stage: stage, effect: .paused, start: instant, reason: Self.awaitingVisitReason))
        }
    }

    /// Ends the wait for the visit at `instant`: the clock runs again in the same stage.
    mutating func resumeAfterVisitWait(at instant: Date) {
        guard isAwaitingVisit, let last = segments.last else { return }
        segments[segments.count - 1].end = instant
        segments.append(ClockSegment(stage: last.stage, effect: .running, start: instant))
    }

    /// Applies the special-service events (flag, unflag, visit).
    mutating func applySpecial(_ event: CaseEvent) throws(HistoryError) {
        switch event.kind {
        case .specialFlagged:
            guard isOpen, special == nil, let request = event.special else {
                throw HistoryError(
                    number: number, sequence: event.sequence,
                    issue: "a special flag without its kind, on a flagged case, or after closing")
            }
            special = SpecialFlag(
                kind: request.kind, reason: request.reason, flaggedBy: event.actor, flaggedAt: event.at)
            if request.kind == .doorToDoor { pauseForVisit(at: event.at) }
        case .specialUnflagged:
            guard isOpen, special != nil else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "a special flag removed from an unflagged case")
            }
            resumeAfterVisitWait(at: event.at)
            special = nil
        case .visitRecorded:
            guard isOpen, special != nil, let details = event.visit else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "a visit without details, or to an unflagged case")
            }
            let starts = isAwaitingVisit
            resumeAfterVisitWait(at: event.at)
            visits.append(
                Visit(
                    at: event.at, place: details.place, clerks: details.clerks, note: details.note,
                    recordedBy: event.actor, startedClock: starts))
        default:
            break
        }
    }
}
