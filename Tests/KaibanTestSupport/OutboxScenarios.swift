import Foundation
import KaibanDesk

/// The outbox scenarios every store passes (SQLite and PostgreSQL, issue 14): written once here,
/// run by each store's tests with that store's operations.
public enum OutboxScenarios {
    public static let partner = "11500103MB164887X0"
    public static let morning = Date(timeIntervalSince1970: 1_795_660_800)  // 2026-11-26 09:20 in Shanghai

    /// The `index`th message of a test outbox: pending, due when written (a second apart).
    public static func message(_ index: Int) -> OutboundMessage {
        let written = morning.addingTimeInterval(Double(index))
        return OutboundMessage(
            messageID: String(format: "00000000-0000-4000-8000-%012d", index), partnerCode: partner,
            type: "StatusUpdate", collaborationNumber: "CY-510811-\(index)", raw: Data("<m n=\"\(index)\"/>".utf8),
            digest: String(repeating: "a", count: 64), createdAt: written, nextAttemptAt: written)
    }

    /// Senders (`senders` of them, numbered) drain the outbox at once, each calling `claim` with
    /// its number until it takes nothing (at most `rounds` times: a claim that held nothing would
    /// find the same messages forever); every id taken, by whichever sender.
    public static func drain(
        senders: Int, rounds: Int, claim: @escaping @Sendable (Int) async throws -> [String]
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var mine: [String] = []
                    for _ in 0..<rounds {
                        let taken = try await claim(sender)
                        if taken.isEmpty { break }
                        mine += taken
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
    }
}
