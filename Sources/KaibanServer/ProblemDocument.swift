import Foundation
import Hummingbird
import KaibanCore

/// A problem as RFC 9457 writes it (`application/problem+json`), with Kaiban's `code` and
/// `fields`:
///
/// ```json
/// {"code": "route.not-found", "detail": "no route has the path /nope", "fields": [],
///  "status": 404, "title": "No such route", "type": "tag:kaiban,2026:problem:route.not-found"}
/// ```
///
/// `type` identifies the code (a tag URI, RFC 4151: an identifier, not a page to fetch); `title` is
/// the same for every problem of that code, `detail` says what happened this time; `fields` lists
/// every field problem at once (一次性告知): `{"field": "investors[1].idNumber", "message": …}`.
/// Texts are in the language the request asked for; citizen ID numbers in them are masked.
public struct ProblemDocument: Codable, Sendable, Equatable {
    /// One field problem.
    public struct Field: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var fields: [Field]

    /// The media type of every problem the server answers with.
    public static let mediaType = "application/problem+json"

    /// The `type` of a problem code.
    public static func type(of code: String) -> String { "tag:kaiban,2026:problem:\(code)" }

    public init(_ problem: HTTPProblem, language: Language) {
        self.type = Self.type(of: problem.code)
        self.title = problem.title.text(language)
        self.status = problem.status.code
        self.detail = Self.safe(problem.detail.text(language))
        self.code = problem.code
        self.fields = problem.fields.map { Field(field: $0.field, message: Self.safe($0.reason.text(language))) }
    }

    /// A text as it may leave the server: no citizen ID number in full, no hidden character
    /// (as the command line shows problems).
    static func safe(_ text: String) -> String {
        FreeText.showingHidden(CitizenID.maskingNumbers(in: text))
    }

    /// The problem as a response (without its body to a HEAD request).
    func response(headers extra: HTTPFields = [:], language: Language? = nil, head: Bool = false) -> Response {
        // Encoding these plain values cannot fail; were it to, the answer still has a body.
        let data =
            (try? KaibanJSON.encoder.encode(self))
            ?? Data(#"{"code":"server.internal","status":500,"title":"Internal server error"}"#.utf8)
        var headers: HTTPFields = [.contentType: Self.mediaType, .contentLength: String(data.count)]
        if let language {
            headers[.contentLanguage] = language.rawValue
            headers[.vary] = "Accept-Language"
        }
        headers.append(contentsOf: extra)
        let status = HTTPResponse.Status(code: status)
        return Response(
            status: status, headers: headers, body: head ? .init() : .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
