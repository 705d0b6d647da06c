import Foundation
import Hummingbird
import KaibanCore
import KaibanCrypto
import KaibanDesk

extension KaibanServer {
    /// The documents of a case, for its portal (bearer token and `X-Query-Password`, as every case
    /// route):
    /// - `GET /cases/{number}/documents`: the checklist, where each document stands, and the files
    ///   attached.
    /// - `POST /cases/{number}/documents/{code}`: the file of one document as the raw body (PDF,
    ///   JPEG, PNG or OFD, `Content-Type` stating which; `Content-Disposition` may name it;
    ///   `Repr-Digest: sha-256=:…:` or `X-Content-SHA256` may state its digest). It takes bodies up
    ///   to ``ServerSettings/maxDocumentBytes``; 201 with the attachment and the step's outcome.
    /// - `GET /cases/{number}/documents/{code}`: that file back, as it was kept.
    func addDocumentRoutes(_ routes: RouteTable) {
        let desk = desk
        routes.get("/cases/{number}/documents") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            return JSONResponse(try await desk.portalDocuments(number, password: password, through: portal))
        }
        // The token and the query password are checked before the file is read: a file of up to
        // `maxDocumentBytes` sent without them is answered at once, and never sent at all by a
        // client waiting for `100 Continue` (it had been sent 100 and its file read first).
        let mayAttach: @Sendable (Request, KaibanRequestContext) async throws -> Void = { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            try await desk.portalAccess(number, password: password, through: portal)
        }
        routes.post("/cases/{number}/documents/{code}", bodyLimit: settings.maxDocumentBytes, beforeBody: mayAttach) {
            request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            let code = context.pathParameter("code")
            let upload = DocumentUpload(
                code: code,
                content: Data(try await request.body.collect(upTo: context.maxUploadSize).readableBytesView),
                contentType: request.headers[.contentType],
                fileName: try UploadHeaders.fileName(Self.header(request, "content-disposition")),
                statedSHA256: try UploadHeaders.statedSHA256(request.headers))
            let outcome = try await desk.attachDocument(number, upload, password: password, through: portal)
            return JSONResponse(
                outcome, status: .created, headers: [.location: "/cases/\(number)/documents/\(outcome.attachment.code)"]
            )
        }
        routes.get("/cases/{number}/documents/{code}") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            let code = context.pathParameter("code")
            let file = try await desk.portalAttachment(number, code: code, password: password, through: portal)
            let attachment = file.attachment
            var headers: HTTPFields = [
                .contentType: attachment.mediaType, .contentLength: String(file.content.count),
                .contentDisposition: UploadHeaders.contentDisposition(attachment),
                .eTag: "\"\(attachment.sha256)\"", .cacheControl: "no-store",
            ]
            for (name, value) in [
                ("Repr-Digest", UploadHeaders.reprDigest(attachment.sha256)), ("X-Content-Type-Options", "nosniff"),
            ] {
                if let name = HTTPFields.Element.Name(name) { headers[name] = value }
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.content)))
        }
    }
}

/// What the documents' route reads from a request's headers besides the body, and writes back.
enum UploadHeaders {
    static func invalid(_ zh: String, _ en: String) -> HTTPProblem {
        HTTPProblem(
            .badRequest, "request.invalid", title: LocalizedText(zh: "请求有误", en: "Invalid request"),
            detail: LocalizedText(zh: zh, en: en))
    }

    /// The SHA-256 digests a request states, in hexadecimal: `sha-256` of `Repr-Digest` and
    /// `Content-Digest` (RFC 9530; the same for a body sent without a content coding), and
    /// `X-Content-SHA256` as given. Other algorithms are ignored; a `sha-256` that is not 32 bytes
    /// in base64 is 400.
    static func statedSHA256(_ headers: HTTPFields) throws -> [String] {
        var digests: [String] = []
        for name in ["Repr-Digest", "Content-Digest"] {
            for field in headers where field.name.canonicalName == name.lowercased() {
                for (key, value) in dictionary(field.value) where key == "sha-256" {
                    guard value.count > 2, value.hasPrefix(":"), value.hasSuffix(":"),
                        let bytes = Data(base64Encoded: String(value.dropFirst().dropLast())), bytes.count == 32
                    else {
                        throw invalid(
                            "\(name)中的sha-256应为以冒号括起的32字节Base64值",
                            "the sha-256 of \(name) is not 32 bytes of base64 between colons")
                    }
                    digests.append(Secrets.hex(bytes))
                }
            }
        }
        digests += headers.filter { $0.name.canonicalName == "x-content-sha256" }.map {
            $0.value.trimmingCharacters(in: .whitespaces)
        }
        return digests
    }

    /// The members of a structured-field dictionary (`sha-256=:…:, sha-512=:…:`), keys lower case.
    static func dictionary(_ field: String) -> [(String, String)] {
        field.split(separator: ",").compactMap { member in
            let parts = member.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            // Parameters after the value (`;q=…`) are not part of it.
            let value = parts[1].split(separator: ";").first.map(String.init) ?? ""
            return (
                parts[0].trimmingCharacters(in: .whitespaces).lowercased(), value.trimmingCharacters(in: .whitespaces)
            )
        }
    }

    /// The file name of a `Content-Disposition` value: `filename*=UTF-8''…` (RFC 8187) when
    /// given, else `filename` (quoted or not); nil without either. A value that does not parse is 400.
    static func fileName(_ header: String?) throws -> String? {
        guard let header else { return nil }
        var named: [String: String] = [:]
        for (name, value) in try parameters(header) { named[name] = value }
        if let extended = named["filename*"] {
            let parts = extended.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].lowercased() == "utf-8", let name = parts[2].removingPercentEncoding else {
                throw invalid(
                    "Content-Disposition的filename*应为UTF-8''加百分号编码的文件名",
                    "the filename* of Content-Disposition is not UTF-8'' and a percent-encoded name")
            }
            return name
        }
        return named["filename"]
    }

    /// The parameters after a header value's first item (`attachment; filename="a.pdf"`), as
    /// ``MediaType/parameters(_:)`` reads them; an unterminated quoted string is 400.
    static func parameters(_ header: String) throws -> [(name: String, value: String)] {
        guard let parameters = MediaType.parameters(header) else {
            throw invalid("Content-Disposition的引号不成对", "Content-Disposition has an unterminated quoted string")
        }
        return parameters
    }

    /// What RFC 8187 leaves unencoded in a parameter value (`attr-char`): ASCII letters, digits
    /// and a few marks; every other byte of the UTF-8 name is percent-encoded.
    static let attributeCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")

    /// `Content-Disposition` of a file given back: its name as kept (RFC 8187 for what is not
    /// ASCII), else the document's code with the type's extension.
    static func contentDisposition(_ attachment: DocumentAttachment) -> String {
        let fallback = "\(attachment.code).\(DocumentFileType(rawValue: attachment.mediaType)?.fileExtension ?? "bin")"
        guard let name = attachment.fileName else { return "attachment; filename=\"\(fallback)\"" }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: attributeCharacters) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// `Repr-Digest` of a file given back (RFC 9530).
    static func reprDigest(_ sha256: String) -> String {
        "sha-256=:\(Data(Secrets.bytes(hex: sha256) ?? []).base64EncodedString()):"
    }
}
