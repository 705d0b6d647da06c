import Foundation
import KaibanTestSupport
import Testing

/// `kaiban notice N KIND`: the real executable writing notices to standard output and to files.
@Suite struct NoticeCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    /// A staffed database with the sample application taken in at 09:05; returns its number.
    func intake(name: String? = nil, documents: Bool = true) async throws -> String {
        var flags = KaibanCLITests.intakeFlags
        if !documents, let index = flags.firstIndex(of: "--received") { flags.removeSubrange(index...(index + 1)) }
        if let name, let index = flags.firstIndex(of: "--name") { flags[index + 1] = name }
        let result = try kaiban.run(flags + ["--json"])
        #expect(result.status == 0, "\(result)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require((json?["case"] as? [String: Any])?["number"] as? String)
    }

    func step(_ number: String, _ step: String, at instant: String, _ extra: [String] = []) throws {
        let result = try kaiban.run(["step", number, step] + extra + KaibanCLITests.late("wangfang", at: instant))
        #expect(result.status == 0, "\(step): \(result)")
    }

    @Test func anAcceptanceNoticeGoesToStandardOutputAsText() async throws {
        try await Fixtures.staff(kaiban.database)
        let number = try await intake()
        try step(number, "accept", at: "2026-11-26T09:30")
        let result = try kaiban.run(["notice", number, "acceptance"])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.prefix(3) == ["广元市昭化区政务服务中心", "受理通知书", "办件编号：\(number)"])
        #expect(lines.contains("受理时间：二〇二六年十一月二十六日9时30分"))
        #expect(lines.contains("法定代表人：张伟（身份证件号码：110105********002X）"))
        #expect(lines.last == "二〇二六年十一月二十六日")
        #expect(!result.stdout.contains("11010519491231002X") && !result.stdout.contains("<"))
        #expect(result.stderr.isEmpty)
    }

    @Test func anHTMLNoticeIsWrittenWholeToAFile() async throws {
        try await Fixtures.staff(kaiban.database)
        let number = try await intake()
        try step(
            number, "refuse", at: "2026-11-26T10:17", ["--reason", "经营范围含烟花爆竹批发 <须先取得安全生产许可>"])
        let folder = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent()
        let file = folder.appendingPathComponent("refusal.html")
        try "an older notice".write(to: file, atomically: true, encoding: .utf8)
        let result = try kaiban.run(["notice", number, "refusal", "--format", "html", "--output", file.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "已出具不予受理通知书（办件\(number)）：\(file.path)\n")
        let html = try String(contentsOf: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("<h1 class=\"title\">不予受理通知书</h1>"))
        #expect(html.contains("不予受理的理由：经营范围含烟花爆竹批发 &lt;须先取得安全生产许可&gt;"))
        #expect(html.contains("<div class=\"date\">二〇二六年十一月二十六日</div>"))
        // No temporary file left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("refusal") }
        #expect(left == ["refusal.html"])

        let english = try kaiban.run([
            "notice", number, "refusal", "--format", "text", "--output", file.path, "--lang", "en",
        ])
        #expect(english.stdout == "notice of refusal for case \(number) written to \(file.path)\n", "\(english)")
        #expect(try String(contentsOf: file, encoding: .utf8).hasPrefix("广元市昭化区政务服务中心\n不予受理通知书\n"))
    }

    @Test func aCorrectionNoticeListsTheMissingDocuments() async throws {
        try await Fixtures.staff(kaiban.database)
        let number = try await intake(documents: false)
        let receipt = try kaiban.run(
            ["receive", number, "application-form", "articles"]
                + KaibanCLITests.late("wangfang", at: "2026-11-26T09:10"))
        #expect(receipt.status == 0, "\(receipt)")
        try step(number, "request-correction", at: "2026-11-26T09:20")
        let result = try kaiban.run(["notice", number, "correction"])
        #expect(result.status == 0, "\(result)")
        let items = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.first.map { $0.isASCII && $0.isNumber } == true
        }
        #expect(
            items == [
                "1. 自然人股东身份证件复印件（主要材料）", "2. 法定代表人任职文件及身份证件复印件（主要材料）",
                "3. 住所（经营场所）产权证明（主要材料）", "4. 董事、监事和经理的任职文件及身份证件复印件（次要材料，可容缺）",
                "5. 企业名称自主申报告知书（次要材料）",
            ])
        #expect(!result.stdout.contains("其他需补正的事项"))
    }

    @Test func aNoticeThatDoesNotFitIsRefusedWithExit65() async throws {
        try await Fixtures.staff(kaiban.database)
        let number = try await intake()
        let refused = try kaiban.run(["notice", number, "acceptance"])
        #expect(refused.status == 65)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr == "办件\(number)（当前为“已收件”）尚未受理，不能出具受理通知书\n", "\(refused)")
        let english = try kaiban.run(["notice", number, "deferral", "--lang", "en"])
        #expect(english.status == 65)
        #expect(english.stderr.contains("no notice of acceptance with deferred documents can be issued"), "\(english)")
        let file = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent().appendingPathComponent("n.html")
        let nothing = try kaiban.run(["notice", number, "refusal", "--format", "html", "--output", file.path])
        #expect(nothing.status == 65)
        #expect(!FileManager.default.fileExists(atPath: file.path))
        let unknown = try kaiban.run(["notice", "510811-20261126-0099", "acceptance"])
        #expect(unknown.status == 66, "\(unknown)")
    }

    @Test func aBadKindFormatOrOutputIsAUsageError() async throws {
        try await Fixtures.staff(kaiban.database)
        let number = try await intake()
        let kind = try kaiban.run(["notice", number, "receipt"])
        #expect(kind.status == 64)
        #expect(
            kind.stderr.contains("通知书种类“receipt”无效，可选：acceptance、correction、commitment、deferral、refusal"), "\(kind)")
        let english = try kaiban.run(["notice", number, "receipt", "--lang", "en"])
        #expect(english.status == 64)
        #expect(
            english.stderr.contains("use one of acceptance, correction, commitment, deferral, refusal"), "\(english)")
        let format = try kaiban.run(["notice", number, "acceptance", "--format", "pdf"])
        #expect(format.status == 64 && format.stderr.contains("pdf"), "\(format)")
        let folder = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent()
        let directory = try kaiban.run(["notice", number, "acceptance", "--output", folder.path])
        #expect(directory.status == 64)
        #expect(directory.stderr.contains("是文件夹"), "\(directory)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue)
    }
}
