import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk

/// Check 11 of README §4: each record on its own, then what an accepted message changes. Pure:
/// the stored case comes in, the decision goes out; the store runs ``decide(_:stored:stateless:)``
/// inside the transaction that writes its result.
struct RecordRules: Sendable {
    var identity: ExchangeIdentity
    /// The county-level divisions whose enterprises this hall registers.
    var jurisdiction: [String]
    /// This hall's own divisions (its hall and jurisdiction): collaboration numbers of its range.
    var ownDivisions: Set<String> = []
    /// The divisions other registered partners number in (from their credit codes): not the
    /// sender's to use.
    var otherPartnersDivisions: Set<String> = []
    /// Whether the division a transfer's collaboration number names is a division at all (GB/T 2260).
    var numberedDivisionKnown = true
    var now: Date
    /// Where the documents' files are received before they are checked (``StagedFile``): the
    /// exchange's files folder, so that they are on the disk they are kept on.
    var staging: URL
    /// For a withdrawal of a case transferred here: its local case as read when the message was
    /// checked (its stage, and whether it has ended or been licensed). The exchange's own status says only what the
    /// partner has been told, which lags behind the case: a case licensed here since the last pass
    /// still stood at 已接件 there, and its withdrawal was taken as 2 before acceptance. For a
    /// status update or result of a case transferred from here: its local case likewise, which
    /// may have ended (withdrawn at the window) before the next pass tells the partner.
    var localCase: (stage: String, closed: Bool)?
    /// For a status update of a case transferred from here: the furthest the case has come in its
    /// course (``courseRank``) by the statuses made current so far, as read when the message was
    /// checked. The current status alone (a correction, 6 or 7, has no rank) had let 1 follow
    /// 3 → 6.
    var reachedRank: Int?

    struct Decision: Sendable {
        var outcome: Receipt.Outcome
        var accepted: Bool
        var code: String?
        var reason: String?
        var caseState: ExchangeCase?
        var statuses: [ExchangeStatusEntry] = []

        init(rejection: Rejection) {
            outcome = .messageRejected(rejection)
            accepted = false
            code = rejection.code
            reason = rejection.message
        }

        init(
            outcome: Receipt.Outcome, accepted: Bool, code: String?, caseState: ExchangeCase?,
            statuses: [ExchangeStatusEntry]
        ) {
            self.outcome = outcome
            self.accepted = accepted
            self.code = code
            self.caseState = caseState
            self.statuses = statuses
            if case .records(let records) = outcome, let rejection = records.lazy.compactMap(\.rejection).first {
                reason = rejection.message
            }
        }
    }

    /// The largest document file (README §6).
    static let maximumFile = 52_428_800

    /// Problems of records that no stored state can change, by record id: check characters of
    /// identity numbers and credit codes, competence, and the documents' files.
    /// How far ahead of this hall's clock a partner's instant may be (clocks drift a little).
    static let clockTolerance: TimeInterval = 600

    /// A rejection when `instant` lies ahead of this hall's clock: a status or a result dated in
    /// the future would become current and shut out every real change until then.
    func futureProblem(_ instant: Date, _ element: String) -> Rejection? {
        guard instant > now.addingTimeInterval(Self.clockTolerance) else { return nil }
        return Rejection(
            code: "case.invalid",
            message: "\(element)为\(HallTime.localText(of: instant))，晚于本机构收到报文的时间\(HallTime.localText(of: now))",
            details: [Rejection.Detail(text: element)])
    }

