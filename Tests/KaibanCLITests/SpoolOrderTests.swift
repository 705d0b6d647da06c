import Foundation
import Testing

@testable import KaibanCLI

/// `kaiban exchange import` takes a spool's messages in the order they came into it (by
/// modification time, then name), not by their names (random message ids): a withdrawal dropped
/// with its transfer had been applied first and refused as of an unknown case.
@Suite struct SpoolOrderTests {
    @Test func messagesAreTakenInTheOrderTheyArrived() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-order-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        // Written in the order transfer, status, withdrawal; their names sort the other way.
        let arrivals: [(name: String, at: TimeInterval)] = [
            ("f0-transfer.xml", 1_000), ("c3-status.xml", 2_000), ("a9-withdrawal.xml", 3_000), ("b1-tie.xml", 2_000),
        ]
        for (name, at) in arrivals {
            let file = spool.appendingPathComponent(name)
            try Data("<x/>".utf8).write(to: file)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: at)], ofItemAtPath: file.path)
        }
        let ordered = ExchangeCommand.Import.inArrivalOrder(arrivals.map(\.name), in: spool)
        // Equal times go by name; a name that is not there (gone since the listing) comes first.
        #expect(ordered == ["f0-transfer.xml", "b1-tie.xml", "c3-status.xml", "a9-withdrawal.xml"])
        #expect(
            ExchangeCommand.Import.inArrivalOrder(["gone.xml", "a9-withdrawal.xml"], in: spool)
                == ["gone.xml", "a9-withdrawal.xml"])
    }
}
