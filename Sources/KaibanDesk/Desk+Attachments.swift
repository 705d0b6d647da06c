import Foundation
import KaibanCore
import KaibanCrypto

/// The file of an electronic document that came through a portal: which document of the case's
/// checklist it is, its SHA-256 (computed by the desk; the file's name in the data directory),
/// what it is by its magic bytes, and how it came.
public struct DocumentAttachment: Sendable, Equatable, Codable {
    public var code: String
    /// 64 lowercase hexadecimal digits.
    public var sha256: String
    /// In bytes.
    public var size: Int
    /// What the file is by its first bytes (``KaibanCore/DocumentFileType``).
    public var mediaType: String
    /// The file's name as the portal gave it, if it gave one.
    public var fileName: String?
    /// When it was received: the instant of the event that records it.
    public var receivedAt: Date
    /// The portal it came through.
    public var portal: String
    /// Whether it was supplied under a deferral (补交) rather than received before acceptance.
    public var supplied: Bool
    /// The event of the case's history that records it.
    public var sequence: Int

    public init(
        code: String, sha256: String, size: Int, mediaType: String, fileName: String?, receivedAt: Date,
        portal: String, supplied: Bool, sequence: Int = 0
    ) {
        self.code = code
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
        self.fileName = fileName
        self.receivedAt = receivedAt
        self.portal = portal
        self.supplied = supplied
        self.sequence = sequence
    }
}

/// A file a portal sends for one document of a case, as the edge read it from the request.
public struct DocumentUpload: Sendable {
    /// The document's code in the case's checklist.
    public var code: String
    public var content: Data
    /// The media type the sender stated (`Content-Type`), as sent.
    public var contentType: String?
    /// The file's name the sender gave (`Content-Disposition`), if any.
    public var fileName: String?
    /// SHA-256 digests the sender stated, in hexadecimal: each must be the file's.
    public var statedSHA256: [String]

    public init(code: String, content: Data, contentType: String?, fileName: String? = nil, statedSHA256: [String] = [])
    {
        self.code = code
        self.content = content
        self.contentType = contentType
        self.fileName = fileName
        self.statedSHA256 = statedSHA256
    }
}

/// What attaching a file answers: the attachment as kept, and the step's outcome (the case, ID
/// numbers masked, and the events written: the document received, the deferral closed…).
public struct AttachmentOutcome: Sendable, Equatable, Codable {
    public var attachment: DocumentAttachment
    public var state: RegistrationCase
    public var events: [CaseEvent]

    public init(attachment: DocumentAttachment, state: RegistrationCase, events: [CaseEvent]) {
        self.attachment = attachment
        self.state = state
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case attachment
        case state = "case"
        case events
    }
}

/// A document's file as kept, with what is known of it.
public struct AttachedFile: Sendable, Equatable {
    public var attachment: DocumentAttachment
    public var content: Data
}

extension Desk {
    /// The longest file name kept with an attachment, in characters.
    public static let fileNameLimit = 200

    /// The applicant attaches the file of one document through the case's portal: before
    /// acceptance it is a document received (electronic, with its SHA-256), under an open
    /// deferral a deferred document supplied (补交; the last one closes the deferral), with the
    /// same rules as at the window. The file must be what it says it is (PDF, JPEG, PNG or OFD,
    /// by its first bytes) and what the sender's digest says; the store keeps it under the data
    /// directory before it records it. A refusal records nothing, and keeps no file when found
    /// before the file is kept; the store's own refusal in its transaction (two uploads for one
    /// document at once) leaves a file no record names, which `admin rebuild` removes after an hour.
    public func attachDocument(
        _ number: CaseNumber, _ upload: DocumentUpload, password: String, through portal: Portal
    ) async throws -> AttachmentOutcome {
        try await run {
            let now = try await authorize(number, password: password, through: portal)
            let (type, sha256) = try Self.checkFile(upload)
            let fileName = try Self.fileName(upload.fileName)
            let state = try await store.registrationCase(number)
            let document = ReceivedDocument(code: upload.code, form: .electronic, sha256: sha256)
            let supplied =
                state.deferral?.isOpen == true
                && state.deferral?.outstanding.contains { $0.code == upload.code } == true
            if supplied {
                try await checkSupply([document], on: number)
            } else {
                try checkReceipt([document], on: state)
            }
            let command: CaseCommand = supplied ? .supplyDeferred(document) : .receiveDocument(document)
            try await bringInStep(.workflow)
            let clerk = try await portalClerk(portal)
            // The engine's refusals (a document already in, a closed case…) come before the file
            // is kept; the store decides again in its transaction.
            _ = try WorkflowEngine(definition: try await definition(state.definition))
                .decide(command, on: state, by: clerk, at: max(now, state.updatedAt))
            let attachment = DocumentAttachment(
                code: upload.code, sha256: sha256, size: upload.content.count, mediaType: type.mediaType,
                fileName: fileName, receivedAt: now, portal: portal.id, supplied: supplied)
            try settings.claimDataDirectory()
            let outcome = try await store.attach(
                attachment, content: upload.content, in: settings.dataDirectory, command: command, to: number,
                by: clerk.id, recording: Recording(at: now, doneByThen: clerk, datedNow: true),
                clock: try await slaClock())
            return AttachmentOutcome(
                attachment: outcome.attachment, state: outcome.state.maskingIDs(), events: outcome.events.maskingIDs())
        }
    }