    func statelessProblems(_ message: ExchangeMessage, documents: (any DocumentSource)?) async
        -> (problems: [String: Rejection], files: [String: Data])
    {
        var future: [String: Rejection] = [:]
        switch message.body {
        case .caseTransfer(let transfer):
            future[transfer.recordID] =
                futureProblem(transfer.receivedTime, "ReceivedTime")
                ?? transfer.acceptedTime.flatMap { futureProblem($0, "AcceptedTime") }
        case .statusUpdate(let changes):
            for change in changes { future[change.recordID] = futureProblem(change.time, "StatusChange/Time") }
        case .result(let result):
            future[result.recordID] = futureProblem(result.completedTime, "Licence/CompletedTime")
        case .withdrawal(let request):
            future[request.recordID] = futureProblem(request.requestedTime, "Request/RequestedTime")
        case .receipt:
            break
        }
        future = future.compactMapValues { $0 }
        if !future.isEmpty { return (future, [:]) }
        switch message.body {
        case .caseTransfer(let transfer):
            var files: [String: Data] = [:]
            if let problem = await transferProblem(
                transfer, header: message.header, documents: documents, files: &files)
            {
                return ([transfer.recordID: problem], [:])
            }
            return ([:], files)
        case .result(let result):
            guard let code = try? CreditCode(result.creditCode), code.value == result.creditCode else {
                return (
                    [
                        result.recordID: Rejection(
                            code: "case.invalid", message: "统一社会信用代码\(result.creditCode)校验码错误",
                            details: [Rejection.Detail(text: "Licence/CreditCode")])
                    ], [:]
                )
            }
            // The deciding authority's code, of its own division: one of this hall's divisions (a
            // code this hall issued to another company had been taken) or another partner's is not.
            let division = code.divisionCode
            if ownDivisions.contains(division) || otherPartnersDivisions.contains(division) {
                let whose = ownDivisions.contains(division) ? "本机构" : "另一协同机构"
                return (
                    [
                        result.recordID: Rejection(
                            code: "case.invalid",
                            message: "统一社会信用代码\(result.creditCode)的登记管理机关行政区划\(division)属于\(whose)，不是办理地机构颁发的代码",
                            details: [Rejection.Detail(text: "Licence/CreditCode")])
                    ], [:]
                )
            }
        case .statusUpdate(let changes):
            // A licence comes only as a Result, which carries it (README §4, Result).
            var problems: [String: Rejection] = [:]
            for change in changes where change.status == 11 || change.status == 12 {
                problems[change.recordID] = Rejection(
                    code: "status.not-allowed",
                    message: "状态\(change.status)（\(NationalStatus.name(change.status))）以Result报文连同执照信息发送，不以状态同步发送",
                    details: [Rejection.Detail(text: "StatusChange/Status")])
            }
            return (problems, [:])
        case .receipt, .withdrawal:
            break
        }
        return ([:], [:])
    }

    func transferProblem(
        _ transfer: TransferredCase, header: MessageHeader, documents: (any DocumentSource)?,
        files: inout [String: Data]
    ) async -> Rejection? {
        let sender = header.sender.code
        if transfer.receivingAuthority.code != sender {
            return Rejection(
                code: "case.invalid",
                message: "收件地机构\(transfer.receivingAuthority.code)不是发送方\(sender)：办件由收件地机构转办",
                details: [Rejection.Detail(text: "Case/ReceivingAuthority/Code")])
        }
        if let problem = numberingProblem(transfer, header: header) { return problem }
        if transfer.decidingAuthority.code != identity.authority.code {
            return Rejection(
                code: "case.not-competent", message: "办理地机构\(transfer.decidingAuthority.code)不是本机构")
        }
        let domicile = transfer.application.domicile.division
        if !jurisdiction.contains(domicile) {
            return Rejection(
                code: "case.not-competent",
                message: "住所所在行政区划\(domicile)不属于本机关管辖（\(jurisdiction.joined(separator: "、"))）")
        }
        var details: [Rejection.Detail] = []
        let application = transfer.application
        var parties: [(String, Party)] = [("LegalRepresentative", application.legalRepresentative)]
        parties += application.investors.enumerated().map { ("Investor[\($0.offset + 1)]", $0.element.party) }
        if let agent = application.agent { parties.append(("Agent", agent)) }
        for (path, party) in parties {
            switch party.idType {
            case "resident-id":
                do {
                    _ = try CitizenID(party.idNumber)
                } catch {
                    details.append(Rejection.Detail(text: "\(path)/IdNumber：\(error.message(.zh))"))
                }
            case "credit-code":
                if (try? CreditCode(party.idNumber))?.value != party.idNumber {
                    details.append(Rejection.Detail(text: "\(path)/IdNumber：统一社会信用代码校验码错误"))
                }
            default:
                break
            }
        }
        if !details.isEmpty {
            return Rejection(code: "case.invalid", message: "身份证件号码或统一社会信用代码有误", details: details)
        }
        var missing: [Rejection.Detail] = []
        var mismatched: [Rejection.Detail] = []
        var mistyped: [Rejection.Detail] = []
        for document in transfer.documents {
            let file = await documents?.file(sm3: document.sm3, limit: Self.maximumFile, staging: staging)
            guard let file else {
                missing.append(Rejection.Detail(text: "材料\(document.number)（\(document.title)）：未取得文件 \(document.sm3)"))
                continue
            }
            if file.count != document.size || SM3.hex(file) != document.sm3 {
                mismatched.append(
                    Rejection.Detail(
                        text: "材料\(document.number)（\(document.title)）：文件\(file.count)字节，与清单的大小或SM3不符"))
            } else if let found = DocumentFileType.sniff(file), found.mediaType == document.mediaType {
                files[document.sm3] = file
            } else {
                // Known by its first bytes, as a document uploaded at a portal is.
                let found = DocumentFileType.sniff(file)?.mediaType ?? "未知类型"
                mistyped.append(
                    Rejection.Detail(
                        text: "材料\(document.number)（\(document.title)）：文件内容是\(found)，不是所称的\(document.mediaType)"))
            }
        }
        if !missing.isEmpty { return Rejection(code: "document.missing", message: "材料文件缺失", details: missing) }
        if !mismatched.isEmpty {
            return Rejection(code: "document.digest-mismatch", message: "材料文件与清单不符", details: mismatched)
        }
        if !mistyped.isEmpty {
            return Rejection(
                code: "document.type-refused",
                message: "材料文件的内容与所称类型不符：" + mistyped.map(\.text).joined(separator: "；"), details: mistyped)
        }
        return nil
    }

