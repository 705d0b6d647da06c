import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk
import KaibanExchange
import NIOCore

extension KaibanServer {
    /// `POST /exchange/messages`: a partner province's signed message (Forms/exchange/README.md §9),
    /// `application/xml`. 200 with this hall's signed receipt for every message answered by one,
    /// rejections included; 204 for a receipt (receipts are not answered); 400 or 413 problems when
    /// no receipt can be made; 503 `exchange.not-configured` while the hall has no exchange key.
    /// The documents of a transfer are not fetched over HTTP yet: a transfer whose files are not
    /// already at hand is answered `document.missing` (the spool folder carries them).
    func addExchangeRoutes(_ routes: RouteTable) {
        let inbox: ExchangeInbox?
        do {
            inbox = try ExchangeInbox.open(desk)
        } catch {
            logger.notice(
                "exchange: not configured, POST /exchange/messages answers 503", metadata: ["reason": "\(error)"])
            inbox = nil
        }
        routes.post("/exchange/messages", bodyLimit: ExchangeMessage.maximumSize) { request, context in
            guard let inbox else {
                throw HTTPProblem(
                    .serviceUnavailable, "exchange.not-configured",
                    title: LocalizedText(zh: "未开通报文交换", en: "Exchange not configured"),
                    detail: LocalizedText(
                        zh: "本厅尚未生成交换密钥（kaiban exchange keygen）或未设置本机构",
                        en: "this hall has no exchange key (kaiban exchange keygen) or no authority set"))
            }
            let type = request.headers[.contentType]
            let essence = type?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard essence == "application/xml" || essence == "text/xml" else {
                throw HTTPProblem.unsupportedMediaType(type, expected: "application/xml")
            }
            let body = Data(try await request.body.collect(upTo: context.maxUploadSize).readableBytesView)
            let answer = try await inbox.receive(body, origin: "http", documents: nil)
            context.logger.info(
                "exchange: message received",
                metadata: [
                    "outcome": "\(answer.outcome.rawValue)", "type": "\(answer.type ?? "-")",
                    "id": "\(answer.messageID ?? "-")", "sender": "\(answer.senderCode ?? "-")",
                    "code": "\(answer.code ?? "-")",
                ])
            if let receipt = answer.receipt {
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/xml; charset=utf-8", .contentLength: String(receipt.count)],
                    body: .init(byteBuffer: ByteBuffer(bytes: receipt)))
            }
            switch answer.httpStatus {
            case 413:
                throw HTTPProblem.bodyTooLarge(limit: ExchangeMessage.maximumSize)
            case 400:
                throw HTTPProblem(
                    .badRequest, answer.code ?? "message.unreadable",
                    title: LocalizedText(zh: "报文无法读取", en: "Unreadable message"),
                    detail: LocalizedText(zh: answer.reason ?? "报文无法读取", en: answer.reason ?? "unreadable message"))
            default:
                return Response(status: .noContent)
            }
        }
    }
}

extension KaibanServer {
    /// `GET /exchange/files/{sm3}`: a file of a manifest this hall sent or received, by its SM3,
    /// for the partner that decides the case (README §9). Knowing the digest is needed to ask;
    /// a name that is not a digest is 404 like a file that is not kept.
    func addExchangeFileRoutes(_ routes: RouteTable) {
        let folder = ExchangeInbox.filesFolder(desk.settings)
        routes.get("/exchange/files/{sm3}") { _, context in
            let sm3 = context.pathParameter("sm3")
            guard sm3.utf8.count == 64, sm3.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
                let content = FileManager.default.contents(atPath: folder.appendingPathComponent(sm3).path)
            else {
                throw HTTPProblem(
                    .notFound, "exchange.file-not-found", title: LocalizedText(zh: "文件不存在", en: "No such file"),
                    detail: LocalizedText(zh: "没有SM3为\(sm3)的交换文件", en: "no exchange file with SM3 \(sm3)"))
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", .contentLength: String(content.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
    }
}
