import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanExchange

/// The exchange's pass over the cases transferred here, from a hostile trial: a pass that only
/// ever read the oldest open cases, a withdrawal decided on what the partner was last told rather
/// than on the case, and status changes past the 20th of one pass dropped for good.
@Suite struct ExchangeWorkerTests {
    static func worker(_ hall: ExchangeInboxTests.Hall) -> ExchangeWorker {
        ExchangeWorker(
            outbox: ExchangeOutbox(
                desk: hall.desk, codec: hall.codec,
                identity: ExchangeIdentity(authority: SampleMessages.zhaohua, key: hall.ownKey, test: false)))
    }

    /// The local case of `text` (a case number the pass reported).
    static func number(_ text: String?) throws -> CaseNumber {
        let text = try #require(text)
        return try #require(CaseNumber(text))
    }

    /// Yuzhong's acceptable transfer under collaboration number `number` (message id `id`).
    static func transfer(_ number: String, id: String) throws -> ExchangeMessage {
        var message = try CrossProvinceFiguresTests.acceptableTransfer()
        message.header.collaborationNumber = number
        message.header.messageID = id
        return message
    }

    /// A hall on `store` that received Yuzhong's transfer `number` (message `id`) and took it in
    /// on a pass at 18:00: the hall, its worker and the local case.
    static func takenIn(_ number: String, id: String, _ store: TestStoreKind) async throws
        -> (ExchangeInboxTests.Hall, ExchangeWorker, CaseNumber)
    {
        let hall = try await ExchangeInboxTests.hall(store: store)
        _ = try await hall.receive(try transfer(number, id: id))
        let worker = Self.worker(hall)
        return (hall, worker, try Self.number(try await worker.run(at: Fixtures.at(18, 0)).takenIn[number]))
    }

    /// Yuzhong's withdrawal of case `number` (message id `id`), asked at `at`.
    static func withdrawal(_ number: String, id: String, at: Date) -> ExchangeMessage {
        ExchangeMessage(
            header: SampleMessages.partnerHeader(
                .withdrawal, id: id, number: number, caseReference: "500103-20261126-0004"),
            body: .withdrawal(WithdrawalRequest(withdrawnBy: "applicant", requestedTime: at, reason: "申请人撤回")))
    }

