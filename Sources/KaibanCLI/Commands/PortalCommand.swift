import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban portal add|list|revoke`: the portals that submit applications over the API.
struct PortalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: localized(
            zh: "门户（网上办网站、掌上办应用）及其令牌：登记、查看、停用（负责人）。",
            en: "The portals (online site, mobile app) and their tokens: add, list, revoke (supervisors)."),
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: localized(zh: "登记门户，显示其令牌（仅此一次）。", en: "Register a portal and show its token (once only)."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "门户标识，如 gov-web。", en: "The portal's id, e.g. gov-web."))
        var id: String
        @Option(help: .localized(zh: "名称。", en: "Its name."))
        var name: String
        @Option(help: .localized(zh: "渠道：online（网上办）或 mobile（掌上办）。", en: "Channel: online or mobile."))
        var channel: Channel

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let registration = try await session.desk.addPortal(
                    id: id, name: name, channel: channel, as: session.actor)
                if output.json {
                    try Console.json(registration)
                    return
                }
                Console.print(
                    session.zh
                        ? "已登记门户\(registration.portal.id)（\(registration.portal.channel.name.zh)）。令牌只显示这一次，请妥善交付门户：\n\(registration.token)"
                        : "portal \(registration.portal.id) (\(registration.portal.channel.name.en)) registered. Its token, shown this once only:\n\(registration.token)"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: localized(zh: "列出门户。", en: "List the portals."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let portals = try await session.desk.portals()
                if output.json {
                    try Console.json(portals)
                    return
                }
                let zh = session.zh
                var table = TextTable(
                    zh ? ["标识", "名称", "渠道", "登记", "状态"] : ["id", "name", "channel", "registered", "state"])
                for portal in portals {
                    let state =
                        revocation(portal.revokedAt, by: portal.revokedBy, reason: portal.revokeReason, zh: zh)
                        ?? (zh ? "在用" : "active")
                    table.add([
                        portal.id, portal.name, portal.channel.name.text(session.language),
                        HallTime.localText(of: portal.createdAt) + " \(portal.createdBy)", state,
                    ])
                }
                Console.print(portals.isEmpty ? (zh ? "尚未登记门户" : "no portal registered") : table.rendered)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: localized(zh: "停用门户：其令牌即刻失效。", en: "Revoke a portal: its token stops working."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "门户标识。", en: "The portal's id."))
        var id: String
        @Option(help: .localized(zh: "理由。", en: "Why."))
        var reason: String

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let portal = try await session.desk.revokePortal(id, reason: reason, as: session.actor)
                if output.json {
                    try Console.json(portal)
                    return
                }
                Console.print(session.zh ? "已停用门户\(portal.id)" : "portal \(portal.id) revoked")
            }
        }
    }
}

/// "已停用 2026-11-26 17:30 zhouqiang：理由" for something revoked (a portal, a clerk's token), or nil.
func revocation(_ at: Date?, by: String?, reason: String?, zh: Bool) -> String? {
    at.map { (zh ? "已停用 " : "revoked ") + HallTime.localText(of: $0) + " \(by ?? "")：" + (reason ?? "") }
}
