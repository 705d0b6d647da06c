import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk
import Synchronization

/// Kaiban's one JSON vocabulary over HTTP, as `--json` writes it on the command line: keys
/// sorted, instants ISO 8601 in hall time with their offset, slashes unescaped.
public enum KaibanJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(HallTime.isoText(of: date))
        }
        return encoder
    }()

    /// Instants as `HallTime.parse` reads them (an offset, or hall time without one).
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = HallTime.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an ISO 8601 instant such as 2026-11-26T09:05:00+08:00")
            }
            return date
        }
        return decoder
    }()
}

/// A desk result (any `Encodable`) as a JSON response: what a route returns,
/// `return JSONResponse(try await desk.caseView(number))`, or with `status: .created`.
public struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var value: Value
    public var status: HTTPResponse.Status
    public var headers: HTTPFields

    public init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try KaibanJSON.encoder.encode(value)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(data.count)]
        headers.append(contentsOf: self.headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension KaibanJSON {
    /// Portals' receipts as ``encoder`` writes them, each checklist encoded once.
    static let receipts = ChecklistJSON(encoder: encoder)

    /// A submission's receipt: byte for byte what ``encoder`` makes of it.
    static func body(of receipt: SubmissionReceipt) throws -> ByteBuffer {
        ByteBuffer(bytes: try receipts.encode(receipt, checklist: receipt.case.checklist) { $0.case.checklist = $1 })
    }
}

/// Reads a request's JSON body for `request.decode(as:context:)`: a body that is not
/// `application/json` is 415, one that is not JSON 400, one whose fields are missing or of the
/// wrong type 422 with every such field (`body.invalid`). The desk's own checks come after.
public struct KaibanRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws
        -> T
    {
        let contentType = request.headers[.contentType]
        guard let contentType, Self.isJSON(contentType) else {
            throw HTTPProblem.unsupportedMediaType(contentType, expected: "application/json")
        }
        // JSON between systems is UTF-8 (RFC 8259 §8.1): a body declared in another charset would
        // be read as UTF-8 and its names stored wrong. Every charset parameter counts (a repeated one
        // cannot smuggle another past the first).
        guard let parameters = MediaType.parameters(contentType) else {
            throw HTTPProblem.unsupportedMediaType(contentType, expected: "application/json")
        }
        for (name, value) in parameters where name == "charset" {
            let charset = value.lowercased()
            // US-ASCII is UTF-8's first 128 characters: text in it is UTF-8 as well.
            guard charset == "utf-8" || charset == "utf8" || charset == "us-ascii" else {
                throw HTTPProblem.unsupportedCharset(charset)
            }
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        // The bytes themselves are UTF-8 too: the decoder would take UTF-16 or UTF-32 labelled as UTF-8.
        guard MediaType.isUTF8(buffer.readableBytesView) else { throw HTTPProblem.notUTF8 }
        if let repeated = JSONDuplicateKeys.first(in: buffer.readableBytesView) {
            throw HTTPProblem.invalidBody([
                FieldProblem(
                    field: repeated,
                    reason: LocalizedText(
                        zh: "该键在同一对象中出现两次", en: "appears twice in its object (a key is given once)"))
            ])
        }
        do {
            return try KaibanJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw Self.problem(error)
        }
    }

    /// `application/json` or a `+json` type, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first.map {
            $0.trimmingSpaces().lowercased()
        }
        guard let mediaType else { return false }
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }

    /// A decoding error as the problem to answer.
    static func problem(_ error: DecodingError) -> HTTPProblem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return .malformedJSON
        case .dataCorrupted(let context):
            return .invalidBody([
                FieldProblem(
                    field: path(context.codingPath),
                    reason: LocalizedText(zh: "值无法识别", en: "is not readable: \(context.debugDescription)"))
            ])
        case .keyNotFound(let key, let context):
            return .invalidBody([
                FieldProblem(
                    field: path(context.codingPath + [key]), reason: LocalizedText(zh: "缺少此项", en: "is missing"))
            ])
        case .valueNotFound(let type, let context):
            return .invalidBody([
                FieldProblem(
                    field: path(context.codingPath),
                    reason: LocalizedText(zh: "不能为空（应为\(typeName(type))）", en: "is null (expected \(typeName(type)))"))
            ])
        case .typeMismatch(let type, let context):
            return .invalidBody([
                FieldProblem(
                    field: path(context.codingPath),
                    reason: LocalizedText(
                        zh: "类型不符（应为\(typeName(type))）", en: "has the wrong type (expected \(typeName(type)))")
                )
            ])
        @unknown default:
            return .malformedJSON
        }
    }

    /// A coding path as the desk names fields, counting from 1: `investors[1].idNumber` is the
    /// first investor's, as in the desk's own problems with an application.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index + 1)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    /// A JSON type name for a Swift type.
    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "integer"
        case is Double.Type, is Float.Type, is Decimal.Type: "number"
        case is [Any].Type: "array"
        default: "object"
        }
    }
}

