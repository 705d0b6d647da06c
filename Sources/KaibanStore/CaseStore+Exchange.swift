import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    static func date(_ row: Row, _ column: String) -> Date? {
        (row[column] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    package func addExchangePartner(_ partner: ExchangePartner) throws {
        try write { db in
            try requireSupervisor(
                partner.addedBy, act: LocalizedText(zh: "登记协同机构", en: "register an exchange partner"), db)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM exchange_partner WHERE code = ?", arguments: [partner.code])
                == true
            {
                throw StoreError.partnerExists(partner.code)
            }
            try db.execute(
                sql: "INSERT INTO exchange_partner (code, name, endpoint, added_at, added_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    partner.code, partner.name, partner.endpoint, Self.seconds(partner.addedAt), partner.addedBy,
                ])
            for key in partner.keys { try insertPartnerKey(key, partner: partner.code, db) }
        }
    }

    func insertPartnerKey(_ key: PartnerKey, partner: String, _ db: Database) throws {
        if let holder = try String.fetchOne(
            db, sql: "SELECT partner_code FROM exchange_partner_key WHERE fingerprint = ?", arguments: [key.fingerprint]
        ) {
            throw StoreError.partnerKeyExists(fingerprint: key.fingerprint, partner: holder)
        }
        try db.execute(
            sql: """
                INSERT INTO exchange_partner_key (fingerprint, partner_code, der, added_at, added_by)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [key.fingerprint, partner, key.der, Self.seconds(key.addedAt), key.addedBy])
    }

    package func addExchangePartnerKey(_ key: PartnerKey, to code: String) throws -> ExchangePartner {
        try write { db in
            try requireSupervisor(
                key.addedBy, act: LocalizedText(zh: "登记协同机构公钥", en: "register a partner's key"), db)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM exchange_partner WHERE code = ?", arguments: [code]) == true
            else { throw StoreError.partnerNotFound(code) }
            try insertPartnerKey(key, partner: code, db)
            guard let partner = try fetchPartners(code: code, db).first else { throw StoreError.partnerNotFound(code) }
            return partner
        }
    }

    package func changeExchangePartner(
        _ code: String, _ change: PartnerChange, reason: String, by clerk: String, at now: Date
    ) throws -> ExchangePartner {
        try write { db in
            try requireSupervisor(clerk, act: LocalizedText(zh: "变更协同机构", en: "change an exchange partner"), db)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM exchange_partner WHERE code = ?", arguments: [code]) == true
            else { throw StoreError.partnerNotFound(code) }
            switch change {
            case .removeKey(let fingerprint):
                try db.execute(
                    sql: "DELETE FROM exchange_partner_key WHERE fingerprint = ? AND partner_code = ?",
                    arguments: [fingerprint, code])
                guard db.changesCount == 1 else {
                    throw StoreError.partnerKeyNotFound(fingerprint: fingerprint, partner: code)
                }
            case .endpoint(let endpoint):
                try db.execute(
                    sql: "UPDATE exchange_partner SET endpoint = ? WHERE code = ?", arguments: [endpoint, code])
            }
            let recorded = change.recorded
            try db.execute(
                sql: """
                    INSERT INTO exchange_partner_change (partner_code, at, by, change, detail, reason)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [code, Self.seconds(now), clerk, recorded.change, recorded.detail, reason])
            guard let partner = try fetchPartners(code: code, db).first else { throw StoreError.partnerNotFound(code) }
            return partner
        }
    }

    package func exchangePartnerChanges(_ code: String) throws -> [PartnerChangeRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM exchange_partner_change WHERE partner_code = ? ORDER BY id", arguments: [code]
            ).map {
                PartnerChangeRecord(
                    at: Self.date($0, "at") ?? .distantPast, by: $0["by"], change: $0["change"], detail: $0["detail"],
                    reason: $0["reason"])
            }
        }
    }

    func fetchPartners(code: String?, _ db: Database) throws -> [ExchangePartner] {
        let rows =
            if let code {
                try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM exchange_partner WHERE code = ?"), arguments: [code])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM exchange_partner ORDER BY code")
            }
        return try rows.map { row in
            let partnerCode: String = row["code"]
            let keys = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM exchange_partner_key WHERE partner_code = ? ORDER BY added_at, fingerprint"),
                arguments: [partnerCode]
            ).map { key in
                PartnerKey(
                    fingerprint: key["fingerprint"], der: key["der"],
                    addedAt: Self.date(key, "added_at") ?? .distantPast,
                    addedBy: key["added_by"])
            }
            return ExchangePartner(
                code: partnerCode, name: row["name"], endpoint: row["endpoint"],
                addedAt: Self.date(row, "added_at") ?? .distantPast, addedBy: row["added_by"], keys: keys)
        }
    }

    package func exchangePartners() throws -> [ExchangePartner] {
        try read { db in try fetchPartners(code: nil, db) }
    }

    package func exchangePartner(_ code: String) throws -> ExchangePartner? {
        try read { db in try fetchPartners(code: code, db).first }
    }

    static func inboundMessage(_ row: Row) -> InboundMessage {
        InboundMessage(
            senderCode: row["sender_code"], messageID: row["message_id"], digest: row["digest"], type: row["type"],
            collaborationNumber: row["collaboration_number"], receivedAt: date(row, "received_at") ?? .distantPast,
            accepted: row["accepted"], code: row["code"], reason: row["reason"], origin: row["origin"], raw: row["raw"],
            receipt: row["receipt"])
    }

    func fetchInbound(sender: String, messageID: String, _ db: Database) throws -> InboundMessage? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM exchange_inbox WHERE sender_code = ? AND message_id = ?"),
            arguments: [sender, messageID]
        ).map(Self.inboundMessage)
    }

    package func inboundMessage(sender: String, messageID: String) throws -> InboundMessage? {
        try read { db in try fetchInbound(sender: sender, messageID: messageID, db) }
    }

    package func openOutboundCase(
        prefix: String, build: (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) throws -> ExchangeCase {
        try write { db in try openOutbound(prefix: prefix, build: build, db) }
    }

    package func transferCase(
        _ number: CaseNumber, transition: String, reason: String?, by clerkID: String, at now: Date,
        expectedVersion: Int, recording: Recording, clock: SLAClock, prefix: String,
        build: (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) throws -> (step: StepOutcome, exchange: ExchangeCase) {
        try batch(clock: clock) { batch in
            let step = try batch.apply(
                [BatchStep(.exchangeStep(transition, reason: reason), by: clerkID, at: now, recording: recording)],
                to: number, expectedVersion: expectedVersion)
            // The events up to the transfer are the partner's to know from the transfer itself.
            let opened = try openOutbound(
                prefix: prefix,
                build: { number in
                    var (state, statuses, message) = try build(number)
                    state.reportedEvents = step.state.version
                    return (state, statuses, message)
                }, batch.db)
            return (step, opened)
        }
    }

    /// Takes a partner's step on the local case inside the message's transaction, when the case's
    /// stage still allows it; false when it does not (the case moved on, or is not here).
    func takeLocalStep(_ step: LocalCaseStep, clock: SLAClock, at now: Date, _ db: Database) throws -> Bool {
        let state: RegistrationCase
        do {
            state = try fetchCase(step.caseNumber, db)
        } catch StoreError.caseNotFound {
            return false
        }
        let definition = try definition(state.definition, db)
        guard let transition = definition.transition(step.transition),
            definition.transition(transition, leavesFrom: state.stage)
        else { return false }
        let actor = Clerk(
            id: LocalCaseStep.actorID(partner: step.partnerCode), name: step.partnerName, roles: Set(transition.roles))
        // Never before the case's last event (clocks differ), never after now.
        let at = min(max(step.at, state.updatedAt), now)
        let command: CaseCommand =
            transition.exchange == nil
            ? .transition(transition.id, reason: step.reason) : .exchangeStep(transition.id, reason: step.reason)
        do {
            _ = try Batch(store: self, db: db, clock: clock).apply(
                [BatchStep(command, by: actor.id, at: at, recording: Recording(at: now, doneByThen: actor))],
                to: step.caseNumber)
        } catch is WorkflowError {
            // A guard of the case's own refuses (a licensed case is not withdrawn): nothing written.
            return false
        }
        try invalidateSchedules(ifOlderThanStored: clock, db)
        return true
    }

    func openOutbound(
        prefix: String, build: (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage),
        _ db: Database
    ) throws -> ExchangeCase {
        do {
            let last = try String.fetchOne(
                db,
                sql: """
                    SELECT max(collaboration_number) FROM exchange_case
                    WHERE collaboration_number >= ? AND collaboration_number < ?
                    """,
                arguments: [prefix, prefix + ":"])
            let sequence = (last.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0) + 1
            guard sequence <= 9999 else { throw StoreError.storage("collaboration numbers of \(prefix) used up") }
            let number = prefix + String(repeating: "0", count: 4 - String(sequence).count) + String(sequence)
            let (state, statuses, message) = try build(number)
            try saveExchangeCase(state, db)
            try appendStatuses(statuses, to: number, db)
            try insertOutbound(message, db)
            return state
        }
    }

    package func changeExchangeCase(
        _ number: String, build: (ExchangeCase?) throws -> (ExchangeCase, [ExchangeStatusEntry], [OutboundMessage])
    ) throws -> ExchangeCase {
        try write { db in
            let (state, statuses, messages) = try build(try fetchExchangeCase(number, db))
            try saveExchangeCase(state, db)
            try appendStatuses(statuses, to: number, db)
            for message in messages { try insertOutbound(message, db) }
            return state
        }
    }

    package func returnTransfer(
        _ number: String, status: ExchangeStatusEntry, steps: [LocalCaseStep], clock: SLAClock, at now: Date
    ) throws -> TransferReturn? {
        try write { db in
            guard var state = try fetchExchangeCase(number, db), state.direction == .outbound, !state.isClosed else {
                return nil
            }
            state.status = status.status
            state.statusAt = status.time
            try saveExchangeCase(state, db)
            try appendStatuses([status], to: number, db)
            for step in steps where try takeLocalStep(step, clock: clock, at: now, db) {
                return .took(step.transition)
            }
            if let local = steps.first?.caseNumber,
                try Bool.fetchOne(
                    db, sql: "SELECT closed_at IS NULL FROM registration_case WHERE number = ?",
                    arguments: [local.description]) == true
            {
                throw StoreError.transferNotReturnable(local.description)
            }
            return .localCaseEnded
        }
    }

    package func refusedTransfers(limit: Int) throws -> [OutboundMessage] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.* FROM exchange_case c
                    JOIN exchange_outbox o ON o.collaboration_number = c.collaboration_number
                    WHERE c.direction = 'outbound' AND (c.status IS NULL OR c.status = 1)
                        AND o.type = 'CaseTransfer' AND o.state = 'rejected'
                    ORDER BY o.created_at, o.rowid LIMIT ?
                    """, arguments: [limit]
            ).map(Self.outbound)
        }
    }

    func insertOutbound(_ message: OutboundMessage, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO exchange_outbox (message_id, partner_code, type, collaboration_number, raw, digest,
                    created_at, state, attempts, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                message.messageID, message.partnerCode, message.type, message.collaborationNumber, message.raw,
                message.digest, Self.seconds(message.createdAt), message.state.rawValue, message.attempts,
                message.nextAttemptAt.map(Self.seconds),
            ])
    }

    static func outbound(_ row: Row) throws -> OutboundMessage {
        let stateText: String = row["state"]
        guard let state = OutboundState(rawValue: stateText) else {
            throw StoreError.storage("outbound message \(row["message_id"] as String): state \(stateText)")
        }
        return OutboundMessage(
            messageID: row["message_id"], partnerCode: row["partner_code"], type: row["type"],
            collaborationNumber: row["collaboration_number"], raw: row["raw"], digest: row["digest"],
            createdAt: date(row, "created_at") ?? .distantPast, state: state, attempts: row["attempts"],
            nextAttemptAt: date(row, "next_attempt_at"), lastError: row["last_error"], sentAt: date(row, "sent_at"),
            receipt: row["receipt"], receiptCode: row["receipt_code"], answeredAt: date(row, "answered_at"))
    }

    /// The due messages taken and held in one write transaction: a second process's sender
    /// waits for it, then finds them held.
    package func claimDueOutbound(at now: Date, limit: Int, holdUntil: Date) throws -> [OutboundMessage] {
        guard limit > 0 else { return [] }
        return try write { db in
            let due = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT * FROM exchange_outbox WHERE state = 'pending' AND next_attempt_at <= ?
                            AND NOT EXISTS (
                                SELECT 1 FROM exchange_outbox earlier
                                WHERE earlier.collaboration_number = exchange_outbox.collaboration_number
                                    AND earlier.partner_code = exchange_outbox.partner_code
                                    AND earlier.state = 'pending' AND earlier.rowid < exchange_outbox.rowid)
                        ORDER BY next_attempt_at, created_at LIMIT ?
                        """), arguments: [Self.seconds(now), limit]
            ).map(Self.outbound)
            for message in due {
                try db.cachedStatement(sql: "UPDATE exchange_outbox SET next_attempt_at = ? WHERE message_id = ?")
                    .execute(arguments: [Self.seconds(holdUntil), message.messageID])
            }
            return due
        }
    }

    package func recordDelivery(_ messageID: String, _ result: DeliveryResult) throws {
        try write { db in
            switch result {
            case .delivered(let at, let receipt):
                try db.execute(
                    sql: """
                        UPDATE exchange_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?,
                            next_attempt_at = NULL, last_error = NULL
                        WHERE message_id = ? AND state = 'pending'
                        """, arguments: [Self.seconds(at), messageID])
                if let receipt { try bind(receipt, db) }
            case .notDelivered(let at, let error, let retryAt):
                try db.execute(
                    sql: """
                        UPDATE exchange_outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
                            last_error = ?, answered_at = CASE WHEN ? IS NULL THEN ? ELSE answered_at END
                        WHERE message_id = ? AND state = 'pending'
                        """,
                    arguments: [
                        retryAt == nil ? "failed" : "pending", retryAt.map(Self.seconds), error,
                        retryAt.map(Self.seconds), Self.seconds(at), messageID,
                    ])
            }
        }
    }

    /// Binds a receipt to the message it answers: same id, same digest, same partner; a receipt
    /// that binds nothing changes nothing.
    @discardableResult
    func bind(_ receipt: ReceiptBinding, _ db: Database) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE exchange_outbox SET state = ?, receipt = ?, receipt_code = ?, answered_at = ?,
                    next_attempt_at = NULL
                WHERE message_id = ? AND digest = ? AND partner_code = ? AND state IN ('pending', 'sent')
                """,
            arguments: [
                receipt.accepted ? "acknowledged" : "rejected", receipt.raw, receipt.code, Self.seconds(receipt.at),
                receipt.requestMessageID, receipt.requestDigest, receipt.partnerCode,
            ])
        return db.changesCount > 0
    }

    package func outboundMessage(_ messageID: String) throws -> OutboundMessage? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM exchange_outbox WHERE message_id = ?", arguments: [messageID])
                .map(Self.outbound)
        }
    }

    package func outboundMessages(states: [OutboundState]?, limit: Int) throws -> [OutboundMessage] {
        try read { db in
            if let states {
                let marks = states.map { _ in "?" }.joined(separator: ", ")
                return try Row.fetchAll(
                    db,
                    sql:
                        "SELECT * FROM exchange_outbox WHERE state IN (\(marks)) ORDER BY created_at DESC, rowid DESC LIMIT ?",
                    arguments: StatementArguments(states.map { $0.rawValue as any DatabaseValueConvertible } + [limit])
                ).map(Self.outbound)
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM exchange_outbox ORDER BY created_at DESC, rowid DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.outbound)
        }
    }

    package func oldestUnansweredOutbound() throws -> Date? {
        try read { db in
            // Two index lookups (state, created_at), not a scan.
            let oldest = try [OutboundState.pending, .sent].compactMap { state in
                try Int64.fetchOne(
                    db, sql: "SELECT min(created_at) FROM exchange_outbox WHERE state = ?", arguments: [state.rawValue])
            }.min()
            return oldest.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
    }

    package func outboundCounts() throws -> [OutboundState: Int] {
        try read { db in
            var counts: [OutboundState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM exchange_outbox GROUP BY state") {
                if let state = OutboundState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    func appendStatuses(_ statuses: [ExchangeStatusEntry], to collaborationNumber: String, _ db: Database) throws {
        guard !statuses.isEmpty else { return }
        var seq =
            try Int.fetchOne(
                db, sql: "SELECT coalesce(max(seq), 0) FROM exchange_status WHERE collaboration_number = ?",
                arguments: [collaborationNumber]) ?? 0
        for entry in statuses {
            seq += 1
            try db.execute(
                sql: """
                    INSERT INTO exchange_status (collaboration_number, seq, status, at, reason, source, made_current)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    collaborationNumber, seq, entry.status, Self.seconds(entry.time), entry.reason, entry.source,
                    entry.madeCurrent,
                ])
        }
    }

    package func receiveExchangeMessages(_ items: [InboundItem], clock: SLAClock?) throws
        -> [ReceiveOutcome]
    {
        try write { db in
            try items.map {
                let (message, applied) = try receive($0, clock: clock, db)
                return ReceiveOutcome(message: message, applied: applied)
            }
        }
    }

    func receive(_ item: InboundItem, clock: SLAClock?, _ db: Database) throws -> (InboundMessage, Bool) {
        do {
            if let earlier = try fetchInbound(sender: item.sender, messageID: item.messageID, db) {
                return (earlier, false)
            }
            let stored = try fetchExchangeCase(item.collaborationNumber, db)
            var context = InboundContext()
            if item.needs.contains(.localCase), let local = stored?.localCase.flatMap(CaseNumber.init) {
                do {
                    let state = try fetchCase(local, db)
                    context.localCase = (state.stage, state.closedAt != nil || state.creditCode != nil)
                } catch StoreError.caseNotFound {
                    // Transferred here without a case of this hall's workflow behind it.
                }
            }
            if item.needs.contains(.statuses) {
                context.statuses = try fetchExchangeStatuses(item.collaborationNumber, db)
            }
            let decision = try item.decide(stored, context)
            let collaborationNumber = item.collaborationNumber
            if let state = decision.caseState { try saveExchangeCase(state, db) }
            if let clock {
                for step in decision.localSteps {
                    _ = try takeLocalStep(step, clock: clock, at: decision.message.receivedAt, db)
                }
            }
            try appendStatuses(decision.statuses, to: collaborationNumber, db)
            if let binding = decision.binding { try bind(binding, db) }
            let message = decision.message
            try db.cachedStatement(
                sql: """
                    INSERT INTO exchange_inbox (sender_code, message_id, digest, type, collaboration_number,
                        received_at, accepted, code, reason, origin, raw, receipt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    message.senderCode, message.messageID, message.digest, message.type, message.collaborationNumber,
                    Self.seconds(message.receivedAt), message.accepted, message.code, message.reason, message.origin,
                    message.raw, message.receipt,
                ])
            return (message, true)
        }
    }

    func saveExchangeCase(_ state: ExchangeCase, _ db: Database) throws {
        let licence = try state.licence.map { String(decoding: try Self.encoder.encode($0), as: UTF8.self) }
        try db.cachedStatement(
            sql: """
                INSERT INTO exchange_case (collaboration_number, partner_code, direction, mode, local_case,
                    partner_reference, enterprise_name, opened_at, status, status_at, licence_json, reported_events)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (collaboration_number) DO UPDATE SET local_case = excluded.local_case,
                    partner_reference = excluded.partner_reference, enterprise_name = excluded.enterprise_name,
                    status = excluded.status, status_at = excluded.status_at, licence_json = excluded.licence_json,
                    reported_events = excluded.reported_events
                """
        ).execute(
            arguments: [
                state.collaborationNumber, state.partnerCode, state.direction.rawValue, state.mode, state.localCase,
                state.partnerReference, state.enterpriseName, Self.seconds(state.openedAt), state.status,
                state.statusAt.map(Self.seconds), licence, state.reportedEvents,
            ])
    }

    static func exchangeCase(_ row: Row) throws -> ExchangeCase {
        let directionText: String = row["direction"]
        guard let direction = ExchangeDirection(rawValue: directionText) else {
            throw StoreError.storage(
                "exchange case \(row["collaboration_number"] as String): direction \(directionText)")
        }
        let licence = try (row["licence_json"] as String?).map {
            try Self.decoder.decode(ExchangeLicence.self, from: Data($0.utf8))
        }
        var found = ExchangeCase(
            collaborationNumber: row["collaboration_number"], partnerCode: row["partner_code"], direction: direction,
            mode: row["mode"], localCase: row["local_case"], partnerReference: row["partner_reference"],
            enterpriseName: row["enterprise_name"], openedAt: date(row, "opened_at") ?? .distantPast,
            status: row["status"], statusAt: date(row, "status_at"), licence: licence)
        found.reportedEvents = row["reported_events"]
        return found
    }

    func fetchExchangeCase(_ number: String, _ db: Database) throws -> ExchangeCase? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM exchange_case WHERE collaboration_number = ?"), arguments: [number]
        )
        .map(Self.exchangeCase)
    }

    package func exchangeCase(_ number: String) throws -> ExchangeCase? {
        try read { db in try fetchExchangeCase(number, db) }
    }

    package func openInboundCases(limit: Int) throws -> [ExchangeCase] {
        try openExchangeCases(direction: .inbound, limit: limit)
    }

    package func openOutboundCases(limit: Int) throws -> [ExchangeCase] {
        try openExchangeCases(direction: .outbound, limit: limit)
    }

    func openExchangeCases(direction: ExchangeDirection, limit: Int) throws -> [ExchangeCase] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM exchange_case WHERE direction = ?
                        AND (status IS NULL OR status NOT IN (2, 4, 5, 11, 12, 13, 14, 15))
                        AND (\(direction == .inbound ? "local_case IS NULL OR " : "")EXISTS (
                            SELECT 1 FROM registration_case c
                            WHERE c.number = exchange_case.local_case AND c.version > exchange_case.reported_events))
                    ORDER BY opened_at LIMIT ?
                    """, arguments: [direction.rawValue, limit]
            ).map(Self.exchangeCase)
        }
    }

    package func inboundTransfer(_ number: String) throws -> InboundMessage? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM exchange_inbox WHERE collaboration_number = ? AND type = 'CaseTransfer' AND accepted = 1
                    ORDER BY received_at LIMIT 1
                    """, arguments: [number]
            ).map(Self.inboundMessage)
        }
    }

    package func exchangeCases(limit: Int) throws -> [ExchangeCase] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM exchange_case ORDER BY opened_at DESC, collaboration_number DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.exchangeCase)
        }
    }

    package func exchangeStatuses(_ number: String) throws -> [ExchangeStatusEntry] {
        try read { db in try fetchExchangeStatuses(number, db) }
    }

    func fetchExchangeStatuses(_ number: String, _ db: Database) throws -> [ExchangeStatusEntry] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM exchange_status WHERE collaboration_number = ? ORDER BY seq", arguments: [number]
        ).map { row in
            ExchangeStatusEntry(
                status: row["status"], time: Self.date(row, "at") ?? .distantPast, reason: row["reason"],
                source: row["source"], madeCurrent: row["made_current"])
        }
    }

    package func recordDeadLetter(_ letter: DeadLetter) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO exchange_dead_letter (received_at, origin, sender_code, message_id, digest, code,
                        reason, raw, receipt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Self.seconds(letter.receivedAt), letter.origin, letter.senderCode, letter.messageID, letter.digest,
                    letter.code, letter.reason, letter.raw, letter.receipt,
                ])
        }
    }

    /// The dead letters: those refused before they were recorded, and the recorded messages that
    /// were refused (whose record and receipt the inbox keeps), newest first.
    package func deadLetters(limit: Int) throws -> [DeadLetter] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM (
                        SELECT id, received_at, origin, sender_code, message_id, digest, code, reason, raw, receipt
                        FROM exchange_dead_letter
                        UNION ALL
                        SELECT NULL, received_at, origin, sender_code, message_id, digest, code,
                            coalesce(reason, type), raw, receipt
                        FROM exchange_inbox WHERE accepted = 0
                    ) ORDER BY received_at DESC, digest DESC, coalesce(id, 0) DESC LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                DeadLetter(
                    id: row["id"], receivedAt: Self.date(row, "received_at") ?? .distantPast, origin: row["origin"],
                    senderCode: row["sender_code"], messageID: row["message_id"], digest: row["digest"],
                    code: row["code"] ?? "", reason: row["reason"], raw: row["raw"], receipt: row["receipt"])
            }
        }
    }
}

// The exchange's part of DeskStore: each call off the cooperative pool.
extension CaseStore {
    public func addExchangePartner(_ partner: ExchangePartner) async throws {
        try await offPool { try self.addExchangePartner(partner) }
    }

    public func changeExchangePartner(
        _ code: String, _ change: PartnerChange, reason: String, by clerk: String, at now: Date
    ) async throws -> ExchangePartner {
        try await offPool { try self.changeExchangePartner(code, change, reason: reason, by: clerk, at: now) }
    }

    public func exchangePartnerChanges(_ code: String) async throws -> [PartnerChangeRecord] {
        try await offPool { try self.exchangePartnerChanges(code) }
    }

    public func addExchangePartnerKey(_ key: PartnerKey, to code: String) async throws -> ExchangePartner {
        try await offPool { try self.addExchangePartnerKey(key, to: code) }
    }

    public func exchangePartners() async throws -> [ExchangePartner] {
        try await offPool { try self.exchangePartners() }
    }

    public func exchangePartner(_ code: String) async throws -> ExchangePartner? {
        try await offPool { try self.exchangePartner(code) }
    }

    public func inboundMessage(sender: String, messageID: String) async throws -> InboundMessage? {
        try await offPool { try self.inboundMessage(sender: sender, messageID: messageID) }
    }

    public func receiveExchangeMessages(_ items: [InboundItem], clock: SLAClock?) async throws
        -> [(message: InboundMessage, applied: Bool)]
    {
        try await offPool { try self.receiveExchangeMessages(items, clock: clock) }.map { ($0.message, $0.applied) }
    }

    public func openOutboundCase(
        prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> ExchangeCase {
        try await offPool { try self.openOutboundCase(prefix: prefix, build: build) }
    }

    public func transferCase(
        _ number: CaseNumber, transition: String, reason: String?, by clerkID: String, at now: Date,
        expectedVersion: Int, recording: Recording, clock: SLAClock, prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase) {
        let outcome = try await offPool {
            let result = try self.transferCase(
                number, transition: transition, reason: reason, by: clerkID, at: now,
                expectedVersion: expectedVersion, recording: recording, clock: clock, prefix: prefix, build: build)
            return TransferOutcome(step: result.step, exchange: result.exchange)
        }
        return (outcome.step, outcome.exchange)
    }

    public func changeExchangeCase(
        _ collaborationNumber: String,
        build: @escaping @Sendable (ExchangeCase?) throws -> (ExchangeCase, [ExchangeStatusEntry], [OutboundMessage])
    ) async throws -> ExchangeCase {
        try await offPool { try self.changeExchangeCase(collaborationNumber, build: build) }
    }

    public func returnTransfer(
        _ collaborationNumber: String, status: ExchangeStatusEntry, steps: [LocalCaseStep], clock: SLAClock,
        at now: Date
    ) async throws -> TransferReturn? {
        try await offPool {
            try self.returnTransfer(collaborationNumber, status: status, steps: steps, clock: clock, at: now)
        }
    }

    public func refusedTransfers(limit: Int) async throws -> [OutboundMessage] {
        try await offPool { try self.refusedTransfers(limit: limit) }
    }

    public func claimDueOutbound(at now: Date, limit: Int, holdUntil: Date) async throws -> [OutboundMessage] {
        try await offPool { try self.claimDueOutbound(at: now, limit: limit, holdUntil: holdUntil) }
    }

    public func recordDelivery(_ messageID: String, _ result: DeliveryResult) async throws {
        try await offPool { try self.recordDelivery(messageID, result) }
    }

    public func outboundMessage(_ messageID: String) async throws -> OutboundMessage? {
        try await offPool { try self.outboundMessage(messageID) }
    }

    public func outboundMessages(states: [OutboundState]?, limit: Int) async throws -> [OutboundMessage] {
        try await offPool { try self.outboundMessages(states: states, limit: limit) }
    }

    public func oldestUnansweredOutbound() async throws -> Date? {
        try await offPool { try self.oldestUnansweredOutbound() }
    }

    public func outboundCounts() async throws -> [OutboundState: Int] {
        try await offPool { try self.outboundCounts() }
    }

    public func recordDeadLetter(_ letter: DeadLetter) async throws {
        try await offPool { try self.recordDeadLetter(letter) }
    }

    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        try await offPool { try self.deadLetters(limit: limit) }
    }

    public func exchangeCase(_ collaborationNumber: String) async throws -> ExchangeCase? {
        try await offPool { try self.exchangeCase(collaborationNumber) }
    }

    public func openOutboundCases(limit: Int) async throws -> [ExchangeCase] {
        try await offPool { try self.openOutboundCases(limit: limit) }
    }

    public func openInboundCases(limit: Int) async throws -> [ExchangeCase] {
        try await offPool { try self.openInboundCases(limit: limit) }
    }

    public func inboundTransfer(_ collaborationNumber: String) async throws -> InboundMessage? {
        try await offPool { try self.inboundTransfer(collaborationNumber) }
    }

    public func exchangeCases(limit: Int) async throws -> [ExchangeCase] {
        try await offPool { try self.exchangeCases(limit: limit) }
    }

    public func exchangeStatuses(_ collaborationNumber: String) async throws -> [ExchangeStatusEntry] {
        try await offPool { try self.exchangeStatuses(collaborationNumber) }
    }
}

/// A tuple is not Sendable; this carries ``CaseStore/receiveExchangeMessage`` back from the pool.
struct TransferOutcome: Sendable {
    var step: StepOutcome
    var exchange: ExchangeCase
}

package struct ReceiveOutcome: Sendable {
    package var message: InboundMessage
    package var applied: Bool
}