    /// A transfer numbered outside its sender's range: the collaboration number is the receiving
    /// authority's, `CY` + its division (README §2), so it must name the transfer's
    /// `ReceivingAuthority/Division`, and that cannot be one of this hall's own divisions (a
    /// partner could otherwise take numbers of this hall's range, so that this hall's own
    /// transfers of the day find theirs taken).
    /// The division a message's collaboration number names (`CY` + division + day + sequence).
    static func numberedDivision(_ header: MessageHeader) -> String {
        String(header.collaborationNumber.dropFirst(2).prefix(6))
    }

    func numberingProblem(_ transfer: TransferredCase, header: MessageHeader) -> Rejection? {
        let numbered = Self.numberedDivision(header)
        if numbered != transfer.receivingAuthority.division {
            return Rejection(
                code: "case.invalid",
                message:
                    "业务协同编号\(header.collaborationNumber)应以CY加收件地机构的行政区划\(transfer.receivingAuthority.division)开头",
                details: [Rejection.Detail(text: "Header/CollaborationNumber")])
        }
        if !numberedDivisionKnown {
            return Rejection(
                code: "case.invalid",
                message: "业务协同编号\(header.collaborationNumber)中的\(numbered)不是行政区划代码",
                details: [Rejection.Detail(text: "Header/CollaborationNumber")])
        }
        // The day it was numbered: a real one, and not after tomorrow here (clocks a little apart).
        let day = Int(header.collaborationNumber.dropFirst(8).prefix(8)) ?? 0
        let numberedOn = CivilDate(year: day / 10_000, month: day / 100 % 100, day: day % 100)
        if numberedOn.map({ $0 > HallTime.localDate(of: now.addingTimeInterval(86_400)) }) ?? true {
            return Rejection(
                code: "case.invalid",
                message: "业务协同编号\(header.collaborationNumber)中的日期\(day)不是有效日期，或晚于本机构的明天",
                details: [Rejection.Detail(text: "Header/CollaborationNumber")])
        }
        if otherPartnersDivisions.contains(numbered) {
            return Rejection(
                code: "case.invalid",
                message: "业务协同编号\(header.collaborationNumber)属于另一协同机构（行政区划\(numbered)）的编号范围",
                details: [Rejection.Detail(text: "Header/CollaborationNumber")])
        }
        if ownDivisions.contains(numbered) {
            return Rejection(
                code: "case.invalid",
                message: "业务协同编号\(header.collaborationNumber)属于本机构（行政区划\(numbered)）的编号范围，不能由协同机构使用",
                details: [Rejection.Detail(text: "Header/CollaborationNumber")])
        }
        return nil
    }

