import Foundation
import Hummingbird
import KaibanCore
import Logging

/// The outermost middleware: picks the answer's language, and turns whatever a route or an inner
/// middleware throws into an `application/problem+json` answer (never an empty 500), logging the
/// unexpected ones with what they were.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = KaibanRequestContext

    let bodyLimit: Int
    let metrics: ServerMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.language = AcceptLanguage.language(request.headers[.acceptLanguage])
        let start = ContinuousClock.now
        context.logger.trace("\(request.method) \(request.uri.path) begins")
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let (problem, unexpected) = HTTPProblem.answering(error, path: request.uri.path, limit: bodyLimit)
            if unexpected {
                context.logger.error(
                    "\(request.method) \(request.uri.path): \(problem.status.code) \(problem.code)",
                    metadata: ["error": "\(String(reflecting: error))"])
            }
            response = ProblemDocument(problem, language: context.language).response(
                headers: problem.headers, language: context.language, head: request.method == .head)
        }
        let elapsed = ContinuousClock.now - start
        metrics?.record(
            route: context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched",
            method: request.method.rawValue, status: response.status.code,
            duration: elapsed)
        context.logger.debug(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: ["ms": "\(elapsed.milliseconds)"])
        return response
    }
}

/// Reads every request body before any route, up to the limit: a body declared or found larger
/// is answered 413 and never reaches a route (nor the desk). Routes then read it from memory.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = KaibanRequestContext

    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.maxUploadSize = limit
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw HTTPProblem(
                    .badRequest, "request.invalid", title: LocalizedText(zh: "请求有误", en: "Invalid request"),
                    detail: LocalizedText(zh: "Content-Length不是字节数", en: "Content-Length is not a number of bytes"))
            }
            guard length <= limit else { throw HTTPProblem.bodyTooLarge(limit: limit) }
            if length == 0 { return try await next(request, context) }
        }
        var request = request
        _ = try await request.collectBody(upTo: limit)
        return try await next(request, context)
    }
}

extension Duration {
    /// Whole milliseconds, for the log.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
