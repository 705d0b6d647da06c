import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Documents' files on PostgreSQL, as the SQLite store keeps them: each file under the data
/// directory by its SHA-256 (the same layout, so either store reads the other's folder), kept
/// durably before the transaction that records it; the record written with the event that
/// receives its document, in that transaction (the case's row locked, as for any step), and never
/// changed or removed. Several servers share the folder: a file is content-addressed and renamed
/// into place whole, so two keeping the same file at once write the same bytes.
extension PostgresStore {
    public func attach(
        _ attachment: DocumentAttachment, content: Data, in directory: URL, command: CaseCommand,
        to number: CaseNumber, by clerk: String, recording: Recording, clock: SLAClock
    ) async throws -> AttachmentOutcome {
        // Durable before the transaction: a crash in between leaves a file no record names,
        // never a record without its file.
        try await Self.offloaded {
            _ = try DocumentFiles(root: directory).keep(content, sha256: attachment.sha256)
        }
        // As a step (`steps`): who acts and the case's workflow version are read first.
        let doer: Clerk
        if let then = recording.doneByThen { doer = then } else { doer = try await self.clerk(clerk) }
        let definition = try await caseDefinition(number)
        let step = BatchStep(command, by: clerk, at: attachment.receivedAt, recording: recording)
        return try await guarded { [self] in
            try await transaction { [self] connection in
                let outcome = try await apply(
                    [step], to: number, expectedVersion: nil, clerks: [clerk: doer], definition: definition,
                    clock: clock, connection)
                guard let event = outcome.events.first(where: { $0.kind == .documentReceived }) else {
                    throw StoreError.storage("attaching \(attachment.code) to \(number) recorded no document")
                }
                var kept = attachment
                kept.sequence = event.sequence
                _ = try await connection.query(
                    """
                    INSERT INTO attachment (case_id, code, sha256, size, media_type, file_name, received_at, portal_id,
                        supplied, sequence)
                    VALUES ((SELECT id FROM registration_case WHERE number = \(number.description)), \(kept.code),
                        \(kept.sha256), \(kept.size), \(kept.mediaType), \(kept.fileName),
                        \(Self.wholeSeconds(kept.receivedAt)), \(kept.portal), \(kept.supplied), \(kept.sequence))
                    """, logger: logger)
                return AttachmentOutcome(attachment: kept, state: outcome.state, events: outcome.events)
            }
        }
    }

    public func attachments(_ number: CaseNumber) async throws -> [DocumentAttachment] {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT code, sha256, size, media_type, file_name, received_at, portal_id, supplied, sequence
                FROM attachment WHERE case_id = (SELECT id FROM registration_case WHERE number = \(number.description))
                ORDER BY sequence
                """, logger: logger)
            var attachments: [DocumentAttachment] = []
            for try await (
                code, sha256, size, mediaType, fileName, receivedAt, portal, supplied, sequence
            )
                in rows.decode((String, String, Int, String, String?, Date, String, Bool, Int).self)
            {
                attachments.append(
                    DocumentAttachment(
                        code: code, sha256: sha256, size: size, mediaType: mediaType, fileName: fileName,
                        receivedAt: receivedAt, portal: portal, supplied: supplied, sequence: sequence))
            }
            return attachments
        }
    }

    public func attachmentContent(sha256: String, in directory: URL) async throws -> Data? {
        try await Self.offloaded { try DocumentFiles(root: directory).read(sha256) }
    }

    /// See ``DeskStore/checkDocumentFiles(in:olderThan:)``. The records are read first; a file
    /// younger than `olderThan` is left alone whatever it is (another server may be recording it).
    public func checkDocumentFiles(in directory: URL, olderThan: Date) async throws
        -> DocumentFileCheck
    {
        let recorded = try await guarded { [self] in
            var recorded: [RecordedFile] = []
            for try await (sha256, size) in try await client.query(
                "SELECT DISTINCT sha256, size FROM attachment", logger: logger
            ).decode((String, Int).self) {
                recorded.append(RecordedFile(sha256: sha256, size: size))
            }
            return recorded
        }
        return try await Self.offloaded {
            try DocumentFiles(root: directory).check(
                recorded: recorded.map { ($0.sha256, $0.size) }, olderThan: olderThan)
        }
    }

    /// `body` (file work that blocks: writes flushed to the disk, directory listings) on a thread
    /// of its own rather than one of the tasks' few.
    fileprivate static func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// An attachment record's digest and size, carried out of ``PostgresStore/guarded(_:)``.
private struct RecordedFile: Sendable {
    var sha256: String
    var size: Int
}
