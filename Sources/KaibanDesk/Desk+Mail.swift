import Foundation
import KaibanCore

/// A case waiting on the post, as `mail pending` lists it.
public struct MailPendingCase: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var proposedName: String
    /// Since when it waits: its intake (documents to arrive) or its licence's issue.
    public var since: Date
    /// Whole working days gone by since then.
    public var workingDays: Int
    /// Whether that count rests on a year whose holiday notice is not loaded (weekends and
    /// statutory holidays only there): an estimate, said as such.
    public var workingDaysProvisional: Bool
    /// For documents to arrive: whether a supervisor may now close the case as never arrived.
    /// For a licence: whether it is late (not posted within one working day).
    public var overdue: Bool
}

/// What waits on the post (`mail pending`): mail cases whose documents have not arrived, and
/// licences of mail cases not yet posted, each longest waiting first.
public struct MailPending: Sendable, Equatable, Codable {
    public var asOf: Date
    /// Working days after intake when a case whose documents never came may be closed.
    public var closeAfterWorkingDays: Int
    public var awaitingDocuments: [MailPendingCase]
    public var awaitingLicencePost: [MailPendingCase]
}

extension Desk {
    /// A post as a clerk gives it: carrier code (default EMS), tracking number and, for a post
    /// sent, the items (default: the licence). Every problem at once.
    public static func postalItem(carrier: String?, tracking: String, items: [String]? = nil) throws -> PostalItem {
        var problems: [FieldProblem] = []
        let known = Carrier.allCases.map(\.rawValue).joined(separator: ", ")
        let chosen = carrier.map { Carrier(code: $0) } ?? .ems
        if chosen == nil {
            problems.append(
                FieldProblem(
                    field: "carrier",
                    reason: LocalizedText(
                        zh: "未知的承运商“\(carrier ?? "")”（可选：\(known)）",
                        en: "unknown carrier \"\(carrier ?? "")\" (known: \(known))"
                    )))
        }
        var number = ""
        switch TrackingNumber.checked(tracking) {
        case .success(let value): number = value
        case .failure(let problem): problems += problem.fields
        }
        var parsed: [MailItem]?
        if let items {
            parsed = []
            for text in items {
                let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
                if let item = MailItem(rawValue: trimmed) {
                    parsed?.append(item)
                } else {
                    let names = MailItem.allCases.map(\.rawValue).joined(separator: ", ")
                    problems.append(
                        FieldProblem(
                            field: "items",
                            reason: LocalizedText(
                                zh: "未知的寄出物品“\(text)”（可选：\(names)）", en: "unknown item \"\(text)\" (known: \(names))")))
                }
            }
            if items.isEmpty {
                problems.append(
                    FieldProblem(field: "items", reason: LocalizedText(zh: "未指明寄出物品", en: "no item given")))
            }
        }
        guard problems.isEmpty, let chosen else {
            throw Problem(.invalid, "mail.invalid", zh: "邮件信息有误：", en: "the post cannot be recorded:", fields: problems)
        }
        return PostalItem(carrier: chosen, tracking: number, items: parsed)
    }

