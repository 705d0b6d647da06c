import CLibXML2
import Foundation

/// Collects libxml2's structured errors during one call. libxml2's handler is thread-local, so it is
/// set and reset around the call on the calling thread.
final class ErrorCollector {
    var issues: [XMLProblem.Issue] = []

    /// The C callback that appends to the collector passed as context.
    static let handler: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        let collector = Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue()
        collector.record(error)
    }

    func record(_ error: UnsafePointer<xmlError>) {
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let text = error.pointee.message.map { String(cString: $0) } ?? "XML error"
        issues.append(
            XMLProblem.Issue(
                line: Int(error.pointee.line), message: text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Runs `body` with this collector as the thread's structured error handler.
    func collecting<T>(_ body: () -> T) -> T {
        xmlSetStructuredErrorFunc(context, Self.handler)
        defer { xmlSetStructuredErrorFunc(nil, nil) }
        return withExtendedLifetime(self) { body() }
    }
}
