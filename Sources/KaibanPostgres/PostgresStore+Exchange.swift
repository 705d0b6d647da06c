import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 川渝通办 on PostgreSQL, with the SQLite store's meaning: partners and their keys, inbound
/// messages, dead letters, the cross-province cases and their statuses (the outbox is in
/// PostgresStore+Outbox.swift). Several servers receive and send at once, where SQLite has one
/// writer at a time; so that what a transaction reads still holds when it commits:
/// - a batch of inbound messages first takes a transaction-scoped advisory lock on each message's
///   (sender, id) and on each case it names, all in one order: a message received by two servers
///   at once is applied by the first, and the second, having waited, finds its record and answers
///   it unapplied; two messages about one case (or two transfers creating it) apply one after the
///   other, each deciding on what the other wrote;
/// - a cross-province case is read `FOR UPDATE` where it is changed, so an intake linking its
///   local case meanwhile waits rather than being overwritten;
/// - collaboration numbers are taken under their prefix's counter row lock (dense per prefix);
/// - partners and keys are unique by their keys (`ON CONFLICT DO NOTHING`, then the refusal), and
///   the supervisor who adds them is locked (`FOR SHARE`) so they are not deactivated meanwhile.
/// Instants are kept to whole seconds, as the SQLite store keeps them in these tables.
extension PostgresStore {
    // MARK: Partners

