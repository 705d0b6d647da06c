import Foundation
import Hummingbird
import KaibanCore
import NIOCore

/// What a route knows of its request besides the request itself: the language its problems are
/// answered in (from `Accept-Language`), the body limit, Hummingbird's own context (logger, path
/// parameters). Who is calling (a portal, by its token) goes here when portals come.
public struct KaibanRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The language of the answer's texts: zh unless the request prefers en.
    public var language: Language = .zh
    /// The largest body the route may read (its own limit, or the server's `maxBodyBytes`).
    public var maxUploadSize: Int = ServerSettings.defaultMaxBodyBytes

    /// The connection the request came on (for its `100 Continue`, ``ExpectContinueHandler``).
    public var channel: (any NIOCore.Channel)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    public var requestDecoder: KaibanRequestDecoder { KaibanRequestDecoder() }

    /// The path's parameter `name` percent-decoded, as RFC 3986 §6.2.2 makes `%2D` the same as
    /// `-` (the router hands it over as written); as written when it does not decode; empty when
    /// the route has none.
    func pathParameter(_ name: String) -> String {
        guard let text = parameters.get(name) else { return "" }
        return text.contains("%") ? text.removingPercentEncoding ?? text : text
    }
}

/// The language an `Accept-Language` header asks for, of the two the desk speaks: the one with
/// the highest weight (the first on a tie), Chinese when it names neither.
enum AcceptLanguage {
    static func language(_ header: String?) -> Language {
        guard let header else { return .zh }
        var best: (language: Language, weight: Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let tag = parts.first?.trimmingCharacters(in: .whitespaces).lowercased() else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces).lowercased()
                if pair.hasPrefix("q=") { weight = Double(pair.dropFirst(2)) ?? 0 }
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard weight > 0, let language = Language(rawValue: primary) else { continue }
            if weight > best?.weight ?? -1 { best = (language, weight) }
        }
        return best?.language ?? .zh
    }
}
