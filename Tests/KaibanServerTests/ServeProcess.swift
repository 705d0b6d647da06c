import Foundation
import KaibanTestSupport
import Synchronization

/// `kaiban serve` in a child process, its log (standard error) read as it comes.
final class ServeProcess: Sendable {
    let process: Process
    let log = LogBuffer()
    let database: String

    /// Starts `kaiban serve --port PORT arguments…` on `database` (its log read here, or written
    /// to `log`).
    init(database: String, port: Int = 0, arguments: [String] = [], log logFile: FileHandle? = nil) throws {
        let kaiban = try KaibanProcess(database: database)
        self.database = database
        process = Process()
        process.executableURL = kaiban.executable
        process.arguments = ["serve", "--port", "\(port)"] + arguments
        process.environment = kaiban.environment
        process.currentDirectoryURL = kaiban.workingDirectory
        let err = Pipe()
        process.standardError = logFile ?? err
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        guard logFile == nil else { return }
        let reader = err.fileHandleForReading
        let log = log
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                log.append(String(decoding: data, as: UTF8.self))
            }
        }
    }

    var text: String { log.text }

    /// Waits until the log contains `fragment`; false after `timeout`.
    func waitForLog(_ fragment: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.contains(fragment) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return text.contains(fragment)
    }

    /// The port from the log's `listening on http://127.0.0.1:PORT`.
    func port(timeout: TimeInterval = 60) -> Int? {
        guard waitForLog("listening on http://127.0.0.1:", timeout: timeout) else { return nil }
        let tail = text.components(separatedBy: "listening on http://127.0.0.1:").last ?? ""
        return Int(tail.prefix { $0.isNumber })
    }

    /// Waits for it to end and returns its exit status (nil when it is still running after `timeout`).
    func exitStatus(timeout: TimeInterval = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { return nil }
        // The last lines of the log, once the pipe has been read to its end.
        Thread.sleep(forTimeInterval: 0.1)
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// What a process wrote, as it comes.
final class LogBuffer: Sendable {
    let content = Mutex("")

    func append(_ text: String) {
        content.withLock { $0 += text }
    }

    var text: String { content.withLock { $0 } }
}
