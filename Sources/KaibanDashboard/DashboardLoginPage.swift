import Foundation
import KaibanCore

/// The supervisors' sign-in page of `kaiban serve` (`GET /dashboard/login`): a browser cannot send
/// a bearer token by itself, so the supervisor pastes their token (`kaiban clerk token issue`)
/// once; the server answers with a session cookie for the dashboard. Self-contained, no script.
public struct DashboardLoginPage: Sendable {
    public var language: Language
    /// Why the last sign-in was refused, shown above the form (a browser's form post is answered
    /// with the page, not with a problem document a person would read as raw JSON).
    public var refusal: String?

    public init(language: Language = .zh, refusal: String? = nil) {
        self.language = language
        self.refusal = refusal
    }

    func t(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    /// The policy the page declares and the server sends: its own form, nothing else.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    public func html() -> String {
        let title = t("监控看板登录", "Dashboard sign-in")
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="\(language == .zh ? "zh-CN" : "en")">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(HTMLText.escape(title))</title>
            <style>body { font: 15px/1.5 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; max-width: 32em; margin: 4em auto; padding: 0 1em; } input { width: 100%; padding: 6px; font: inherit; } button { margin-top: 1em; padding: 6px 16px; font: inherit; }</style>
            </head>
            <body>
            <h1>\(HTMLText.escape(title))</h1>
            \(refusal.map { "<p role=\"alert\" style=\"color: #b00020\">\(HTMLText.escape($0))</p>" } ?? "")
            <form method="post" action="/dashboard/login">
            <p><label for="token">\(HTMLText.escape(t("负责人令牌（kaiban clerk token issue 签发）", "A supervisor's token (kaiban clerk token issue)")))</label></p>
            <input id="token" name="token" type="password" autocomplete="off" required="required"/>
            <button type="submit">\(HTMLText.escape(t("进入看板", "Open the dashboard")))</button>
            </form>
            <p>\(HTMLText.escape(t("登录后12小时内有效；令牌停用后即失效。", "The sign-in lasts 12 hours, and ends when the token is revoked.")))</p>
            </body>
            </html>

            """
    }
}
