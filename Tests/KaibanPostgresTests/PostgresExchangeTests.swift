import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// 川渝通办 on PostgreSQL, where the exchange's suites cannot look: several servers receiving and
/// sending at once (two stores on one database), and what the database itself refuses.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresExchangeTests {
    static let morning = Date(timeIntervalSince1970: 1_795_660_800)  // 2026-11-26 09:20 in Shanghai
    static let partner = "11500103MB1590836K"
    static let prefix = "CY51081120261126"

    /// A fresh store with its supervisor, zhouqiang, and a window clerk.
    static func staffed() async throws -> PostgresStore {
        let store = try await TestPostgres.freshStore()
        try await store.addClerk(Clerk(id: "zhouqiang", name: "周强", roles: ["supervisor"]), by: nil, at: morning)
        try await store.addClerk(Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: "zhouqiang", at: morning)
        return store
    }

    /// The desk's refusal in `result`, if it failed with one.
    static func refusal(_ result: Result<Void, any Error>) -> StoreError? {
        if case .failure(let error) = result { return error as? StoreError }
        return nil
    }

    static func key(_ fingerprint: String) -> PartnerKey {
        PartnerKey(fingerprint: fingerprint, der: Data(fingerprint.utf8), addedAt: morning, addedBy: "zhouqiang")
    }

    static func partner(_ code: String, keys: [PartnerKey]) -> ExchangePartner {
        ExchangePartner(
            code: code, name: "重庆市渝中区市场监督管理局", endpoint: nil, addedAt: morning, addedBy: "zhouqiang",
            keys: keys)
    }

    /// A transfer from the partner, message `id`, opening case `number` with one status: what the
    /// inbox would decide when the case is new (a second transfer of it is refused).
    static func transfer(_ id: String, number: String) -> InboundItem {
        InboundItem(sender: partner, messageID: id, collaborationNumber: number) { stored in
            let message = InboundMessage(
                senderCode: partner, messageID: id, digest: "d-\(id)", type: "CaseTransfer",
                collaborationNumber: number, receivedAt: morning, accepted: stored == nil,
                code: stored == nil ? nil : "case.duplicate", origin: "test", raw: Data(id.utf8),
                receipt: Data("receipt \(id)".utf8))
            guard stored == nil else { return InboundDecision(caseState: nil, statuses: [], message: message) }
            return InboundDecision(
                caseState: ExchangeCase(
                    collaborationNumber: number, partnerCode: partner, direction: .inbound, mode: "remote-intake",
                    localCase: nil, partnerReference: "500103-20261126-0003", enterpriseName: "昭化青禾农业科技有限公司",
                    openedAt: morning, status: 1, statusAt: morning),
                statuses: [
                    ExchangeStatusEntry(status: 1, time: morning, reason: nil, source: "in:\(id)", madeCurrent: true)
                ],
                message: message)
        }
    }

    /// A case this hall transfers, with its first status and message `id`.
    static func outbound(_ id: String)
        -> @Sendable (String) throws -> (
            ExchangeCase, [ExchangeStatusEntry], OutboundMessage
        )
    {
        { number in
            (
                ExchangeCase(
                    collaborationNumber: number, partnerCode: partner, direction: .outbound, mode: "remote-intake",
                    localCase: nil, partnerReference: nil, enterpriseName: "重庆青禾农业科技有限公司", openedAt: morning,
                    status: 1, statusAt: morning),
                [ExchangeStatusEntry(status: 1, time: morning, reason: nil, source: "out", madeCurrent: true)],
                OutboundMessage(
                    messageID: id, partnerCode: partner, type: "CaseTransfer", collaborationNumber: number,
                    raw: Data(id.utf8), digest: "d-\(id)", createdAt: morning)
            )
        }
    }

    @Test func aMessageReceivedByTwoServersAtOnceIsAppliedOnce() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        for round in 0..<8 {
            let id = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c0\(round)"
            let number = "CY50010320261126000\(round)"
            async let first = store.receiveExchangeMessages([Self.transfer(id, number: number)], clock: nil)
            async let second = other.receiveExchangeMessages([Self.transfer(id, number: number)], clock: nil)
            let answers = try await [first, second].flatMap { $0 }
            // One applied it; the other waited and was given the first's record, unapplied.
            #expect(answers.map(\.applied).sorted { !$0 && $1 } == [false, true], "round \(round)")
            #expect(answers[0].message == answers[1].message)
            #expect(answers.allSatisfy { $0.message.accepted })
            #expect(try await store.exchangeStatuses(number).count == 1)
        }
        #expect(try await store.exchangeCases(limit: 100).count == 8)
    }

    @Test func twoTransfersOfOneCaseUnderDifferentIDsAtOnceOpenItOnce() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let number = "CY500103202611260003"
        async let first = store.receiveExchangeMessages(
            [Self.transfer("1f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", number: number)], clock: nil)
        async let second = other.receiveExchangeMessages(
            [Self.transfer("2f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", number: number)], clock: nil)
        let answers = try await [first, second].flatMap { $0 }
        // Both recorded; the later one decided on the case the first wrote, and refused.
        #expect(answers.allSatisfy { $0.applied })
        #expect(answers.filter { $0.message.accepted }.count == 1)
        #expect(answers.compactMap(\.message.code) == ["case.duplicate"])
        #expect(try await store.exchangeStatuses(number).count == 1)
        #expect(try await store.deadLetters(limit: 10).map(\.code) == ["case.duplicate"])
    }

    @Test func collaborationNumbersStayDenseAcrossServers() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let opened = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<12 {
                let server = index.isMultiple(of: 2) ? store : other
                group.addTask {
                    try await server.openOutboundCase(
                        prefix: Self.prefix, build: Self.outbound("3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e\(index + 10)")
                    ).collaborationNumber
                }
            }
            var numbers: [String] = []
            for try await number in group { numbers.append(number) }
            return numbers
        }
        #expect(opened.sorted() == (1...12).map { Self.prefix + String(format: "%04d", $0) })
        // A transfer refused while it is built gives its number back.
        let refused = await Fixtures.failure {
            _ = try await store.openOutboundCase(prefix: Self.prefix) { _ in throw CancellationError() }
        }
        #expect(refused != nil)
        let next = try await other.openOutboundCase(
            prefix: Self.prefix, build: Self.outbound("3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e99"))
        #expect(next.collaborationNumber == Self.prefix + "0013")
        #expect(
            try await store.outboundMessage("3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e99")?.collaborationNumber
                == next.collaborationNumber)
        #expect(try await store.outboundCounts() == [.pending: 13])
        // Another day's prefix starts again at 1.
        let tomorrow = try await store.openOutboundCase(
            prefix: "CY51081120261127", build: Self.outbound("4f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81"))
        #expect(tomorrow.collaborationNumber == "CY510811202611270001")
    }

    @Test func aKeyAndACodeBelongToOnePartnerWhoeverAddsThemAtOnce() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let first = Task { try await store.addExchangePartner(Self.partner("A1", keys: [Self.key("shared")])) }
        let second = Task { try await other.addExchangePartner(Self.partner("B2", keys: [Self.key("shared")])) }
        let outcomes = [await first.result, await second.result]
        let refusals = outcomes.compactMap(Self.refusal)
        #expect(refusals.count == 1, "\(outcomes)")
        let holder = try #require(try await store.exchangePartners().first)
        #expect(refusals.first == .partnerKeyExists(fingerprint: "shared", partner: holder.code))
        #expect(try await store.exchangePartners().map(\.keys.count) == [1])
        // The same code twice at once: one partner, the other refused.
        let third = Task { try await store.addExchangePartner(Self.partner("C3", keys: [Self.key("c-1")])) }
        let fourth = Task { try await other.addExchangePartner(Self.partner("C3", keys: [Self.key("c-2")])) }
        let again = [await third.result, await fourth.result]
        #expect(again.compactMap(Self.refusal) == [.partnerExists("C3")], "\(again)")
        #expect(try await store.exchangePartner("C3")?.keys.count == 1)
        // A key held already, by this partner or another, is refused naming its holder.
        let held = await Fixtures.failure { _ = try await store.addExchangePartnerKey(Self.key("shared"), to: "C3") }
        #expect(held as? StoreError == .partnerKeyExists(fingerprint: "shared", partner: holder.code))
        let unknown = await Fixtures.failure { _ = try await store.addExchangePartnerKey(Self.key("new"), to: "Z9") }
        #expect(unknown as? StoreError == .partnerNotFound("Z9"))
        let added = try await other.addExchangePartnerKey(
            PartnerKey(
                fingerprint: "c-0", der: Data([1]), addedAt: Self.morning.addingTimeInterval(60), addedBy: "zhouqiang"),
            to: "C3")
        #expect(added.keys.count == 2 && added.keys.last?.fingerprint == "c-0")
    }

    @Test func onlyAnActiveSupervisorAddsPartners() async throws {
        let store = try await Self.staffed()
        var byWindow = Self.partner("A1", keys: [Self.key("a")])
        byWindow.addedBy = "wangfang"
        let window = await Fixtures.failure { try await store.addExchangePartner(byWindow) }
        guard case .supervisorRequired(let clerk, _) = window as? StoreError else {
            Issue.record("\(String(describing: window))")
            return
        }
        #expect(clerk == "wangfang")
        byWindow.addedBy = "ghost"
        #expect(
            await Fixtures.failure { try await store.addExchangePartner(byWindow) } as? StoreError
                == .clerkNotFound("ghost"))
        #expect(try await store.exchangePartners().isEmpty)
        var key = Self.key("b")
        key.addedBy = "wangfang"
        try await store.addExchangePartner(Self.partner("A1", keys: [Self.key("a")]))
        let windowKey = await Fixtures.failure { _ = try await store.addExchangePartnerKey(key, to: "A1") }
        #expect(windowKey is StoreError)
        #expect(try await store.exchangePartner("A1")?.keys.map(\.fingerprint) == ["a"])
    }

    @Test func changesToOneCaseFromTwoServersAreNotLost() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let number = try await store.openOutboundCase(
            prefix: Self.prefix, build: Self.outbound("5f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81")
        ).collaborationNumber
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                let server = index.isMultiple(of: 2) ? store : other
                group.addTask {
                    _ = try await server.changeExchangeCase(number) { stored in
                        guard var state = stored else { throw CancellationError() }
                        state.reportedEvents += 1
                        let entry = ExchangeStatusEntry(
                            status: 3, time: Self.morning, reason: "\(index)", source: "out", madeCurrent: true)
                        return (state, [entry], [])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.exchangeCase(number)?.reportedEvents == 10)
        #expect(try await store.exchangeStatuses(number).count == 11)
    }

    /// An intake links its local case to the cross-province case (another server, while a change
    /// of that case is being decided): the change, which read the case before, does not write the
    /// link away.
    @Test func aLinkMadeWhileTheCaseIsChangedIsKept() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let number = "CY500103202611260003"
        _ = try await store.receiveExchangeMessages(
            [Self.transfer("1f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", number: number)], clock: nil)
        async let changed = store.changeExchangeCase(number) { stored in
            guard var state = stored else { throw CancellationError() }
            // Deciding takes a while: the other server links the case meanwhile.
            Thread.sleep(forTimeInterval: 0.5)
            state.status = 3
            state.statusAt = Self.morning.addingTimeInterval(60)
            return (state, [], [])
        }
        try await Task.sleep(for: .milliseconds(150))
        try await other.execute(
            """
            UPDATE exchange_case SET local_case = '510811-20261126-0001'
            WHERE collaboration_number = '\(number)' AND local_case IS NULL
            """)
        #expect(try await changed.status == 3)
        let stored = try #require(try await store.exchangeCase(number))
        #expect(stored.localCase == "510811-20261126-0001" && stored.status == 3)
    }

    @Test func theInboxAndTheStatusHistoryAreAppendOnlyInTheDatabase() async throws {
        let store = try await Self.staffed()
        let number = "CY500103202611260003"
        _ = try await store.receiveExchangeMessages(
            [Self.transfer("1f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", number: number)], clock: nil)
        for statement in [
            "UPDATE exchange_inbox SET accepted = false", "DELETE FROM exchange_inbox",
            "TRUNCATE exchange_inbox", "UPDATE exchange_status SET status = 11", "DELETE FROM exchange_status",
            "TRUNCATE exchange_status",
        ] {
            let refusal = await Fixtures.failure { try await store.execute(statement) }
            guard case .refused(let message) = refusal as? PostgresStoreError else {
                Issue.record("\(statement): \(String(describing: refusal))")
                continue
            }
            #expect(message.contains("append-only"), "\(statement): \(message)")
        }
        let kept = try #require(
            try await store.inboundMessage(sender: Self.partner, messageID: "1f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"))
        #expect(kept.accepted && kept.raw == Data("1f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d".utf8))
        #expect(try await store.exchangeStatuses(number).map(\.status) == [1])
    }
}
