import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 川渝通办 on PostgreSQL, continued (see PostgresStore+Exchange.swift for what several servers
/// at once may rely on): the cross-province cases, their statuses and their outbound messages.
extension PostgresStore {
    // MARK: Cross-province cases

    public func exchangeCase(_ collaborationNumber: String) async throws -> ExchangeCase? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await fetchExchangeCase(collaborationNumber, locking: false, connection)
            }
        }
    }

    public func openInboundCases(limit: Int) async throws -> [ExchangeCase] {
        try await openExchangeCases(.inbound, limit: limit)
    }

    public func openOutboundCases(limit: Int) async throws -> [ExchangeCase] {
        try await openExchangeCases(.outbound, limit: limit)
    }

    public func exchangeCases(limit: Int) async throws -> [ExchangeCase] {
        try await exchangeCaseRows(
            """
            SELECT \(unescaped: Self.exchangeCaseColumns) FROM exchange_case
            ORDER BY opened_at DESC, collaboration_number DESC LIMIT \(limit)
            """)
    }

    public func exchangeStatuses(_ collaborationNumber: String) async throws -> [ExchangeStatusEntry] {
        try await guarded { [self] in
            try await client.withConnection { [self] in try await fetchExchangeStatuses(collaborationNumber, $0) }
        }
    }

    func fetchExchangeStatuses(_ collaborationNumber: String, _ connection: PostgresConnection) async throws
        -> [ExchangeStatusEntry]
    {
        let rows = try await connection.query(
            """
            SELECT status, at, reason, source, made_current FROM exchange_status
            WHERE collaboration_number = \(collaborationNumber) ORDER BY seq
            """, logger: logger)
        var entries: [ExchangeStatusEntry] = []
        for try await (status, at, reason, source, current) in rows.decode((Int, Date, String?, String, Bool).self) {
            entries.append(
                ExchangeStatusEntry(status: status, time: at, reason: reason, source: source, madeCurrent: current))
        }
        return entries
    }

    public func openOutboundCase(
        prefix: String,
        build:
            @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> ExchangeCase {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await openOutboundExchange(prefix: prefix, build: build, connection)
            }
        }
    }

    public func transferCase(
        _ number: CaseNumber, transition: String, reason: String?, by clerkID: String, at now: Date,
        expectedVersion: Int, recording: Recording, clock: SLAClock, prefix: String,
        build:
            @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase) {
        // Read before the transaction, as a step's are: who acts, and the case's workflow version.
        let doer: Clerk
        if let then = recording.doneByThen { doer = then } else { doer = try await self.clerk(clerkID) }
        let definition = try await caseDefinition(number)
        let step = BatchStep(
            .exchangeStep(transition, reason: reason), by: clerkID, at: now, recording: recording)
        let transferred = try await guarded { [self] in
            try await transaction { [self] connection in
                let outcome = try await apply(
                    [step], to: number, expectedVersion: expectedVersion, clerks: [clerkID: doer],
                    definition: definition, clock: clock, connection)
                // The events up to the transfer are the partner's to know from the transfer itself.
                let opened = try await openOutboundExchange(
                    prefix: prefix,
                    build: { collaborationNumber in
                        var (state, statuses, message) = try build(collaborationNumber)
                        state.reportedEvents = outcome.state.version
                        return (state, statuses, message)
                    }, connection)
                return TransferredCase(step: outcome, exchange: opened)
            }
        }
        return (transferred.step, transferred.exchange)
    }

    public func changeExchangeCase(
        _ collaborationNumber: String,
        build:
            @escaping @Sendable (ExchangeCase?) throws -> (
                ExchangeCase, [ExchangeStatusEntry], [OutboundMessage]
            )
    ) async throws -> ExchangeCase {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockExchangeKeys([Self.caseLockKey(collaborationNumber)], connection)
                let (state, statuses, messages) = try build(
                    try await fetchExchangeCase(collaborationNumber, locking: true, connection))
                try await saveExchangeCase(state, connection)
                try await appendExchangeStatuses(statuses, to: collaborationNumber, connection)
                for message in messages { try await insertOutboundMessage(message, connection) }
                return state
            }
        }
    }

    public func returnTransfer(
        _ collaborationNumber: String, status: ExchangeStatusEntry, steps: [LocalCaseStep], clock: SLAClock,
        at now: Date
    ) async throws -> TransferReturn? {
        try await loadLocalDefinitions([collaborationNumber])
        return try await guarded { [self] in
            try await transaction { [self] connection -> TransferReturn? in
                try await lockExchangeKeys([Self.caseLockKey(collaborationNumber)], connection)
                guard var state = try await fetchExchangeCase(collaborationNumber, locking: true, connection),
                    state.direction == .outbound, !state.isClosed
                else { return nil }
                state.status = status.status
                state.statusAt = status.time
                try await saveExchangeCase(state, connection)
                try await appendExchangeStatuses([status], to: collaborationNumber, connection)
                for step in steps {
                    if try await takePartnerStep(step, clock: clock, at: now, connection) {
                        return .took(step.transition)
                    }
                }
                if let local = steps.first?.caseNumber {
                    let open = try await connection.query(
                        "SELECT closed_at IS NULL FROM registration_case WHERE number = \(local.description)",
                        logger: logger
                    ).decode(Bool.self).first(where: { _ in true })
                    if open == true { throw StoreError.transferNotReturnable(local.description) }
                }
                return .localCaseEnded
            }
        }
    }

    public func refusedTransfers(limit: Int) async throws -> [OutboundMessage] {
        try await guarded { [self] in
            var messages: [OutboundMessage] = []
            for try await row in try await client.query(
                """
                SELECT \(unescaped: Self.outboundColumnsOfO)
                FROM exchange_case c JOIN exchange_outbox o ON o.collaboration_number = c.collaboration_number
                WHERE c.direction = 'outbound' AND (c.status IS NULL OR c.status = 1)
                    AND o.type = 'CaseTransfer' AND o.state = 'rejected'
                ORDER BY o.created_at, o.seq NULLS FIRST LIMIT \(limit)
                """, logger: logger)
            {
                messages.append(try Self.outbound(row))
            }
            return messages
        }
    }

    /// Links the cross-province case `reference` names to the local case `number` taken in for it,
    /// inside the intake's transaction, once (as the SQLite store does): a second intake for it
    /// waits for the first's row lock, then finds the case linked and is refused.
    func linkCrossProvinceCase(
        _ reference: CrossProvinceReference, to number: CaseNumber, _ connection: PostgresConnection
    ) async throws {
        let linked = try await connection.query(
            """
            UPDATE exchange_case SET local_case = \(number.description)
            WHERE collaboration_number = \(reference.collaborationNumber) AND partner_code = \(reference.partnerCode)
                AND local_case IS NULL
            RETURNING collaboration_number
            """, logger: logger
        ).decode(String.self).first(where: { _ in true })
        guard linked != nil else {
            throw StoreError.crossProvinceCaseTaken(reference.collaborationNumber)
        }
    }

    // MARK: Outbox

    public func outboundMessages(states: [OutboundState]?, limit: Int) async throws
        -> [OutboundMessage]
    {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.outboundColumns) FROM exchange_outbox
                WHERE \(states == nil) OR state = ANY(\((states ?? []).map(\.rawValue)))
                ORDER BY created_at DESC, seq DESC NULLS LAST LIMIT \(limit)
                """, logger: logger)
            var messages: [OutboundMessage] = []
            for try await row in rows { messages.append(try Self.outbound(row)) }
            return messages
        }
    }

    public func outboundCounts() async throws -> [OutboundState: Int] {
        try await guarded { [self] in
            var counts: [OutboundState: Int] = [:]
            for try await (state, count) in try await client.query(
                "SELECT state, count(*) FROM exchange_outbox GROUP BY state", logger: logger
            ).decode((String, Int).self) {
                if let known = OutboundState(rawValue: state) { counts[known] = count }
            }
            return counts
        }
    }

    /// When the oldest message still without its partner's receipt was written, to the whole
    /// second (as the SQLite store answers).
    public func oldestUnansweredOutbound() async throws -> Date? {
        let oldest = try await guarded { [self] in
            try await client.query(
                "SELECT min(created_at) FROM exchange_outbox WHERE state IN ('pending', 'sent')",
                logger: logger
            ).decode(Date?.self).first(where: { _ in true }) ?? nil
        }
        return oldest.map(Self.wholeSeconds)
    }

    // MARK: Cross-province cases, within a transaction

    /// Assigns the next collaboration number of `prefix` (its counter row locked to the end of the
    /// transaction, never below a number of the prefix already held) and writes what `build` makes
    /// with it: the case, its first statuses and its transfer message.
    func openOutboundExchange(
        prefix: String,
        build: (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage),
        _ connection: PostgresConnection
    ) async throws -> ExchangeCase {
        let counted =
            try await connection.query(
                """
                INSERT INTO exchange_collaboration_counter (prefix, last) VALUES (\(prefix), 0)
                ON CONFLICT (prefix) DO UPDATE SET last = exchange_collaboration_counter.last RETURNING last
                """, logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 0
        let highest =
            try await connection.query(
                """
                SELECT max(collaboration_number) FROM exchange_case
                WHERE collaboration_number >= \(prefix) AND collaboration_number < \(prefix + ":")
                """, logger: logger
            ).decode(String?.self).first(where: { _ in true }) ?? nil
        let sequence = max(counted, highest.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0) + 1
        guard sequence <= 9999 else {
            throw StoreError.storage("collaboration numbers of \(prefix) used up")
        }
        _ = try await connection.query(
            "UPDATE exchange_collaboration_counter SET last = \(sequence) WHERE prefix = \(prefix)",
            logger: logger)
        let number =
            prefix + String(repeating: "0", count: 4 - String(sequence).count) + String(sequence)
        let (state, statuses, message) = try build(number)
        try await saveExchangeCase(state, connection)
        try await appendExchangeStatuses(statuses, to: number, connection)
        try await insertOutboundMessage(message, connection)
        return state
    }

    func fetchExchangeCase(_ number: String, locking: Bool, _ connection: PostgresConnection)
        async throws
        -> ExchangeCase?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.exchangeCaseColumns) FROM exchange_case WHERE collaboration_number = \(number)
            \(unescaped: locking ? "FOR UPDATE" : "")
            """, logger: logger)
        for try await row in rows { return try Self.storedExchangeCase(row) }
        return nil
    }

    /// Writes a cross-province case: new, or its changing columns (its partner, direction, mode and
    /// opening stay as first written), as the SQLite store does.
    func saveExchangeCase(_ state: ExchangeCase, _ connection: PostgresConnection)
        async throws
    {
        let licence = try state.licence.map {
            String(decoding: try Self.licenceEncoder.encode($0), as: UTF8.self)
        }
        _ = try await connection.query(
            """
            INSERT INTO exchange_case (collaboration_number, partner_code, direction, mode, local_case,
                partner_reference, enterprise_name, opened_at, status, status_at, licence_json, reported_events)
            VALUES (\(state.collaborationNumber), \(state.partnerCode), \(state.direction.rawValue), \(state.mode),
                \(state.localCase), \(state.partnerReference), \(state.enterpriseName),
                \(Self.wholeSeconds(state.openedAt)), \(state.status), \(state.statusAt.map(Self.wholeSeconds)),
                \(licence), \(state.reportedEvents))
            ON CONFLICT (collaboration_number) DO UPDATE SET local_case = excluded.local_case,
                partner_reference = excluded.partner_reference, enterprise_name = excluded.enterprise_name,
                status = excluded.status, status_at = excluded.status_at, licence_json = excluded.licence_json,
                reported_events = excluded.reported_events
            """, logger: logger)
    }

    /// Appends `statuses` to the history of `collaborationNumber`, numbered on from its last (the
    /// case locked by the caller; the primary key refuses a number taken twice).
    func appendExchangeStatuses(
        _ statuses: [ExchangeStatusEntry], to collaborationNumber: String,
        _ connection: PostgresConnection
    ) async throws {
        guard !statuses.isEmpty else { return }
        var seq =
            try await connection.query(
                "SELECT coalesce(max(seq), 0) FROM exchange_status WHERE collaboration_number = \(collaborationNumber)",
                logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 0
        for entry in statuses {
            seq += 1
            _ = try await connection.query(
                """
                INSERT INTO exchange_status (collaboration_number, seq, status, at, reason, source, made_current)
                VALUES (\(collaborationNumber), \(seq), \(entry.status), \(Self.wholeSeconds(entry.time)),
                    \(entry.reason), \(entry.source), \(entry.madeCurrent))
                """, logger: logger)
        }
    }

    /// Writes `message` to the outbox inside the transaction of the change that causes it.
    func insertOutboundMessage(_ message: OutboundMessage, _ connection: PostgresConnection)
        async throws
    {
        _ = try await connection.query(
            """
            INSERT INTO exchange_outbox (message_id, partner_code, type, collaboration_number, raw, digest,
                created_at, state, attempts, next_attempt_at)
            VALUES (\(message.messageID), \(message.partnerCode), \(message.type), \(message.collaborationNumber),
                \(ByteBuffer(bytes: message.raw)), \(message.digest), \(Self.wholeSeconds(message.createdAt)),
                \(message.state.rawValue), \(message.attempts), \(message.nextAttemptAt.map(Self.wholeSeconds)))
            """, logger: logger)
    }

    /// Binds a receipt to the message it answers: same id, same digest, same partner; a receipt
    /// that binds nothing changes nothing.
    func bindReceipt(_ receipt: ReceiptBinding, _ connection: PostgresConnection) async throws {
        _ = try await connection.query(
            """
            UPDATE exchange_outbox SET state = \(receipt.accepted ? "acknowledged" : "rejected"),
                receipt = \(ByteBuffer(bytes: receipt.raw)), receipt_code = \(receipt.code),
                answered_at = \(Self.wholeSeconds(receipt.at)), next_attempt_at = NULL
            WHERE message_id = \(receipt.requestMessageID) AND digest = \(receipt.requestDigest)
                AND partner_code = \(receipt.partnerCode) AND state IN ('pending', 'sent')
            """, logger: logger)
    }

    /// Takes the transaction-scoped advisory locks of `keys` (in one order, so two transactions
    /// wanting the same ones never wait for each other): held to commit or rollback.
    func lockExchangeKeys(_ keys: [Int32], _ connection: PostgresConnection) async throws {
        let ordered = Set(keys).sorted()
        guard !ordered.isEmpty else { return }
        try await connection.runToEnd(
            """
            SELECT count(pg_advisory_xact_lock(\(Self.exchangeLockSpace), hashtext(current_schema() || ' ' || key::text)))
            FROM unnest(\(ordered)) AS key
            """, logger: logger)
    }

    // MARK: Rows

    /// The advisory locks' first key: the exchange's own space ("xchg"), apart from any other's.
    static let exchangeLockSpace: Int32 = 0x7863_6867

    static func inboxLockKey(_ sender: String, _ messageID: String) -> Int32 {
        lockHash("inbox\u{0}\(sender)\u{0}\(messageID)")
    }

    static func caseLockKey(_ collaborationNumber: String) -> Int32 {
        lockHash("case\u{0}\(collaborationNumber)")
    }

    /// FNV-1a of `text`'s UTF-8, the same on every server (a collision only makes two messages
    /// wait for each other).
    static func lockHash(_ text: String) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int32(bitPattern: hash)
    }

    func openExchangeCases(_ direction: ExchangeDirection, limit: Int) async throws
        -> [ExchangeCase]
    {
        try await exchangeCaseRows(
            """
            SELECT \(unescaped: Self.exchangeCaseColumns) FROM exchange_case
            WHERE direction = \(direction.rawValue) AND (status IS NULL OR status <> ALL(\(Self.finalStatuses)))
                AND ((local_case IS NULL AND \(direction == .inbound)) OR EXISTS (
                    SELECT 1 FROM registration_case c
                    WHERE c.number = exchange_case.local_case AND c.version > exchange_case.reported_events))
            ORDER BY opened_at LIMIT \(limit)
            """)
    }

    /// Statuses after which nothing follows, as the SQLite store lists them.
    static let finalStatuses = ExchangeCase.finalStatuses.sorted()

    func exchangeCaseRows(_ query: PostgresQuery) async throws -> [ExchangeCase] {
        try await guarded { [self] in
            var cases: [ExchangeCase] = []
            for try await row in try await client.query(query, logger: logger) {
                cases.append(try Self.storedExchangeCase(row))
            }
            return cases
        }
    }

    static let inboxColumns = """
        sender_code, message_id, digest, type, collaboration_number, received_at, accepted, code, reason, origin,
        raw, receipt
        """

    static func storedInbound(_ row: PostgresRow) throws -> InboundMessage {
        let (
            sender, id, digest, type, collaboration, received, accepted, code, reason, origin, raw,
            receipt
        ) =
            try row.decode(
                (
                    String, String, String, String, String, Date, Bool, String?, String?, String, ByteBuffer,
                    ByteBuffer?
                ).self)
        return InboundMessage(
            senderCode: sender, messageID: id, digest: digest, type: type,
            collaborationNumber: collaboration,
            receivedAt: received, accepted: accepted, code: code, reason: reason, origin: origin,
            raw: Data(raw.readableBytesView), receipt: receipt.map { Data($0.readableBytesView) })
    }

    static let exchangeCaseColumns = """
        collaboration_number, partner_code, direction, mode, local_case, partner_reference, enterprise_name,
        opened_at, status, status_at, licence_json, reported_events
        """

    static func storedExchangeCase(_ row: PostgresRow) throws -> ExchangeCase {
        let (
            number, partner, directionText, mode, local, reference, name, opened, status, statusAt,
            licence, reported
        ) =
            try row.decode(
                (String, String, String, String, String?, String?, String, Date, Int?, Date?, String?, Int)
                    .self)
        guard let direction = ExchangeDirection(rawValue: directionText) else {
            throw StoreError.storage("exchange case \(number): direction \(directionText)")
        }
        let decoded: ExchangeLicence?
        do {
            decoded = try licence.map {
                try licenceDecoder.decode(ExchangeLicence.self, from: Data($0.utf8))
            }
        } catch {
            throw StoreError.storage("exchange case \(number): undecodable licence: \(error)")
        }
        var found = ExchangeCase(
            collaborationNumber: number, partnerCode: partner, direction: direction, mode: mode,
            localCase: local,
            partnerReference: reference, enterpriseName: name, openedAt: opened, status: status,
            statusAt: statusAt,
            licence: decoded)
        found.reportedEvents = reported
        return found
    }

    /// The licence's JSON in the SQLite store's form.
    static var licenceEncoder: JSONEncoder { StoredJSON.encoder }
    static var licenceDecoder: JSONDecoder { StoredJSON.decoder }
}
