import Foundation
import KaibanTestSupport
import Testing

/// `kaiban clerk roles`, `clerk deactivate` and `clerk history` as a supervisor types them.
@Suite struct ClerkAdminCLITests {
    let kaiban: KaibanProcess

    init() async throws {
        kaiban = try KaibanProcess()
        // Staff registered before the fixed day the tests enter as late entries.
        try await Fixtures.staff(kaiban.database)
    }

    @Test func aSupervisorChangesRolesAndDeactivatesAndTheHistoryShowsIt() throws {
        let roles = try kaiban.run([
            "clerk", "roles", "lijun", "--role", "reviewer,window", "--reason", "兼任窗口", "--as", "zhouqiang",
        ])
        #expect(roles.status == 0, "\(roles)")
        #expect(roles.stdout.contains("审查员") && roles.stdout.contains("窗口"), "\(roles)")
        let off = try kaiban.run(["clerk", "deactivate", "wangfang", "--reason", "调离", "--as", "zhouqiang"])
        #expect(off.status == 0 && off.stdout.contains("已停用工作人员wangfang"), "\(off)")
        let list = try kaiban.run(["clerk", "list"])
        #expect(
            list.stdout.split(separator: "\n").contains { $0.hasPrefix("wangfang") && $0.contains("停用") }, "\(list)")
        let history = try kaiban.run(["clerk", "history", "lijun"])
        #expect(history.status == 0, "\(history)")
        #expect(history.stdout.contains("变更角色") && history.stdout.contains("兼任窗口"), "\(history)")
        let json = try kaiban.run(["clerk", "history", "wangfang", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["clerk"] as? [String: Any])?["active"] as? Bool == false)
        let events = object?["events"] as? [[String: Any]]
        #expect(events?.map { $0["kind"] as? String } == ["added", "deactivated"])
        #expect(events?.last?["reason"] as? String == "调离")
        #expect(events?.last?["actor"] as? String == "zhouqiang")
        // The deactivated clerk cannot act now…
        // (the sample intake without its late entry: "--as zhouqiang --done-by wangfang" becomes
        // "--as wangfang")
        let lateFlags: Set = ["--at", "2026-11-26T09:05", "--late-reason", "测试：按固定时刻补录", "--done-by", "zhouqiang"]
        let now = KaibanCLITests.intakeFlags.filter { !lateFlags.contains($0) }
        let intake = try kaiban.run(now + ["--lang", "en"])
        #expect(intake.status == 65, "\(intake)")
        #expect(intake.stderr.contains("clerk wangfang is deactivated"), "\(intake)")
        // …but what they did before, entered late by a supervisor, is theirs (active then).
        let earlier = try kaiban.run(KaibanCLITests.intakeFlags + ["--json"])
        #expect(earlier.status == 0, "\(earlier)")
    }

    @Test func refusalsHaveTheirExitCodes() throws {
        let last = try kaiban.run(["clerk", "deactivate", "zhouqiang", "--reason", "退休", "--as", "zhouqiang", "--json"])
        #expect(last.status == 65, "\(last)")
        #expect(last.stderr.contains("\"code\" : \"clerk.last-supervisor\""), "\(last)")
        let noReason = try kaiban.run(["clerk", "deactivate", "wangfang", "--as", "zhouqiang"])
        #expect(noReason.status == 64, "\(noReason)")
        #expect(noReason.stderr.contains("--reason"), "\(noReason)")
        let notSupervisor = try kaiban.run([
            "clerk", "roles", "lijun", "--role", "supervisor", "--reason", "x", "--as", "wangfang",
        ])
        #expect(notSupervisor.status == 65, "\(notSupervisor)")
        #expect(notSupervisor.stderr.contains("负责人"), "\(notSupervisor)")
        let ghost = try kaiban.run(["clerk", "history", "ghost"])
        #expect(ghost.status == 66, "\(ghost)")
    }
}
