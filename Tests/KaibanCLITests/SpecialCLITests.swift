import Foundation
import KaibanTestSupport
import Testing

/// Issue 11, special service (特殊办) at the command line: `intake --special`, `special flag|unflag|visit`,
/// and what `queue`, `show` and `history` print of it.
@Suite struct SpecialCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    @Test func aCaseFlaggedAtIntakeIsMarkedInTheWorklistAndItsVisitIsShown() async throws {
        try await Fixtures.staff(kaiban.database)
        let flagged = try kaiban.run(
            KaibanCLITests.intakeFlags.filter { $0 != "--channel" && $0 != "window" } + [
                "--special", "door-to-door", "--special-reason", "申请人行动不便", "--json",
            ])
        #expect(flagged.status == 0, "\(flagged)")
        let json = try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [String: Any]
        let state = try #require(json?["case"] as? [String: Any])
        let number = try #require(state["number"] as? String)
        #expect((state["application"] as? [String: Any])?["channel"] as? String == "special")
        #expect((state["special"] as? [String: Any])?["kind"] as? String == "door-to-door")
        // The kind and the reason are checked before anything is written.
        let unknown = try kaiban.run(KaibanCLITests.intakeFlags + ["--special", "vip", "--special-reason", "贵宾"])
        #expect(unknown.status == 64 && unknown.stderr.contains("door-to-door"), "\(unknown)")
        let noReason = try kaiban.run(KaibanCLITests.intakeFlags + ["--special", "elderly"])
        #expect(noReason.status == 64 && noReason.stderr.contains("--special-reason"), "\(noReason)")
        // Later flags are a supervisor's.
        let byWindow = try kaiban.run([
            "special", "flag", number, "--kind", "elderly", "--reason", "82岁", "--as", "wangfang",
        ])
        #expect(byWindow.status == 65, "\(byWindow)")
        let badKind = try kaiban.run([
            "special", "flag", number, "--kind", "vip", "--reason", "贵宾", "--as", "zhouqiang",
        ])
        #expect(badKind.status == 64 && badKind.stderr.contains("vip"), "\(badKind)")
        let visitByNobody = try kaiban.run(
            ["special", "visit", number, "--place", "昭化镇太守街5号", "--by", "wangfang,nobody"]
                + KaibanCLITests.late("wangfang", at: "2026-11-26T10:00"))
        #expect(visitByNobody.status == 66 && visitByNobody.stderr.contains("nobody"), "\(visitByNobody)")
        let visit = try kaiban.run(
            ["special", "visit", number, "--place", "昭化镇太守街5号", "--by", "wangfang,lijun", "--note", "材料收齐"]
                + KaibanCLITests.late("wangfang", at: "2026-11-26T10:00"))
        #expect(visit.status == 0, "\(visit)")
        #expect(visit.stdout.contains("上门服务：昭化镇太守街5号（wangfang、lijun），材料收齐"), "\(visit)")
        let queue = try kaiban.run(["queue"])
        #expect(queue.stdout.contains("特殊办") && queue.stdout.contains("★上门服务"), "\(queue)")
        let queueJSON = try kaiban.run(["queue", "--json"])
        #expect(
            queueJSON.stdout.contains("\"special\":\"door-to-door\"")
                || queueJSON.stdout.contains("\"special\" : \"door-to-door\""), "\(queueJSON)")
        let show = try kaiban.run(["show", number])
        #expect(show.stdout.contains("特殊办：上门服务（申请人行动不便）"), "\(show)")
        #expect(show.stdout.contains("计时起点：2026-11-26 10:00"), "\(show)")
        #expect(show.stdout.contains("（自此计时）"), "\(show)")
        let english = try kaiban.run(["show", number, "--lang", "en"])
        #expect(english.stdout.contains("special service: door-to-door"), "\(english)")
        #expect(english.stdout.contains("awaiting the door-to-door visit"), "\(english)")
        let history = try kaiban.run(["history", number])
        #expect(history.stdout.contains("上门服务：昭化镇太守街5号"), "\(history)")
        let unflag = try kaiban.run(["special", "unflag", number, "--reason", "已上门办结收件", "--as", "zhouqiang"])
        #expect(unflag.status == 0, "\(unflag)")
        let after = try kaiban.run(["history", number, "--lang", "en"])
        #expect(after.stdout.contains("special-service flag removed"), "\(after)")
    }
}
