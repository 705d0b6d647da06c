import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension ClerkCommand {
    /// `kaiban clerk token issue|revoke|list`: the staff's bearer tokens for the HTTP pages (the
    /// supervisors' dashboard at `/dashboard`).
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: localized(
                zh: "工作人员的访问令牌（用于 kaiban serve 的监控看板 /dashboard）：签发、停用、查看（限负责人）。",
                en:
                    "Clerks' bearer tokens (for the dashboard that kaiban serve serves at /dashboard): issue, revoke, list."
            ),
            subcommands: [Issue.self, Revoke.self, List.self])

        struct Issue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "issue",
                abstract: localized(
                    zh: "为工作人员签发令牌并显示（仅此一次）；其原有令牌同时停用。",
                    en: "Issue a clerk's token and show it (once only); the clerk's earlier token is revoked."))

            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: .localized(zh: "工号。", en: "Clerk id."))
            var clerk: String
            @Option(
                parsing: .unconditional,
                help: .localized(
                    zh: "有效天数（默认\(ClerkToken.defaultDays)，最多\(ClerkToken.maximumDays)）。",
                    en: "Days it is valid (default \(ClerkToken.defaultDays), at most \(ClerkToken.maximumDays))."))
            var days: Int = ClerkToken.defaultDays

            func run() async throws {
                try await withDesk(global, json: output.json) { session in
                    let issue = try await session.desk.issueClerkToken(for: clerk, days: days, as: session.actor)
                    if output.json {
                        try Console.json(issue)
                        return
                    }
                    let until = HallTime.localText(of: issue.token.expiresAt)
                    Console.print(
                        session.zh
                            ? "已为工作人员\(clerk)签发令牌，有效至\(until)\(issue.replaced ? "（原令牌已停用）" : "")。令牌只显示这一次，请当面交付：\n\(issue.secret)"
                            : "token issued to clerk \(clerk), valid until \(until)\(issue.replaced ? " (the earlier one is revoked)" : ""). Shown this once only:\n\(issue.secret)"
                    )
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revoke",
                abstract: localized(zh: "停用工作人员的令牌：即刻失效。", en: "Revoke a clerk's token: it stops working at once."))

            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: .localized(zh: "工号。", en: "Clerk id."))
            var clerk: String
            @Option(help: .localized(zh: "理由。", en: "Why."))
            var reason: String

            func run() async throws {
                try await withDesk(global, json: output.json) { session in
                    let token = try await session.desk.revokeClerkToken(for: clerk, reason: reason, as: session.actor)
                    if output.json {
                        try Console.json(token)
                        return
                    }
                    Console.print(session.zh ? "已停用工作人员\(clerk)的令牌" : "clerk \(clerk)'s token revoked")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: localized(zh: "列出令牌（不含令牌本身）。", en: "List the tokens (never the secrets)."))

            @OptionGroup var global: GlobalOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: .localized(zh: "工号（默认全部）。", en: "Clerk id (default: all)."))
            var clerk: String?

            /// A token as listed: its fields and where it stands (`state`).
            struct Listed: Encodable {
                let token: ClerkToken
                let state: String

                enum Key: String, CodingKey { case state }

                func encode(to encoder: any Encoder) throws {
                    try token.encode(to: encoder)
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(state, forKey: .state)
                }
            }

            /// Where `token` stands at `now`: revoked, expired, or valid, and then whether its clerk
            /// can use it on the dashboard (a deactivated clerk's, or one no longer a supervisor,
            /// had read "valid"; from a hostile trial).
            static func state(of token: ClerkToken, clerk: ClerkView?, at now: Date) -> String {
                if token.revokedAt != nil { return "revoked" }
                if !token.isValid(at: now) { return "expired" }
                guard let clerk, clerk.active else { return "clerk-inactive" }
                return clerk.roles.contains(Clerk.supervisorRole) ? "valid" : "not-supervisor"
            }

            func run() async throws {
                try await withDesk(global, json: output.json) { session in
                    let clerks = Dictionary(
                        try await session.desk.clerks().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    // An unknown clerk is said to be so (it had read "no token issued", exit 0).
                    if let clerk, clerks[clerk] == nil { throw StoreError.clerkNotFound(clerk).problem }
                    let tokens = try await session.desk.clerkTokens(of: clerk, as: session.actor)
                    let now = Date()
                    if output.json {
                        try Console.json(
                            tokens.map {
                                Listed(token: $0, state: Self.state(of: $0, clerk: clerks[$0.clerk], at: now))
                            })
                        return
                    }
                    let zh = session.zh
                    var table = TextTable(
                        zh ? ["工号", "签发", "有效至", "状态"] : ["clerk", "issued", "valid until", "state"])
                    for token in tokens {
                        let standing: String
                        switch Self.state(of: token, clerk: clerks[token.clerk], at: now) {
                        case "expired": standing = zh ? "已过期" : "expired"
                        case "clerk-inactive":
                            standing = zh ? "有效，但工作人员已停用（不能使用）" : "valid, but the clerk is deactivated (unusable)"
                        case "not-supervisor":
                            standing = zh ? "有效，但非负责人（不能进入看板）" : "valid, but not a supervisor's (no dashboard)"
                        default: standing = zh ? "有效" : "valid"
                        }
                        let state =
                            revocation(token.revokedAt, by: token.revokedBy, reason: token.revokeReason, zh: zh)
                            ?? standing
                        table.add([
                            token.clerk, HallTime.localText(of: token.issuedAt) + " \(token.issuedBy)",
                            HallTime.localText(of: token.expiresAt), state,
                        ])
                    }
                    Console.print(tokens.isEmpty ? (zh ? "尚未签发令牌" : "no token issued") : table.rendered)
                }
            }
        }
    }
}
