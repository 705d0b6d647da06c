import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Logging
import PostgresNIO
import Testing

@testable import KaibanPostgres

/// The server the tests use, from KAIBAN_TEST_POSTGRES.
enum TestServer {
    static let location = ProcessInfo.processInfo.environment["KAIBAN_TEST_POSTGRES"].flatMap {
        try? PostgresLocation($0)
    }

    /// The time limit of the tests' stores: the whole suite runs at once on a small machine, and an
    /// operation there may wait for a thread for seconds (the restart test sets its own).
    static let patience: Duration = .seconds(120)
}

/// The PostgreSQL store against a real server: the throw-away one Scripts/test starts on
/// 127.0.0.1 and names in KAIBAN_TEST_POSTGRES. Each test works in a database of its own; one
/// after the other, as one of them restarts the server.
@Suite(
    .serialized,
    .enabled(
        if: TestServer.location != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresStoreTests {
    static let server = TestServer.location

    static let day = CivilDate(uncheckedYear: 2026, month: 11, day: 26)
    static let morning = Date(timeIntervalSince1970: 1_795_660_800)  // 2026-11-26 09:20 in Shanghai

    /// A case opened at the window of `hall` on the tests' day, by wangfang.
    static func openAtTheWindow(_ store: PostgresStore, hall: String = "510811") async throws -> CaseNumber {
        try await store.openCase(
            hall: hall, day: day, channel: "window", stage: "received", actor: "wangfang", at: morning)
    }

    /// `body` with a store on `location`, migrated.
    @discardableResult
    static func migrated<Result: Sendable>(
        _ location: PostgresLocation, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
            try await store.migrate()
            return try await body(store)
        }
    }

    /// `body` with a store on a new, empty database of `server` (the tests' own unless told),
    /// dropped afterwards.
    func withFreshDatabase(on server: PostgresLocation? = Self.server, _ body: (PostgresLocation) async throws -> Void)
        async throws
    {
        let server = try #require(server)
        let name = "kaiban_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresStore.withStore(server, deadline: TestServer.patience) {
            try await $0.execute("CREATE DATABASE \(name)")
        }
        var location = server
        location.database = name
        do {
            try await body(location)
        } catch {
            try? await PostgresStore.withStore(server, deadline: TestServer.patience) {
                try await $0.execute("DROP DATABASE \(name) WITH (FORCE)")
            }
            throw error
        }
        try await PostgresStore.withStore(server, deadline: TestServer.patience) {
            try await $0.execute("DROP DATABASE \(name) WITH (FORCE)")
        }
    }

    @Test func migrationsApplyOnceEvenFromTwoServersAtOnce() async throws {
        try await withFreshDatabase { location in
            // Two pools, as two servers starting together: each version is applied by one of them.
            async let first = PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.migrate()
            }
            async let second = PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.migrate()
            }
            let applied = try await [first, second]
            #expect(applied.flatMap { $0 }.sorted() == PostgresMigrations.all.map(\.version))
            let (again, recorded) = try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                store in
                (try await store.migrate(), try await store.appliedMigrations())
            }
            #expect(again == [])
            #expect(recorded == PostgresMigrations.all.map(\.version))
        }
    }

    /// Another program's database is refused, as SQLite refuses another program's file: Kaiban's
    /// tables were created beside the other program's (or a clash was said as a storage failure).
    @Test func anotherProgramsDatabaseIsRefusedAndLeftAsItWas() async throws {
        try await withFreshDatabase { location in
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                try await store.execute("CREATE TABLE invoices (id integer PRIMARY KEY)")
                let refusal = await #expect(throws: Problem.self) { try await store.migrate() }
                #expect(refusal?.code == "database.not-kaiban" && refusal?.kind == .brokenData)
                let ledger = try await store.client.query("SELECT to_regclass('kaiban_migration') IS NULL").decode(
                    Bool.self
                ).first(where: { _ in true })
                #expect(ledger == true)
            }
        }
        // In another schema, or a view or a sequence: another program's all the same.
        for objects in [
            ["CREATE SCHEMA app", "CREATE TABLE app.orders (id integer)"], ["CREATE SEQUENCE invoice_number"],
        ] {
            try await withFreshDatabase { location in
                try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                    for statement in objects { try await store.execute(statement) }
                    let refusal = await #expect(throws: Problem.self) { try await store.migrate() }
                    #expect(refusal?.code == "database.not-kaiban", "\(objects)")
                }
            }
        }
        // What an extension brought is the database's own: Kaiban moves in beside it.
        try await withFreshDatabase { location in
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                try await store.execute("CREATE EXTENSION pg_stat_statements")
                #expect(try await store.migrate() == PostgresMigrations.all.map(\.version))
                #expect(try await store.migrate() == [])
            }
        }
    }

    /// `sslmode=require` against the tests' server, which has no TLS: refused, never plain text.
    @Test func sslmodeRequireNeverFallsBackToPlainText() async throws {
        try await withFreshDatabase { fresh in
            var location = fresh
            location.sslMode = .require
            await #expect(throws: PostgresStoreError.self) {
                try await PostgresStore.withStore(location, deadline: .seconds(3)) { try await $0.migrate() }
            }
            location.sslMode = .disable
            let applied = try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.migrate()
            }
            #expect(applied == PostgresMigrations.all.map(\.version))
        }
    }

    /// A connection made apart says why the pool found none: the server's own refusal (no such
    /// database or role, TLS it does not offer) or what the network said; nothing when one can be
    /// made.
    @Test func aConnectionThatCannotBeMadeSaysWhy() async throws {
        let server = try #require(Self.server)
        #expect(await PostgresStore.connectionFailure(server) == nil)
        var missing = server
        missing.database = "kaiban_missing_" + UUID().uuidString.prefix(8).lowercased()
        var stranger = server
        stranger.username = "kaiban_stranger"
        var encrypted = server
        encrypted.sslMode = .require
        for (location, words) in [
            (missing, "database \"\(missing.database)\" does not exist"),
            (stranger, "role \"kaiban_stranger\" does not exist"), (encrypted, "does not offer TLS"),
        ] {
            let failure = await PostgresStore.connectionFailure(location)
            guard case .connectionRefused(let why) = failure else {
                Issue.record("\(location): \(String(describing: failure))")
                continue
            }
            #expect(why.contains(words), "\(why)")
            #expect(failure?.problem.code == "database.connection-refused" && failure?.problem.kind == .brokenData)
        }
        // Nothing listens on port 1: the network's own words, a passing trouble (exit 74).
        var closed = server
        closed.port = 1
        let failure = await PostgresStore.connectionFailure(closed)
        guard case .unreachable(let why) = failure else {
            Issue.record("\(String(describing: failure))")
            return
        }
        #expect(why.contains("Connection refused") && why.contains(":1"), "\(why)")
        #expect(failure?.problem.code == "database.unreachable" && failure?.problem.kind == .storage)
    }

    @Test func theHistoryIsAppendOnlyInTheDatabaseItself() async throws {
        try await withFreshDatabase { location in
            try await Self.migrated(location) { store in
                let number = try await Self.openAtTheWindow(store)
                try await store.appendEvent(
                    to: number, transition: "accept", actor: "wangfang", toStage: "accepted",
                    at: Self.morning.addingTimeInterval(600))
                let before = try await store.history(of: number)
                #expect(before.map(\.sequence) == [1, 2])
                #expect(before.map(\.transition) == [nil, "accept"])
                for change in [
                    "UPDATE case_event SET actor = 'someone-else'", "DELETE FROM case_event WHERE sequence = 2",
                    "TRUNCATE case_event CASCADE",
                ] {
                    await #expect {
                        try await store.execute(change)
                    } throws: { error in
                        guard case .refused(let message) = error as? PostgresStoreError else { return false }
                        return message.contains("append-only")
                    }
                }
                #expect(try await store.history(of: number) == before)
            }
        }
    }

    @Test func numbersAreDensePerHallAndDayWithTwoServersTakingCasesAtOnce() async throws {
        try await withFreshDatabase { location in
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { try await $0.migrate() }
            // Two pools (two servers), 20 cases each at once, and between them openings that fail
            // after their number was taken (an empty channel): those numbers are given back.
            let numbers = try await withThrowingTaskGroup(of: [CaseNumber].self) { group in
                for server in 0..<2 {
                    group.addTask {
                        try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                            try await withThrowingTaskGroup(of: CaseNumber?.self) { cases in
                                for index in 0..<24 {
                                    cases.addTask {
                                        do {
                                            return try await store.openCase(
                                                hall: "510811", day: Self.day,
                                                channel: index % 6 == 5 ? "" : (server == 0 ? "online" : "mobile"),
                                                stage: "received", actor: "portal-\(server)", at: Self.morning)
                                        } catch PostgresStoreError.refused {
                                            return nil
                                        }
                                    }
                                }
                                var taken: [CaseNumber] = []
                                for try await number in cases { if let number { taken.append(number) } }
                                return taken
                            }
                        }
                    }
                }
                var all: [CaseNumber] = []
                for try await part in group { all += part }
                return all
            }
            #expect(numbers.count == 40)
            #expect(numbers.map(\.sequence).sorted() == Array(1...40))
            #expect(Set(numbers.map(\.description)).count == 40)
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                // Another day and another hall each start at 1.
                let nextDay = try await store.openCase(
                    hall: "510811", day: CivilDate(uncheckedYear: 2026, month: 11, day: 27), channel: "window",
                    stage: "received", actor: "wangfang", at: Self.morning.addingTimeInterval(86_400))
                let otherHall = try await store.openCase(
                    hall: "500103", day: Self.day, channel: "window", stage: "received", actor: "yuzhong",
                    at: Self.morning)
                #expect(nextDay.description == "510811-20261127-0001")
                #expect(otherHall.description == "500103-20261126-0001")
                // The 41st of the day follows the 40th.
                let next = try await Self.openAtTheWindow(store)
                #expect(next.sequence == 41)
            }
        }
    }

    /// A hall's day takes as many numbers as it needs, as on SQLite: the 10,000th case of a day is
    /// numbered 10000 (more than four digits only when needed), and another hall still takes its first.
    @Test func theTenThousandthCaseOfADayIsNumberedAsOnSQLite() async throws {
        try await withFreshDatabase { location in
            try await Self.migrated(location) { store in
                try await store.execute(
                    "INSERT INTO case_number_counter (hall, day, last) VALUES ('510811', '2026-11-26', 9999)")
                let tenThousandth = try await Self.openAtTheWindow(store)
                #expect(tenThousandth.description == "510811-20261126-10000")
                #expect(CaseNumber(tenThousandth.description) == tenThousandth)
                let other = try await Self.openAtTheWindow(store, hall: "510802")
                #expect(other.sequence == 1)
            }
        }
    }

    @Test func anEventForAnUnknownCaseIsRefusedNamingIt() async throws {
        try await withFreshDatabase { location in
            try await Self.migrated(location) { store in
                let number = CaseNumber(division: "510811", date: Self.day, sequence: 7)
                await #expect(throws: PostgresStoreError.unknownCase("510811-20261126-0007")) {
                    try await store.appendEvent(
                        to: number, transition: "accept", actor: "wangfang", toStage: "accepted", at: Self.morning)
                }
            }
        }
    }

    /// The database stops under a running store (PostgreSQL restarted): an operation meanwhile is
    /// answered `unreachable` within the store's deadline, not after the pool's minute, and
    /// writes nothing (its case number is not used up); once the database is back the same
    /// store works again by itself, the history before the restart intact.
    @Test(
        .enabled(
            if: TestPostgres.control != nil && TestPostgres.restartable != nil,
            "no KAIBAN_TEST_POSTGRES_RESTARTABLE and KAIBAN_TEST_POSTGRES_CONTROL to restart a server with"))
    func aDatabaseRestartIsAnsweredUnreachableAndTheStoreRecoversByItself() async throws {
        try await TestPostgres.withRestartableServer {
            try await withFreshDatabase(on: TestPostgres.restartable) { location in
                let first = try await Self.migrated(location) { store in
                    return try await Self.openAtTheWindow(store)
                }
                try await PostgresStore.withStore(location, deadline: .seconds(2)) { store in
                    // A connection in the pool first (tried until the loaded machine gives it in time).
                    var connected = false
                    let began = ContinuousClock.now
                    while !connected && ContinuousClock.now - began < .seconds(120) {
                        connected = (try? await store.appliedMigrations()) != nil
                    }
                    try #require(connected)
                    try await TestPostgres.restartableServer("stop")
                    // Nothing between here and the start below throws: the server comes back for the
                    // tests that follow whatever the expectations find.
                    // Answered by the store's own limit ("no answer within 2 seconds"), not by the
                    // pool's circuit breaker a minute later.
                    await #expect {
                        try await Self.openAtTheWindow(store)
                    } throws: { error in
                        guard case .unreachable(let why) = error as? PostgresStoreError else { return false }
                        return why.contains("within")
                    }
                    try await TestPostgres.restartableServer("start")
                    // The same store, with no new pool: it reconnects by itself.
                    var second: CaseNumber?
                    let back = ContinuousClock.now
                    while second == nil && ContinuousClock.now - back < .seconds(60) {
                        second = try? await Self.openAtTheWindow(store)
                        if second == nil { try await Task.sleep(for: .milliseconds(200)) }
                    }
                    // The opening refused during the restart took no number.
                    #expect(second?.sequence == 2)
                    #expect(try await store.history(of: first).map(\.sequence) == [1])
                }
            }
        }
    }

    static func outbound(_ index: Int) -> OutboundMessage { OutboxScenarios.message(index) }

    /// Two servers, three senders each, drain one outbox at once: every message is taken by
    /// exactly one sender and delivered once.
    @Test func sendersOnTwoServersNeverTakeTheSameMessage() async throws {
        try await withFreshDatabase { location in
            let count = 240
            try await Self.migrated(location) { store in
                for index in 0..<count { try await store.enqueueOutbound(Self.outbound(index)) }
            }
            let now = Self.morning.addingTimeInterval(3600)
            // Two pools (two servers), three senders each.
            let taken = try await PostgresStore.withStore(location, deadline: TestServer.patience) { first in
                try await PostgresStore.withStore(location, deadline: TestServer.patience) { second in
                    try await OutboxScenarios.drain(senders: 6, rounds: count) { sender in
                        let store = sender % 2 == 0 ? first : second
                        let batch = try await store.claimDueOutbound(
                            at: now, limit: 7, holdUntil: now.addingTimeInterval(120))
                        for message in batch {
                            try await store.recordDelivery(message.messageID, .delivered(at: now, receipt: nil))
                        }
                        return batch.map(\.messageID)
                    }
                }
            }
            #expect(taken.count == count)
            #expect(Set(taken) == Set((0..<count).map { Self.outbound($0).messageID }))
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                let sample = try #require(try await store.outboundMessage(Self.outbound(17).messageID))
                #expect(sample.state == .sent && sample.attempts == 1 && sample.sentAt == now)
                #expect(sample.raw == Self.outbound(17).raw)
            }
        }
    }

    /// A message a sender took and never answered for (the sender died) is due again for
    /// another sender once its hold ends, not before; what was sent is never changed.
    @Test func aHeldMessageReturnsWhenItsHoldEndsAndItsOctetsNeverChange() async throws {
        try await withFreshDatabase { location in
            try await Self.migrated(location) { store in
                let message = Self.outbound(1)
                try await store.enqueueOutbound(message)
                let now = Self.morning.addingTimeInterval(60)
                let first = try await store.claimDueOutbound(at: now, limit: 10, holdUntil: now.addingTimeInterval(120))
                #expect(first.map(\.messageID) == [message.messageID])
                #expect(
                    try await store.claimDueOutbound(at: now.addingTimeInterval(119), limit: 10, holdUntil: now) == [])
                let again = try await store.claimDueOutbound(
                    at: now.addingTimeInterval(120), limit: 10, holdUntil: now.addingTimeInterval(240))
                #expect(again.map(\.messageID) == [message.messageID])
                try await store.recordDelivery(
                    message.messageID,
                    .notDelivered(at: now, error: "partner down", retryAt: now.addingTimeInterval(600)))
                let stored = try #require(try await store.outboundMessage(message.messageID))
                #expect(stored.state == .pending && stored.attempts == 1 && stored.lastError == "partner down")
                #expect(stored.nextAttemptAt == now.addingTimeInterval(600))
                await #expect {
                    try await store.execute("UPDATE exchange_outbox SET raw = 'forged'::bytea")
                } throws: { error in
                    guard case .refused(let text) = error as? PostgresStoreError else { return false }
                    return text.contains("never changed")
                }
            }
        }
    }
}