    /// A licence dated out of order: issued after the case was completed (both on the partner's
    /// clock), or before the case was transferred (a day earlier allowed, for clocks a little
    /// apart around midnight).
    static func issueDateProblem(_ result: LicenceResult, openedAt: Date) -> Rejection? {
        guard let issued = CivilDate(result.issueDate) else {
            return Rejection(
                code: "case.invalid", message: "发照日期\(result.issueDate)不是有效日期",
                details: [Rejection.Detail(text: "Licence/IssueDate")])
        }
        // Completed before the case was transferred (beyond the clocks' drift): the licence's
        // time would come before the case, and the local case's government time read 0 (from a
        // hostile trial: ten hours before was taken).
        if result.completedTime < openedAt.addingTimeInterval(-Self.clockTolerance) {
            return Rejection(
                code: "case.invalid",
                message:
                    "办结时间\(HallTime.localText(of: result.completedTime))早于办件转出的时间\(HallTime.localText(of: openedAt))",
                details: [Rejection.Detail(text: "Licence/CompletedTime")])
        }
        let completed = HallTime.localDate(of: result.completedTime)
        let transferred = HallTime.localDate(of: openedAt.addingTimeInterval(-86_400))
        guard issued > completed || issued < transferred else { return nil }
        return Rejection(
            code: "case.invalid",
            message: issued > completed
                ? "发照日期\(issued)晚于办结时间\(HallTime.localText(of: result.completedTime))"
                : "发照日期\(issued)早于办件转出的日期\(HallTime.localDate(of: openedAt))",
            details: [Rejection.Detail(text: "Licence/IssueDate")])
    }

    func source(_ header: MessageHeader, _ record: String) -> String {
        "in:\(header.sender.code):\(header.messageID):\(record)"
    }

    /// Where each status stands in a case's course, for those that cannot come back once passed:
    /// 1 已接件, then 3 已受理, then 8–10 (handling, special procedure). The corrections (6, 7)
    /// come before or after acceptance; the final statuses end the case.
    static let courseRank: [Int: Int] = [1: 0, 3: 1, 8: 2, 9: 2, 10: 2]

    /// `instant` to the whole second below it, as the stores keep a status's time.
    static func wholeSecond(_ instant: Date) -> Date {
        Date(timeIntervalSince1970: instant.timeIntervalSince1970.rounded(.down))
    }

    /// The statuses that end a case before its acceptance (rank 1, status 3): 2 已撤件, 4 不受理,
    /// 5 不予受理.
    static let beforeAcceptanceEndings: Set<Int> = [2, 4, 5]

    /// The stages of this hall's workflow before a case is accepted: a withdrawal from them is 2
    /// 已撤件, from any later one 14 撤回 (``ExchangeWorker`` tells a local withdrawal the same way).
    static let stagesBeforeAcceptance: Set<String> = ["received", "in-transit", "correction"]

    /// The refusal of a partner's status change or result for a case transferred from here whose
    /// local case has ended, the cross-province case still open: withdrawn at the window, the
    /// withdrawal not yet told (the next pass sends it). Taken, a result had licensed a case
    /// withdrawn here, and the withdrawal was never sent (from a hostile trial).
    func localCaseEnded(_ current: ExchangeCase) -> Rejection? {
        guard current.direction == .outbound, !current.isClosed, let local = localCase, local.closed else { return nil }
        let number = current.localCase ?? ""
        return Rejection(
            code: "case.closed",
            message: local.stage == "withdrawn"
                ? "申请人已在本机构撤回办件\(number)，撤回报文随后发送；不再接收状态变更和办理结果"
                : "本机构的办件\(number)已终结，不再接收状态变更和办理结果")
    }

