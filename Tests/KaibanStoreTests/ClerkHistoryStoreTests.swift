import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// The clerk history is append-only in the database itself, as the case history is.
@Suite struct ClerkHistoryStoreTests {
    @Test func theDatabaseRefusesToEditOrDeleteAClerksHistory() throws {
        let store = try Fixtures.store()
        _ = try store.changeClerk("wangfang", .deactivate, reason: "调离", by: "zhouqiang", at: Fixtures.at(10, 0))
        #expect(try store.clerkHistory("wangfang").map(\.kind) == [.added, .deactivated])
        for sql in [
            "UPDATE clerk_event SET reason = '伪造' WHERE clerk_id = 'wangfang'",
            "DELETE FROM clerk_event WHERE clerk_id = 'wangfang' AND sequence = 2",
        ] {
            #expect(throws: StoreError.storage("19 (constraint failed): clerk history is append-only")) {
                try store.write { db in try db.execute(sql: sql) }
            }
        }
        let history = try store.clerkHistory("wangfang")
        #expect(history.map(\.reason) == [nil, "调离"])
        #expect(history.last?.at == Fixtures.at(10, 0))
    }
}
