import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk
import NIOCore
import NIOHTTP1

/// A problem as the HTTP API answers it: a status, a stable code, a title that is the same for
/// every problem of the code, the text of this occurrence, the fields concerned, and headers
/// (`Allow` on a 405). A desk ``KaibanCore/Problem`` becomes one by its kind (``status(of:)``);
/// the server's own (no such route, a body too large…) are made here. Routes throw either.
public struct HTTPProblem: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: LocalizedText
    public var detail: LocalizedText
    public var fields: [FieldProblem]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ code: String, title: LocalizedText, detail: LocalizedText,
        fields: [FieldProblem] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.fields = fields
        self.headers = headers
    }

    /// A desk problem, with the status of its kind. The text of a server-side failure (storage,
    /// broken data) stays in the log: the answer says only what failed, by its code.
    public init(_ problem: Problem) {
        let status = Self.status(of: problem.kind)
        let detail: LocalizedText =
            switch (problem.kind, problem.code) {
            case (.storage, _):
                // The database, the documents' files or the process's descriptors: which, the log says.
                LocalizedText(zh: "服务器存储暂时不可用，请稍后再试", en: "the server's storage is unavailable; try again later")
            case (.brokenData, "attachment.file-unreadable"):
                LocalizedText(
                    zh: "该材料的文件缺失或无法读取，已记入日志，请联系大厅",
                    en: "the file of this document is missing or unreadable (logged); contact the hall")
            case (.brokenData, _):
                LocalizedText(
                    zh: "服务器的流程定义或参考数据有误，已记入日志", en: "the server's definitions or reference data are broken (logged)")
            default:
                problem.text
            }
        let title =
            problem.code == "attachment.file-unreadable"
            ? LocalizedText(zh: "材料文件不可读", en: "Document file unreadable") : Self.title(of: problem.kind)
        self.init(status, problem.code, title: title, detail: detail, fields: Self.listed(problem.fields))
        // Codes whose HTTP meaning is sharper than their kind's.
        switch problem.code {
        case "portal.unauthorized", "staff.unauthorized":
            self.status = .unauthorized
            self.headers = [.wwwAuthenticate: "Bearer realm=\"kaiban\""]
        case "access.password-wrong":
            self.status = .unauthorized
        case "access.rate-limited":
            self.status = .tooManyRequests
            // When the lock lifts (RFC 9110 §10.2.3); the whole window when the desk did not say.
            self.headers = [.retryAfter: String(problem.retryAfterSeconds ?? Int(Desk.accessWindow))]
        case "document.unsupported-type":
            self.status = .unsupportedMediaType
            self.headers = [.accept: DocumentFileType.allCases.map(\.mediaType).joined(separator: ", ")]
        default:
            break
        }
    }

    /// The most field problems an answer lists: a body of a hundred thousand bad entries would
    /// otherwise be answered with a list several times its own size.
    public static let maximumFields = 100

    /// `fields`, at most ``maximumFields`` of them: the first ones, then one saying how many more.
    static func listed(_ fields: [FieldProblem]) -> [FieldProblem] {
        guard fields.count > maximumFields else { return fields }
        let more = fields.count - (maximumFields - 1)
        return Array(fields.prefix(maximumFields - 1)) + [
            FieldProblem(
                field: "…", reason: LocalizedText(zh: "另有\(more)项问题未列出", en: "\(more) more problems not listed"))
        ]
    }

    /// The HTTP status of a desk problem's kind: `invalid` 400 (the request itself is unreadable
    /// or incomplete), `refused` 422 (well formed, but the rules refuse it: an application with
    /// problems, a step the stage does not allow), `forbidden` 403, `conflict` 409, `not-found`
    /// 404, `storage` 503 (the database failed: worth a retry), `broken-data` 500 (a definition or
    /// reference file of the server is broken: not the client's doing).
    public static func status(of kind: ProblemKind) -> HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .refused: .unprocessableContent
        case .forbidden: .forbidden
        case .conflict: .conflict
        case .notFound: .notFound
        case .storage: .serviceUnavailable
        case .brokenData: .internalServerError
        }
    }

    /// The title of every problem of a kind.
    static func title(of kind: ProblemKind) -> LocalizedText {
        switch kind {
        case .invalid: LocalizedText(zh: "请求有误", en: "Invalid request")
        case .refused: LocalizedText(zh: "不符合办理规则", en: "Refused by the rules")
        case .forbidden: LocalizedText(zh: "无权办理", en: "Not allowed")
        case .conflict: LocalizedText(zh: "与当前状态冲突", en: "Conflicts with the current state")
        case .notFound: LocalizedText(zh: "未找到", en: "Not found")
        case .storage: LocalizedText(zh: "存储故障", en: "Storage failure")
        case .brokenData: LocalizedText(zh: "定义或数据有误", en: "Broken definition or data")
        }
    }
}

