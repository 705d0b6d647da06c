import Foundation
import KaibanTestSupport
import Testing

/// Citizen ID numbers are masked wherever the command line prints a case's people, in text and in
/// JSON, unless `--show-ids` asks for them.
@Suite struct IDMaskingCLITests {
    let kaiban: KaibanProcess

    init() async throws {
        kaiban = try KaibanProcess()
        // Staff registered before the fixed day the tests enter as late entries.
        try await Fixtures.staff(kaiban.database)
    }

    static let full = ["11010519491231002X", "510811198503120178"]
    static let masked = ["110105********002X", "510811********0178"]

    func expectMasked(_ result: KaibanProcess.Result, _ label: String) {
        #expect(result.status == 0, "\(label): \(result)")
        for number in Self.full { #expect(!result.stdout.contains(number), "\(label): \(result.stdout)") }
        #expect(result.stdout.contains(Self.masked[0]), "\(label): \(result.stdout)")
    }

    func expectFull(_ result: KaibanProcess.Result, _ label: String) {
        #expect(result.status == 0, "\(label): \(result)")
        for number in Self.full { #expect(result.stdout.contains(number), "\(label): \(result.stdout)") }
        #expect(!result.stdout.contains("********"), "\(label): \(result.stdout)")
    }

    @Test func everyCommandThatPrintsACasesPeopleMasksTheirIDNumbers() throws {
        let intake = try kaiban.run(KaibanCLITests.intakeFlags + ["--json"])
        expectMasked(intake, "intake --json")
        let number = "510811-20261126-0001"
        expectMasked(try kaiban.run(["show", number]), "show")
        expectMasked(try kaiban.run(["show", number, "--json"]), "show --json")
        expectMasked(try kaiban.run(["history", number, "--json"]), "history --json")
        let step = try kaiban.run([
            "step", number, "accept", "--as", "zhouqiang", "--done-by", "wangfang", "--late-reason", "测试：按固定时刻补录",
            "--at", "2026-11-26T09:30", "--json",
        ])
        expectMasked(step, "step --json")
        let found = try kaiban.run(["find", Self.full[0], "--json"])
        #expect(found.stdout.contains("\"query\" : \"110105********002X\""), "\(found)")
        #expect(!found.stdout.contains(Self.full[0]), "\(found)")
    }

    @Test func showIDsRevealsThem() throws {
        expectFull(try kaiban.run(KaibanCLITests.intakeFlags + ["--json", "--show-ids"]), "intake --json --show-ids")
        let number = "510811-20261126-0001"
        expectFull(try kaiban.run(["show", number, "--show-ids"]), "show --show-ids")
        expectFull(try kaiban.run(["history", number, "--json", "--show-ids"]), "history --json --show-ids")
    }
    /// From a hostile trial: an ID number in a clerk's words (a refusal's reason) was printed in
    /// full by `show` and `history`, and answered in full to the portal; one typed in full-width
    /// digits was printed in full even on the notice.
    @Test func anIDNumberInAReasonIsMaskedAsWell() throws {
        #expect(try kaiban.run(KaibanCLITests.intakeFlags + ["--json"]).status == 0)
        let number = "510811-20261126-0001"
        let reason = "投资人李秀英510811198503120178身份证件已过期；张伟１１０１０５１９４９１２３１００２Ｘ同"
        let step = try kaiban.run([
            "step", number, "request-correction", "--reason", reason, "--as", "zhouqiang", "--done-by", "wangfang",
            "--late-reason",
            "测试：按固定时刻补录", "--at", "2026-11-26T09:30",
        ])
        #expect(step.status == 0, "\(step)")
        // From a re-trial: also the pause the step began (its reason on the clock), in the
        // worklist too.
        for arguments in [
            ["show", number], ["show", number, "--json"], ["history", number], ["history", number, "--json"],
            ["queue", "--json"],
        ] {
            let shown = try kaiban.run(arguments)
            #expect(shown.status == 0, "\(arguments): \(shown)")
            #expect(shown.stdout.contains("李秀英510811********0178身份证件已过期"), "\(arguments): \(shown.stdout)")
            #expect(
                arguments[0] == "queue" || shown.stdout.contains("张伟１１０１０５********００２Ｘ同"),
                "\(arguments): \(shown.stdout)")
            #expect(!shown.stdout.contains("198503120178"), "\(arguments): \(shown.stdout)")
        }
        let revealed = try kaiban.run(["history", number, "--show-ids"])
        #expect(revealed.stdout.contains(reason), "\(revealed.stdout)")
    }
}
