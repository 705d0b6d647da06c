import Foundation

/// Runs the real `kaiban` executable in a child process, as a clerk's terminal would.
public struct KaibanProcess: Sendable {
    /// What a run printed and how it ended.
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    public let executable: URL
    public let database: String
    public var environment: [String: String]

    /// A runner on a new temporary database, with the checkout's Forms/.
    public init(database: String = Fixtures.temporaryDatabasePath()) throws {
        self.executable = try Self.locateExecutable()
        self.database = database
        var environment = ProcessInfo.processInfo.environment
        environment["KAIBAN_DB"] = database
        environment["KAIBAN_FORMS"] = Fixtures.formsRoot.path
        environment.removeValue(forKey: "KAIBAN_CLERK")
        environment.removeValue(forKey: "KAIBAN_LANG")
        self.environment = environment
    }

    /// The built `kaiban` beside the test bundle (or in .build/debug).
    static func locateExecutable() throws -> URL {
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("kaiban"))
        }
        for argument in CommandLine.arguments.prefix(1) {
            candidates.append(
                URL(fileURLWithPath: argument).deletingLastPathComponent().appendingPathComponent("kaiban"))
        }
        candidates.append(Fixtures.packageRoot.appendingPathComponent(".build/debug/kaiban"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(
                .fileNoSuchFile, userInfo: [NSFilePathErrorKey: "kaiban executable; run swift build first"])
        }
        return found
    }

    /// Where a run works: beside a database file, or for a database at an address (`postgres://`)
    /// in the temporary folder (its documents' files then go to `kaiban.files` there).
    public var workingDirectory: URL {
        database.contains("://")
            ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: database).deletingLastPathComponent()
    }

    /// Runs `kaiban arguments…` and waits for it.
    public func run(_ arguments: [String], extraEnvironment: [String: String] = [:], openFiles: Int? = nil) throws
        -> Result
    {
        let process = try start(arguments, extraEnvironment: extraEnvironment, openFiles: openFiles)
        return process.finish()
    }

    /// Starts `kaiban arguments…` without waiting, for concurrent runs; with `openFiles`, under
    /// that `ulimit -n`.
    public func start(_ arguments: [String], extraEnvironment: [String: String] = [:], openFiles: Int? = nil) throws
        -> Running
    {
        let process = Process()
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.currentDirectoryURL = workingDirectory
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, out: out, err: err)
    }

    /// A started child process.
    public final class Running: @unchecked Sendable {
        let process: Process
        let out: Pipe
        let err: Pipe
        /// Standard output read so far by ``readUntil(_:)``.
        var early = Data()

        init(process: Process, out: Pipe, err: Pipe) {
            self.process = process
            self.out = out
            self.err = err
        }

        /// Reads standard output until it holds `text` (true) or ends without it (false).
        public func readUntil(_ text: String) -> Bool {
            while !String(decoding: early, as: UTF8.self).contains(text) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                early.append(chunk)
            }
            return true
        }

        /// Sends SIGINT, as Ctrl-C in a terminal does.
        public func interrupt() { process.interrupt() }

        /// Reads its output and waits for it to end.
        public func finish() -> Result {
            let stdout = early + out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}
