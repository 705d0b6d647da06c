import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk

/// The body of a withdrawal: why.
struct WithdrawalRequest: Codable, Sendable {
    var reason: String?
}

/// The body of a supply of deferred documents: each electronic file by its checklist code and
/// SHA-256.
struct SupplyRequest: Codable, Sendable {
    struct Document: Codable, Sendable {
        var code: String
        var sha256: String
    }

    var documents: [Document]
}

extension KaibanServer {
    /// The portals' routes (网上办, 掌上办). Every one needs the portal's bearer token; a case is
    /// read or acted on only with its query password (header `X-Query-Password`), and only by
    /// the portal that submitted it.
    /// - `POST /applications` (header `Idempotency-Key`): submit; 201 with the case and its query
    ///   password, 200 with the same answer on a retry.
    /// - `GET /cases/{number}`: the case, its SLA figures and next steps, as `kaiban show`.
    /// - `GET /cases/{number}/history`: its events.
    /// - `POST /cases/{number}/withdrawal`: withdraw, with a reason.
    /// - `POST /cases/{number}/supplies`: deferred documents supplied (补交).
    /// - the documents' files (``addDocumentRoutes(_:)``).
    func addPortalRoutes(_ routes: RouteTable) {
        let desk = desk
        routes.post("/applications") { request, context in
            let portal = try await Self.portal(request, desk)
            let key = try Self.idempotencyKey(request)
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let form = try await KaibanRequestDecoder().decode(
                ApplicationForm.self, from: Request(head: request.head, body: .init(buffer: body)), context: context)
            let (application, formProblems) = form.decoded(channel: portal.channel)
            guard formProblems.isEmpty else { throw await desk.everyProblem(of: application, besides: formProblems) }
            let receipt = try await desk.submit(
                application, through: portal, idempotencyKey: key, requestBody: Data(body.readableBytesView),
                canonicalBody: try Self.canonicalEncoder.encode(form))
            return EncodedJSONResponse(
                body: try KaibanJSON.body(of: receipt), status: receipt.replayed ? .ok : .created,
                headers: [.location: "/cases/\(receipt.case.number)"])
        }
        let views = CaseViewBodies()
        routes.get("/cases/{number}") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            let view = try await desk.portalCase(number, password: password, through: portal)
            return EncodedJSONResponse(body: try views.body(of: view))
        }
        routes.get("/cases/{number}/history") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            return JSONResponse(try await desk.portalHistory(number, password: password, through: portal))
        }
        routes.post("/cases/{number}/withdrawal") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            let body = try await request.decode(as: WithdrawalRequest.self, context: context)
            return JSONResponse(
                try await desk.portalWithdraw(number, password: password, reason: body.reason, through: portal))
        }
        routes.post("/cases/{number}/supplies") { request, context in
            let (portal, number, password) = try await Self.caseAccess(request, context, desk)
            let body = try await request.decode(as: SupplyRequest.self, context: context)
            let documents = body.documents.map { ReceivedDocument(code: $0.code, form: .electronic, sha256: $0.sha256) }
            return JSONResponse(
                try await desk.portalSupplement(number, password: password, documents: documents, through: portal))
        }
        addDocumentRoutes(routes)
    }

    /// The form as decoded, written with sorted keys: what a retry is compared by.
    static let canonicalEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The value of the request's header `name` (lower case), if any.
    static func header(_ request: Request, _ name: String) -> String? {
        request.headers.first { $0.name.canonicalName == name }?.value
    }

    /// The request's one `Idempotency-Key`: missing, or given twice (a proxy may keep either on a
    /// retry, which would then make a second case), it is refused.
    static func idempotencyKey(_ request: Request) throws -> String {
        let keys = request.headers.filter { $0.name.canonicalName == "idempotency-key" }
        guard let key = keys.first?.value else {
            throw Problem(
                .invalid, "idempotency.key-missing", zh: "缺少Idempotency-Key请求头",
                en: "the Idempotency-Key header is missing")
        }
        guard keys.count == 1 else {
            throw Problem(
                .invalid, "idempotency.key-repeated", zh: "Idempotency-Key请求头只能有一个（收到\(keys.count)个）",
                en: "the Idempotency-Key header must be given once (it came \(keys.count) times)")
        }
        return key
    }

    /// The portal whose bearer token the request carries.
    static func portal(_ request: Request, _ desk: Desk) async throws -> Portal {
        guard let token = bearer(request) else {
            let given = request.headers[.authorization] != nil
            throw Problem(
                .forbidden, "portal.unauthorized",
                zh: given
                    ? "门户令牌的写法有误（应为请求头 Authorization: Bearer 令牌，中间一个空格）"
                    : "缺少门户令牌（请求头 Authorization: Bearer 令牌）",
                en: given
                    ? "the portal token is not written as Authorization: Bearer TOKEN (one space between)"
                    : "no portal token (the header Authorization: Bearer TOKEN)")
        }
        return try await desk.portal(token: token)
    }

    /// The portal, the case number of the path and the query password of a case route.
    static func caseAccess(_ request: Request, _ context: KaibanRequestContext, _ desk: Desk) async throws
        -> (Portal, CaseNumber, String)
    {
        let portal = try await portal(request, desk)
        let text = context.pathParameter("number")
        guard let number = CaseNumber(text) else {
            throw Problem(
                .invalid, "case.number-invalid", zh: "办件编号“\(text)”格式有误", en: "\"\(text)\" is not a case number",
                fields: [
                    FieldProblem(
                        field: "number",
                        reason: LocalizedText(
                            zh: "应为“区划-日期-序号”，如510811-20261126-0001", en: "is not DIVISION-DATE-SEQUENCE"))
                ])
        }
        guard let password = Self.header(request, "x-query-password"), !password.isEmpty else {
            throw Problem(
                .forbidden, "access.password-wrong", zh: "缺少查询密码（X-Query-Password）",
                en: "the query password is missing (X-Query-Password)")
        }
        return (portal, number, password)
    }
}
