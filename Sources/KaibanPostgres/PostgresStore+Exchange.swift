import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 川渝通办 on PostgreSQL, with the SQLite store's meaning: partners and their keys, inbound
/// messages, dead letters (the cross-province cases and their statuses are in
/// PostgresStore+ExchangeCases.swift, the outbox in PostgresStore+Outbox.swift). Several servers
/// receive and send at once, where SQLite has one writer at a time; so that what a transaction
/// reads still holds when it commits:
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

    public func changeExchangePartner(
        _ code: String, _ change: PartnerChange, reason: String, by clerk: String, at now: Date
    ) async throws -> ExchangePartner {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await exchangeSupervisor(
                    clerk, act: LocalizedText(zh: "变更协同机构", en: "change an exchange partner"), connection)
                let known = try await connection.query(
                    "SELECT code FROM exchange_partner WHERE code = \(code) FOR UPDATE", logger: logger
                ).decode(String.self).first(where: { _ in true })
                guard known != nil else { throw StoreError.partnerNotFound(code) }
                switch change {
                case .removeKey(let fingerprint):
                    let removed = try await connection.query(
                        """
                        DELETE FROM exchange_partner_key WHERE fingerprint = \(fingerprint) AND partner_code = \(code)
                        RETURNING fingerprint
                        """, logger: logger
                    ).decode(String.self).first(where: { _ in true })
                    guard removed != nil else {
                        throw StoreError.partnerKeyNotFound(fingerprint: fingerprint, partner: code)
                    }
                case .endpoint(let endpoint):
                    _ = try await connection.query(
                        "UPDATE exchange_partner SET endpoint = \(endpoint) WHERE code = \(code)", logger: logger)
                }
                let recorded = change.recorded
                _ = try await connection.query(
                    """
                    INSERT INTO exchange_partner_change (partner_code, at, by, change, detail, reason)
                    VALUES (\(code), \(Self.wholeSeconds(now)), \(clerk), \(recorded.change), \(recorded.detail),
                        \(reason))
                    """, logger: logger)
                guard let partner = try await fetchPartners(code: code, connection).first else {
                    throw StoreError.partnerNotFound(code)
                }
                return partner
            }
        }
    }

    public func exchangePartnerChanges(_ code: String) async throws -> [PartnerChangeRecord] {
        try await guarded { [self] in
            var changes: [PartnerChangeRecord] = []
            for try await (at, by, change, detail, reason) in try await client.query(
                """
                SELECT at, by, change, detail, reason FROM exchange_partner_change
                WHERE partner_code = \(code) ORDER BY id
                """, logger: logger
            ).decode((Date, String, String, String?, String).self) {
                changes.append(PartnerChangeRecord(at: at, by: by, change: change, detail: detail, reason: reason))
            }
            return changes
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
                ) letters ORDER BY received_at DESC, digest COLLATE "C" DESC, coalesce(id, 0) DESC LIMIT \(limit)
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

    // MARK: Within a transaction

    /// `id` must be an active supervisor; their row is shared-locked to the end of the transaction
    /// (a deactivation meanwhile waits for it), as the SQLite store checks it.
    func exchangeSupervisor(
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
    func insertPartnerKey(
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
    func fetchPartners(code: String?, _ connection: PostgresConnection) async throws
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

    func fetchInbound(sender: String, messageID: String, _ connection: PostgresConnection)
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
    func receiveInbound(
        _ item: InboundItem, clock: SLAClock?, _ connection: PostgresConnection
    ) async throws
        -> ReceivedInbound
    {
        if let earlier = try await fetchInbound(
            sender: item.sender, messageID: item.messageID, connection)
        {
            return ReceivedInbound(message: earlier, applied: false)
        }
        let stored = try await fetchExchangeCase(item.collaborationNumber, locking: true, connection)
        var context = InboundContext()
        if item.needs.contains(.localCase), let local = stored?.localCase {
            // Locked: a clerk's step on it waits for this message, or this message for the step.
            context.localCase =
                try await connection.query(
                    """
                    SELECT rc.stage, rc.closed_at IS NOT NULL
                        OR EXISTS (SELECT 1 FROM credit_code c WHERE c.case_number = rc.number)
                    FROM registration_case rc WHERE rc.number = \(local) FOR UPDATE
                    """, logger: logger
                ).decode((String, Bool).self).first(where: { _ in true }).map { (stage: $0.0, closed: $0.1) }
        }
        if item.needs.contains(.statuses) {
            context.statuses = try await fetchExchangeStatuses(item.collaborationNumber, connection)
        }
        let decision = try item.decide(stored, context)
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
    func takePartnerStep(
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
    func loadLocalDefinitions(_ numbers: [String]) async throws {
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

}

/// One inbound message's outcome, carried out of the transaction (a tuple is not `Sendable` there).
struct ReceivedInbound: Sendable {
    var message: InboundMessage
    var applied: Bool
}

/// A transfer's step and cross-province case, carried out of the transaction.
struct TransferredCase: Sendable {
    var step: StepOutcome
    var exchange: ExchangeCase
}