    /// Case `number`'s documents, with their attached files, as its applicant reads them.
    public func portalDocuments(_ number: CaseNumber, password: String, through portal: Portal) async throws
        -> CaseDocuments
    {
        try await run {
            _ = try await authorize(number, password: password, through: portal)
            return try await documents(number)
        }
    }

    /// The file attached for document `code` of case `number`, as its applicant reads it back;
    /// checked against its digest before it is given.
    public func portalAttachment(_ number: CaseNumber, code: String, password: String, through portal: Portal)
        async throws -> AttachedFile
    {
        try await run {
            _ = try await authorize(number, password: password, through: portal)
            guard let attachment = try await store.attachments(number).first(where: { $0.code == code }) else {
                throw Problem(
                    .notFound, "attachment.not-found", zh: "办件\(number)没有材料“\(code)”的附件",
                    en: "case \(number) has no file attached for \"\(code)\"")
            }
            let content = try await store.attachmentContent(sha256: attachment.sha256, in: settings.dataDirectory)
            guard let content, Secrets.sha256Hex(content) == attachment.sha256 else {
                throw Problem(
                    .brokenData, "attachment.file-unreadable",
                    zh: "办件\(number)材料“\(code)”的文件（\(attachment.sha256)）缺失或已损坏",
                    en: "the file of \"\(code)\" on case \(number) (\(attachment.sha256)) is missing or damaged")
            }
            return AttachedFile(attachment: attachment, content: content)
        }
    }

    /// The type of an uploaded file, checked by its first bytes against the type stated, and its
    /// SHA-256, checked against every digest the sender stated.
    static func checkFile(_ upload: DocumentUpload) throws -> (DocumentFileType, String) {
        let accepted = DocumentFileType.allCases.map(\.mediaType).joined(separator: ", ")
        guard !upload.content.isEmpty else {
            throw Problem(.invalid, "document.empty", zh: "文件为空", en: "the file is empty")
        }
        guard let stated = upload.contentType.flatMap(DocumentFileType.init(contentType:)) else {
            let given = upload.contentType ?? "-"
            throw Problem(
                .refused, "document.unsupported-type", zh: "不受理“\(given)”类型的文件（可提交：\(accepted)）",
                en: "files of type \"\(given)\" are not taken (accepted: \(accepted))")
        }
        let found = DocumentFileType.sniff(upload.content)
        guard found == stated else {
            throw Problem(
                .refused, "document.type-mismatch",
                zh: "文件内容不是所声明的\(stated.mediaType)（按文件头识别为\(found?.mediaType ?? "不受理的类型")）",
                en:
                    "the file is not the \(stated.mediaType) it is declared as (its first bytes say \(found?.mediaType ?? "a type not taken"))"
            )
        }
        let sha256 = Secrets.sha256Hex(upload.content)
        for digest in upload.statedSHA256 {
            // A header's digest may be written in either case (the hexadecimal is the same).
            let given = digest.lowercased()
            guard given.utf8.count == 64,
                given.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else {
                throw Problem(
                    .invalid, "document.digest-invalid", zh: "所附摘要“\(digest)”有误：SHA-256摘要应为64位十六进制数字",
                    en: "the stated digest \"\(digest)\" is unusable: a SHA-256 is 64 hexadecimal digits")
            }
            guard given == sha256 else {
                throw Problem(
                    .refused, "document.digest-mismatch",
                    zh: "文件的SHA-256摘要为\(sha256)，与所附摘要\(given)不符（文件可能在传输中损坏）",
                    en: "the file's SHA-256 is \(sha256), not the stated \(given) (damaged in transit?)")
            }
        }
        return (stated, sha256)
    }

    /// A file name as kept: one line of visible text, no folder in it; nil when none was given.
    static func fileName(_ given: String?) throws -> String? {
        guard let name = given?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return nil }
        let problem =
            FreeText.problem(name, limit: fileNameLimit)
            ?? (name.contains("/") || name.contains("\\") || name == "." || name == ".."
                ? LocalizedText(zh: "不能含有路径", en: "must not contain a path") : nil)
        if let problem {
            throw Problem(
                .invalid, "document.file-name-invalid", zh: "文件名“\(name)”\(problem.zh)",
                en: "the file name \"\(name)\" \(problem.en)",
                fields: [FieldProblem(field: "filename", reason: problem)])
        }
        return name
    }
}
