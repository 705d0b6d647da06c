import Foundation
import KaibanCLI
import KaibanCore
import KaibanTestSupport
import Testing

/// Issue 13: `kaiban dashboard` writes the month's page, with the figures of `kaiban stats`; the
/// demo ends by writing the day's; `Scripts/render-dashboard` renders it with headless Chromium.
@Suite(.serialized) struct DashboardCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    var folder: URL { URL(fileURLWithPath: kaiban.database).deletingLastPathComponent() }

    /// The attribute `data-value` of the headline figure `key` in `html`.
    static func figure(_ key: String, in html: String) -> String? {
        guard let start = html.range(of: "data-figure=\"\(key)\" data-value=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test func theDemoEndsWithItsDashboardAndTheFiguresAreThoseOfStats() throws {
        let demo = try kaiban.run(["demo", "--quiet"])
        #expect(demo.status == 0, "\(demo)")
        let beside = URL(fileURLWithPath: kaiban.database).deletingPathExtension().path + "-dashboard.html"
        #expect(demo.stdout.contains("当日监控看板（2026-11-26，按月统计）：\(beside)"), "\(demo.stdout.suffix(300))")
        #expect(FileManager.default.fileExists(atPath: beside))
        let output = folder.appendingPathComponent("november.html").path
        let written = try kaiban.run(["dashboard", "--month", "2026-11", "--output", output])
        #expect(written.status == 0 && written.stdout.contains("已写出2026-11的监控看板：\(output)"), "\(written)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        let stats = try kaiban.run(["stats", "month", "2026-11", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let total = try #require(json["total"] as? [String: Any])
        let time = try #require(json["time"] as? [String: Any])
        for key in ["received", "accepted", "completed", "refused", "withdrawn"] {
            #expect(Self.figure(key, in: html) == "\(total[key] as? Int ?? -1)", "\(key)")
        }
        #expect(Self.figure("median", in: html) == "\(time["medianMinutes"] as? Int ?? -1)")
        #expect(Self.figure("p90", in: html) == "\(time["p90Minutes"] as? Int ?? -1)")
        let share = try #require(time["withinBudgetShare"] as? Double)
        #expect(Self.figure("within-budget", in: html) == String(format: "%.4f", share))
        // 川渝通办: the demo's one case each way with Chongqing, in the JSON and the headline.
        let crossProvince = try #require(json["crossProvince"] as? [String: Any])
        #expect(crossProvince["inbound"] as? Int == 1 && crossProvince["outbound"] as? Int == 1, "\(crossProvince)")
        #expect(Self.figure("cross-province-inbound", in: html) == "1")
        #expect(Self.figure("cross-province-outbound", in: html) == "1")
        // No temporary file is left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
        let english = try kaiban.run(["dashboard", "--month", "2026-11", "--output", output, "--lang", "en"])
        #expect(english.status == 0 && english.stdout.contains("written to"))
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("Time to completion"))
    }

    @Test func aBadMonthOrAnUnwritablePathIsRefusedInChinese() async throws {
        try await Fixtures.staff(kaiban.database)
        let month = try kaiban.run(["dashboard", "--month", "2026-13", "--output", "x.html"])
        #expect(month.status == 64 && month.stderr.contains("“2026-13”不是 yyyy-MM 格式的月份"), "\(month)")
        // Well written but outside the calendar's years: said so, by the dashboard, stats and the calendar alike.
        for arguments in [
            ["dashboard", "--month", "9999-12", "--output", "x.html"], ["stats", "month", "9999-12"],
            ["stats", "month", "1999-12"], ["calendar", "show", "2061-01"],
        ] {
            let outside = try kaiban.run(arguments)
            #expect(outside.status == 64, "\(arguments): \(outside)")
            #expect(outside.stderr.contains("不在工作日历所覆盖的2000至2060年之内"), "\(arguments): \(outside)")
        }
        let nowhere = folder.appendingPathComponent("no-such-folder/page.html").path
        let missing = try kaiban.run(["dashboard", "--month", "2026-11", "--output", nowhere])
        #expect(missing.status != 0 && missing.stderr.contains("无法写入文件"), "\(missing)")
        #expect(missing.stderr.contains("不存在"))
        let directory = try kaiban.run(["dashboard", "--output", folder.path])
        #expect(directory.status == 64 && directory.stderr.contains("是文件夹"), "\(directory)")
        // The hall's own database (or a key) given as the output: refused, left whole (a trial's
        // dashboard had replaced the database and every case was lost).
        let key = folder.appendingPathComponent("key.pem")
        try "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n".write(
            to: key, atomically: true, encoding: .utf8)
        // (`notice --output` writes through the same file.) A file of text bigger than any page, or
        // with a key past its first kilobytes, is none to replace either; nor is anything in the
        // hall's data directory (its claim files are text).
        let bundle = folder.appendingPathComponent("bundle.pem")
        try
            (String(repeating: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", count: 200)
            + "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----\n").write(
                to: bundle, atomically: true, encoding: .utf8)
        let files = URL(fileURLWithPath: kaiban.database).deletingPathExtension().path + ".files"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        let inData = try kaiban.run([
            "dashboard", "--month", "2026-11", "--output",
            files + "/../" + URL(fileURLWithPath: files).lastPathComponent + "/page.html",
        ])
        #expect(inData.status == 65 && inData.stderr.contains("数据目录"), "\(inData)")
        // The data directory's own path (a file there had kept the hall from opening), and the
        // data directory of the database reached through a link to it.
        let fresh = folder.appendingPathComponent("fresh.files").path
        let itself = try kaiban.run(
            ["dashboard", "--month", "2026-11", "--output", fresh], extraEnvironment: ["KAIBAN_DATA_DIR": fresh])
        #expect(itself.status == 65 && itself.stderr.contains("数据目录"), "\(itself)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        let alias = folder.appendingPathComponent("alias.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: kaiban.database)
        let viaLink = try kaiban.run([
            "dashboard", "--month", "2026-11", "--db", alias, "--output", files + "/via-link.html", "--as", "zhouqiang",
        ])
        #expect(viaLink.status == 65 && viaLink.stderr.contains("数据目录"), "\(viaLink)")
        // Nor into the definitions the commands read (a notice over the workflow had stopped them all).
        let forms = try Fixtures.formsCopy()
        let workflow = forms.appendingPathComponent("workflows/company-formation.xml").path
        let before = try String(contentsOfFile: workflow, encoding: .utf8)
        let overForms = try kaiban.run([
            "dashboard", "--month", "2026-11", "--forms", forms.path, "--output", workflow, "--as", "zhouqiang",
        ])
        #expect(overForms.status == 65 && overForms.stderr.contains("数据目录"), "\(overForms)")
        #expect(try String(contentsOfFile: workflow, encoding: .utf8) == before)
        #expect(!FileManager.default.fileExists(atPath: files + "/page.html"))
        for target in [kaiban.database, key.path, bundle.path] {
            let overwrite = try kaiban.run(["dashboard", "--month", "2026-11", "--output", target])
            #expect(
                overwrite.status == 65 && overwrite.stderr.contains("UTF-8文本文件") && overwrite.stderr.contains("不予覆盖"),
                "\(target): \(overwrite)")
        }
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: kaiban.database)).read(upToCount: 16)
        #expect(header.map { String(decoding: $0, as: UTF8.self) } == "SQLite format 3\0")
        #expect(try String(contentsOf: key, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(try String(contentsOf: bundle, encoding: .utf8).contains("PRIVATE KEY"))
        #expect(try kaiban.run(["queue", "--as", "zhouqiang"]).status == 0)
        // Without --month: this month, in hall time.
        let current = folder.appendingPathComponent("now.html").path
        // A temporary file a killed write left 20 minutes ago is removed; one of a write going on
        // now (1 minute old), and a file merely named alike, stay.
        let fileManager = FileManager.default
        let abandoned = folder.appendingPathComponent(".now.html.\(UUID().uuidString).tmp").path
        let recent = folder.appendingPathComponent(".now.html.\(UUID().uuidString).tmp").path
        let alike = folder.appendingPathComponent(".now.html.notes.tmp").path
        for (path, age) in [(abandoned, 1_200.0), (recent, 60.0), (alike, 1_200.0)] {
            #expect(fileManager.createFile(atPath: path, contents: Data("<html>".utf8)))
            try fileManager.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: path)
        }
        let now = try kaiban.run(["dashboard", "--output", current])
        #expect(now.status == 0, "\(now)")
        #expect(FileManager.default.fileExists(atPath: current))
        #expect(!fileManager.fileExists(atPath: abandoned))
        #expect(fileManager.fileExists(atPath: recent) && fileManager.fileExists(atPath: alike))
    }

    @Test func aSupervisorIssuesListsAndRevokesAClerksToken() async throws {
        try await Fixtures.staff(kaiban.database)
        #expect(try kaiban.run(["clerk", "token", "issue", "zhouqiang", "--as", "wangfang"]).status == 65)
        let issued = try kaiban.run(["clerk", "token", "issue", "zhouqiang", "--as", "zhouqiang", "--json"])
        #expect(issued.status == 0, "\(issued)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(issued.stdout.utf8)) as? [String: Any])
        let secret = try #require(json["secret"] as? String)
        let plain = try kaiban.run(["clerk", "token", "issue", "zhouqiang", "--days", "7", "--as", "zhouqiang"])
        #expect(plain.stdout.contains("原令牌已停用") && plain.stdout.contains("只显示这一次"), "\(plain)")
        let list = try kaiban.run(["clerk", "token", "list", "--as", "zhouqiang"])
        #expect(list.stdout.contains("有效") && list.stdout.contains("已停用") && !list.stdout.contains(secret), "\(list)")
        let revoked = try kaiban.run(["clerk", "token", "revoke", "zhouqiang", "--reason", "调岗", "--as", "zhouqiang"])
        #expect(revoked.status == 0 && revoked.stdout.contains("已停用工作人员zhouqiang的令牌"), "\(revoked)")
        let again = try kaiban.run(["clerk", "token", "revoke", "zhouqiang", "--reason", "调岗", "--as", "zhouqiang"])
        #expect(again.status == 66 && again.stderr.contains("没有有效的令牌"), "\(again)")
        // From a hostile trial: a window clerk's token (no dashboard) read "valid", and an unknown
        // clerk's list "no token issued" with exit 0.
        #expect(try kaiban.run(["clerk", "token", "issue", "wangfang", "--as", "zhouqiang"]).status == 0)
        let window = try kaiban.run(["clerk", "token", "list", "wangfang", "--json", "--as", "zhouqiang"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(window.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["state"] as? String } == ["not-supervisor"], "\(window)")
        #expect(rows.first?["clerk"] as? String == "wangfang")
        #expect(try kaiban.run(["clerk", "token", "list", "wangfang", "--as", "zhouqiang"]).stdout.contains("非负责人"))
        #expect(try kaiban.run(["clerk", "token", "list", "--as", "wangfang"]).status == 65)
        let unknown = try kaiban.run(["clerk", "token", "list", "nosuch", "--as", "zhouqiang"])
        #expect(unknown.status == 66, "\(unknown)")
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(
        .enabled(
            if: chromium != nil,
            "headless Chromium is not installed (apt-get install chromium fonts-noto-cjk; Scripts/test does as root)"))
    func headlessChromiumRendersThePage() async throws {
        try await Fixtures.staff(kaiban.database)
        let page = folder.appendingPathComponent("page.html").path
        #expect(try kaiban.run(["dashboard", "--month", "2026-11", "--output", page]).status == 0)
        let png = folder.appendingPathComponent("page.png")
        let process = Process()
        process.executableURL = Fixtures.packageRoot.appendingPathComponent("Scripts/render-dashboard")
        process.arguments = [page, png.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let bytes = try Data(contentsOf: png)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 10_000, "\(bytes.count) bytes")
    }
}

@Suite struct OutputFileProblemTests {
    @Test func aFullReadOnlyOrFailingDiskIsStorageAndAnythingElseThePath() {
        let url = URL(fileURLWithPath: "/tmp/x.html")
        for error: any Error in [
            CocoaError(.fileWriteOutOfSpace), CocoaError(.fileWriteVolumeReadOnly), POSIXError(.EIO),
            POSIXError(.EDQUOT), CocoaError(.fileWriteUnknown, userInfo: [NSUnderlyingErrorKey: POSIXError(.EIO)]),
        ] {
            let problem = OutputFile.problem(writing: url, error)
            #expect(problem.kind == .storage && problem.code == "file.storage", "\(error)")
        }
        for error: any Error in [
            CocoaError(.fileWriteNoPermission), POSIXError(.EACCES), CocoaError(.fileWriteUnknown),
        ] {
            let problem = OutputFile.problem(writing: url, error)
            #expect(problem.kind == .invalid && problem.code == "file.unwritable", "\(error)")
        }
    }
}