    /// Every pass reaches further: cases taken in and told drop out of what a pass reads (a pass
    /// of the oldest 500 open cases had taken in 500 and then nothing more, for good).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func eachPassReachesTheCasesThePreviousOnesDidNot(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        let numbers = (4...6).map { "CY50010320261126000\($0)" }
        for (index, number) in numbers.enumerated() {
            let answer = try await hall.receive(
                try Self.transfer(number, id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5\(index)"))
            #expect(answer.outcome == .applied, "\(answer)")
        }
        var worker = Self.worker(hall)
        worker.casesPerPass = 1
        // Each case takes two passes of one case: taken in, then its opening events passed over
        // (they tell the partner nothing).
        var takenIn: [String] = []
        for _ in 0..<(2 * numbers.count) {
            let pass = try await worker.run(at: Fixtures.at(18, 0))
            #expect(pass.failed.isEmpty && pass.refused.isEmpty && pass.takenIn.count <= 1, "\(pass)")
            takenIn += pass.takenIn.keys
        }
        #expect(takenIn == numbers)
        // Nothing more to do.
        #expect(try await hall.desk.store.openInboundCases(limit: 10).isEmpty)
        let idle = try await worker.run(at: Fixtures.at(18, 0))
        #expect(idle.takenIn.isEmpty && idle.told == 0, "\(idle)")
        // A step on one of them brings it back, alone.
        let local = try Self.number(try await hall.desk.store.exchangeCase(numbers[1])?.localCase)
        _ = try await hall.desk.playing(Fixtures.at(18, 5)).step(
            local, "refuse", reason: "经营范围不符合规定", as: .clerk(Fixtures.window.id))
        #expect(try await hall.desk.store.openInboundCases(limit: 10).map(\.collaborationNumber) == [numbers[1]])
        #expect(try await worker.run(at: Fixtures.at(18, 5)).told == 1)
        #expect(try await hall.desk.store.exchangeCase(numbers[1])?.status == 5)
    }

    /// A withdrawal is decided on the local case: refused here since the last pass (the partner
    /// was last told 1 已接件), it is `case.closed`, and the refusal is told next; taken further
    /// than acceptance, it is 14 撤回, not 2 before acceptance.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aWithdrawalIsDecidedOnTheLocalCaseNotOnWhatThePartnerWasLastTold(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        let numbers = ["CY500103202611260004", "CY500103202611260005"]
        for (index, number) in numbers.enumerated() {
            _ = try await hall.receive(try Self.transfer(number, id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d6\(index)"))
        }
        let worker = Self.worker(hall)
        let pass = try await worker.run(at: Fixtures.at(18, 0))
        let refused = try Self.number(pass.takenIn[numbers[0]])
        let corrected = try Self.number(pass.takenIn[numbers[1]])
        _ = try await hall.desk.playing(Fixtures.at(18, 5)).step(
            refused, "refuse", reason: "经营范围不符合规定", as: .clerk(Fixtures.window.id))
        let late = try await hall.receive(
            Self.withdrawal(numbers[0], id: "0a1b2c3d-4e5f-4a6b-9c8d-9e0f1a2b3c70", at: Fixtures.at(18, 4)))
        #expect(late.outcome == .rejected && late.code == "case.closed", "\(late)")
        #expect(try await hall.desk.store.exchangeCase(numbers[0])?.status == 1)
        #expect(try await hall.desk.store.registrationCase(refused).stage == "refused")
        _ = try await worker.run(at: Fixtures.at(18, 5))
        #expect(try await hall.desk.store.exchangeCase(numbers[0])?.status == 5)
        // Before acceptance by the stages (a correction asked here): 2, and the local case withdrawn.
        _ = try await hall.desk.playing(Fixtures.at(18, 6)).step(
            corrected, "request-correction", reason: "请补充股东会决议", as: .clerk(Fixtures.window.id))
        let early = try await hall.receive(
            Self.withdrawal(numbers[1], id: "0a1b2c3d-4e5f-4a6b-9c8d-9e0f1a2b3c71", at: Fixtures.at(18, 6)))
        #expect(early.outcome == .applied, "\(early)")
        #expect(try await hall.desk.store.exchangeCase(numbers[1])?.status == 2)
        #expect(try await hall.desk.store.registrationCase(corrected).stage == "withdrawn")
    }

    /// Takes case `local` of `hall` to its licence, 18:01–18:04: its documents in, accepted,
    /// reviewed, approved, licensed.
    static func license(_ local: CaseNumber, at hall: ExchangeInboxTests.Hall) async throws {
        let window = DeskActor.clerk(Fixtures.window.id)
        let reviewer = DeskActor.clerk(Fixtures.reviewer.id)
        let needed = try await hall.desk.documents(local).documents.filter { $0.receipt == nil }.map(\.requirement.code)
        _ = try await hall.desk.playing(Fixtures.at(18, 1)).receiveDocuments(
            local, needed.map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        for (minute, step, actor) in [
            (1, "accept", window), (2, "review", reviewer), (3, "approve", reviewer), (4, "issue-licence", window),
        ] {
            _ = try await hall.desk.playing(Fixtures.at(18, minute)).step(local, step, as: actor)
        }
    }

    /// Licensed here since the last pass (the partner was last told 1 已接件): the partner's
    /// withdrawal is `case.closed` (a registration is not withdrawn, even while start-up tasks
    /// would keep its case open), and the result is told.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aWithdrawalOfACaseLicensedHereIsRefusedAndTheResultTold(store: TestStoreKind) async throws {
        let number = "CY500103202611260004"
        let (hall, worker, local) = try await Self.takenIn(number, id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d80", store)
        try await Self.license(local, at: hall)
        let licensed = try await hall.desk.store.registrationCase(local)
        #expect(licensed.creditCode != nil, "\(licensed.stage)")
        let late = try await hall.receive(
            Self.withdrawal(number, id: "0a1b2c3d-4e5f-4a6b-9c8d-9e0f1a2b3c80", at: Fixtures.at(18, 4)))
        #expect(late.outcome == .rejected && late.code == "case.closed", "\(late)")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        _ = try await worker.run(at: Fixtures.at(18, 5))
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 11)
    }

    /// A withdrawal checked while the case here was open, and licensed here before the withdrawal's
    /// transaction: the transaction reads the case again and refuses it (it had been decided on the
    /// case as read at the check, and the withdrawal recorded while the case refused it).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aStepBetweenAWithdrawalsCheckAndItsTransactionDecidesIt(store: TestStoreKind) async throws {
        let number = "CY500103202611260004"
        let (hall, _, local) = try await Self.takenIn(number, id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d60", store)
        let withdrawal = try hall.fromPartner(
            Self.withdrawal(number, id: "0a1b2c3d-4e5f-4a6b-9c8d-9e0f1a2b3c60", at: Fixtures.at(18, 0)))
        let checked = try await hall.inbox.check([(withdrawal, "w")], documents: nil)
        try await Self.license(local, at: hall)
        let applied = try await hall.inbox.apply(checked)
        #expect(applied.first?.outcome == .rejected && applied.first?.code == "case.closed", "\(applied)")
        #expect(try hall.receipt(try #require(applied.first)).isAcceptance == false)
        let licensed = try await hall.desk.store.registrationCase(local)
        #expect(licensed.creditCode != nil && licensed.stage != "withdrawn", "\(licensed.stage)")
    }

    /// More than 20 status changes between two passes go out in several status updates, in order
    /// (those after the 20th had been dropped, and the refusal that ended the case never told).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func moreThanTwentyChangesGoOutInSeveralUpdates(store: TestStoreKind) async throws {
        let number = "CY500103202611260004"
        let (hall, worker, local) = try await Self.takenIn(number, id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d70", store)
        let window = DeskActor.clerk(Fixtures.window.id)
        for round in 0..<11 {
            let desk = hall.desk.playing(Fixtures.at(18, 1 + round * 2))
            _ = try await desk.step(local, "request-correction", reason: "请补充第\(round + 1)项材料", as: window)
            _ = try await hall.desk.playing(Fixtures.at(18, 2 + round * 2)).step(local, "resubmit", as: window)
        }
        _ = try await hall.desk.playing(Fixtures.at(18, 30)).step(
            local, "refuse", reason: "经营范围不符合规定", as: window)
        // 23 changes: 6/7 eleven times, then 5.
        let pass = try await worker.run(at: Fixtures.at(18, 30))
        #expect(pass.told == 2, "\(pass)")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 5)
        let statuses = try await hall.desk.store.exchangeStatuses(number).map(\.status)
        #expect(statuses.filter { $0 == 6 }.count == 11 && statuses.filter { $0 == 7 }.count == 11, "\(statuses)")
        #expect(statuses.last == 5, "\(statuses)")
    }
}

/// A partner's statuses on a case this hall transferred to it, from the same trial: a status that
/// goes back in the case's course is refused, handling again after a correction ends it here, and
/// 4 不受理 ends the case here as 5 does.
@Suite struct PartnerStatusRulesTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aStatusThatGoesBackInTheCourseIsRefused(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        let number = try await ExchangeInboxTests.outbound(hall)
        func send(_ id: String, _ status: Int, at minute: Int) async throws -> InboundAnswer {
            try await hall.receive(
                ExchangeInboxTests.statusUpdate(
                    id, [StatusChange(recordID: "s", status: status, time: Fixtures.at(14, minute))], number: number))
        }
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d01", 8, at: 10).outcome == .applied)
        // 1 已接件 and 3 已受理 after handling began: refused, the case stays at 8.
        for (index, status) in [1, 3].enumerated() {
            let back = try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d1\(index)", status, at: 20)
            #expect(back.outcome == .rejected && back.code == "status.not-allowed", "\(status): \(back)")
        }
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 8)
        // Corrections come at any point; acceptance after one that came before it is in order.
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d20", 6, at: 30).outcome == .applied)
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d21", 7, at: 31).outcome == .applied)
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d22", 8, at: 32).outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 8)
        // Nor with a correction between: 3 after 8 → 6 → 7 (the current status alone had let it).
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d24", 6, at: 40).outcome == .applied)
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d25", 7, at: 41).outcome == .applied)
        let afterCorrection = try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d26", 3, at: 42)
        #expect(afterCorrection.code == "status.not-allowed", "\(afterCorrection)")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 7)
        // An earlier change arriving late is still history, not refused.
        #expect(try await send("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d23", 3, at: 5).outcome == .applied)
    }

