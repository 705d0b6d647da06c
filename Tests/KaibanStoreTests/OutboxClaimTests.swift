import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Senders in two processes (the server's, `kaiban exchange send`) on one SQLite file: each
/// due message is taken by one of them only, and a message held by a sender that died is due
/// again when its hold ends.
@Suite struct OutboxClaimTests {
    static let morning = OutboxScenarios.morning

    static func message(_ index: Int) -> OutboundMessage { OutboxScenarios.message(index) }

    /// A file with a partner and `count` pending messages.
    static func outbox(_ count: Int) throws -> String {
        let path = Fixtures.temporaryDatabasePath()
        let store = try CaseStore(path: path)
        try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO exchange_partner (code, name, endpoint, added_at, added_by)
                    VALUES ('11500103MB164887X0', '重庆市渝中区市场监督管理局', NULL, 0, 'zhouqiang')
                    """)
            for index in 0..<count { try store.insertOutbound(message(index), db) }
        }
        return path
    }

    @Test func twoStoresOnOneFileNeverTakeTheSameMessage() async throws {
        let count = 120
        let path = try Self.outbox(count)
        let now = Self.morning.addingTimeInterval(3600)
        // Two stores (two processes' connections), three senders each, taking 5 at a time.
        let stores = [try CaseStore(path: path), try CaseStore(path: path)]
        let taken = try await OutboxScenarios.drain(senders: 6, rounds: count) { sender in
            try await stores[sender % 2].claimDueOutbound(at: now, limit: 5, holdUntil: now.addingTimeInterval(300))
                .map(\.messageID)
        }
        #expect(taken.count == count)
        #expect(Set(taken) == Set((0..<count).map { Self.message($0).messageID }))
    }

    @Test func aHeldMessageIsDueAgainWhenItsHoldEnds() async throws {
        let store = try CaseStore(path: try Self.outbox(1))
        let now = Self.morning.addingTimeInterval(60)
        let first = try await store.claimDueOutbound(at: now, limit: 10, holdUntil: now.addingTimeInterval(300))
        #expect(first.map(\.messageID) == [Self.message(0).messageID])
        #expect(try await store.claimDueOutbound(at: now.addingTimeInterval(299), limit: 10, holdUntil: now) == [])
        let again = try await store.claimDueOutbound(
            at: now.addingTimeInterval(300), limit: 10, holdUntil: now.addingTimeInterval(600))
        #expect(again.map(\.messageID) == [Self.message(0).messageID])
        // Delivered: sent, no longer due for anyone.
        try await store.recordDelivery(Self.message(0).messageID, .delivered(at: now, receipt: nil))
        #expect(try await store.claimDueOutbound(at: now.addingTimeInterval(9_999), limit: 10, holdUntil: now) == [])
        #expect(try await store.outboundMessage(Self.message(0).messageID)?.state == .sent)
    }
}