    /// The decision on `message` given the case as stored: every record accepted and applied, or none.
    func decide(_ message: ExchangeMessage, stored: ExchangeCase?, stateless: [String: Rejection]) -> Decision {
        let header = message.header
        var results: [String: Rejection] = stateless
        var state = stored
        var statuses: [ExchangeStatusEntry] = []
        func unknown(_ record: String) {
            results[record] =
                results[record]
                ?? Rejection(code: "case.unknown", message: "本机构无业务协同编号为\(header.collaborationNumber)的办件")
        }
        // A case of another partner, or of the other direction, is not this sender's to change.
        let mine = stored.map { $0.partnerCode == header.sender.code } ?? false
        switch message.body {
        case .caseTransfer(let transfer):
            if let stored {
                results[transfer.recordID] = Rejection(
                    code: "case.duplicate",
                    message: stored.direction == .outbound
                        ? "业务协同编号\(header.collaborationNumber)是本机构转出的办件"
                        : "业务协同编号\(header.collaborationNumber)的办件已转来")
            } else if results[transfer.recordID] == nil {
                state = ExchangeCase(
                    collaborationNumber: header.collaborationNumber, partnerCode: header.sender.code,
                    direction: .inbound, mode: transfer.mode.rawValue, localCase: nil,
                    partnerReference: header.caseReference,
                    enterpriseName: transfer.application.proposedName.trimmingWhitespace(),
                    openedAt: now, status: 1, statusAt: now)
                statuses.append(
                    ExchangeStatusEntry(
                        status: 1, time: now, reason: nil, source: source(header, transfer.recordID), madeCurrent: true)
                )
            }
        case .statusUpdate(let changes):
            var reached = reachedRank
            for given in changes {
                // A partner's clock a little ahead (within ``clockTolerance``): its change is taken
                // as of this hall's receipt, not after it. Kept ahead, it had shut out every real
                // change dated before it, accepted but history (from a hostile trial).
                // Kept and compared to the whole second, as stored: one second's changes are
                // ordered as they came (README §6), within a message as across messages.
                var change = given
                change.time = Self.wholeSecond(min(given.time, now))
                guard var current = state, mine else {
                    unknown(change.recordID)
                    continue
                }
                guard current.direction == .outbound else {
                    results[change.recordID] = Rejection(
                        code: "status.not-allowed",
                        message: "办件\(header.collaborationNumber)由本机构办理，其状态由本机构发送，不接收对方的状态变更")
                    continue
                }
                if let ended = localCaseEnded(current) {
                    results[change.recordID] = ended
                    continue
                }
                // The deciding authority confirming the ending this side told it (a withdrawal
                // answered 2 or 14): kept as history. It had been refused as a change after the
                // end, every correct confirmation of a withdrawal with it (from a re-trial).
                let withdrawn: Set<Int> = [2, 14]
                if current.isClosed,
                    change.status == current.status
                        || (withdrawn.contains(change.status) && withdrawn.contains(current.status ?? 0))
                {
                    statuses.append(
                        ExchangeStatusEntry(
                            status: change.status, time: change.time, reason: change.reason,
                            source: source(header, change.recordID), madeCurrent: false))
                    continue
                }
                // In the end's own second too: one second's changes go in the order they came, so
                // one that came after the end is after it (a re-trial's 8 after a 13 in the same
                // second was taken as history).
                if current.isClosed, let at = current.statusAt, change.time >= at {
                    results[change.recordID] = Rejection(
                        code: "status.not-allowed",
                        message: "办件已于\(HallTime.localText(of: at))终结（状态\(current.status ?? 0)），不能再变更")
                    continue
                }
                // A change that would become current must not go back in the case's course: 1
                // 已接件 after anything, 3 已受理 once handling began (8, 9, 10), also with a
                // correction between.
                let furthest = [reached, current.status.flatMap { Self.courseRank[$0] }].compactMap { $0 }.max()
                if let rank = Self.courseRank[change.status], let furthest, rank < furthest,
                    current.statusAt.map({ change.time >= $0 }) ?? true
                {
                    results[change.recordID] = Rejection(
                        code: "status.not-allowed",
                        message: "状态\(change.status)不能接在办件已到过的阶段之后（当前状态\(current.status ?? 0)；办件不能回到更早的阶段）")
                    continue
                }
                // The endings before acceptance (2 已撤件, 4 不受理, 5 不予受理) once the case was
                // accepted: after it they are 14 撤回 and 13 驳回 (a 2 after 3 had been taken).
                if Self.beforeAcceptanceEndings.contains(change.status), let furthest, furthest >= 1,
                    current.statusAt.map({ change.time >= $0 }) ?? true
                {
                    results[change.recordID] = Rejection(
                        code: "status.not-allowed",
                        message: "办件已受理，状态\(change.status)只用于受理之前（受理后撤回为14，驳回为13）")
                    continue
                }
                // A closed case keeps its final status: an earlier change arriving late is history.
                // The transfer's own 已接件 is stamped by this hall's clock: a partner's first change
                // follows it even when the partner's clock, a little behind, dates it earlier (by a
                // day at most, as a licence's date may be: an older one stays history).
                let onlyTransferred =
                    current.status == 1 && (current.statusAt.map { $0 <= current.openedAt } ?? true)
                    && change.time >= current.openedAt.addingTimeInterval(-86_400)
                let makeCurrent =
                    !current.isClosed && (onlyTransferred || current.statusAt.map { change.time >= $0 } ?? true)
                if makeCurrent {
                    reached = [reached, Self.courseRank[change.status]].compactMap { $0 }.max()
                    current.status = change.status
                    current.statusAt = change.time
                    current.partnerReference = current.partnerReference ?? header.caseReference
                    state = current
                }
                statuses.append(
                    ExchangeStatusEntry(
                        status: change.status, time: change.time, reason: change.reason,
                        source: source(header, change.recordID), madeCurrent: makeCurrent))
            }
        case .result(let result):
            if var current = state, mine, current.direction == .outbound {
                if current.isClosed {
                    results[result.recordID] =
                        results[result.recordID]
                        ?? Rejection(code: "case.closed", message: "办件已终结（状态\(current.status ?? 0)）")
                } else if let ended = localCaseEnded(current) {
                    results[result.recordID] = results[result.recordID] ?? ended
                } else if results[result.recordID] == nil,
                    let problem = Self.issueDateProblem(result, openedAt: current.openedAt)
                {
                    results[result.recordID] = problem
                } else if results[result.recordID] == nil {
                    // Taken as of this hall's receipt at the latest, as a status change is.
                    let completed = Self.wholeSecond(min(result.completedTime, now))
                    current.status = result.status
                    current.statusAt = completed
                    current.licence = ExchangeLicence(result)
                    state = current
                    statuses.append(
                        ExchangeStatusEntry(
                            status: result.status, time: completed, reason: nil,
                            source: source(header, result.recordID), madeCurrent: true))
                }
            } else {
                unknown(result.recordID)
            }
        case .withdrawal(let request):
            if var current = state, mine, current.direction == .inbound {
                if current.isClosed {
                    results[request.recordID] = Rejection(
                        code: "case.closed", message: "办件已终结（状态\(current.status ?? 0)），不能撤回")
                } else if let local = localCase, local.closed {
                    results[request.recordID] = Rejection(
                        code: "case.closed",
                        message: "办件已在本机构发照或办结（\(current.localCase ?? "")），不能撤回；办理结果随后发送")
                } else {
                    // Before acceptance (3) it is 2 已撤件; after, 14 撤回: as the local case stands
                    // when it has one (the stages before acceptance, as the status updates tell them).
                    let accepted =
                        localCase.map { !Self.stagesBeforeAcceptance.contains($0.stage) }
                        ?? ((current.status ?? 1) >= 3)
                    let status = accepted ? 14 : 2
                    current.status = status
                    current.statusAt = now
                    state = current
                    statuses.append(
                        ExchangeStatusEntry(
                            status: status, time: now, reason: request.reason, source: source(header, request.recordID),
                            madeCurrent: true))
                }
            } else {
                unknown(request.recordID)
            }
        case .receipt:
            return Decision(outcome: .records([]), accepted: true, code: nil, caseState: nil, statuses: [])
        }
        let records = message.body.recordIDs.map { RecordResult(recordID: $0, rejection: results[$0]) }
        let firstRejection = records.lazy.compactMap(\.rejection).first
        return Decision(
            outcome: .records(records), accepted: firstRejection == nil, code: firstRejection?.code,
            caseState: firstRejection == nil ? state : nil, statuses: firstRejection == nil ? statuses : [])
    }
}

extension ExchangeLicence {
    /// The licence a `Result` carries.
    init(_ result: LicenceResult) {
        self.init(
            enterpriseName: result.enterpriseName, creditCode: result.creditCode, licenceNumber: result.licenceNumber,
            issueDate: result.issueDate, completedAt: result.completedTime, carrier: result.post?.carrier,
            trackingNumber: result.post?.trackingNumber, recipient: result.post?.recipient)
    }
}
