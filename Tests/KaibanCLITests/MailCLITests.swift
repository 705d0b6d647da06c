import Foundation
import KaibanTestSupport
import Testing

/// Issue 11 at the command line: `kaiban mail receive|send|pending|close` on real SQLite.
@Suite struct MailCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    static func late(_ clerk: String, at instant: String) -> [String] {
        KaibanCLITests.late(clerk, at: instant)
    }

    /// The sample application sent by post, with its mailing address.
    static let mailIntake =
        KaibanCLITests.intakeFlags.map { $0 == "window" ? "mail" : $0 }.filter { $0 != "--received" && $0 != "all" }
        + ["--mailing-address", "四川省广元市昭化区元坝镇中街12号 张伟收"]

    @Test func aPostedApplicationIsReceivedShownAndItsLicencePosted() async throws {
        try await Fixtures.staff(kaiban.database)
        let noAddress = try kaiban.run(Array(Self.mailIntake.dropLast(2)))
        #expect(noAddress.status == 65 && noAddress.stderr.contains("mailingAddress"), "\(noAddress)")
        let intake = try kaiban.run(Self.mailIntake + ["--json"])
        #expect(intake.status == 0, "\(intake)")
        let number = "510811-20261126-0001"

        let pending = try kaiban.run(["mail", "pending", "--json", "--at", "2026-11-26T10:00"])
        let lists = try JSONSerialization.jsonObject(with: Data(pending.stdout.utf8)) as? [String: Any]
        let waiting = lists?["awaitingDocuments"] as? [[String: Any]]
        #expect(waiting?.first?["number"] as? String == number, "\(pending)")
        #expect(waiting?.first?["workingDays"] as? Int == 0)
        #expect(waiting?.first?["workingDaysProvisional"] as? Bool == false)
        // Counted into a year whose holiday notice is not loaded (2027), the count is an estimate.
        let estimated = try kaiban.run(["mail", "pending", "--at", "2027-01-05T10:00"])
        #expect(estimated.status == 0 && estimated.stdout.contains("（暂估）"), "\(estimated)")
        let estimatedEn = try kaiban.run(["mail", "pending", "--at", "2027-01-05T10:00", "--lang", "en"])
        #expect(estimatedEn.stdout.contains(" (provisional)"), "\(estimatedEn)")

        let bad = try kaiban.run(
            ["mail", "receive", number, "--tracking", "EA-12"] + Self.late("wangfang", at: "2026-11-26T09:30"))
        #expect(bad.status == 64, "\(bad)")
        #expect(bad.stderr.contains("运单号") && bad.stderr.contains("tracking"), "\(bad)")
        let badEn = try kaiban.run(
            ["mail", "receive", number, "--tracking", "EA-12", "--carrier", "UPS", "--lang", "en"]
                + Self.late("wangfang", at: "2026-11-26T09:30"))
        #expect(
            badEn.stderr.contains("unknown carrier \"UPS\"") && badEn.stderr.contains("letters and digits"), "\(badEn)")

        let received = try kaiban.run(
            ["mail", "receive", number, "--tracking", "EA123456789CN", "--documents", "all"]
                + Self.late("wangfang", at: "2026-11-26T09:30"))
        #expect(received.status == 0, "\(received)")
        #expect(received.stdout.contains("邮件签收：中国邮政EMS EA123456789CN"), "\(received)")
        let twice = try kaiban.run(
            ["mail", "receive", number, "--tracking", "EA123456789CN"] + Self.late("wangfang", at: "2026-11-26T09:31"))
        #expect(twice.status == 65 && twice.stderr.contains("已于2026-11-26 09:30"), "\(twice)")
        let early = try kaiban.run(
            ["mail", "send", number, "--tracking", "1186352047216"] + Self.late("wangfang", at: "2026-11-26T09:32"))
        #expect(early.status == 65 && early.stderr.contains("尚未发照"), "\(early)")

        for (step, clerk) in [
            ("accept", "wangfang"), ("review", "lijun"), ("approve", "lijun"), ("issue-licence", "wangfang"),
        ] {
            let result = try kaiban.run(["step", number, step] + Self.late(clerk, at: "2026-11-26T09:40"))
            #expect(result.status == 0, "\(step): \(result)")
        }
        let queue = try kaiban.run(["queue", "--json"])
        let items = try JSONSerialization.jsonObject(with: Data(queue.stdout.utf8)) as? [[String: Any]]
        #expect(items?.first?["flags"] as? [String] == ["licence-not-posted"], "\(queue)")
        #expect(try kaiban.run(["queue"]).stdout.contains("执照逾期未寄出"))

        let sent = try kaiban.run(
            ["mail", "send", number, "--tracking", "1186352047216", "--items", "licence,notices"]
                + Self.late("wangfang", at: "2026-11-26T09:50"))
        #expect(sent.status == 0, "\(sent)")
        let show = try kaiban.run(["show", number])
        #expect(show.stdout.contains("邮寄地址") && show.stdout.contains("张伟收"), "\(show)")
        #expect(show.stdout.contains("EA123456789CN") && show.stdout.contains("1186352047216"), "\(show)")
        let history = try kaiban.run(["history", number, "--lang", "en"])
        #expect(history.stdout.contains("post received: China Post EMS EA123456789CN"), "\(history)")
        #expect(
            history.stdout.contains("posted: China Post EMS 1186352047216 (business licence, notices"), "\(history)")
        let json = try kaiban.run(["show", number, "--json"])
        let view = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let mail = (view?["case"] as? [String: Any])?["mail"] as? [String: Any]
        #expect(
            ((mail?["received"] as? [String: Any])?["post"] as? [String: Any])?["tracking"] as? String
                == "EA123456789CN")
        #expect((mail?["sent"] as? [Any])?.count == 1)
        #expect(try kaiban.run(["mail", "pending"]).stdout.contains("营业执照待寄出：\n  无"))
        let rebuild = try kaiban.run(["admin", "rebuild", "--json", "--as", "zhouqiang"])
        let report = try JSONSerialization.jsonObject(with: Data(rebuild.stdout.utf8)) as? [String: Any]
        #expect((report?["repaired"] as? [Any])?.isEmpty == true, "\(rebuild)")
    }

    @Test func onlyASupervisorClosesAMailCaseAndNotBeforeTheLimit() async throws {
        try await Fixtures.staff(kaiban.database)
        #expect(try kaiban.run(Self.mailIntake).status == 0)
        let number = "510811-20261126-0001"
        let byWindow = try kaiban.run(["mail", "close", number, "--reason", "未寄达", "--as", "wangfang"])
        #expect(byWindow.status == 65 && byWindow.stderr.contains("负责人"), "\(byWindow)")
        let early = try kaiban.run(
            ["mail", "close", number, "--reason", "未寄达", "--as", "zhouqiang", "--at", "2026-11-26T10:00"])
        #expect(early.status == 65, "\(early)")
        let limit = try kaiban.run(
            ["mail", "close", number, "--reason", "未寄达", "--as", "zhouqiang", "--lang", "en"],
            extraEnvironment: ["KAIBAN_MAIL_CLOSE_DAYS": "0"])
        #expect(limit.status == 64 && limit.stderr.contains("KAIBAN_MAIL_CLOSE_DAYS"), "\(limit)")
        // Taken in on the 26th: a day's limit has passed by now (the 27th or later).
        let closed = try kaiban.run(
            ["mail", "close", number, "--reason", "寄递材料逾期未送达", "--as", "zhouqiang"],
            extraEnvironment: ["KAIBAN_MAIL_CLOSE_DAYS": "1"])
        #expect(closed.status == 0, "\(closed)")
        #expect(closed.stdout.contains("已撤回"), "\(closed)")
    }
}