    public func addExchangePartner(_ partner: ExchangePartner) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await exchangeSupervisor(
                    partner.addedBy, act: LocalizedText(zh: "登记协同机构", en: "register an exchange partner"),
                    connection)
                let inserted = try await connection.query(
                    """
                    INSERT INTO exchange_partner (code, name, endpoint, added_at, added_by)
                    VALUES (\(partner.code), \(partner.name), \(partner.endpoint), \(Self.wholeSeconds(partner.addedAt)),
                        \(partner.addedBy))
                    ON CONFLICT (code) DO NOTHING RETURNING code
                    """, logger: logger
                ).decode(String.self).first(where: { _ in true })
                guard inserted != nil else { throw StoreError.partnerExists(partner.code) }
                for key in partner.keys {
                    try await insertPartnerKey(key, partner: partner.code, connection)
                }
            }
        }
    }

    public func addExchangePartnerKey(_ key: PartnerKey, to code: String) async throws
        -> ExchangePartner
    {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await exchangeSupervisor(
                    key.addedBy, act: LocalizedText(zh: "登记协同机构公钥", en: "register a partner's key"),
                    connection)
                // Locked against nothing but its removal (none is offered): the key's reference holds.
                let known = try await connection.query(
                    "SELECT code FROM exchange_partner WHERE code = \(code) FOR KEY SHARE", logger: logger
                ).decode(String.self).first(where: { _ in true })
                guard known != nil else { throw StoreError.partnerNotFound(code) }
                try await insertPartnerKey(key, partner: code, connection)
                guard let partner = try await fetchPartners(code: code, connection).first else {
                    throw StoreError.partnerNotFound(code)
                }
                return partner
            }
        }
    }

    public func exchangePartners() async throws -> [ExchangePartner] {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await fetchPartners(code: nil, connection)
            }
        }
    }

    public func exchangePartner(_ code: String) async throws -> ExchangePartner? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await fetchPartners(code: code, connection).first
            }
        }
    }

    // MARK: Inbound

    public func inboundMessage(sender: String, messageID: String) async throws -> InboundMessage? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await fetchInbound(sender: sender, messageID: messageID, connection)
            }
        }
    }

    public func receiveExchangeMessages(_ items: [InboundItem], clock: SLAClock?) async throws
        -> [(message: InboundMessage, applied: Bool)]
    {
        if clock != nil { try await loadLocalDefinitions(items.map(\.collaborationNumber)) }
        let received = try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockExchangeKeys(
                    items.flatMap {
                        [Self.inboxLockKey($0.sender, $0.messageID), Self.caseLockKey($0.collaborationNumber)]
                    },
                    connection)
                var received: [ReceivedInbound] = []
                for item in items {
                    received.append(try await receiveInbound(item, clock: clock, connection))
                }
                return received
            }
        }
        return received.map { ($0.message, $0.applied) }
    }

    public func recordDeadLetter(_ letter: DeadLetter) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query(
                    """
                    INSERT INTO exchange_dead_letter (received_at, origin, sender_code, message_id, digest, code,
                        reason, raw, receipt)
                    VALUES (\(Self.wholeSeconds(letter.receivedAt)), \(letter.origin), \(letter.senderCode),
                        \(letter.messageID), \(letter.digest), \(letter.code), \(letter.reason),
                        \(ByteBuffer(bytes: letter.raw)), \(letter.receipt.map { ByteBuffer(bytes: $0) }))
                    """, logger: logger)
            }
        }
    }

    /// The dead letters: those refused before they were recorded, and the recorded messages that
    /// were refused (whose record and receipt the inbox keeps), newest first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT id, received_at, origin, sender_code, message_id, digest, code, reason, raw, receipt FROM (
                    SELECT id, received_at, origin, sender_code, message_id, digest, code, reason, raw, receipt
                    FROM exchange_dead_letter
                    UNION ALL
                    SELECT NULL::bigint, received_at, origin, sender_code, message_id, digest, code,
                        coalesce(reason, type), raw, receipt
                    FROM exchange_inbox WHERE NOT accepted
                ) letters ORDER BY received_at DESC LIMIT \(limit)
                """, logger: logger)
            var letters: [DeadLetter] = []
            for try await row in rows {
                let (id, received, origin, sender, message, digest, code, reason, raw, receipt) =
                    try row.decode(
                        (
                            Int64?, Date, String, String?, String?, String, String?, String, ByteBuffer,
                            ByteBuffer?
                        ).self)
                letters.append(
                    DeadLetter(
                        id: id, receivedAt: received, origin: origin, senderCode: sender, messageID: message,
                        digest: digest, code: code ?? "", reason: reason, raw: Data(raw.readableBytesView),
                        receipt: receipt.map { Data($0.readableBytesView) }))
            }
            return letters
        }
    }

    public func inboundTransfer(_ collaborationNumber: String) async throws -> InboundMessage? {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.inboxColumns) FROM exchange_inbox
                WHERE collaboration_number = \(collaborationNumber) AND type = 'CaseTransfer' AND accepted
                ORDER BY received_at LIMIT 1
                """, logger: logger)
            for try await row in rows { return try Self.storedInbound(row) }
            return nil
        }
    }

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
            let rows = try await client.query(
                """
                SELECT status, at, reason, source, made_current FROM exchange_status
                WHERE collaboration_number = \(collaborationNumber) ORDER BY seq
                """, logger: logger)
            var entries: [ExchangeStatusEntry] = []
            for try await (status, at, reason, source, current) in rows.decode(
                (Int, Date, String?, String, Bool).self)
            {
                entries.append(
                    ExchangeStatusEntry(
                        status: status, time: at, reason: reason, source: source, madeCurrent: current))
            }
            return entries
        }
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
            throw StoreError.storage(
                "cross-province case \(reference.collaborationNumber) is unknown or has a case already")
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
                ORDER BY created_at DESC LIMIT \(limit)
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

    // MARK: Within a transaction

    /// `id` must be an active supervisor; their row is shared-locked to the end of the transaction
    /// (a deactivation meanwhile waits for it), as the SQLite store checks it.
    private func exchangeSupervisor(
        _ id: String, act: LocalizedText, _ connection: PostgresConnection
    ) async throws {
        let found = try await connection.query(
            "SELECT roles, active FROM clerk WHERE id = \(id) FOR SHARE", logger: logger
        ).decode((String, Bool).self).first(where: { _ in true })
        guard let (roles, active) = found else { throw StoreError.clerkNotFound(id) }
        guard active, roles.split(separator: " ").contains(where: { $0 == Clerk.supervisorRole }) else {
            throw StoreError.supervisorRequired(clerk: id, act: act)
        }
    }

    /// Adds `key` to `partner`; a key already held (by any partner, this one included) is refused
    /// naming its holder. Another server's insertion of the same key is waited for, then seen.
    private func insertPartnerKey(
        _ key: PartnerKey, partner: String, _ connection: PostgresConnection
    ) async throws {
        let inserted = try await connection.query(
            """
            INSERT INTO exchange_partner_key (fingerprint, partner_code, der, added_at, added_by)
            VALUES (\(key.fingerprint), \(partner), \(ByteBuffer(bytes: key.der)), \(Self.wholeSeconds(key.addedAt)),
                \(key.addedBy))
            ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint
            """, logger: logger
        ).decode(String.self).first(where: { _ in true })
        guard inserted == nil else { return }
        let holder =
            try await connection.query(
                "SELECT partner_code FROM exchange_partner_key WHERE fingerprint = \(key.fingerprint)",
                logger: logger
            ).decode(String.self).first(where: { _ in true }) ?? partner
        throw StoreError.partnerKeyExists(fingerprint: key.fingerprint, partner: holder)
    }

    /// The partners (or the one of `code`) by code, each with its keys in the order they were added.
    private func fetchPartners(code: String?, _ connection: PostgresConnection) async throws
        -> [ExchangePartner]
    {
        var keys: [String: [PartnerKey]] = [:]
        for try await (partner, fingerprint, der, added, by) in try await connection.query(
            """
            SELECT partner_code, fingerprint, der, added_at, added_by FROM exchange_partner_key
            WHERE \(code == nil) OR partner_code = \(code ?? "")
            ORDER BY partner_code, added_at, fingerprint
            """, logger: logger
        ).decode((String, String, ByteBuffer, Date, String).self) {
            keys[partner, default: []].append(
                PartnerKey(
                    fingerprint: fingerprint, der: Data(der.readableBytesView), addedAt: added, addedBy: by))
        }
        var partners: [ExchangePartner] = []
        for try await (partner, name, endpoint, added, by) in try await connection.query(
            """
            SELECT code, name, endpoint, added_at, added_by FROM exchange_partner
            WHERE \(code == nil) OR code = \(code ?? "") ORDER BY code
            """, logger: logger
        ).decode((String, String, String?, Date, String).self) {
            partners.append(
                ExchangePartner(
                    code: partner, name: name, endpoint: endpoint, addedAt: added, addedBy: by,
                    keys: keys[partner] ?? []))
        }
        return partners
    }

    private func fetchInbound(sender: String, messageID: String, _ connection: PostgresConnection)
        async throws
        -> InboundMessage?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.inboxColumns) FROM exchange_inbox
            WHERE sender_code = \(sender) AND message_id = \(messageID)
            """, logger: logger)
        for try await row in rows { return try Self.storedInbound(row) }
        return nil
    }

    /// Applies one inbound message (its locks taken): the earlier record of the same sender and id
    /// when there is one (nothing applied), else what `decide` makes of the case as stored, written
    /// with the message's record.
    private func receiveInbound(
        _ item: InboundItem, clock: SLAClock?, _ connection: PostgresConnection
    ) async throws
        -> ReceivedInbound
    {
        if let earlier = try await fetchInbound(
            sender: item.sender, messageID: item.messageID, connection)
        {
            return ReceivedInbound(message: earlier, applied: false)
        }
        let decision = try item.decide(
            try await fetchExchangeCase(item.collaborationNumber, locking: true, connection))
        if let state = decision.caseState { try await saveExchangeCase(state, connection) }
        if let clock {
            for step in decision.localSteps {
                _ = try await takePartnerStep(
                    step, clock: clock, at: decision.message.receivedAt, connection)
            }
        }
        try await appendExchangeStatuses(decision.statuses, to: item.collaborationNumber, connection)
        if let binding = decision.binding { try await bindReceipt(binding, connection) }
        let message = decision.message
        _ = try await connection.query(
            """
            INSERT INTO exchange_inbox (sender_code, message_id, digest, type, collaboration_number, received_at,
                accepted, code, reason, origin, raw, receipt)
            VALUES (\(message.senderCode), \(message.messageID), \(message.digest), \(message.type),
                \(message.collaborationNumber), \(Self.wholeSeconds(message.receivedAt)), \(message.accepted),
                \(message.code), \(message.reason), \(message.origin), \(ByteBuffer(bytes: message.raw)),
                \(message.receipt.map { ByteBuffer(bytes: $0) }))
            """, logger: logger)
        return ReceivedInbound(message: message, applied: true)
    }

    /// Takes a partner's step on the local case inside the message's transaction (its row locked),
    /// when the case's stage still allows it; false when it does not (the case moved on, or is not
    /// here), as the SQLite store decides.
    private func takePartnerStep(
        _ step: LocalCaseStep, clock: SLAClock, at now: Date, _ connection: PostgresConnection
    )
        async throws -> Bool
    {
        let number = step.caseNumber
        let locked = try await connection.query(
            """
            SELECT id, workflow_id, workflow_version FROM registration_case
            WHERE number = \(number.description) FOR UPDATE
            """, logger: logger
        ).decode((Int64, String, Int).self).first(where: { _ in true })
        guard let (id, workflowID, version) = locked else { return false }
        // Loaded before the transaction (``loadLocalDefinitions(_:)``): read from the store's cache.
        let definition = try await self.definition(
            WorkflowDefinition.Key(id: workflowID, version: version))
        let state = try RegistrationCase.replay(
            try await fetchEvents(caseID: id, number: number, connection), number: number,
            definition: definition)
        guard let transition = definition.transition(step.transition),
            definition.transition(transition, leavesFrom: state.stage)
        else { return false }
        let actor = Clerk(
            id: LocalCaseStep.actorID(partner: step.partnerCode), name: step.partnerName,
            roles: Set(transition.roles))
        // Never before the case's last event (clocks differ), never after now.
        let at = min(max(step.at, state.updatedAt), now)
        let command: CaseCommand =
            transition.exchange == nil
            ? .transition(transition.id, reason: step.reason)
            : .exchangeStep(transition.id, reason: step.reason)
        do {
            _ = try await apply(
                [
                    BatchStep(command, by: actor.id, at: at, recording: Recording(at: now, doneByThen: actor))
                ],
                to: number, expectedVersion: nil, clerks: [:], definition: definition, clock: clock,
                connection)
        } catch is WorkflowError {
            // A guard of the case's own refuses (a licensed case is not withdrawn): nothing written.
            return false
        }
        return true
    }

    /// The workflow versions of the local cases the cross-province cases `numbers` are linked to,
    /// loaded into the store's cache before a transaction that may step them.
    private func loadLocalDefinitions(_ numbers: [String]) async throws {
        let keys = try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT DISTINCT c.workflow_id, c.workflow_version FROM exchange_case x
                JOIN registration_case c ON c.number = x.local_case
                WHERE x.collaboration_number = ANY(\(numbers))
                """, logger: logger)
            var keys: [WorkflowDefinition.Key] = []
            for try await (id, version) in rows.decode((String, Int).self) {
                keys.append(WorkflowDefinition.Key(id: id, version: version))
            }
            return keys
        }
        for key in keys { _ = try await definition(key) }
    }

    /// Assigns the next collaboration number of `prefix` (its counter row locked to the end of the
    /// transaction, never below a number of the prefix already held) and writes what `build` makes
    /// with it: the case, its first statuses and its transfer message.
    private func openOutboundExchange(
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

    private func fetchExchangeCase(_ number: String, locking: Bool, _ connection: PostgresConnection)
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
    private func saveExchangeCase(_ state: ExchangeCase, _ connection: PostgresConnection)
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
    private func appendExchangeStatuses(
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
    private func insertOutboundMessage(_ message: OutboundMessage, _ connection: PostgresConnection)
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
    private func bindReceipt(_ receipt: ReceiptBinding, _ connection: PostgresConnection) async throws {
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
    private func lockExchangeKeys(_ keys: [Int32], _ connection: PostgresConnection) async throws {
        let ordered = Set(keys).sorted()
        guard !ordered.isEmpty else { return }
        _ = try await connection.query(
            """
            SELECT count(pg_advisory_xact_lock(\(Self.exchangeLockSpace), key)) FROM unnest(\(ordered)) AS key
            """, logger: logger)
    }

    // MARK: Rows

    /// The advisory locks' first key: the exchange's own space ("xchg"), apart from any other's.
    private static let exchangeLockSpace: Int32 = 0x7863_6867

    private static func inboxLockKey(_ sender: String, _ messageID: String) -> Int32 {
        lockHash("inbox\u{0}\(sender)\u{0}\(messageID)")
    }

    private static func caseLockKey(_ collaborationNumber: String) -> Int32 {
        lockHash("case\u{0}\(collaborationNumber)")
    }

    /// FNV-1a of `text`'s UTF-8, the same on every server (a collision only makes two messages
    /// wait for each other).
    private static func lockHash(_ text: String) -> Int32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int32(bitPattern: hash)
    }

    private func openExchangeCases(_ direction: ExchangeDirection, limit: Int) async throws
        -> [ExchangeCase]
    {
        try await exchangeCaseRows(
            """
            SELECT \(unescaped: Self.exchangeCaseColumns) FROM exchange_case
            WHERE direction = \(direction.rawValue) AND (status IS NULL OR status <> ALL(\(Self.finalStatuses)))
            ORDER BY opened_at LIMIT \(limit)
            """)
    }

    /// Statuses after which nothing follows, as the SQLite store lists them.
    private static let finalStatuses = ExchangeCase.finalStatuses.sorted()

    private func exchangeCaseRows(_ query: PostgresQuery) async throws -> [ExchangeCase] {
        try await guarded { [self] in
            var cases: [ExchangeCase] = []
            for try await row in try await client.query(query, logger: logger) {
                cases.append(try Self.storedExchangeCase(row))
            }
            return cases
        }
    }

    private static let inboxColumns = """
        sender_code, message_id, digest, type, collaboration_number, received_at, accepted, code, reason, origin,
        raw, receipt
        """

    private static func storedInbound(_ row: PostgresRow) throws -> InboundMessage {
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

    private static let exchangeCaseColumns = """
        collaboration_number, partner_code, direction, mode, local_case, partner_reference, enterprise_name,
        opened_at, status, status_at, licence_json, reported_events
        """

    private static func storedExchangeCase(_ row: PostgresRow) throws -> ExchangeCase {
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
    private static var licenceEncoder: JSONEncoder { StoredJSON.encoder }
    private static var licenceDecoder: JSONDecoder { StoredJSON.decoder }
}

/// One inbound message's outcome, carried out of the transaction (a tuple is not `Sendable` there).
private struct ReceivedInbound: Sendable {
    var message: InboundMessage
    var applied: Bool
}

/// A transfer's step and cross-province case, carried out of the transaction.
private struct TransferredCase: Sendable {
    var step: StepOutcome
    var exchange: ExchangeCase
}