    /// A mail case's documents arrived (邮件签收): the post is kept, the case leaves its stage for
    /// documents in the post and its clock starts then; `documents` found in the envelope are
    /// received in the same transaction (by post).
    public func receiveMail(
        _ number: CaseNumber, post: PostalItem, documents: DocumentSelection = .none, as actor: DeskActor,
        at instant: Date? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            let state = try await store.registrationCase(number)
            // `all`: every document still missing (one handed in at the window before is kept).
            let received = try documents.documents(of: neededDocuments(state)).filter {
                documents != .all || state.documents[$0.code] == nil
            }.map { ReceivedDocument(code: $0.code, form: .post) }
            if !received.isEmpty { try checkReceipt(received, on: state) }
            let (clerk, at, recording) = try await recording(instant, as: actor, late: late)
            try await bringInStep(.workflow)
            return try await store.apply(
                all: [.receiveMail(post)] + received.map { .receiveDocument($0) }, to: number, by: clerk, at: at,
                recording: recording, clock: try await slaClock())
        }
    }

    /// The hall posted `post`'s items (the licence, notices) to the application's mailing address.
    public func sendMail(
        _ number: CaseNumber, post: PostalItem, as actor: DeskActor, at instant: Date? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        var post = post
        if post.items == nil { post.items = [.licence] }
        return try await perform(.sendMail(post), on: number, as: actor, at: instant, nil, late: late)
    }

    /// A supervisor closes a mail case whose documents never arrived, with a reason, once
    /// ``KaibanSettings/mailCloseDays`` working days have gone by since its intake: it is
    /// withdrawn (撤回), which the SLA figures never count as a breach.
    public func closeUnarrivedMail(
        _ number: CaseNumber, reason: String?, as actor: DeskActor, at instant: Date? = nil
    ) async throws -> StepOutcome {
        try await run {
            let act = LocalizedText(zh: "关闭材料未寄达的寄递办件", en: "close a mail case whose documents never arrived")
            _ = try await requireSupervisor(actor, for: act)
            let text = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
            let state = try await store.registrationCase(number)
            let definition = try await definition(state.definition)
            guard state.awaitsInboundPost(definition) else {
                // Still in the post's stage with documents handed in (recorded before hand-ins
                // took a case out by themselves): say so and what to do (it read "not waiting
                // for posted documents" beside "documents in the post"; from a second re-trial).
                let handedIn =
                    state.application.channel == .mail && state.isOpen && state.mail?.received == nil
                    && state.stage == definition.initialStage(for: .mail)
                let why =
                    state.application.channel != .mail
                    ? LocalizedText(zh: "不是寄递办", en: "is not a mail case")
                    : handedIn
                        ? LocalizedText(
                            zh: "申请人已当面递交材料，不是材料未寄达：请办理“材料签收”（step receive-documents）",
                            en:
                                "the applicant handed documents in: they did not fail to arrive; take the step receive-documents"
                        )
                        : LocalizedText(
                            zh: "当前为“\(definition.stageName(state.stage).zh)”，不在等待寄递材料",
                            en: "is at \(definition.stageName(state.stage).en), not waiting for posted documents")
                throw WorkflowError.mailRefused(case: number, code: "not-awaiting", reason: why)
            }
            let (clerk, at, recording) = try await recording(instant, as: actor, late: nil)
            let calendar = try await workingCalendar()
            let days = settings.mailCloseDays
            let allowed = calendar.adding(workingDays: days, to: state.openedAt)
            if allowed.provisional {
                // The count runs into a year whose holiday notice is not loaded: its bridges and
                // make-up days are not known, so neither is the day the case may be closed.
                let year = HallTime.localDate(of: allowed.instant).year
                throw WorkflowError.mailRefused(
                    case: number, code: "calendar-unknown",
                    reason: LocalizedText(
                        zh:
                            "须满\(days)个工作日方可关闭，而计算跨入\(year)年，该年放假通知尚未载入（kaiban calendar import），暂不能确定",
                        en:
                            "it may be closed after \(days) working days, which run into \(year), whose holiday notice is not loaded (kaiban calendar import): not yet known"
                    ))
            }
            guard at >= allowed.instant else {
                throw WorkflowError.mailRefused(
                    case: number, code: "too-early",
                    reason: LocalizedText(
                        zh:
                            "于\(HallTime.localText(of: state.openedAt))收件，须满\(days)个工作日（\(HallTime.localText(of: allowed.instant))后）材料仍未寄达方可关闭",
                        en:
                            "taken in at \(HallTime.localText(of: state.openedAt)); it may be closed once \(days) working days have gone by without the documents (after \(HallTime.localText(of: allowed.instant)))"
                    ))
            }
            try await bringInStep(.workflow)
            return try await store.apply(
                .transition("withdraw", reason: text), to: number, by: clerk, at: at, expectedVersion: state.version,
                recording: recording, clock: try await slaClock())
        }
    }

    /// What waits on the post as of `instant` (default now): at most `limit` of each list.
    public func mailPending(at instant: Date? = nil, limit: Int = 500) async throws -> MailPending {
        try await run {
            try requireLimit(limit)
            let now = try self.instant(instant)
            let calendar = try await workingCalendar()
            let records = try await store.mailPending(limit: limit)
            let days = settings.mailCloseDays
            func listing(_ record: MailPendingRecord, overdue: Bool) -> MailPendingCase {
                MailPendingCase(
                    number: record.number, proposedName: record.proposedName, since: record.since,
                    workingDays: MailDeadlines.workingDays(since: record.since, at: now, calendar: calendar),
                    workingDaysProvisional: calendar.elapsed(from: record.since, to: now).provisional, overdue: overdue)
            }
            return MailPending(
                asOf: now, closeAfterWorkingDays: days,
                awaitingDocuments: records.inbound.filter { $0.since <= now }.map {
                    // Not yet when the day cannot be known (a year without its notice), as closing says.
                    let allowed = calendar.adding(workingDays: days, to: $0.since)
                    return listing($0, overdue: !allowed.provisional && now >= allowed.instant)
                },
                awaitingLicencePost: records.licences.filter { $0.since <= now }.map {
                    listing(
                        $0, overdue: MailDeadlines.licencePostingLate(issuedAt: $0.since, at: now, calendar: calendar))
                })
        }
    }
}