    /// From a hostile trial: a business scope on several lines (the exchange's long text allows
    /// line breaks) was accepted, then answered 5 不予受理 for control characters.
    @Test func aBusinessScopeOnSeveralLinesIsTakenInAsOneLine() throws {
        let message = try CrossProvinceFiguresTests.acceptableTransfer()
        guard case .caseTransfer(var transfer) = message.body else { throw CancellationError() }
        transfer.application.businessScope = "农业技术推广服务；\n  农产品销售\r\n\n许可项目：食品经营 "
        let application = try ExchangeWorker.application(transfer)
        #expect(application.businessScope == "农业技术推广服务； 农产品销售 许可项目：食品经营")
        #expect(FreeText.problem(application.businessScope, limit: FreeText.scopeLimit) == nil)
        #expect(ExchangeWorker.joiningLines("一行") == "一行")
        #expect(
            ExchangeWorker.joiningLines("甲\u{85}乙\u{2028}丙\u{2029}丁\t戊\u{0B}己\u{0C}庚") == "甲 乙 丙 丁 戊 己 庚")
    }

    @Test func handlingAfterACorrectionEndsItAndNotTakenEndsTheCase() throws {
        let stored = ExchangeCase(
            collaborationNumber: "CY510811202611260001", partnerCode: SampleMessages.yuzhong.code,
            direction: .outbound, mode: "remote-intake", localCase: "510811-20261126-0007", partnerReference: nil,
            enterpriseName: "重庆青禾农业科技有限公司", openedAt: Fixtures.at(10, 41), status: 6,
            statusAt: Fixtures.at(11, 0))
        func steps(_ status: Int) -> [String] {
            ExchangeInbox.localSteps(
                .statusUpdate([StatusChange(recordID: "s", status: status, time: Fixtures.at(12, 0))]),
                statuses: [
                    ExchangeStatusEntry(
                        status: status, time: Fixtures.at(12, 0), reason: nil, source: "in", madeCurrent: true)
                ],
                stored: stored, partner: (SampleMessages.yuzhong.code, SampleMessages.yuzhong.name)
            ).map(\.transition)
        }
        // 8 (or 3, for a correction) with no 7 or 10 before it: the correction or the special
        // procedure here ends (each step leaves only from its own stage; the other is left out
        // when taken). 3 after a special procedure is refused by the status course.
        #expect(steps(8) == ["partner-resubmitted", "partner-special-ended"])
        #expect(steps(3) == ["partner-resubmitted"])
        #expect(steps(7) == ["partner-resubmitted"])
        #expect(steps(9) == ["partner-special"] && steps(10) == ["partner-special-ended"])
        #expect(steps(4) == ["partner-refused"] && steps(5) == ["partner-refused"])
        #expect(steps(1).isEmpty)
    }
}

/// From the same trial: a case's messages reach the partner in the order they were written. A
/// withdrawal had been delivered while the transfer it withdraws waited in its backoff (the
/// partner answered `case.unknown`, then took in a case the applicant had withdrawn).
@Suite struct OutboxOrderTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aMessageWaitsWhileAnEarlierOneOfItsCaseIsPending(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        let transferID = "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81"
        let number = try await ExchangeInboxTests.outbound(hall, messageID: transferID)
        let otherID = "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e82"
        _ = try await ExchangeInboxTests.outbound(hall, messageID: otherID)
        let outbox = ExchangeOutbox(
            desk: hall.desk, codec: hall.codec,
            identity: ExchangeIdentity(authority: SampleMessages.zhaohua, key: hall.ownKey, test: false))
        _ = try await outbox.send(
            [
                .withdrawal(
                    WithdrawalRequest(withdrawnBy: "applicant", requestedTime: Fixtures.at(17, 0), reason: "申请人撤回"))
            ], about: number)
        let store = hall.desk.store
        func claim(_ minute: Int) async throws -> [String] {
            try await store.claimDueOutbound(
                at: Fixtures.at(18, minute), limit: 10, holdUntil: Fixtures.at(18, minute + 1)
            ).map(\.messageID)
        }
        // The transfer first, and the other case's own transfer beside it; not the withdrawal.
        let first = try await claim(0)
        #expect(Set(first) == [transferID, otherID], "\(first)")
        try await store.recordDelivery(otherID, .delivered(at: Fixtures.at(18, 0), receipt: nil))
        // The partner is down: the transfer waits in its backoff, and the withdrawal behind it.
        try await store.recordDelivery(
            transferID, .notDelivered(at: Fixtures.at(18, 0), error: "connection refused", retryAt: Fixtures.at(18, 5)))
        #expect(try await claim(2).isEmpty)
        // Delivered at last: then the withdrawal.
        #expect(try await claim(5) == [transferID])
        try await store.recordDelivery(transferID, .delivered(at: Fixtures.at(18, 5), receipt: nil))
        let next = try await claim(6)
        #expect(next.count == 1 && next != [transferID], "\(next)")
        #expect(try await store.outboundMessage(try #require(next.first))?.type == "Withdrawal")
    }
}

