import Foundation
import KaibanTestSupport
import Testing

/// The real `kaiban` executable against real SQLite files.
@Suite struct KaibanCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    /// A database with a supervisor, a window clerk and a reviewer.
    func staffed() async throws {
        // Registered at the start of the month, before the fixed day the tests enter as late
        // entries (a late entry checks the clerk as they stood then).
        try await Fixtures.staff(kaiban.database)
    }

    /// A step entered after the fact (the tests play a fixed day, before today): the supervisor
    /// enters it for the clerk who did it.
    static func late(_ clerk: String, at instant: String) -> [String] {
        ["--as", "zhouqiang", "--done-by", clerk, "--at", instant, "--late-reason", "测试：按固定时刻补录"]
    }

    static let intakeFlags =
        ["intake"] + late("wangfang", at: "2026-11-26T09:05") + [
            "--channel", "window", "--type", "llc", "--name",
            "广元市昭化区青禾农业科技有限公司", "--capital", "500000", "--domicile", "四川省广元市昭化区元坝镇中街12号", "--division",
            "510811", "--scope", "农业技术推广服务", "--legal-rep", "张伟:11010519491231002X", "--investor",
            "张伟:11010519491231002X:300000", "--investor", "李秀英:510811198503120178:200000", "--contact",
            "张伟:13800000000",
            "--tasks", "seal,tax", "--received", "all",
        ]

    /// Takes in the sample application and returns its case number.
    func intake(_ extra: [String] = []) throws -> String {
        let result = try kaiban.run(Self.intakeFlags + extra + ["--json"])
        #expect(result.status == 0, "\(result)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require((json?["case"] as? [String: Any])?["number"] as? String)
    }

    @Test func aCaseGoesFromIntakeToCompletion() async throws {
        try await staffed()
        let plain = try kaiban.run(Self.intakeFlags)
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("已收件：510811-20261126-0001"))
        let number = try intake()
        #expect(number == "510811-20261126-0002")
        for (step, clerk) in [
            ("accept", "wangfang"), ("review", "lijun"), ("approve", "lijun"), ("issue-licence", "wangfang"),
        ] {
            let result = try kaiban.run(["step", number, step] + Self.late(clerk, at: "2026-11-26T09:30"))
            #expect(result.status == 0, "\(step): \(result)")
        }
        #expect(try kaiban.run(["task", number, "seal", "--as", "wangfang"]).status == 0)
        let last = try kaiban.run(["task", number, "tax", "--as", "wangfang", "--lang", "en"])
        #expect(last.stdout.contains("complete (automatic): start-up tasks → completed"), "\(last)")
        let show = try kaiban.run(["show", number, "--json"])
        let view = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect((view?["case"] as? [String: Any])?["stage"] as? String == "completed")
        let sla = view?["sla"] as? [String: Any]
        // Intake 09:05, four steps at 09:30, the tasks at "now" (later): all government time.
        #expect(sla?["running"] as? Bool == false)
        #expect((sla?["governmentMinutes"] as? Int ?? 0) >= 25)
        let history = try kaiban.run(["history", number])
        #expect(history.stdout.contains("核准") && history.stdout.contains("lijun") && history.stdout.contains("审查员"))
        let rebuild = try kaiban.run(["admin", "rebuild", "--json", "--as", "zhouqiang"])
        let report = try JSONSerialization.jsonObject(with: Data(rebuild.stdout.utf8)) as? [String: Any]
        #expect(report?["cases"] as? Int == 2)
        #expect((report?["repaired"] as? [Any])?.isEmpty == true, "\(rebuild)")
    }

    @Test func anIllegalStepIsRefusedWithTheAllowedStepsAndExit65() async throws {
        try await staffed()
        let number = try intake()
        let zh = try kaiban.run(["step", number, "approve", "--as", "lijun"])
        #expect(zh.status == 65)
        #expect(zh.stderr.contains("当前为“已收件”，不能“核准”；可办理：受理、补正、不予受理、撤回"), "\(zh)")
        let en = try kaiban.run(["step", number, "approve", "--as", "lijun", "--lang", "en"])
        #expect(
            en.stderr.contains("is at received; it cannot go to approve, only: accept, request correction"), "\(en)")
        let role = try kaiban.run(["step", number, "accept", "--as", "lijun"])
        #expect(role.status == 65)
        #expect(role.stderr.contains("lijun没有“受理”所需的角色"), "\(role)")
        let reason = try kaiban.run(["step", number, "refuse", "--as", "wangfang"])
        #expect(reason.status == 65)
        #expect(reason.stderr.contains("--reason"))
        let history = try kaiban.run(["history", number, "--json"])
        let events = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any]
        #expect(events?.count == 1)
    }

    @Test func distinctExitCodesForUsageNotFoundAndBadData() async throws {
        try await staffed()
        let missingClerk = try kaiban.run(Array(Self.intakeFlags.filter { $0 != "--as" && $0 != "zhouqiang" }))
        #expect(missingClerk.status == 64, "\(missingClerk)")
        #expect(missingClerk.stderr.contains("--as"))
        let badCapital = try kaiban.run(Self.intakeFlags.map { $0 == "500000" ? "50万" : $0 })
        #expect(badCapital.status == 64)
        #expect(badCapital.stderr.contains("--capital"))
        let badID = try kaiban.run(
            Self.intakeFlags.map { $0 == "张伟:11010519491231002X" ? "张伟:110105194912310021" : $0 })
        #expect(badID.status == 65)
        #expect(badID.stderr.contains("legalRepresentative.idNumber"), "\(badID)")
        let notFound = try kaiban.run(["show", "510811-20261126-0999"])
        #expect(notFound.status == 66)
        #expect(notFound.stderr.contains("找不到办件510811-20261126-0999"))
        let malformed = try kaiban.run(["show", "0007"])
        #expect(malformed.status == 64)
        let unknownClerk = try kaiban.run(Self.intakeFlags.map { $0 == "wangfang" ? "ghost" : $0 })
        #expect(unknownClerk.status == 66)
        for (variable, value) in [("KAIBAN_HALL", "5108"), ("KAIBAN_SLA_RISK", "abc"), ("KAIBAN_LANG", "fr")] {
            let unusable = try kaiban.run(["queue"], extraEnvironment: [variable: value])
            #expect(unusable.status == 64, "\(variable): \(unusable)")
            #expect(unusable.stderr.contains(variable) && unusable.stderr.contains(value), "\(unusable)")
        }
        #expect(try kaiban.run(["queue", "--lang", "en"], extraEnvironment: ["KAIBAN_LANG": "fr"]).status == 0)
        let mixed = try kaiban.run([
            "intake", "--as", "wangfang", "--file", "seeds/demo/cases/01-llc-window.xml", "--tasks", "seal",
        ])
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("--file 不能与 --tasks 同用"), "\(mixed)")
        let badTime = try kaiban.run(Self.intakeFlags.map { $0 == "2026-11-26T09:05" ? "tomorrow" : $0 })
        #expect(badTime.status == 64)
        #expect(try kaiban.run(["queue", "--json"]).stdout.contains("["))
    }

    /// A database address instead of a file (PostgreSQL is not usable from `kaiban` yet) is
    /// refused in words, before anything is created, and its password is not repeated.
    /// A database address: a PostgreSQL server that does not answer is a storage failure (exit 74,
    /// within the store's time limit), an unreadable address or another kind of database a usage
    /// error; none repeats the password, none creates anything.
    @Test func aDatabaseAddressThatCannotBeUsedIsSaidAndCreatesNothing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-address-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (address, status, says) in [
            // Port 1: nothing listens there.
            ("postgres://kaiban:s3cret-pw@127.0.0.1:1/kaiban", Int32(74), "PostgreSQL"),
            ("POSTGRESQL://kaiban:s3cret-pw@/kaiban", 64, "PostgreSQL"),
            ("mysql://kaiban:s3cret-pw@127.0.0.1/kaiban", 64, "SQLite"),
        ] {
            let process = Process()
            process.executableURL = kaiban.executable
            process.currentDirectoryURL = folder
            process.arguments = ["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor", "--db", address]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = Pipe()
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == status, "\(address): \(stderr)")
            #expect(stderr.contains(says), "\(stderr)")
            #expect(!stderr.contains("s3cret-pw"), "the password is not repeated: \(stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [], "nothing created")
        }
    }

    @Test func intakeChecksDivisionsNamesAndCodes() async throws {
        try await staffed()
        let abolished = try kaiban.run(Self.intakeFlags.map { $0 == "510811" ? "500105" : $0 })
        #expect(abolished.status == 65)
        #expect(abolished.stderr.contains("domicileDivision"), "\(abolished)")
        let restricted = try kaiban.run(Self.intakeFlags.map { $0 == "广元市昭化区青禾农业科技有限公司" ? "广元市昭化区中国青禾农业科技有限公司" : $0 })
        #expect(restricted.status == 65)
        #expect(restricted.stderr.contains("proposedName") && restricted.stderr.contains("中国"), "\(restricted)")
        let badOrganisation = try kaiban.run(
            Self.intakeFlags.map {
                $0 == "李秀英:510811198503120178:200000" ? "某某公司:91510811MA6BX7K207:200000:company" : $0
            })
        #expect(badOrganisation.status == 65)
        #expect(badOrganisation.stderr.contains("investors[2].idNumber"), "\(badOrganisation)")
        // The first registration of a name wins; the same trade name and industry is then refused.
        let first = try intake()
        let pending = try kaiban.run(Self.intakeFlags)
        #expect(pending.status == 0)
        #expect(pending.stderr.contains("同一字号、行业的申请正在办理（\(first)）"), "\(pending)")
        for (step, clerk) in [("accept", "wangfang"), ("review", "lijun"), ("approve", "lijun")] {
            #expect(try kaiban.run(["step", first, step, "--as", clerk]).status == 0)
        }
        let licence = try kaiban.run(["step", first, "issue-licence", "--as", "wangfang", "--json"])
        #expect(licence.stdout.contains("\"creditCode\" : \"91510811MA"), "\(licence)")
        let again = try kaiban.run(Self.intakeFlags)
        #expect(again.status == 65)
        #expect(again.stderr.contains("字号、行业相同"), "\(again)")
    }

    @Test func checksExitZeroOnlyWhenValid() throws {
        let valid = try kaiban.run(["check", "uscc", "91350100M000100Y43", "--json"])
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("\"valid\" : true"))
        let invalid = try kaiban.run(["check", "uscc", "91350100M000100Y44", "--lang", "en"])
        #expect(invalid.status == 65)
        #expect(invalid.stdout.contains("expected 3"))
        // 崇明县 became a district: the code is still valid, with a warning.
        let renamed = try kaiban.run(["check", "uscc", "91310230MA1K314J7C", "--lang", "en"])
        #expect(renamed.status == 0)
        #expect(
            renamed.stdout.contains("310230 (崇明县) was abolished or renamed; the identifier stays valid for life"),
            "\(renamed)")
        let person = try kaiban.run(["check", "id", "11010519491231002X", "--on", "2026-11-27", "--json"])
        #expect(person.status == 0)
        #expect(person.stdout.contains("\"age\" : 76") && person.stdout.contains("朝阳区"), "\(person)")
        let legacy = try kaiban.run(["check", "id", "110105491231002"])
        #expect(legacy.status == 65)
        #expect(legacy.stdout.contains("15位"))
        // Issued in 元坝区 (510811 before 2013): still valid, with a warning about the division's history.
        let oldDivision = try kaiban.run(["check", "division", "510811", "--on", "2010-06-01"])
        #expect(oldDivision.status == 0)
        #expect(oldDivision.stdout.contains("元坝区"))
        let merged = try kaiban.run(["check", "division", "500112", "--on", "2026-01-01"])
        #expect(merged.status == 65)
        #expect(try kaiban.run(["check", "division", "500112", "--on", "2024-01-01"]).status == 0)
        let name = try kaiban.run(["check", "name", "广元市昭化区青禾农业科技有限公司", "--type", "llc", "--json"])
        #expect(name.status == 0)
        #expect(name.stdout.contains("\"tradeName\" : \"青禾\""))
        #expect(try kaiban.run(["check", "name", "广元市昭化区青禾农业科技有限公司", "--type", "farmers-cooperative"]).status == 65)
    }

    @Test func theWorklistFiltersByRole() async throws {
        try await staffed()
        let first = try intake()
        let second = try intake()
        #expect(try kaiban.run(["step", second, "accept", "--as", "wangfang"]).status == 0)
        let reviewer = try kaiban.run(["queue", "--role", "reviewer", "--json"])
        #expect(reviewer.stdout.contains(second) && !reviewer.stdout.contains(first), "\(reviewer)")
        let table = try kaiban.run(["queue"])
        #expect(table.stdout.contains("办件编号") && table.stdout.contains(first) && table.stdout.contains(second))
        #expect(try kaiban.run(["queue", "--role", "janitor"]).status == 64)
    }

    @Test func twoProcessesWriteToOneDatabaseAtOnce() async throws {
        try await staffed()
        let processes = try (0..<12).map { index in
            try kaiban.start(Self.intakeFlags.map { $0 == "2026-11-26T09:05" ? "2026-11-26T09:\(10 + index)" : $0 })
        }
        let results = processes.map { $0.finish() }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.filter { $0.status != 0 })")
        let numbers = Set(results.compactMap { $0.stdout.split(separator: "：").dropFirst().first?.prefix(20) })
        #expect(numbers.count == 12)
    }

    /// From a hostile trial: `clerk add --db /dev/null` left `/dev/null-journal` in /dev, and a
    /// pipe for a database was a disk I/O error. A path that is no regular file is refused
    /// before SQLite sees it.
    @Test func aDatabaseThatIsNoRegularFileIsRefusedBeforeSQLiteSeesIt() throws {
        let folder = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent()
        let pipe = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(pipe, 0o600) == 0)
        for path in [pipe, "/dev/null", folder.path] {
            let result = try kaiban.run([
                "clerk", "add", "boss", "--name", "负责人", "--role", "supervisor", "--db", path, "--lang", "en", "--json",
            ])
            #expect(result.status == 64, "\(path): \(result)")
            #expect(result.stderr.contains("database.not-a-file"), "\(path): \(result)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!left.contains { $0.hasPrefix("pipe-") }, "\(left)")
    }

    /// From a hostile trial: out of file descriptors (`ulimit -n`), a command said the Forms
    /// folder held no workflow definitions (exit 78), and the server answered 500 `data.invalid`
    /// naming a definition file: an operator was sent to look for broken files.
    @Test func runningOutOfFileDescriptorsSaysSo() async throws {
        try await staffed()
        // Short of descriptors at the database's opening, and later, at the definitions.
        for limit in [9, 11] {
            let starved = try kaiban.run(["queue", "--lang", "en"], openFiles: limit)
            #expect(starved.status == 74, "\(starved)")
            #expect(starved.stderr.contains("ulimit -n is \(limit)"), "\(starved)")
            #expect(!starved.stderr.contains("workflow") && !starved.stderr.contains("invalid"), "\(starved)")
        }
        #expect(try kaiban.run(["queue", "--lang", "en"], openFiles: 256).status == 0)
    }

    @Test func processesOpeningANewDatabaseAtOnceAllSucceed() throws {
        // Four processes create and migrate one new database at once (one of them becomes its
        // first supervisor, the others are refused by the rules), while reads of reference data
        // run beside them: none fails on storage.
        let bootstrap = (0..<4).map { ["clerk", "add", "boss\($0)", "--name", "负责人", "--role", "supervisor"] }
        let reads = [["workflow"], ["calendar", "status"], ["check", "division", "510811"]]
        let processes = try (bootstrap + reads).map { try kaiban.start($0) }
        let results = processes.map { $0.finish() }
        #expect(results.allSatisfy { [0, 64, 65].contains($0.status) }, "\(results.filter { $0.status != 0 })")
        #expect(results.prefix(4).filter { $0.status == 0 }.count == 1, "\(results)")
        #expect(results.suffix(3).allSatisfy { $0.status == 0 }, "\(results)")
        let queue = try kaiban.run(["queue", "--json"])
        #expect(queue.status == 0, "\(queue)")
        // An empty file is no database: a read names it instead of writing the schema into it.
        let empty = kaiban.database + ".empty"
        #expect(FileManager.default.createFile(atPath: empty, contents: nil))
        #expect(try kaiban.run(["queue", "--db", empty]).status == 66)
        let size = try FileManager.default.attributesOfItem(atPath: empty)[.size] as? NSNumber
        #expect(size?.intValue == 0)
    }

    @Test func aMistypedDatabaseIsNotCreatedByAReadButNamed() async throws {
        try await staffed()
        let mistyped = kaiban.database + "x"
        for command in [["queue"], ["show", "510811-20261126-0001"], ["sla"], ["history", "510811-20261126-0001"]] {
            let result = try kaiban.run(command + ["--db", mistyped])
            #expect(result.status == 66, "\(command): \(result)")
            #expect(result.stderr.contains(mistyped), "\(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: mistyped))
        // A check needs no database: it runs on reference data alone, and leaves no file behind.
        #expect(try kaiban.run(["check", "id", "11010519491231002X", "--db", mistyped]).status == 0)
        #expect(
            try kaiban.run(["calendar", "elapsed", "2026-11-26T09:00", "2026-11-26T10:00", "--db", mistyped]).status
                == 0)
        #expect(!FileManager.default.fileExists(atPath: mistyped))
    }

    @Test func usageErrorsSpeakTheClerksLanguage() throws {
        let missing = try kaiban.run(["step"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("用法错误：缺少参数 <number>"), "\(missing)")
        #expect(missing.stderr.contains("详见 kaiban step --help"), "\(missing)")
        let english = try kaiban.run(["step", "--lang", "en"])
        #expect(english.status == 64)
        #expect(english.stderr.contains("Error: Missing expected argument '<number>'"), "\(english)")
        let time = try kaiban.run(["queue", "--at", "tomorrow"])
        #expect(time.status == 64)
        #expect(time.stderr.contains("“tomorrow”不是 ISO 8601 时间"), "\(time)")
        // A negative number is the option's value (out of range), not an option of its own.
        for arguments in [
            ["queue", "--limit", "-1"], ["find", "张伟", "--limit=-5"], ["mail", "pending", "--limit", "0"],
            ["exchange", "failed", "--limit", "-1"], ["exchange", "status", "--limit", "10001"],
        ] {
            let limit = try kaiban.run(arguments)
            #expect(limit.status == 64, "\(arguments): \(limit)")
            #expect(limit.stderr.contains("--limit 应在1至10000之间"), "\(arguments): \(limit)")
        }
        let offset = try kaiban.run(["find", "张伟", "--offset", "-3"])
        #expect(offset.stderr.contains("--offset 不能为负数"), "\(offset)")
        let unknown = try kaiban.run(["queue", "--bogus"], extraEnvironment: ["KAIBAN_LANG": "zh"])
        #expect(unknown.stderr.contains("用法错误：未知选项 --bogus"), "\(unknown)")
        let json = try kaiban.run(["step", "--json"])
        #expect(json.status == 64)
        #expect(json.stderr.contains("\"code\" : \"usage.invalid\""), "\(json)")
        #expect(json.stderr.contains("缺少参数"), "\(json)")
    }

    @Test func aBrokenDefinitionIsRefusedWithFileAndLine() throws {
        let forms = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent().appendingPathComponent("Forms")
        try FileManager.default.copyItem(at: Fixtures.formsRoot, to: forms)
        let file = forms.appendingPathComponent("workflows/company-formation.xml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "to=\"review\" roles=\"reviewer\"", with: "to=\"reveiw\" roles=\"reviewer\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try kaiban.run(["workflow"], extraEnvironment: ["KAIBAN_FORMS": forms.path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("company-formation.xml:"), "\(result)")
        #expect(result.stderr.contains("unknown stage \"reveiw\""))
    }

    @Test func theDemoPlaysADayAndRefusesADatabaseWithCases() throws {
        let demo = try kaiban.run(["demo", "--quiet"])
        #expect(demo.status == 0, "\(demo)")
        #expect(demo.stdout.contains("办件26件"))
        #expect(demo.stdout.contains("已办结 17"))
        #expect(demo.stdout.contains("时限报告：2026-11-26"))
        #expect(demo.stdout.contains("合计      17"))
        // Every channel, a no-show and a posted licence, in the day's counts per channel.
        #expect(demo.stdout.contains("预约办：预约5个（其中延时服务1个），到场4，爽约1"), "\(demo.stdout)")
        #expect(demo.stdout.contains("寄递办：收到邮寄材料3件，寄出执照1件"))
        // One case each way with the partner simulator: both completed (11), the inbound one here.
        #expect(demo.stdout.contains("CY500103202611260001  转入  重庆市渝中区市场监督管理局"), "\(demo.stdout)")
        #expect(demo.stdout.contains("11 办结（通过）  2026-11-26 17:12  510811-20261126-0021"))
        #expect(demo.stdout.contains("CY510811202611260001  转出"))
        // The one taken in here for Yuzhong: transferred by the window, completed by Yuzhong's result.
        #expect(demo.stdout.contains("11 办结（通过）  2026-11-26 17:18  510811-20261126-0022"), "\(demo.stdout)")
        let transferred = try kaiban.run(["history", "510811-20261126-0022"])
        #expect(transferred.stdout.contains("转办理地") && transferred.stdout.contains("办理地已发照"), "\(transferred)")
        #expect(try kaiban.run(["show", "510811-20261126-0022"]).stdout.contains("政府用时20分/192分"))
        // The case taken in at 12:10 during the lunch-time extended hours and done at 13:05.
        let lunch = try kaiban.run(["show", "510811-20261126-0014"])
        #expect(lunch.stdout.contains("延时服务受理（2026-11-26 12:00–13:30）"), "\(lunch)")
        #expect(lunch.stdout.contains("政府用时55分/192分"))
        // The afternoon's crossings, as a supervisor's watch printed them.
        let watched = try kaiban.run(["sla", "watch", "--from", "2026-11-26T13:00", "--until", "2026-11-26T17:30"])
        #expect(watched.status == 0, "\(watched)")
        #expect(
            watched.stdout.contains(
                "2026-11-26 16:47 已超时 510811-20261126-0015 广元市昭化区周婷花艺工作室（开办事项办理中）：政府用时已满192分"),
            "\(watched)")
        // With the risk line at half the budget (KAIBAN_SLA_RISK), the case taken in at 13:35 is at
        // risk 96 minutes later, and the line says so.
        let half = try kaiban.run(
            ["sla", "watch", "--from", "2026-11-26T13:00", "--until", "2026-11-26T17:30"],
            extraEnvironment: ["KAIBAN_SLA_RISK": "0.5"])
        #expect(half.stdout.contains("2026-11-26 15:11 临近超时 510811-20261126-0015"), "\(half)")
        #expect(half.stdout.contains("政府用时已达96分（时限192分）"), "\(half)")
        #expect(try kaiban.run(["sla", "watch", "--from", "2026-11-26T13:00"]).status == 64)
        #expect(try kaiban.run(["sla", "watch", "--every", "0"]).status == 64)
        // Live: it says it watches, and Ctrl-C ends it cleanly.
        let live = try kaiban.start(["sla", "watch", "--every", "1"])
        #expect(live.readUntil("Ctrl-C"))
        live.interrupt()
        let stopped = live.finish()
        #expect(
            stopped.status == 0 && stopped.stdout.contains("开始盯办") && stopped.stdout.contains("已结束盯办"), "\(stopped)")
        let again = try kaiban.run(["demo"])
        #expect(again.status == 65)
        #expect(again.stderr.contains("已有26件办件"))
        #expect(try kaiban.run(["admin", "rebuild"]).status == 64)
        #expect(try kaiban.run(["admin", "rebuild", "--as", "wangfang"]).status == 65)
        let rebuild = try kaiban.run(["admin", "rebuild", "--lang", "en", "--as", "zhouqiang"])
        #expect(rebuild.stdout.contains("rebuilt 26 cases"), "\(rebuild)")
        #expect(rebuild.stdout.contains("0 differed"))
    }
}
