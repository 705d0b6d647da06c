import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Deactivating clerks and changing their roles: a supervisor's act with a reason, kept in the
/// clerk's history; a deactivated clerk cannot act; the hall always keeps an active supervisor.
@Suite struct ClerkAdministrationTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    /// A second supervisor, registered by the first.
    func secondSupervisor(_ desk: Desk) async throws -> DeskActor {
        _ = try await desk.addClerk(id: "sunli", name: "孙丽", roles: ["supervisor"], as: supervisor)
        return .clerk("sunli")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func aSupervisorChangesRolesAndDeactivatesWithTheReasonsKept(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let changed = try await desk.changeRoles(
            of: "lijun", to: ["reviewer", "window"], reason: "兼任窗口", as: supervisor)
        #expect(changed.roles == ["reviewer", "window"])
        let deactivated = try await desk.deactivateClerk("wangfang", reason: "调离", as: supervisor)
        #expect(!deactivated.active)
        #expect(try await desk.clerks().first { $0.id == "wangfang" }?.active == false)

        let lijun = try await desk.clerkHistory("lijun")
        #expect(lijun.clerk.roles == ["reviewer", "window"])
        #expect(lijun.events.map(\.kind) == [.added, .rolesChanged])
        let change = try #require(lijun.events.last)
        #expect(change.sequence == 2)
        #expect(change.actor == "zhouqiang")
        #expect(change.previousRoles == ["reviewer"])
        #expect(change.roles == ["reviewer", "window"])
        #expect(change.reason == "兼任窗口")
        // When the desk's clock says, never a typed instant.
        #expect(change.at == Fixtures.at(18, 0))

        let wangfang = try await desk.clerkHistory("wangfang")
        #expect(wangfang.events.map(\.kind) == [.added, .deactivated])
        #expect(wangfang.events.map(\.actor) == ["zhouqiang", "zhouqiang"])
        #expect(wangfang.events.last?.reason == "调离")
        // The first clerk was registered by no one.
        #expect(try await desk.clerkHistory("zhouqiang").events.map(\.actor) == [nil])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .rebuild))
    func aDeactivatedClerkCannotAct(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(12, 0), store: store)
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(), as: window, at: Fixtures.at(9, 5)
        ).case.number
        let sunli = try await secondSupervisor(desk)
        _ = try await desk.deactivateClerk("wangfang", reason: "调离", as: supervisor)
        _ = try await desk.deactivateClerk("sunli", reason: "调离", as: supervisor)
        let acts: [(String, () async throws -> Void)] = [
            ("intake", { _ = try await desk.intake(Fixtures.application(), as: self.window) }),
            ("step", { _ = try await desk.step(number, "accept", as: self.window) }),
            ("withdraw", { _ = try await desk.withdraw(number, reason: "申请人撤回", as: self.window) }),
            ("task", { _ = try await desk.completeTask(number, "seal", as: self.window) }),
            ("rebuild", { _ = try await desk.rebuild(as: sunli) }),
            (
                "add a clerk",
                { _ = try await desk.addClerk(id: "newcomer", name: "新人", roles: ["window"], as: sunli) }
            ),
            ("change roles", { _ = try await desk.changeRoles(of: "lijun", to: ["window"], reason: "调整", as: sunli) }),
            ("deactivate", { _ = try await desk.deactivateClerk("lijun", reason: "调整", as: sunli) }),
            (
                "import a calendar",
                {
                    _ = try await desk.importCalendar(
                        Data(), source: "holidays-2027.xml", replace: false, reason: nil, as: sunli)
                }
            ),
        ]
        for (act, body) in acts {
            let problem = await Fixtures.problem(body)
            #expect(problem?.code == "clerk.inactive", "\(act): \(String(describing: problem))")
            #expect(problem?.kind == .forbidden, "\(act)")
        }
        #expect(try await desk.history(number).count == 1)
        #expect(try await desk.clerkHistory("lijun").events.count == 1)
        #expect(try await desk.clerks().map(\.id) == ["lijun", "sunli", "wangfang", "zhouqiang"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func onlyAnActiveSupervisorChangesClerks(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let byWindow = await Fixtures.problem {
            _ = try await desk.deactivateClerk("lijun", reason: "调整", as: self.window)
        }
        #expect(byWindow?.code == "role.supervisor-required")
        #expect(byWindow?.kind == .forbidden)
        let byReviewer = await Fixtures.problem {
            _ = try await desk.changeRoles(of: "lijun", to: ["supervisor"], reason: "提拔", as: self.reviewer)
        }
        #expect(byReviewer?.code == "role.supervisor-required")
        let byNobody = await Fixtures.problem {
            _ = try await desk.deactivateClerk("lijun", reason: "调整", as: .anonymous)
        }
        #expect(byNobody?.code == "actor.required")
        #expect(try await desk.clerkHistory("lijun").events.count == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func aClerkIsDeactivatedOnceAndThenNotChanged(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        _ = try await desk.deactivateClerk("wangfang", reason: "调离", as: supervisor)
        let again = await Fixtures.problem {
            _ = try await desk.deactivateClerk("wangfang", reason: "再次", as: self.supervisor)
        }
        #expect(again?.code == "clerk.already-inactive")
        #expect(again?.kind == .conflict)
        let roles = await Fixtures.problem {
            _ = try await desk.changeRoles(of: "wangfang", to: ["reviewer"], reason: "调整", as: self.supervisor)
        }
        #expect(roles?.code == "clerk.already-inactive")
        #expect(try await desk.clerkHistory("wangfang").events.map(\.kind) == [.added, .deactivated])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func theLastActiveSupervisorKeepsTheRoleAndStaysActive(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let cases: [(String, () async throws -> Void)] = [
            ("deactivate", { _ = try await desk.deactivateClerk("zhouqiang", reason: "退休", as: self.supervisor) }),
            (
                "roles",
                {
                    _ = try await desk.changeRoles(of: "zhouqiang", to: ["window"], reason: "调整", as: self.supervisor)
                }
            ),
        ]
        for (label, body) in cases {
            let problem = await Fixtures.problem(body)
            #expect(problem?.code == "clerk.last-supervisor", "\(label): \(String(describing: problem))")
            #expect(problem?.kind == .refused, "\(label)")
        }
        // A deactivated supervisor does not count.
        _ = try await secondSupervisor(desk)
        _ = try await desk.deactivateClerk("sunli", reason: "调离", as: supervisor)
        let stillLast = await Fixtures.problem {
            _ = try await desk.deactivateClerk("zhouqiang", reason: "退休", as: self.supervisor)
        }
        #expect(stillLast?.code == "clerk.last-supervisor")
        // With another active supervisor, the first may step down.
        _ = try await desk.changeRoles(of: "lijun", to: ["reviewer", "supervisor"], reason: "提拔", as: supervisor)
        let down = try await desk.changeRoles(of: "zhouqiang", to: ["window"], reason: "调整", as: supervisor)
        #expect(down.roles == ["window"] && down.active)
        // And is no longer one.
        let after = await Fixtures.problem {
            _ = try await desk.deactivateClerk("wangfang", reason: "调离", as: self.supervisor)
        }
        #expect(after?.code == "role.supervisor-required")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks))
    func aChangeNeedsAReasonOnOneLineAndKnownNewRoles(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        let cases: [(String, ProblemKind, () async throws -> Void)] = [
            (
                "clerk.reason-required", .invalid,
                { _ = try await desk.deactivateClerk("wangfang", reason: "  ", as: self.supervisor) }
            ),
            (
                "clerk.reason-required", .invalid,
                { _ = try await desk.changeRoles(of: "wangfang", to: ["reviewer"], reason: nil, as: self.supervisor) }
            ),
            (
                "text.not-accepted", .refused,
                { _ = try await desk.deactivateClerk("wangfang", reason: "调离\n2 | 伪造", as: self.supervisor) }
            ),
            (
                "clerk.invalid", .invalid,
                { _ = try await desk.changeRoles(of: "wangfang", to: ["janitor"], reason: "调整", as: self.supervisor) }
            ),
            (
                "clerk.invalid", .invalid,
                { _ = try await desk.changeRoles(of: "wangfang", to: [], reason: "调整", as: self.supervisor) }
            ),
            // From a trial: ids read as an option or as folders.
            (
                "clerk.invalid", .invalid,
                { _ = try await desk.addClerk(id: "-x9", name: "某甲", roles: ["window"], as: self.supervisor) }
            ),
            (
                "clerk.invalid", .invalid,
                { _ = try await desk.addClerk(id: "..", name: "某乙", roles: ["window"], as: self.supervisor) }
            ),
            (
                "clerk.roles-unchanged", .refused,
                { _ = try await desk.changeRoles(of: "wangfang", to: ["window"], reason: "调整", as: self.supervisor) }
            ),
            (
                "clerk.not-found", .notFound,
                { _ = try await desk.deactivateClerk("ghost", reason: "调离", as: self.supervisor) }
            ),
        ]
        for (code, kind, body) in cases {
            let problem = await Fixtures.problem(body)
            #expect(problem?.code == code, "\(code): \(String(describing: problem))")
            #expect(problem?.kind == kind, "\(code)")
        }
        #expect(try await desk.clerkHistory("wangfang").events.count == 1)
        #expect(try await desk.clerks().allSatisfy(\.active))
    }
}
