import AsyncHTTPClient
import Foundation
import KaibanCore
import KaibanDesk
import KaibanServer
import Logging
import NIOCore

/// The portal API during the demo: `kaiban serve`'s server in this process on a free port of
/// 127.0.0.1, over the demo's desk (its clock too), with the hall's two portals. The day's online
/// and mobile applications are submitted through it, over HTTP, as the portals would.
struct DemoPortals {
    let running: RunningServer
    let tokens: [KaibanCore.Channel: String]

    static func start(desk: Desk, settings: KaibanSettings, supervisor: String) async throws -> DemoPortals {
        var logger = Logger(label: "kaiban.demo.server")
        logger.logLevel = .error
        var serverSettings = ServerSettings(
            port: 0, openAPIDocument: ServerSettings.openAPIDocument(in: settings.formsRoot), version: "demo",
            logLevel: .error)
        // The demo delivers the exchange's outbox itself, at the day's instants.
        serverSettings.exchangeSendInterval = nil
        let server = try KaibanServer(desk: desk, settings: serverSettings, logger: logger)
        let running = try await server.start()
        var tokens: [KaibanCore.Channel: String] = [:]
        for (id, name, channel) in [("gov-web", "四川政务服务网", Channel.online), ("gov-app", "天府通办", .mobile)] {
            tokens[channel] =
                try await desk.addPortal(id: id, name: name, channel: channel, as: .clerk(supervisor)).token
        }
        return DemoPortals(running: running, tokens: tokens)
    }

    /// Submits `application` through its channel's portal; its case number.
    func submit(_ application: CaseApplication, key: String) async throws -> CaseNumber {
        guard let token = tokens[application.channel] else {
            throw Problem(.brokenData, "demo.script-invalid", zh: "没有该渠道的门户", en: "no portal for that channel")
        }
        // AsyncHTTPClient, as the exchange delivers: Foundation's URLSession would link libcurl and
        // its dozens of libraries into every `kaiban` command's start.
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(running.port)/applications")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(ApplicationForm(application))))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let status = Int(response.status.code)
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        struct Receipt: Decodable {
            struct Case: Decodable { var number: String }
            var `case`: Case
        }
        guard status == 201, let receipt = try? JSONDecoder().decode(Receipt.self, from: data),
            let number = CaseNumber(receipt.case.number)
        else {
            throw Problem(
                .refused, "demo.submission-refused", zh: "门户提交被拒（\(status)）：\(String(decoding: data, as: UTF8.self))",
                en: "the portal's submission was refused (\(status)): \(String(decoding: data, as: UTF8.self))")
        }
        return number
    }

    func stop() async throws {
        try await running.stop()
    }
}
