import Foundation
import KaibanCore
import Logging
import Synchronization

/// The server's log lines on standard error: `TIME LEVEL LABEL: KEY=VALUE … [SOURCE] MESSAGE`,
/// the time in Asia/Shanghai with its offset. Unlike swift-log's StreamLogHandler, which writes
/// its metadata out anew each time a key is set (Hummingbird sets the request's id on every
/// request), the metadata is written out only for a line that is logged.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let write: @Sendable (String) -> Void

    /// Lines to standard error. A line that cannot be written (the log's disk full, its pipe's
    /// reader gone) is lost, never the server: `FileHandle.write(_:)` traps on such an error.
    public init(label: String, level: Logger.Level) {
        self.init(label: label, level: level) { line in
            try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
        }
    }

    /// Lines to `write` (a test's).
    init(label: String, level: Logger.Level, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let fields = pairs.isEmpty ? "" : " " + pairs.joined(separator: " ")
        // One write a line: lines of requests answered at once do not interleave.
        write("\(HallTime.isoText(of: Date())) \(event.level) \(label):\(fields) [\(event.source)] \(event.message)\n")
    }
}