// MARK: The server's own problems

extension HTTPProblem {
    /// No route has this path (404, `route.not-found`).
    public static func routeNotFound(_ path: String) -> HTTPProblem {
        let path = shown(path)
        return HTTPProblem(
            .notFound, "route.not-found", title: LocalizedText(zh: "没有这个接口", en: "No such route"),
            detail: LocalizedText(zh: "没有路径为\(path)的接口", en: "no route has the path \(path)"))
    }

    /// A path as a message shows it: its first 200 characters, then "…" (a path may be 20 KB).
    static func shown(_ path: String) -> String {
        path.count > 200 ? path.prefix(200) + "…" : path
    }

    /// The path exists, the method does not (405, `method.not-allowed`, with `Allow`).
    public static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method])
        -> HTTPProblem
    {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        let path = shown(path)
        return HTTPProblem(
            .methodNotAllowed, "method.not-allowed", title: LocalizedText(zh: "不支持该请求方法", en: "Method not allowed"),
            detail: LocalizedText(
                zh: "\(path)不接受\(method.rawValue)请求，只接受\(list)", en: "\(path) takes \(list), not \(method.rawValue)"),
            headers: [.allow: list])
    }

    /// A body over the limit (413, `body.too-large`): it never reaches a route. The answer closes
    /// the connection (`Connection: close`, RFC 9110 §15.5.14): the connection's sending side is
    /// shut once the answer is written, and what the client still sends is dropped until it
    /// closes (or the idle timeout), instead of the connection being kept for further requests.
    public static func bodyTooLarge(limit: Int) -> HTTPProblem {
        HTTPProblem(
            .contentTooLarge, "body.too-large", title: LocalizedText(zh: "请求正文过大", en: "Request body too large"),
            detail: LocalizedText(
                zh: "请求正文超过\(limit)字节的上限", en: "the request body is over the limit of \(limit) bytes"),
            headers: [.connection: "close"])
    }

    /// A body that is not of the media type the route takes (415, `body.unsupported-type`).
    public static func unsupportedMediaType(_ given: String?, expected: String) -> HTTPProblem {
        // An empty or blank Content-Type states no type either.
        let given = given.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        return HTTPProblem(
            .unsupportedMediaType, "body.unsupported-type",
            title: LocalizedText(zh: "不支持的正文类型", en: "Unsupported media type"),
            detail: LocalizedText(
                zh: "请求正文应为\(expected)，而不是\(given.map { "“\($0)”" } ?? "未注明的类型")",
                en: "the request body must be \(expected), not \(given.map { "\"\($0)\"" } ?? "of no stated type")"),
            headers: [.accept: expected])
    }

    /// JSON declared in a charset other than UTF-8 (415, `body.unsupported-type`).
    public static func unsupportedCharset(_ charset: String) -> HTTPProblem {
        HTTPProblem(
            .unsupportedMediaType, "body.unsupported-type",
            title: LocalizedText(zh: "不支持的正文类型", en: "Unsupported media type"),
            detail: LocalizedText(
                zh: "JSON正文应为UTF-8编码，而不是“\(charset)”", en: "a JSON body must be UTF-8, not \"\(charset)\""),
            headers: [.accept: "application/json; charset=utf-8"])
    }

    /// A body that is not JSON at all (400, `body.malformed`).
    public static let malformedJSON = HTTPProblem(
        .badRequest, "body.malformed", title: LocalizedText(zh: "请求正文不是有效的JSON", en: "Malformed JSON"),
        detail: LocalizedText(zh: "请求正文不是有效的JSON", en: "the request body is not valid JSON"))

    /// A body whose bytes are not UTF-8 (400, `body.malformed`): JSON between systems is UTF-8
    /// (RFC 8259 §8.1), whatever the request's header says.
    public static let notUTF8 = HTTPProblem(
        .badRequest, "body.malformed", title: LocalizedText(zh: "请求正文不是有效的JSON", en: "Malformed JSON"),
        detail: LocalizedText(zh: "请求正文不是UTF-8编码（JSON应为UTF-8）", en: "the request body is not UTF-8 (JSON is UTF-8)"))

    /// JSON whose fields are missing or of the wrong type (422, `body.invalid`, one field each).
    public static func invalidBody(_ fields: [FieldProblem]) -> HTTPProblem {
        HTTPProblem(
            .unprocessableContent, "body.invalid", title: LocalizedText(zh: "请求正文的内容有误", en: "Invalid request body"),
            detail: LocalizedText(zh: "请求正文的内容有误：", en: "the request body does not fit:"), fields: fields)
    }

    /// Anything else that went wrong in the server (500, `server.internal`): what it was stays in
    /// the log.
    public static let internalError = HTTPProblem(
        .internalServerError, "server.internal", title: LocalizedText(zh: "服务器内部错误", en: "Internal server error"),
        detail: LocalizedText(zh: "服务器内部错误，已记入日志", en: "an internal error occurred (logged)"))

    /// A request cut short by the server stopping (503, `server.stopping`).
    /// A request whose connection ended before its body did (400, `request.incomplete`; nobody
    /// is left to read it, but the figures count it as the client's, not as a server error).
    public static let requestIncomplete = HTTPProblem(
        .badRequest, "request.incomplete", title: LocalizedText(zh: "请求不完整", en: "Incomplete request"),
        detail: LocalizedText(zh: "连接在请求正文结束前关闭", en: "the connection closed before the request body ended"))

    /// A connection's first request head did not come whole within the header timeout (408,
    /// `request.timeout`); the connection is closed after it.
    public static let requestTimeout = HTTPProblem(
        .requestTimeout, "request.timeout", title: LocalizedText(zh: "请求超时", en: "Request timeout"),
        detail: LocalizedText(
            zh: "请求头未在规定时间内完整送达，连接已关闭", en: "the request's head did not arrive whole in time; the connection is closed")
    )

    /// A request's body came slower than the least rate (``ServerSettings/minBodyRate``) after
    /// the grace (408, `request.timeout`); the connection is closed after it.
    public static let bodyTimeout = HTTPProblem(
        .requestTimeout, "request.timeout", title: LocalizedText(zh: "请求超时", en: "Request timeout"),
        detail: LocalizedText(
            zh: "请求正文送达过慢（低于每秒最低字节数），连接已关闭",
            en: "the request's body came too slowly (under the least bytes a second); the connection is closed"))

    /// Too many large bodies being received at once (503, `server.busy`, `Retry-After: 1`): the
    /// memory they may take together is bounded.
    public static let busy = HTTPProblem(
        .serviceUnavailable, "server.busy", title: LocalizedText(zh: "服务繁忙", en: "Server busy"),
        detail: LocalizedText(
            zh: "同时上传的文件过多，请稍后重试", en: "too many files are being uploaded at once; try again shortly"),
        headers: [.retryAfter: "1"])

    public static let stopping = HTTPProblem(
        .serviceUnavailable, "server.stopping", title: LocalizedText(zh: "服务正在停止", en: "Server stopping"),
        detail: LocalizedText(zh: "服务正在停止，请稍后重试", en: "the server is stopping; try again later"))

    /// What Hummingbird itself threw (a path parameter that does not parse, for one).
    static func from(_ error: HTTPError, path: String, limit: Int) -> HTTPProblem {
        switch error.status {
        case .notFound:
            return .routeNotFound(path)
        case .contentTooLarge:
            return .bodyTooLarge(limit: limit)
        case .badRequest:
            let message = error.body ?? "bad request"
            return HTTPProblem(
                .badRequest, "request.invalid", title: LocalizedText(zh: "请求有误", en: "Invalid request"),
                detail: LocalizedText(zh: message, en: message), headers: error.headers)
        default:
            let phrase = error.status.reasonPhrase
            let message = error.body ?? phrase
            return HTTPProblem(
                error.status, "http.\(error.status.code)", title: LocalizedText(zh: phrase, en: phrase),
                detail: LocalizedText(zh: message, en: message), headers: error.headers)
        }
    }
}

