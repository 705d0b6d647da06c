import Foundation
import KaibanDesk
import PostgresNIO

/// The outbox to the partner province on PostgreSQL: several servers' senders drain it at once
/// without sending a message twice. A sender takes the due messages it will try now with
/// `FOR UPDATE SKIP LOCKED` (another sender's transaction passes over them instead of waiting)
/// and holds them until a time it chooses: their next attempt is moved there, so no other sender
/// takes them meanwhile, and a sender that dies gives them back when the hold ends.
extension PostgresStore {
    /// Writes `message` to the outbox (pending, due at its `nextAttemptAt`).
    public func enqueueOutbound(_ message: OutboundMessage) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query(
                    """
                    INSERT INTO exchange_outbox (message_id, partner_code, type, collaboration_number, raw, digest,
                        created_at, state, attempts, next_attempt_at)
                    VALUES (\(message.messageID), \(message.partnerCode), \(message.type),
                        \(message.collaborationNumber), \(ByteBuffer(bytes: message.raw)), \(message.digest),
                        \(message.createdAt), \(message.state.rawValue), \(message.attempts), \(message.nextAttemptAt))
                    """, logger: logger)
            }
        }
    }

    /// Takes the pending messages due by `now`, oldest due first, at most `limit`, that no other
    /// sender holds, and holds them until `holdUntil`: until then they are not due for anyone.
    /// The sender then records each attempt (``recordDelivery(_:_:)``).
    public func claimDueOutbound(at now: Date, limit: Int, holdUntil: Date) async throws -> [OutboundMessage] {
        guard limit > 0 else { return [] }
        return try await guarded { [self] in
            try await transaction { [self] connection in
                let rows = try await connection.query(
                    """
                    WITH due AS (
                        SELECT message_id AS due_id, next_attempt_at AS was_due FROM exchange_outbox o
                        WHERE state = 'pending' AND next_attempt_at <= \(now)
                            AND NOT EXISTS (
                                SELECT 1 FROM exchange_outbox earlier
                                WHERE earlier.collaboration_number = o.collaboration_number
                                    AND earlier.partner_code = o.partner_code AND earlier.state = 'pending'
                                    AND (coalesce(earlier.seq, 0) < coalesce(o.seq, 0)
                                        OR (coalesce(earlier.seq, 0) = coalesce(o.seq, 0)
                                            AND earlier.created_at < o.created_at)))
                        ORDER BY next_attempt_at, created_at LIMIT \(limit)
                        FOR UPDATE SKIP LOCKED
                    )
                    UPDATE exchange_outbox o SET next_attempt_at = \(holdUntil)
                    FROM due WHERE o.message_id = due.due_id
                    RETURNING \(unescaped: Self.claimedColumns)
                    """, logger: logger)
                var messages: [OutboundMessage] = []
                for try await row in rows { messages.append(try Self.outbound(row)) }
                // As the SQLite store answers: the messages as they were before the hold, oldest
                // due first (RETURNING keeps no order).
                return messages.sorted {
                    ($0.nextAttemptAt ?? .distantPast, $0.createdAt, $0.messageID)
                        < ($1.nextAttemptAt ?? .distantPast, $1.createdAt, $1.messageID)
                }
            }
        }
    }

    /// Records one delivery attempt of `messageID`, as the SQLite store does: sent (and the
    /// receipt bound when it came with it), or to be tried again at `retryAt`, or failed.
    public func recordDelivery(_ messageID: String, _ result: DeliveryResult) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                switch result {
                case .delivered(let at, let receipt):
                    _ = try await connection.query(
                        """
                        UPDATE exchange_outbox SET state = 'sent', attempts = attempts + 1, sent_at = \(at),
                            next_attempt_at = NULL, last_error = NULL
                        WHERE message_id = \(messageID) AND state = 'pending'
                        """, logger: logger)
                    if let receipt {
                        _ = try await connection.query(
                            """
                            UPDATE exchange_outbox SET state = \(receipt.accepted ? "acknowledged" : "rejected"),
                                receipt = \(ByteBuffer(bytes: receipt.raw)), receipt_code = \(receipt.code),
                                answered_at = \(receipt.at), next_attempt_at = NULL
                            WHERE message_id = \(receipt.requestMessageID) AND digest = \(receipt.requestDigest)
                                AND partner_code = \(receipt.partnerCode) AND state IN ('pending', 'sent')
                            """, logger: logger)
                    }
                case .notDelivered(let at, let error, let retryAt):
                    _ = try await connection.query(
                        """
                        UPDATE exchange_outbox SET state = \(retryAt == nil ? "failed" : "pending"),
                            attempts = attempts + 1, next_attempt_at = \(retryAt), last_error = \(error),
                            answered_at = CASE WHEN \(retryAt)::timestamptz IS NULL THEN \(at) ELSE answered_at END
                        WHERE message_id = \(messageID) AND state = 'pending'
                        """, logger: logger)
                }
            }
        }
    }

    /// One message of the outbox, as stored.
    public func outboundMessage(_ messageID: String) async throws -> OutboundMessage? {
        try await guarded { [self] in
            let rows = try await client.query(
                "SELECT \(unescaped: Self.outboundColumns) FROM exchange_outbox WHERE message_id = \(messageID)",
                logger: logger)
            for try await row in rows { return try Self.outbound(row) }
            return nil
        }
    }

    /// ``outboundColumns`` of a claimed row, with its next attempt as it was before the hold.
    static let claimedColumns = """
        o.message_id, o.partner_code, o.type, o.collaboration_number, o.raw, o.digest, o.created_at, o.state,
        o.attempts, due.was_due, o.last_error, o.sent_at, o.receipt, o.receipt_code, o.answered_at
        """

    static let outboundColumns = """
        message_id, partner_code, type, collaboration_number, raw, digest, created_at, state, attempts,
        next_attempt_at, last_error, sent_at, receipt, receipt_code, answered_at
        """

    /// ``outboundColumns`` of the outbox named `o` in a join.
    static let outboundColumnsOfO = outboundColumns.split(separator: ",").map {
        "o." + $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }.joined(separator: ", ")

    static func outbound(_ row: PostgresRow) throws -> OutboundMessage {
        let (
            id, partner, type, collaboration, raw, digest, created, state, attempts, next, error, sent, receipt, code,
            answered
        ) = try row.decode(
            (
                String, String, String, String, ByteBuffer, String, Date, String, Int, Date?, String?, Date?,
                ByteBuffer?, String?, Date?
            ).self)
        guard let outboundState = OutboundState(rawValue: state) else {
            throw PostgresStoreError.storage("outbound message \(id) has the unknown state \(state)")
        }
        return OutboundMessage(
            messageID: id, partnerCode: partner, type: type, collaborationNumber: collaboration,
            raw: Data(raw.readableBytesView), digest: digest, createdAt: created, state: outboundState,
            attempts: attempts,
            nextAttemptAt: next, lastError: error, sentAt: sent, receipt: receipt.map { Data($0.readableBytesView) },
            receiptCode: code, answeredAt: answered)
    }
}
