import Foundation
import KaibanCore
import KaibanDesk
import KaibanServer
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The portal API during the demo: `kaiban serve`'s server in this process on a free port of
/// 127.0.0.1, over the demo's desk (its clock too), with the hall's two portals. The day's online
/// and mobile applications are submitted through it, over HTTP, as the portals would.
struct DemoPortals {
    let running: RunningServer
    let tokens: [Channel: String]

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
        var tokens: [Channel: String] = [:]
        for (id, name, channel) in [("gov-web", "四川政务服务网", Channel.online), ("gov-app", "天府通办", .mobile)] {
            tokens[channel] =
                try await desk.addPortal(id: id, name: name, channel: channel, as: .clerk(supervisor)).token
        }
        return DemoPortals(running: running, tokens: tokens)
    }

    /// Submits `application` through its channel's portal; its case number.
    func submit(_ application: CaseApplication, key: String) async throws -> CaseNumber {
        guard let token = tokens[application.channel],
            let url = URL(string: "http://127.0.0.1:\(running.port)/applications")
        else {
            throw Problem(.brokenData, "demo.script-invalid", zh: "没有该渠道的门户", en: "no portal for that channel")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(ApplicationForm(application))
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
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