/// JSON already encoded, answered as it is (``JSONResponse``'s headers). The buffer is shared,
/// not copied, with the cache that keeps it.
public struct EncodedJSONResponse: ResponseGenerator, Sendable {
    public var body: ByteBuffer
    public var status: HTTPResponse.Status = .ok
    public var headers: HTTPFields = [:]

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes)]
        headers.append(contentsOf: self.headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

/// The bodies of `GET /cases/{number}`: the last one of each case, answered again while the
/// case's version and the instant of its figures are the same (a portal polling a case gets the
/// same bytes within the same second); and the case's own JSON, by far the largest part, kept
/// while its version is the same, so that a new second encodes only the figures and the steps
/// open. Bounded: when full it starts again empty.
public final class CaseViewBodies: Sendable {
    struct Entry {
        var version: Int
        var asOf: Date
        var body: ByteBuffer
        var caseJSON: Data
    }

    private let entries = Mutex([String: Entry]())
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// `view` as JSON: byte for byte what ``KaibanJSON/encoder`` makes of it.
    public func body(of view: CaseView) throws -> ByteBuffer {
        let key = view.case.number.description
        let known = entries.withLock { $0[key] }
        if let known, known.version == view.case.version, known.asOf == view.asOf { return known.body }
        let caseJSON =
            if let known, known.version == view.case.version { known.caseJSON } else {
                try KaibanJSON.encoder.encode(view.case)
            }
        let body = try Self.splice(view, caseJSON: caseJSON)
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[key] = Entry(version: view.case.version, asOf: view.asOf, body: body, caseJSON: caseJSON)
        }
        return body
    }

    /// The object ``KaibanJSON/encoder`` writes for `view` (its keys sorted, no blanks), with
    /// the case's part already encoded. The keys are CaseView's: a test compares the two.
    static func splice(_ view: CaseView, caseJSON: Data) throws -> ByteBuffer {
        let encoder = KaibanJSON.encoder
        var body = ByteBuffer()
        body.reserveCapacity(caseJSON.count + 1_024)
        body.writeString(#"{"asOf":"#)
        body.writeBytes(try encoder.encode(view.asOf))
        body.writeString(#","case":"#)
        body.writeBytes(caseJSON)
        body.writeString(#","nextSteps":"#)
        body.writeBytes(try encoder.encode(view.nextSteps))
        body.writeString(view.reconstructed ? #","reconstructed":true,"sla":"# : #","reconstructed":false,"sla":"#)
        body.writeBytes(try encoder.encode(view.sla))
        body.writeString("}")
        return body
    }
}

/// Media type parameters (RFC 9110 §5.6.6) and the UTF-8 check of a JSON body.
enum MediaType {
    /// The parameters after a header value's first item (`application/json; charset=utf-8`,
    /// `attachment; filename="a.pdf"`): names in lower case, values with their quotes and escapes
    /// undone (`charset="utf-8"` is `utf-8`; a `;` inside quotes is part of the value); an item
    /// without `=` is skipped. Nil when a quoted string is not terminated.
    static func parameters(_ header: String) -> [(name: String, value: String)]? {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { return nil }
        items.append(current)
        return items.dropFirst().compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return (parts[0].trimmingSpaces().lowercased(), parts[1].trimmingSpaces())
        }
    }

    /// Whether `bytes` are well-formed UTF-8 without a NUL (nothing is allocated to tell). A raw
    /// NUL is never JSON (a string escapes it), and ASCII written as UTF-16 is NULs between valid
    /// UTF-8 bytes, which the decoder would otherwise read as UTF-16.
    static func isUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == 0 { return false }
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
