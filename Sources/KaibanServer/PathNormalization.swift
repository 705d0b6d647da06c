import Hummingbird

/// Request paths in their normal form (RFC 3986 §6.2.2.2) before they are routed: a
/// percent-encoded unreserved character (letters, digits, `-`, `.`, `_`, `~`) is the character
/// itself, so `/%68ealthz` is `/healthz` and `/cases/510811%2D20261126%2D0001` is the case's own
/// path. Other escapes (`%2F`, `%20`, every byte of a Chinese character) stay as they are, so a
/// parameter holding a slash is never split; the routes decode their parameters
/// (``KaibanRequestContext/pathParameter(_:)``). The query is left alone.
enum PathNormalization {
    /// `path` normalized, or nil when it is already normal.
    static func normalized(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        let end = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        guard bytes[..<end].contains(UInt8(ascii: "%")) else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < end {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < end,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]),
                isUnreserved(high << 4 | low)
            {
                result.append(high << 4 | low)
                index += 3
                changed = true
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        guard changed else { return nil }
        result += bytes[end...]
        return String(decoding: result, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

/// The router's responder behind ``PathNormalization``.
struct PathNormalizingResponder<Base: HTTPResponder>: HTTPResponder {
    typealias Context = Base.Context
    let base: Base

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let path = request.head.path, let normalized = PathNormalization.normalized(path) else {
            return try await base.respond(to: request, context: context)
        }
        var head = request.head
        head.path = normalized
        return try await base.respond(to: Request(head: head, body: request.body), context: context)
    }
}
