import Foundation

/// Runs a system command-line tool (`xmllint`, `openssl`) as an independent check of Kaiban's
/// own results. A missing tool is an error, not a skip: Scripts/test installs both.
public struct CommandLineTool {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
    }

    public struct Missing: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "\(name) is not installed (apt-get install libxml2-utils openssl)" }
    }

    public let url: URL

    public init(_ name: String) throws {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard
            let found = folders.map({ URL(fileURLWithPath: String($0)).appendingPathComponent(name) })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
        else { throw Missing(name: name) }
        url = found
    }

    /// Runs the tool with `arguments`, feeding it `input`, and waits for it.
    public func run(_ arguments: [String], input: Data = Data()) throws -> Output {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-tool-\(UUID()).err")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stderr) }
        let stderrHandle = try FileHandle(forWritingTo: stderr)
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderrHandle
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try stderrHandle.close()
        let errors = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        return Output(status: process.terminationStatus, stdout: output, stderr: errors)
    }
}
