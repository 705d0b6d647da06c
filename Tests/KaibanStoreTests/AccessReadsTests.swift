import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// The portal requests' access read on connections of its own answers what the pool's read of
/// the same statement answers, sees another connection's commits at once, and steps aside when
/// the store is closed.
@Suite struct AccessReadsTests {
    func pooled(_ store: CaseStore, _ number: CaseNumber, since: Date) throws -> CaseAccess? {
        try store.readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: AccessReads.sql),
                arguments: [CaseStore.seconds(since), number.description]
            ).map { CaseAccess(portalID: $0[0], passwordHash: $0[1], failures: $0[3], version: $0[2]) }
        }
    }

    @Test func itAnswersWhatThePoolAnswersAndSeesOtherConnectionsAtOnce() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let store = try #require(desk.store as? CaseStore)
        let reads = try #require(store.accessReads)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "a", requestBody: Data("{}".utf8))
        let number = receipt.case.number
        let since = Fixtures.at(8, 0)
        let first = try #require(reads.access(number: number.description, failuresSince: CaseStore.seconds(since)))
        #expect(first == (try pooled(store, number, since: since)))
        #expect(first?.portalID == "gov-web" && first?.version == 1 && first?.failures == 0)
        // Two wrong passwords and a step, written by another connection (another process's store).
        let other = try CaseStore(path: path)
        _ = try await other.recordAccessFailure(number, at: Fixtures.at(9, 1), countingSince: since)
        _ = try await other.recordAccessFailure(number, at: Fixtures.at(9, 2), countingSince: since)
        let clerk = Desk(settings: desk.settings, store: other, clock: ManualClock(Fixtures.at(9, 3)))
        _ = try await clerk.receiveDocuments(
            number, [ReceivedDocument(code: "articles", form: .paper)], as: .clerk("wangfang"))
        let after = try #require(reads.access(number: number.description, failuresSince: CaseStore.seconds(since)))
        #expect(after?.failures == 2 && after?.version == 2, "\(String(describing: after))")
        #expect(after == (try pooled(store, number, since: since)))
        // Failures before the window are not counted; a case that does not exist is none.
        let later = Fixtures.at(9, 2)
        #expect(reads.access(number: number.description, failuresSince: CaseStore.seconds(later))??.failures == 1)
        let missing = try #require(CaseNumber("510811-20261126-9999"))
        let none = try #require(reads.access(number: missing.description, failuresSince: 0))
        #expect(none == nil)
        // Read from several threads at once: every answer the same.
        let answers = await withTaskGroup(of: CaseAccess??.self) { group in
            for _ in 0..<64 {
                group.addTask { reads.access(number: number.description, failuresSince: CaseStore.seconds(since)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 64 && answers.allSatisfy { $0 == .some(after) })
        // When this path cannot answer (here: closed on its own), the store reads through the pool.
        reads.close()
        #expect(reads.access(number: number.description, failuresSince: 0) == nil)
        #expect(try store.fetchCaseAccess(number, failuresSince: since) == after)
        // Once the store is closed this path answers nothing (the caller's pool read then fails).
        try store.closeDatabase()
        #expect(reads.access(number: number.description, failuresSince: 0) == nil)
    }
}
