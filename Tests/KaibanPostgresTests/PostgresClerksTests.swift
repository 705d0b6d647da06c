import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// Clerks, their tokens and portals on PostgreSQL, where the desk's suites cannot look: several
/// servers writing at once (two stores on one database), what the database itself refuses, and
/// PostgreSQL's own refusals said as the desk's.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresClerksTests {
    static let morning = Date(timeIntervalSince1970: 1_795_660_800)  // 2026-11-26 09:20 in Shanghai

    /// A fresh store with its first clerk, the supervisor zhouqiang, and a window clerk.
    static func staffed() async throws -> PostgresStore {
        let store = try await TestPostgres.freshStore()
        try await store.addClerk(Clerk(id: "zhouqiang", name: "周强", roles: ["supervisor"]), by: nil, at: morning)
        try await store.addClerk(
            Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: "zhouqiang", at: morning)
        return store
    }

    /// Whether `error` says `clerk` is not an active supervisor.
    static func isSupervisorRequired(_ error: StoreError?, of clerk: String) -> Bool {
        guard case .supervisorRequired(let id, _) = error else { return false }
        return id == clerk
    }

    @Test func aDuplicateClerkIsAnsweredAsTheDeskSaysIt() async throws {
        let store = try await Self.staffed()
        let error = await Fixtures.failure {
            try await store.addClerk(
                Clerk(id: "wangfang", name: "王芳二", roles: ["reviewer"]), by: "zhouqiang", at: Self.morning)
        }
        #expect(error as? StoreError == .clerkExists("wangfang"))
        #expect(try await store.clerk("wangfang").name == "王芳")
        #expect(try await store.clerkHistory("wangfang").count == 1)
    }

    @Test func theFirstClerkIsASupervisorAndLaterOnesNeedOne() async throws {
        let store = try await TestPostgres.freshStore()
        let notSupervisor = await Fixtures.failure {
            try await store.addClerk(Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: nil, at: Self.morning)
        }
        #expect(notSupervisor as? StoreError == .firstClerkNotSupervisor("wangfang"))
        try await store.addClerk(Clerk(id: "zhouqiang", name: "周强", roles: ["supervisor"]), by: nil, at: Self.morning)
        let nobody = await Fixtures.failure {
            try await store.addClerk(Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: nil, at: Self.morning)
        }
        #expect(nobody as? StoreError == .actorRequired)
        let ghost = await Fixtures.failure {
            try await store.addClerk(
                Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: "ghost", at: Self.morning)
        }
        #expect(ghost as? StoreError == .clerkNotFound("ghost"))
        try await store.addClerk(
            Clerk(id: "retired", name: "退休", roles: ["supervisor"], active: false), by: "zhouqiang", at: Self.morning)
        try await store.addClerk(Clerk(id: "lijun", name: "李军", roles: ["reviewer"]), by: "zhouqiang", at: Self.morning)
        // A deactivated supervisor is told so, not that they are no supervisor.
        let retired = await Fixtures.failure {
            try await store.addClerk(
                Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: "retired", at: Self.morning)
        }
        #expect(retired as? WorkflowError == .clerkInactive(clerk: "retired"))
        let reviewer = await Fixtures.failure {
            try await store.addClerk(
                Clerk(id: "wangfang", name: "王芳", roles: ["window"]), by: "lijun", at: Self.morning)
        }
        #expect(Self.isSupervisorRequired(reviewer as? StoreError, of: "lijun"))
        #expect(try await store.clerks().map(\.id) == ["lijun", "retired", "zhouqiang"])
        #expect(try await store.clerk("retired").active == false)
    }

    @Test func theHistoryKeepsWholeSecondsAndTheDatabaseRefusesToChangeIt() async throws {
        let store = try await Self.staffed()
        let later = Self.morning.addingTimeInterval(60.75)
        let changed = try await store.changeClerk(
            "wangfang", .roles(["reviewer", "window"]), reason: "兼任", by: "zhouqiang", at: later)
        #expect(changed.roles == ["reviewer", "window"])
        let history = try await store.clerkHistory("wangfang")
        #expect(history.map(\.kind) == [.added, .rolesChanged])
        #expect(history.map(\.sequence) == [1, 2])
        #expect(history.last?.at == Self.morning.addingTimeInterval(60))
        #expect(history.last?.previousRoles == ["window"])
        #expect(history.first?.actor == "zhouqiang")
        for statement in [
            "UPDATE clerk_event SET reason = 'forged'", "DELETE FROM clerk_event", "TRUNCATE clerk_event CASCADE",
        ] {
            let refusal = await Fixtures.failure { try await store.execute(statement) }
            guard case .refused(let message) = refusal as? PostgresStoreError else {
                Issue.record("\(statement): \(String(describing: refusal))")
                continue
            }
            #expect(message.contains("append-only"), "\(statement): \(message)")
        }
        #expect(try await store.clerkHistory("wangfang") == history)
    }

    @Test func twoServersCannotRemoveTheLastTwoSupervisorsAtOnce() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        var boss = "zhouqiang"
        for round in 1...4 {
            // Two supervisors, and the boss out of the way: each may remove the other, not both.
            let (a, b) = ("a\(round)", "b\(round)")
            for id in [a, b] {
                try await store.addClerk(Clerk(id: id, name: id, roles: ["supervisor"]), by: boss, at: Self.morning)
            }
            _ = try await store.changeClerk(boss, .deactivate, reason: "调离", by: a, at: Self.morning)
            async let first = Fixtures.failure {
                _ = try await store.changeClerk(b, .deactivate, reason: "调离", by: a, at: Self.morning)
            }
            async let second = Fixtures.failure {
                _ = try await other.changeClerk(a, .deactivate, reason: "调离", by: b, at: Self.morning)
            }
            let outcomes = await [first, second]
            #expect(outcomes.filter { $0 == nil }.count == 1, "round \(round): \(outcomes)")
            #expect(
                outcomes.compactMap { $0 as? WorkflowError }.count == 1, "round \(round): \(outcomes)")
            let supervisors = try await store.clerks().filter(\.isSupervisor).map(\.id)
            #expect(supervisors.count == 1, "round \(round): \(supervisors)")
            boss = try #require(supervisors.first)
        }
    }

    @Test func twoServersCannotLeaveTheHallWithoutASupervisor() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        var boss = "zhouqiang"
        for round in 1...4 {
            // x removes y on one server while stepping down on the other: one of the two only.
            let (x, y) = ("x\(round)", "y\(round)")
            for id in [x, y] {
                try await store.addClerk(Clerk(id: id, name: id, roles: ["supervisor"]), by: boss, at: Self.morning)
            }
            _ = try await store.changeClerk(boss, .deactivate, reason: "调离", by: x, at: Self.morning)
            async let removal = Fixtures.failure {
                _ = try await store.changeClerk(y, .deactivate, reason: "调离", by: x, at: Self.morning)
            }
            async let stepDown = Fixtures.failure {
                _ = try await other.changeClerk(x, .roles(["window"]), reason: "调整", by: x, at: Self.morning)
            }
            let outcomes = await [removal, stepDown]
            #expect(outcomes.filter { $0 == nil }.count == 1, "round \(round): \(outcomes)")
            let refusals = outcomes.compactMap { $0 as? StoreError }
            #expect(
                refusals == [.lastSupervisor(x)] || Self.isSupervisorRequired(refusals.first, of: x),
                "round \(round): \(outcomes)")
            let supervisors = try await store.clerks().filter(\.isSupervisor).map(\.id)
            #expect(supervisors.count == 1, "round \(round): \(supervisors)")
            boss = try #require(supervisors.first)
        }
    }

    @Test func aTokenIsIssuedRevokedAndReadAsTheSQLiteStoreKeepsIt() async throws {
        let store = try await Self.staffed()
        let issued = Self.morning.addingTimeInterval(0.6)
        let token = ClerkToken(
            clerk: "wangfang", issuedAt: issued, issuedBy: "zhouqiang", expiresAt: issued.addingTimeInterval(86_400))
        #expect(try await !store.issueClerkToken(token, tokenHash: "hash-1", replacedReason: "换发"))
        #expect(try await store.issueClerkToken(token, tokenHash: "hash-2", replacedReason: "换发"))
        let tokens = try await store.clerkTokens(of: "wangfang")
        #expect(tokens.count == 2)
        #expect(tokens.map(\.revokedAt) == [nil, Self.morning])
        #expect(tokens.last?.revokeReason == "换发")
        #expect(tokens.first?.issuedAt == Self.morning)
        #expect(tokens.first?.expiresAt == Self.morning.addingTimeInterval(86_400))
        #expect(try await store.clerkToken(tokenHash: "hash-2")?.clerk.roles == ["window"])
        #expect(try await store.clerkToken(tokenHash: "hash-9") == nil)
        #expect(try await store.clerkTokens(of: nil).count == 2)
        #expect(try await store.clerkTokens(of: "zhouqiang").isEmpty)

        let byWindow = await Fixtures.failure {
            _ = try await store.revokeClerkToken(of: "wangfang", by: "wangfang", reason: "x", at: Self.morning)
        }
        guard case .supervisorRequired("wangfang", _) = byWindow as? StoreError else {
            Issue.record("\(String(describing: byWindow))")
            return
        }
        let revoked = try await store.revokeClerkToken(
            of: "wangfang", by: "zhouqiang", reason: "离岗", at: Self.morning.addingTimeInterval(30.9))
        #expect(revoked.revokedAt == Self.morning.addingTimeInterval(30))
        #expect(revoked.revokedBy == "zhouqiang")
        let again = await Fixtures.failure {
            _ = try await store.revokeClerkToken(of: "wangfang", by: "zhouqiang", reason: "x", at: Self.morning)
        }
        #expect(again as? StoreError == .clerkTokenNotFound("wangfang"))
        // Revoked once, never re-keyed or deleted, whoever connects.
        for statement in [
            "UPDATE clerk_token SET revoke_reason = 'forged'", "UPDATE clerk_token SET token_hash = 'other'",
            "DELETE FROM clerk_token",
        ] {
            let refusal = await Fixtures.failure { try await store.execute(statement) }
            #expect(refusal is PostgresStoreError, "\(statement): \(String(describing: refusal))")
        }
        #expect(try await store.clerkTokens(of: "wangfang").map(\.revokeReason) == ["离岗", "换发"])
    }

    @Test func aSupervisorsTokenEndsWithTheRole() async throws {
        let store = try await Self.staffed()
        try await store.addClerk(
            Clerk(id: "sunli", name: "孙丽", roles: ["supervisor"]), by: "zhouqiang", at: Self.morning)
        for (clerk, hash) in [("sunli", "s-1"), ("wangfang", "w-1")] {
            let token = ClerkToken(
                clerk: clerk, issuedAt: Self.morning, issuedBy: "zhouqiang",
                expiresAt: Self.morning.addingTimeInterval(86_400))
            _ = try await store.issueClerkToken(token, tokenHash: hash, replacedReason: "换发")
        }
        let later = Self.morning.addingTimeInterval(60)
        _ = try await store.changeClerk("sunli", .roles(["window"]), reason: "轮岗", by: "zhouqiang", at: later)
        _ = try await store.changeClerk(
            "wangfang", .roles(["window", "reviewer"]), reason: "兼岗", by: "zhouqiang", at: later)
        _ = try await store.changeClerk("sunli", .roles(["supervisor"]), reason: "回岗", by: "zhouqiang", at: later)
        let sunli = try #require(try await store.clerkToken(tokenHash: "s-1"))
        #expect(sunli.token.revokedAt == later && sunli.token.revokedBy == "zhouqiang")
        #expect(sunli.token.revokeReason == "不再担任负责人 (no longer a supervisor): 轮岗")
        #expect(sunli.clerk.isSupervisor && !sunli.token.isValid(at: later))
        #expect(try await store.clerkToken(tokenHash: "w-1")?.token.revokedAt == nil)
    }

    @Test func twoServersIssuingAClerksTokenAtOnceLeaveOneValid() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        for round in 1...4 {
            let token = ClerkToken(
                clerk: "wangfang", issuedAt: Self.morning, issuedBy: "zhouqiang",
                expiresAt: Self.morning.addingTimeInterval(3600))
            async let first = store.issueClerkToken(token, tokenHash: "a\(round)", replacedReason: "换发")
            async let second = other.issueClerkToken(token, tokenHash: "b\(round)", replacedReason: "换发")
            let replaced = try await [first, second]
            // The later of the two replaced the earlier's (and, after round 1, the one before).
            #expect(replaced.filter { $0 }.count == (round == 1 ? 1 : 2), "round \(round): \(replaced)")
            #expect(try await store.clerkTokens(of: "wangfang").filter { $0.revokedAt == nil }.count == 1)
        }
    }

    @Test func aPortalIsAddedOnceAndRevokedOnceAcrossServers() async throws {
        let store = try await Self.staffed()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let portal = Portal(
            id: "tianfu", name: "天府通办", channel: .online, createdAt: Self.morning.addingTimeInterval(0.5),
            createdBy: "zhouqiang")
        async let first = Fixtures.failure { try await store.addPortal(portal, tokenHash: "p1") }
        async let second = Fixtures.failure { try await other.addPortal(portal, tokenHash: "p2") }
        let added = await [first, second]
        #expect(added.filter { $0 == nil }.count == 1, "\(added)")
        #expect(added.compactMap { $0 as? StoreError } == [.portalExists("tianfu")], "\(added)")
        let stored = try await store.portals()
        #expect(stored.map(\.id) == ["tianfu"])
        #expect(stored.first?.createdAt == Self.morning)
        #expect(stored.first?.isActive == true)
        let hash = try await store.portal(tokenHash: "p1") != nil ? "p1" : "p2"
        #expect(try await other.portal(tokenHash: hash)?.name == "天府通办")

        let byWindow = await Fixtures.failure {
            _ = try await store.revokePortal("tianfu", by: "wangfang", reason: "停用", at: Self.morning)
        }
        guard case .supervisorRequired("wangfang", _) = byWindow as? StoreError else {
            Issue.record("\(String(describing: byWindow))")
            return
        }
        async let revokeHere = Fixtures.failure {
            _ = try await store.revokePortal("tianfu", by: "zhouqiang", reason: "停用", at: Self.morning)
        }
        async let revokeThere = Fixtures.failure {
            _ = try await other.revokePortal("tianfu", by: "zhouqiang", reason: "再停", at: Self.morning)
        }
        let revoked = await [revokeHere, revokeThere]
        #expect(revoked.compactMap { $0 as? StoreError } == [.portalAlreadyRevoked("tianfu")], "\(revoked)")
        #expect(try await store.portal(tokenHash: hash)?.revokedAt == Self.morning)
        let missing = await Fixtures.failure {
            _ = try await store.revokePortal("ghost", by: "zhouqiang", reason: "停用", at: Self.morning)
        }
        #expect(missing as? StoreError == .portalNotFound("ghost"))
        for statement in ["UPDATE portal SET revoke_reason = 'forged'", "DELETE FROM portal"] {
            let refusal = await Fixtures.failure { try await store.execute(statement) }
            #expect(refusal is PostgresStoreError, "\(statement): \(String(describing: refusal))")
        }
    }

    @Test func aDeactivatedSupervisorIssuesNothing() async throws {
        let store = try await Self.staffed()
        try await store.addClerk(
            Clerk(id: "sunli", name: "孙丽", roles: ["supervisor"]), by: "zhouqiang", at: Self.morning)
        _ = try await store.changeClerk("sunli", .deactivate, reason: "调离", by: "zhouqiang", at: Self.morning)
        let token = ClerkToken(
            clerk: "wangfang", issuedAt: Self.morning, issuedBy: "sunli", expiresAt: Self.morning.addingTimeInterval(60)
        )
        let issue = await Fixtures.failure {
            _ = try await store.issueClerkToken(token, tokenHash: "h", replacedReason: "")
        }
        guard case .supervisorRequired("sunli", _) = issue as? StoreError else {
            Issue.record("\(String(describing: issue))")
            return
        }
        let toInactive = await Fixtures.failure {
            _ = try await store.issueClerkToken(
                ClerkToken(
                    clerk: "sunli", issuedAt: Self.morning, issuedBy: "zhouqiang",
                    expiresAt: Self.morning.addingTimeInterval(60)), tokenHash: "h", replacedReason: "")
        }
        #expect(toInactive as? WorkflowError == .clerkInactive(clerk: "sunli"))
        let change = await Fixtures.failure {
            _ = try await store.changeClerk("wangfang", .deactivate, reason: "调离", by: "sunli", at: Self.morning)
        }
        #expect(change as? WorkflowError == .clerkInactive(clerk: "sunli"))
        #expect(try await store.clerkTokens(of: nil).isEmpty)
    }
}
