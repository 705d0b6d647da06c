import Foundation
import KaibanTestSupport
import Testing

/// The command line's side of the desk's contract: exit codes by kind, problems as JSON.
@Suite struct ContractCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    func staffed() async throws {
        // Staff registered before the fixed day the tests enter as late entries.
        try await Fixtures.staff(kaiban.database)
    }

    @Test func aRefusalUnderJSONIsJSONOnStandardErrorWithItsCode() async throws {
        try await staffed()
        let result = try kaiban.run(["show", "510811-20261126-0999", "--json"])
        #expect(result.status == 66)
        #expect(result.stdout.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Any]
        let problem = try #require(json?["problem"] as? [String: Any], "\(result)")
        #expect(problem["code"] as? String == "case.not-found")
        #expect(problem["kind"] as? String == "not-found")
        #expect(problem["exitCode"] as? Int == 66)
        #expect((problem["message"] as? String)?.contains("510811-20261126-0999") == true)
    }

    @Test func aBadApplicationIs65FromFlagsAndFromAFile() async throws {
        try await staffed()
        var flags = KaibanCLITests.intakeFlags
        if let capital = flags.firstIndex(of: "--capital") {
            flags.replaceSubrange(capital...(capital + 1), with: ["--capital=-500000"])
        }
        flags += ["--json"]
        let byFlags = try kaiban.run(flags)
        #expect(byFlags.status == 65, "\(byFlags)")
        let problem = try JSONSerialization.jsonObject(with: Data(byFlags.stderr.utf8)) as? [String: Any]
        let fields = ((problem?["problem"] as? [String: Any])?["fields"] as? [[String: Any]])?.compactMap {
            $0["field"] as? String
        }
        #expect(fields?.contains("registeredCapital") == true, "\(byFlags)")
        let source = Fixtures.packageRoot.appendingPathComponent("seeds/demo/cases/01-llc-window.xml")
        let file = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent().appendingPathComponent("neg.xml")
        try String(contentsOf: source, encoding: .utf8)
            .replacingOccurrences(of: "<capital>500000</capital>", with: "<capital>-500000</capital>")
            .write(to: file, atomically: true, encoding: .utf8)
        let byFile = try kaiban.run(["intake", "--as", "wangfang", "--file", file.path])
        #expect(byFile.status == 65, "\(byFile)")
        #expect(byFile.stderr.contains("neg.xml:4"), "\(byFile)")
        let queue = try kaiban.run(["queue", "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(queue.stdout.utf8)) as? [Any])?.isEmpty == true)
    }

    @Test func aMissingInputFileIs66AndAFolderIsAClearMessage() async throws {
        try await staffed()
        let missing = try kaiban.run(["intake", "--as", "wangfang", "--file", "/nonexistent/case.xml"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("找不到文件/nonexistent/case.xml"), "\(missing)")
        let folder = try kaiban.run(["calendar", "import", "/tmp", "--as", "zhouqiang", "--lang", "en"])
        #expect(folder.status == 64)
        #expect(folder.stderr.contains("/tmp is a folder"), "\(folder)")
        #expect(!folder.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test func hintsNameTheFlagsTheDeskLeavesOut() async throws {
        try await staffed()
        let refused = try kaiban.run(["clerk", "add", "liuyang", "--name", "刘洋", "--role", "window"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--as"), "\(refused)")
        let first = try KaibanProcess()
        let window = try first.run(["clerk", "add", "wangfang", "--name", "王芳", "--role", "window"])
        #expect(window.status == 65)
        #expect(window.stderr.contains("负责人"), "\(window)")
        let synthetic = try kaiban.run(["admin", "synthesize", "--cases", "5", "--as", "wangfang"])
        #expect(synthetic.status == 65)
        #expect(synthetic.stderr.contains("生成测试办件"), "\(synthetic)")
    }
}

/// Steps on a version the clerk saw, and a database that cannot be used.
@Suite struct GuardedStepsCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    /// The problem a `--json` run printed on standard error.
    func problem(_ result: KaibanProcess.Result) -> [String: Any]? {
        let json = try? JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Any]
        return json?["problem"] as? [String: Any]
    }

    @Test func aStepOnAVersionThatMovedOnIsRefusedWith65AndWritesNothing() async throws {
        try await Fixtures.staff(kaiban.database)
        let intake = try kaiban.run(KaibanCLITests.intakeFlags + ["--json"])
        let json = try JSONSerialization.jsonObject(with: Data(intake.stdout.utf8)) as? [String: Any]
        let number = try #require((json?["case"] as? [String: Any])?["number"] as? String, "\(intake)")
        let accepted = try kaiban.run(["step", number, "accept", "--as", "wangfang", "--expect-version", "1"])
        #expect(accepted.status == 0, "\(accepted)")
        // The reviewer looked at version 1; the case is at version 2 now.
        let stale = try kaiban.run(["step", number, "review", "--as", "lijun", "--expect-version", "1", "--json"])
        #expect(stale.status == 65, "\(stale)")
        let refusal = try #require(problem(stale), "\(stale)")
        #expect(refusal["code"] as? String == "case.stale")
        #expect(refusal["kind"] as? String == "conflict")
        #expect((refusal["message"] as? String)?.contains("第1版，现为第2版") == true, "\(stale)")
        let plain = try kaiban.run(["step", number, "review", "--as", "lijun", "--expect-version", "1", "--lang", "en"])
        #expect(plain.status == 65)
        #expect(plain.stderr.contains("you saw version 1, it is now 2"), "\(plain)")
        #expect(plain.stderr.contains("kaiban show"), "\(plain)")
        let history = try kaiban.run(["history", number, "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [Any])?.count == 2)
        let current = try kaiban.run(["step", number, "review", "--as", "lijun", "--expect-version", "2"])
        #expect(current.status == 0, "\(current)")
    }

    @Test func aDatabaseFileThatIsNotADatabaseIsAStorageProblemWith74() throws {
        // A file of another kind where the database should be (a mistyped path, a damaged copy).
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: kaiban.database))
        for arguments in [["queue"], ["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"]] {
            let result = try kaiban.run(arguments + ["--json"])
            #expect(result.status == 74, "\(arguments): \(result)")
            let refusal = problem(result)
            #expect(refusal?["code"] as? String == "storage.failed", "\(result)")
            #expect(refusal?["exitCode"] as? Int == 74)
            #expect((refusal?["message"] as? String)?.contains(kaiban.database) == true, "\(result)")
        }
        let plain = try kaiban.run(["queue", "--lang", "en"])
        #expect(plain.status == 74)
        #expect(plain.stderr.contains("storage failure") && plain.stderr.contains("not a database"), "\(plain)")
        // Nothing was written over it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: kaiban.database)) == Data(repeating: 0x42, count: 8192))
    }
}

/// The README's examples run as written on the demo's database (issue 8, class 12).
@Suite struct ReadmeExamplesTests {
    /// The `$K …` commands of the README's "After the demo" block, each split into arguments.
    static func examples() throws -> [[String]] {
        let readme = try String(
            contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## After the demo"),
            let block = readme[start.upperBound...].range(of: "```sh\n"),
            let end = readme[block.upperBound...].range(of: "```")
        else { return [] }
        var commands: [[String]] = []
        for line in readme[block.upperBound..<end.lowerBound].split(separator: "\n") {
            for part in line.components(separatedBy: ";") {
                let command = part.trimmingCharacters(in: .whitespaces)
                guard command.hasPrefix("$K ") else { continue }
                commands.append(words(String(command.dropFirst(3))))
            }
        }
        return commands
    }

    /// Shell-like words: spaces separate, double quotes group, `#` after a space starts a comment.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var hasWord = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                hasWord = true
            } else if character == " " && !quoted {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else if character == "#" && !quoted && !hasWord {
                break
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if hasWord { words.append(current) }
        return words
    }

    @Test func everyExampleRunsAsWrittenOnTheDemoDatabase() throws {
        let kaiban = try KaibanProcess()
        #expect(try kaiban.run(["demo", "--quiet"]).status == 0)
        let examples = try Self.examples()
        #expect(examples.count >= 15, "\(examples)")
        for arguments in examples {
            let result = try kaiban.run(arguments, extraEnvironment: ["KAIBAN_CLERK": "wangfang"])
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result)")
        }
    }
}