/// From the same trial: a transfer the partner refuses (its receipt rejects the message) returns
/// the case to the window. It had stayed "with the deciding authority", its clock running to a
/// breach, with nothing to do but withdraw it. A transfer the sender gave up on is not returned
/// (it may have reached the partner, its answer lost).
@Suite struct ReturnedTransferTests {
    /// A hall with cases for Yuzhong taken in at the window and transferred there.
    struct Transfers {
        let hall: ExchangeInboxTests.Hall
        let desk: Desk
        let outbox: ExchangeOutbox
        var store: any DeskStore { hall.desk.store }

        init(store: TestStoreKind) async throws {
            hall = try await ExchangeInboxTests.hall(store: store)
            desk = hall.desk.playing(Fixtures.at(10, 0))
            outbox = ExchangeOutbox(
                desk: desk, codec: hall.codec,
                identity: ExchangeIdentity(authority: SampleMessages.zhaohua, key: hall.ownKey, test: false))
        }

        func transferred(_ name: String) async throws -> (CaseNumber, ExchangeCase) {
            var application = Fixtures.application(tasks: [])
            application.proposedName = name
            application.domicile = "重庆市渝中区民族路188号8楼801室"
            application.domicileDivision = "500103"
            application.domicileTenure = .leased
            application.transferTo = SampleMessages.yuzhong.code
            let window = DeskActor.clerk(Fixtures.window.id)
            let local = try await desk.intake(application, documents: .all, as: window).case.number
            let codes = try await desk.documents(local).documents.map(\.requirement.code)
            let scans = Dictionary(uniqueKeysWithValues: codes.map { ($0, Data("%PDF-1.7 \($0)\n%%EOF\n".utf8)) })
            let transfer = try await outbox.transferCase(local, scans: scans, as: window)
            #expect(transfer.step.state.stage == "transferred")
            return (local, transfer.exchange)
        }

        /// Yuzhong's receipt refuses the pending transfer of `collaborationNumber`.
        func refuse(_ collaborationNumber: String, at instant: Date) async throws -> OutboundMessage {
            let messages = try await store.outboundMessages(states: [.pending], limit: 10)
            let message = try #require(messages.first { $0.collaborationNumber == collaborationNumber })
            try await store.recordDelivery(
                message.messageID,
                .delivered(
                    at: instant,
                    receipt: ReceiptBinding(
                        requestMessageID: message.messageID, requestDigest: message.digest,
                        partnerCode: SampleMessages.yuzhong.code, accepted: false, code: "document.missing",
                        raw: Data("<receipt/>".utf8), at: instant)))
            return message
        }
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aRefusedTransferReturnsTheCaseToTheWindow(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let desk = hall.desk
        let window = DeskActor.clerk(Fixtures.window.id)
        let (refusedLocal, refused) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let (lostLocal, lost) = try await hall.transferred("重庆市渝中区青木农业科技有限公司")
        let store = hall.store
        // Yuzhong's receipt refuses the first; the second is given up.
        let refusedMessage = try await hall.refuse(refused.collaborationNumber, at: Fixtures.at(10, 1))
        let messages = try await store.outboundMessages(states: [.pending], limit: 10)
        let lostMessage = try #require(messages.first { $0.collaborationNumber == lost.collaborationNumber })
        try await store.recordDelivery(
            lostMessage.messageID, .notDelivered(at: Fixtures.at(10, 2), error: "connection refused", retryAt: nil))
        #expect(try await store.refusedTransfers(limit: 10).map(\.messageID) == [refusedMessage.messageID])
        let worker = ExchangeWorker(outbox: hall.outbox)
        let pass = try await worker.run(at: Fixtures.at(10, 5))
        #expect(Array(pass.returned.keys) == [refused.collaborationNumber], "\(pass)")
        #expect(pass.returned[refused.collaborationNumber]?.contains("document.missing") == true, "\(pass)")
        #expect(pass.closed.isEmpty, "\(pass)")
        #expect(try await store.registrationCase(refusedLocal).stage == "received")
        #expect(try await store.history(refusedLocal).last?.transition == "partner-returned")
        #expect(try await store.exchangeCase(refused.collaborationNumber)?.status == 4)
        // The undelivered one stays with the partner (and failed in the outbox, with its alert).
        #expect(try await store.registrationCase(lostLocal).stage == "transferred")
        #expect(try await store.exchangeCase(lost.collaborationNumber)?.status == 1)
        // Nothing more on the next pass; the case is corrected and transferred again, under a new
        // collaboration number.
        #expect(try await store.refusedTransfers(limit: 10).isEmpty)
        #expect(try await worker.run(at: Fixtures.at(10, 6)).returned.isEmpty)
        let codes = try await desk.documents(refusedLocal).documents.map(\.requirement.code)
        let scans = Dictionary(uniqueKeysWithValues: codes.map { ($0, Data("%PDF-1.7 \($0) v2\n%%EOF\n".utf8)) })
        _ = desk.playing(Fixtures.at(10, 10))
        let again = try await hall.outbox.transferCase(refusedLocal, scans: scans, as: window)
        #expect(again.step.state.stage == "transferred")
        #expect(again.exchange.collaborationNumber != refused.collaborationNumber)
        // An open case that can take none of the steps is not closed: nothing is written, and the
        // pass reports it.
        let cannot = await #expect(throws: StoreError.self) {
            _ = try await store.returnTransfer(
                again.exchange.collaborationNumber,
                status: ExchangeStatusEntry(
                    status: 4, time: Fixtures.at(10, 11), reason: nil, source: "test", madeCurrent: true),
                steps: [
                    LocalCaseStep(
                        caseNumber: refusedLocal, transition: "no-such-step", reason: nil, at: Fixtures.at(10, 11),
                        partnerCode: SampleMessages.yuzhong.code, partnerName: SampleMessages.yuzhong.name)
                ],
                clock: try await desk.slaClock(), at: Fixtures.at(10, 11))
        }
        #expect(cannot.map { Problem.from($0).code } == "exchange.return-refused")
        #expect(try await store.exchangeCase(again.exchange.collaborationNumber)?.status == 1)
    }

