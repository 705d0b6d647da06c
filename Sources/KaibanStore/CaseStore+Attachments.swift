import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Keeps the file, then applies the command and records the attachment in one transaction
    /// (``DeskStore/attach(_:content:in:command:to:by:recording:clock:)``).
    package func attach(
        _ attachment: DocumentAttachment, content: Data, in directory: URL, command: CaseCommand,
        to number: CaseNumber, by clerk: String, recording: Recording, clock: SLAClock
    ) throws -> AttachmentOutcome {
        // Durable before the transaction: a crash in between leaves a file no record names,
        // never a record without its file.
        try DocumentFiles(root: directory).keep(content, sha256: attachment.sha256)
        return try batch(clock: clock) { batch in
            let outcome = try batch.apply(
                [BatchStep(command, by: clerk, at: attachment.receivedAt, recording: recording)], to: number)
            guard let event = outcome.events.first(where: { $0.kind == .documentReceived }) else {
                throw StoreError.storage("attaching \(attachment.code) to \(number) recorded no document")
            }
            var kept = attachment
            kept.sequence = event.sequence
            try batch.db.execute(
                sql: """
                    INSERT INTO attachment (case_id, code, sha256, size, media_type, file_name, received_at,
                                            portal_id, supplied, sequence)
                    VALUES ((SELECT id FROM registration_case WHERE number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    number.description, kept.code, kept.sha256, kept.size, kept.mediaType, kept.fileName,
                    Self.seconds(kept.receivedAt), kept.portal, kept.supplied, kept.sequence,
                ])
            return AttachmentOutcome(attachment: kept, state: outcome.state, events: outcome.events)
        }
    }

    package func attachments(_ number: CaseNumber) throws -> [DocumentAttachment] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT code, sha256, size, media_type, file_name, received_at, portal_id, supplied, sequence
                        FROM attachment WHERE case_id = (SELECT id FROM registration_case WHERE number = ?)
                        ORDER BY sequence
                        """), arguments: [number.description]
            ).map { row in
                DocumentAttachment(
                    code: row["code"], sha256: row["sha256"], size: row["size"], mediaType: row["media_type"],
                    fileName: row["file_name"],
                    receivedAt: Date(timeIntervalSince1970: TimeInterval(row["received_at"] as Int64)),
                    portal: row["portal_id"], supplied: row["supplied"], sequence: row["sequence"])
            }
        }
    }

    public func attach(
        _ attachment: DocumentAttachment, content: Data, in directory: URL, command: CaseCommand,
        to number: CaseNumber, by clerk: String, recording: Recording, clock: SLAClock
    ) async throws -> AttachmentOutcome {
        try await offPool {
            try self.attach(
                attachment, content: content, in: directory, command: command, to: number, by: clerk,
                recording: recording, clock: clock)
        }
    }

    public func attachments(_ number: CaseNumber) async throws -> [DocumentAttachment] {
        try await offPool { try self.attachments(number) }
    }

    public func attachmentContent(sha256: String, in directory: URL) async throws -> Data? {
        try await offPool { try DocumentFiles(root: directory).read(sha256) }
    }

    public func checkDocumentFiles(in directory: URL, olderThan: Date) async throws -> DocumentFileCheck {
        try await offPool { try self.checkDocumentFiles(in: directory, olderThan: olderThan) }
    }

    /// See ``DeskStore/checkDocumentFiles(in:olderThan:)``. The records are read first; a file
    /// younger than `olderThan` is left alone whatever it is.
    package func checkDocumentFiles(in directory: URL, olderThan: Date) throws -> DocumentFileCheck {
        let recorded = try read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT sha256, size FROM attachment").map {
                (sha256: $0[0] as String, size: $0[1] as Int)
            }
        }
        return try DocumentFiles(root: directory).check(recorded: recorded, olderThan: olderThan)
    }
}
