import Foundation

/// The `openssl` command line, run in a directory: the independent implementation Kaiban's SM2
/// and SM3 are checked against.
struct OpenSSLCommand {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "the openssl command line is not on the PATH (Debian: apt-get install openssl)"
        }
    }

    struct Run {
        var status: Int32
        var output: String
    }

    let executable: URL

    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map {
            URL(fileURLWithPath: String($0)).appendingPathComponent("openssl")
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Missing()
        }
        executable = found
    }

    /// Runs `openssl ARGUMENTS` in `directory`; its exit status and its output (stdout and stderr).
    func run(_ arguments: [String], in directory: URL) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }
}

/// A new empty directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("kaiban-sm2-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}