    /// From a review: a refused transfer that could not go back to the window was tried, and
    /// listed failed, on every pass for good: a case transferred under a workflow version with no
    /// way back (version 3). It now ends as the partner's refusal (what its status 4 would have
    /// done). A refused transfer whose local case has ended (withdrawn at the window before the
    /// pass told the partner) is only closed.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aRefusedTransferWithNoWayBackIsClosedOnce(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let store = hall.store
        // Version 7 drops 办理地退回转办, as version 3 did not have it.
        let (_, source) = try Fixtures.companyFormation()
        let edited = source.replacingOccurrences(of: "version=\"6\"", with: "version=\"7\"")
            .replacingOccurrences(
                of: #"<transition id="partner-returned"[^>]*/>"#, with: "", options: .regularExpression)
        #expect(edited.count < source.count - 100)
        let definition = try Fixtures.forms().workflowLoader.load(Data(edited.utf8), source: "v6.xml")
        #expect(definition.transition("partner-returned") == nil)
        #expect(try await store.register(definition, source: Fixtures.workflowSource(edited), at: Fixtures.at(9, 0)))
        let (oldLocal, old) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let (withdrawnLocal, withdrawn) = try await hall.transferred("重庆市渝中区青木农业科技有限公司")
        #expect(try await store.registrationCase(oldLocal).definition.version == 7)
        _ = try await hall.desk.withdraw(
            withdrawnLocal, reason: "申请人撤回", as: .clerk(Fixtures.window.id), at: Fixtures.at(10, 3))
        _ = try await hall.refuse(old.collaborationNumber, at: Fixtures.at(10, 4))
        _ = try await hall.refuse(withdrawn.collaborationNumber, at: Fixtures.at(10, 4))
        let step = LocalCaseStep(
            caseNumber: withdrawnLocal, transition: "partner-returned", reason: nil, at: Fixtures.at(10, 4),
            partnerCode: SampleMessages.yuzhong.code, partnerName: SampleMessages.yuzhong.name)
        let closing = try await store.returnTransfer(
            withdrawn.collaborationNumber,
            status: ExchangeStatusEntry(
                status: 4, time: Fixtures.at(10, 4), reason: nil, source: "test", madeCurrent: true),
            steps: [step], clock: try await hall.desk.slaClock(), at: Fixtures.at(10, 4))
        #expect(closing == .localCaseEnded)
        #expect(try await store.exchangeCase(withdrawn.collaborationNumber)?.status == 4)
        #expect(try await store.registrationCase(withdrawnLocal).stage == "withdrawn")
        #expect(try await store.history(withdrawnLocal).last?.transition == "withdraw")
        let worker = ExchangeWorker(outbox: hall.outbox)
        let pass = try await worker.run(at: Fixtures.at(10, 5))
        #expect(pass.returned.isEmpty && pass.failed.isEmpty, "\(pass)")
        #expect(Array(pass.closed.keys) == [old.collaborationNumber], "\(pass)")
        #expect(pass.closed[old.collaborationNumber]?.contains("按办理地不予受理办结") == true, "\(pass)")
        #expect(try await store.registrationCase(oldLocal).stage == "refused")
        #expect(try await store.history(oldLocal).last?.transition == "partner-refused")
        #expect(try await store.exchangeCase(old.collaborationNumber)?.status == 4)
        // Once: nothing on the next pass.
        #expect(try await store.refusedTransfers(limit: 10).isEmpty)
        let next = try await worker.run(at: Fixtures.at(10, 6))
        #expect(next.closed.isEmpty && next.failed.isEmpty && next.returned.isEmpty, "\(next)")
    }
}

