import Foundation
import Logging
import Synchronization
import Testing

@testable import KaibanServer

/// The server's log lines: metadata set on the logger and given with the line, both written
/// out, once, with the line; nothing below the level.
@Suite struct ServerLogHandlerTests {
    @Test func writesTheLineWithItsMetadataAndNothingBelowTheLevel() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "kaiban.server") { label in
            ServerLogHandler(label: label, level: .info) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "hb.request.id"] = "42"
        logger[metadataKey: "route"] = "/cases/{number}"
        logger.debug("not written")
        logger.info("GET /cases/510811-20261126-0001 200", metadata: ["ms": "3", "route": "overridden"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = written.first ?? ""
        #expect(
            line.hasSuffix(
                " info kaiban.server: hb.request.id=42 ms=3 route=overridden [KaibanServerTests] GET /cases/510811-20261126-0001 200\n"
            ), "\(line)")
        // The time first, in hall time with its offset.
        #expect(line.prefix(25).hasSuffix("+08:00"), "\(line)")
        #expect(logger[metadataKey: "route"] == "/cases/{number}")
    }
}