extension HTTPProblem {
    /// Any error a route or middleware threw, as the problem to answer, and whether it is one the
    /// server did not expect (logged as an error, with what it was).
    static func answering(_ error: any Error, path: String, limit: Int) -> (problem: HTTPProblem, unexpected: Bool) {
        switch error {
        case let problem as HTTPProblem:
            return (problem, problem.status.code >= 500)
        case let convertible as any ProblemConvertible:
            let problem = convertible.problem
            return (HTTPProblem(problem), problem.kind == .storage || problem.kind == .brokenData)
        case let error as HTTPError:
            let problem = from(error, path: path, limit: limit)
            return (problem, problem.status.code >= 500)
        case is NIOTooManyBytesError:
            return (.bodyTooLarge(limit: limit), false)
        case is CancellationError:
            return (.stopping, false)
        case let error as HTTPParserError where error == .invalidEOFState || error == .closedConnection:
            // The client hung up before its body ended: its fault, nothing to log as an error.
            return (.requestIncomplete, false)
        case let error as ChannelError where error == .eof || error == .ioOnClosedChannel || error == .inputClosed:
            return (.requestIncomplete, false)
        default:
            return (.internalError, true)
        }
    }
}

extension HTTPProblem: HTTPResponseError {
    /// The problem as `application/problem+json` in Chinese (the middleware answers in the
    /// language asked for; this is only for a problem thrown outside it).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        ProblemDocument(self, language: .zh).response(headers: headers, head: request.method == .head)
    }
}