/// From the same trial: a partner's key could not be removed (a compromised key stayed valid for
/// good) nor its endpoint changed. Both are a supervisor's acts, with a reason, kept.
@Suite struct PartnerChangeTests {
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aSupervisorRemovesAKeyAndChangesTheEndpointWithAReason(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        let desk = hall.desk
        let code = SampleMessages.yuzhong.code
        let supervisor = DeskActor.clerk(Fixtures.supervisor.id)
        let newKey = try SM2.PrivateKey.generate()
        _ = try await desk.addExchangePartnerKey(
            code: code, publicKeyPEM: Data(newKey.publicKey.pem.utf8), as: supervisor)
        let old = hall.partnerKey.publicKey.fingerprint
        // A window clerk may not; a reason is needed; a prefix under 16 characters names nothing.
        let byClerk = await Fixtures.problem {
            _ = try await desk.removeExchangePartnerKey(
                code: code, fingerprint: old, reason: "泄露", as: .clerk(Fixtures.window.id))
        }
        #expect(byClerk?.code == "role.supervisor-required")
        let noReason = await Fixtures.problem {
            _ = try await desk.removeExchangePartnerKey(code: code, fingerprint: old, reason: " ", as: supervisor)
        }
        #expect(noReason?.fields.map(\.field) == ["reason"])
        let short = await Fixtures.problem {
            _ = try await desk.removeExchangePartnerKey(
                code: code, fingerprint: String(old.prefix(8)), reason: "泄露", as: supervisor)
        }
        #expect(short?.code == "partner.key-unknown")
        let removed = try await desk.removeExchangePartnerKey(
            code: code, fingerprint: String(old.prefix(16)) + "…", reason: "私钥泄露", as: supervisor)
        #expect(removed.keys.map(\.fingerprint) == [newKey.publicKey.fingerprint])
        // The old key's messages are refused from then on; the new key's are taken.
        let oldSigned = try await hall.receive(hall.fromPartner(ExchangeInboxTests.inboundTransfer()))
        #expect(oldSigned.code == "message.sender-unknown", "\(oldSigned)")
        let newSigned = try await hall.receive(hall.fromPartner(ExchangeInboxTests.inboundTransfer(), key: newKey))
        #expect(newSigned.outcome == .applied, "\(newSigned)")
        // The endpoint: a valid address, then none; a bad one is refused naming the field.
        let bad = await Fixtures.problem {
            _ = try await desk.changeExchangePartnerEndpoint(
                code: code, endpoint: "ftp://example.org", reason: "迁移", as: supervisor)
        }
        #expect(bad?.fields.map(\.field) == ["endpoint"])
        let moved = try await desk.changeExchangePartnerEndpoint(
            code: code, endpoint: "https://exchange.cq.example/", reason: "对方系统迁移", as: supervisor)
        #expect(moved.endpoint == "https://exchange.cq.example/")
        let held = try await desk.changeExchangePartnerEndpoint(
            code: code, endpoint: nil, reason: "对方停机维护", as: supervisor)
        #expect(held.endpoint == nil)
        let changes = try await desk.exchangePartnerChanges(code: code)
        #expect(changes.map(\.change) == ["key-removed", "endpoint-changed", "endpoint-changed"])
        #expect(changes.map(\.detail) == [old, "https://exchange.cq.example/", nil])
        #expect(changes.map(\.reason) == ["私钥泄露", "对方系统迁移", "对方停机维护"])
        #expect(changes.allSatisfy { $0.by == Fixtures.supervisor.id })
    }
}

extension ReturnedTransferTests {
    /// Yuzhong's status changes `changes` (status, minute after 10:00) for `collaborationNumber`,
    /// each in its own message, received at 10:50.
    static func statuses(
        _ changes: [(Int, Int)], for collaborationNumber: String, _ hall: Transfers, id prefix: String
    ) async throws -> [InboundAnswer] {
        _ = hall.desk.playing(Fixtures.at(10, 50))
        var answers: [InboundAnswer] = []
        for (index, (status, minute)) in changes.enumerated() {
            answers.append(
                try await hall.hall.receive(
                    ExchangeInboxTests.statusUpdate(
                        "\(prefix)-4b1c-8d3e-4f5a6b7c8d0\(index)",
                        [StatusChange(recordID: "s", status: status, time: Fixtures.at(10, minute))],
                        number: collaborationNumber)))
        }
        return answers
    }

    /// From a hostile trial: a rejecting receipt that came after the partner's own status changes
    /// (it accepted the case) sent the case back to the window, to be transferred again while the
    /// partner handled it. It contradicts what the partner did since: the case stays with it.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aRejectionAfterThePartnersOwnStatusesReturnsNothing(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let (local, transferred) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let accepted = try await Self.statuses(
            [(3, 20)], for: transferred.collaborationNumber, hall, id: "7a1b2c3d-9f0a")
        #expect(accepted.map(\.outcome) == [.applied], "\(accepted)")
        _ = try await hall.refuse(transferred.collaborationNumber, at: Fixtures.at(10, 55))
        #expect(try await hall.store.refusedTransfers(limit: 10).isEmpty)
        let pass = try await ExchangeWorker(outbox: hall.outbox).run(at: Fixtures.at(11, 0))
        #expect(pass.returned.isEmpty && pass.closed.isEmpty, "\(pass)")
        #expect(try await hall.store.registrationCase(local).stage == "transferred")
        #expect(try await hall.store.exchangeCase(transferred.collaborationNumber)?.status == 3)
    }

    /// From a hostile trial: the partner's result for a case withdrawn at the window before the
    /// next pass told the partner was taken: the cross-province case licensed, the local one
    /// withdrawn, and the withdrawal never sent (the case had closed). It is refused, saying why,
    /// and the withdrawal goes out on the next pass; a status change likewise.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aResultForACaseWithdrawnHereIsRefusedAndTheWithdrawalSent(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let (local, transferred) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let number = transferred.collaborationNumber
        _ = try await hall.desk.playing(Fixtures.at(10, 30)).withdraw(
            local, reason: "申请人撤回", as: DeskActor.clerk(Fixtures.window.id))
        _ = hall.desk.playing(Fixtures.at(10, 45))
        let result = try await hall.hall.receive(
            ExchangeInboxTests.result(
                "6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e01", number: number, completed: Fixtures.at(10, 40)))
        #expect(result.outcome == .rejected && result.code == "case.closed", "\(result)")
        guard case .records(let records) = try hall.hall.receipt(result).outcome else {
            Issue.record("the result's receipt answers no record")
            return
        }
        #expect(records.first?.rejection?.message.contains("撤回") == true, "\(records)")
        let status = try await Self.statuses([(8, 41)], for: number, hall, id: "7a1b2c3d-9f0b")
        #expect(status.map(\.code) == ["case.closed"], "\(status)")
        #expect(try await hall.store.exchangeCase(number)?.status == 1)
        #expect(try await hall.store.exchangeCase(number)?.licence == nil)
        #expect(try await hall.store.registrationCase(local).stage == "withdrawn")
        let pass = try await ExchangeWorker(outbox: hall.outbox).run(at: Fixtures.at(11, 0))
        #expect(pass.told == 1, "\(pass)")
        let sent = try await hall.store.outboundMessages(states: nil, limit: 10).filter {
            $0.collaborationNumber == number
        }
        #expect(sent.map(\.type).contains("Withdrawal"), "\(sent.map(\.type))")
        #expect(try await hall.store.exchangeCase(number)?.status == 2)
        // The partner confirms the withdrawal (from a re-trial: refused as a change after the end).
        _ = hall.desk.playing(Fixtures.at(11, 10))
        let confirmed = try await hall.hall.receive(
            ExchangeInboxTests.statusUpdate(
                "7a1b2c3d-9f30-4b1c-8d3e-4f5a6b7c8d00",
                [StatusChange(recordID: "w", status: 14, time: Fixtures.at(11, 5))],
                number: number))
        #expect(confirmed.outcome == .applied, "\(confirmed)")
        #expect(try await hall.store.exchangeCase(number)?.status == 2)
        let last = try #require(try await hall.store.exchangeStatuses(number).last)
        #expect(last.status == 14 && !last.madeCurrent)
        // Another change after the end is still refused, in the end's own second too (from a
        // second re-trial: taken as history).
        for (index, minute) in [6, 30].enumerated() {
            let after = try await hall.hall.receive(
                ExchangeInboxTests.statusUpdate(
                    "7a1b2c3d-9f3\(index + 1)-4b1c-8d3e-4f5a6b7c8d00",
                    [StatusChange(recordID: "s", status: 8, time: Fixtures.at(minute == 6 ? 11 : 10, minute))],
                    number: number))
            #expect(after.code == "status.not-allowed", "\(after)")
        }
    }

    /// From a hostile trial: a special procedure (9) begun while the case was in correction had no
    /// step here, and the correction's end (7) then let the clock run through the procedure. It
    /// now goes on paused until the procedure's end (10).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aSpecialProcedureBegunDuringACorrectionKeepsTheClockPaused(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let (local, transferred) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let (reverse, third) = try await hall.transferred("重庆市渝中区青山农业科技有限公司")
        let answers = try await Self.statuses(
            [(3, 5), (6, 10), (9, 15), (7, 20)], for: transferred.collaborationNumber, hall, id: "7a1b2c3d-9f0c")
        #expect(answers.allSatisfy { $0.outcome == .applied }, "\(answers)")
        let during = try await hall.store.registrationCase(local)
        #expect(during.stage == "transferred-special")
        #expect(during.segments.last?.effect == .paused && during.segments.last?.start == Fixtures.at(10, 20))
        #expect(try await hall.store.history(local).last?.reason?.contains("特别程序") == true)
        let ended = try await Self.statuses([(10, 30)], for: transferred.collaborationNumber, hall, id: "7a1b2c3d-9f0d")
        #expect(ended.map(\.outcome) == [.applied])
        let after = try await hall.store.registrationCase(local)
        #expect(after.stage == "transferred" && after.segments.last?.start == Fixtures.at(10, 30))
        // Without a 9 between, the correction's end alone goes back to the deciding authority.
        let (plain, other) = try await hall.transferred("重庆市渝中区青木农业科技有限公司")
        _ = try await Self.statuses(
            [(3, 5), (6, 10), (7, 20)], for: other.collaborationNumber, hall, id: "7a1b2c3d-9f0e")
        #expect(try await hall.store.registrationCase(plain).stage == "transferred")
        // The other order (from a re-trial): a correction asked during the special procedure stays
        // paused after the procedure's end (10) until its own end (7).
        _ = try await Self.statuses(
            [(3, 5), (9, 10), (6, 15), (10, 20)], for: third.collaborationNumber, hall, id: "7a1b2c3d-9f0f")
        let waiting = try await hall.store.registrationCase(reverse)
        #expect(waiting.stage == "transferred-correction", "\(waiting.stage)")
        #expect(waiting.segments.last?.effect == .paused && waiting.segments.last?.start == Fixtures.at(10, 20))
        _ = try await Self.statuses([(7, 30)], for: third.collaborationNumber, hall, id: "7a1b2c3d-9f1a")
        let resumed = try await hall.store.registrationCase(reverse)
        #expect(resumed.stage == "transferred" && resumed.segments.last?.start == Fixtures.at(10, 30))
    }

    /// From a hostile trial: a change dated a few minutes ahead (a partner's clock running fast)
    /// became current and made every real change dated before it history, accepted but without
    /// effect; it is taken as of its receipt. And 2 已撤件 (before acceptance) after 3 was taken.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aChangeAheadOfThisClockIsTakenAsOfItsReceiptAndTwoAfterThreeIsRefused(store: TestStoreKind)
        async throws
    {
        let hall = try await Transfers(store: store)
        let (local, transferred) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let number = transferred.collaborationNumber
        // Received at 10:50: 3, then 6 dated 10:59 (nine minutes ahead), then 7 dated 10:50.
        let answers = try await Self.statuses([(3, 5), (6, 59), (7, 50)], for: number, hall, id: "7a1b2c3d-9f10")
        #expect(answers.map(\.outcome) == [.applied, .applied, .applied], "\(answers)")
        let statuses = try await hall.store.exchangeStatuses(number)
        #expect(statuses.last?.status == 7 && statuses.last?.madeCurrent == true, "\(statuses)")
        #expect(statuses.first { $0.status == 6 }?.time == Fixtures.at(10, 50))
        #expect(try await hall.store.exchangeCase(number)?.status == 7)
        #expect(try await hall.store.registrationCase(local).stage == "transferred")
        let withdrawn = try await Self.statuses([(2, 55)], for: number, hall, id: "7a1b2c3d-9f11")
        #expect(withdrawn.map(\.code) == ["status.not-allowed"], "\(withdrawn)")
        #expect(try await hall.store.exchangeCase(number)?.status == 7)
    }

    /// From a hostile trial: statuses are kept to the second, and one whose fraction of a second
    /// said it came earlier became current. One second's changes now go in the order they came,
    /// within a message as across messages, whatever their fractions.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func oneSecondsChangesAreOrderedAsTheyCame(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let (oneLocal, one) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let (twoLocal, two) = try await hall.transferred("重庆市渝中区青木农业科技有限公司")
        _ = hall.desk.playing(Fixtures.at(10, 50))
        let at = Fixtures.at(10, 20)
        func change(_ status: Int, _ fraction: Double, _ record: String) -> StatusChange {
            StatusChange(recordID: record, status: status, time: at.addingTimeInterval(fraction))
        }
        // In one message: 6 (at .9) then 7 (at .5): the 7, listed last, is current.
        let together = try await hall.hall.receive(
            ExchangeInboxTests.statusUpdate(
                "7a1b2c3d-9f20-4b1c-8d3e-4f5a6b7c8d00", [change(3, 0, "a"), change(6, 0.9, "b"), change(7, 0.5, "c")],
                number: one.collaborationNumber))
        #expect(together.outcome == .applied, "\(together)")
        #expect(try await hall.store.exchangeCase(one.collaborationNumber)?.status == 7)
        #expect(try await hall.store.registrationCase(oneLocal).stage == "transferred")
        // Across messages, the other way round: 7 (at .5) came first, then 6 (at .9): the 6.
        for (index, changes) in [[change(3, 0, "a"), change(7, 0.5, "b")], [change(6, 0.9, "c")]].enumerated() {
            let answer = try await hall.hall.receive(
                ExchangeInboxTests.statusUpdate(
                    "7a1b2c3d-9f21-4b1c-8d3e-4f5a6b7c8d0\(index)", changes, number: two.collaborationNumber))
            #expect(answer.outcome == .applied, "\(answer)")
        }
        #expect(try await hall.store.exchangeCase(two.collaborationNumber)?.status == 6)
        #expect(try await hall.store.registrationCase(twoLocal).stage == "transferred-correction")
        #expect(try await hall.store.exchangeStatuses(two.collaborationNumber).allSatisfy { $0.time <= at })
    }

    /// From a second re-trial: a 7 dated before the current 10 but arriving after it was kept as
    /// history and left the case in correction (the clock stopped for good); a 6 dated during the
    /// special procedure but arriving after its end left the clock running. The case is brought to
    /// where the statuses in time order leave it.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aLateChangeAboutAPauseBringsTheCaseWhereTheStatusesInTimeOrderLeaveIt(store: TestStoreKind) async throws {
        let hall = try await Transfers(store: store)
        let (first, one) = try await hall.transferred("重庆市渝中区青禾农业科技有限公司")
        let (second, two) = try await hall.transferred("重庆市渝中区青木农业科技有限公司")
        _ = try await Self.statuses(
            [(3, 5), (9, 10), (6, 15), (10, 25)], for: one.collaborationNumber, hall, id: "7a1b2c3d-9f40")
        #expect(try await hall.store.registrationCase(first).stage == "transferred-correction")
        let late7 = try await Self.statuses([(7, 20)], for: one.collaborationNumber, hall, id: "7a1b2c3d-9f41")
        #expect(late7.map(\.outcome) == [.applied])
        #expect(try await hall.store.exchangeStatuses(one.collaborationNumber).last?.madeCurrent == false)
        let resumed = try await hall.store.registrationCase(first)
        #expect(resumed.stage == "transferred" && resumed.segments.last?.effect == .running, "\(resumed.stage)")
        _ = try await Self.statuses(
            [(3, 5), (9, 10), (10, 25)], for: two.collaborationNumber, hall, id: "7a1b2c3d-9f42")
        #expect(try await hall.store.registrationCase(second).stage == "transferred")
        _ = try await Self.statuses([(6, 15)], for: two.collaborationNumber, hall, id: "7a1b2c3d-9f43")
        let paused = try await hall.store.registrationCase(second)
        #expect(paused.stage == "transferred-correction" && paused.segments.last?.effect == .paused, "\(paused.stage)")
    }
}
