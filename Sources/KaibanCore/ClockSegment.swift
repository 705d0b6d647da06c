import Foundation

/// A stretch of a case's life in one stage, with what that stage does to the SLA clock. A case's
/// segments are derived from its history; working time is measured over them with the calendar.
public struct ClockSegment: Sendable, Equatable, Codable {
    public var stage: String
    public var effect: ClockEffect
    public var start: Date
    /// Nil while the case is still in the stage.
    public var end: Date?
    /// The reason given when the case entered the stage (why the clock paused, for instance).
    public var reason: String?

    public init(stage: String, effect: ClockEffect, start: Date, end: Date? = nil, reason: String? = nil) {
        self.stage = stage
        self.effect = effect
        self.start = start
        self.end = end
        self.reason = reason
    }

    /// A compact text form for a database column: `r,received,1795622400,1795623000;p,…`
    /// (effect, stage, start and end in Unix seconds; end empty while open). Reasons are left out.
    /// A case's extra working stretches (extended hours it was taken in during) come first, as
    /// `x,extended,start,end` records.
    public static func encode(_ segments: [ClockSegment], extra: [DateInterval] = []) -> String {
        let stretches = extra.map {
            "x,extended,\(Int($0.start.timeIntervalSince1970)),\(Int($0.end.timeIntervalSince1970))"
        }
        return
            (stretches
            + segments.map { segment in
                let effect = segment.effect.rawValue.prefix(1)
                let end = segment.end.map { "\(Int($0.timeIntervalSince1970))" } ?? ""
                return "\(effect),\(segment.stage),\(Int(segment.start.timeIntervalSince1970)),\(end)"
            }).joined(separator: ";")
    }

    /// Reads ``encode(_:extra:)``'s form (the segments only); nil when malformed.
    public static func decode(_ text: Substring) -> [ClockSegment]? {
        decodeTimeline(text)?.segments
    }

    /// Reads ``encode(_:extra:)``'s form: the segments and the extra working stretches; nil when malformed.
    public static func decodeTimeline(_ text: Substring) -> (segments: [ClockSegment], extra: [DateInterval])? {
        var segments: [ClockSegment] = []
        var extra: [DateInterval] = []
        let wellFormed = forEach(
            in: String(text),
            { effect, stage, start, end in
                segments.append(
                    ClockSegment(
                        stage: String(decoding: stage, as: UTF8.self), effect: effect,
                        start: Date(timeIntervalSince1970: TimeInterval(start)),
                        end: end.map { Date(timeIntervalSince1970: TimeInterval($0)) }))
            },
            extra: { start, end in
                extra.append(
                    DateInterval(
                        start: Date(timeIntervalSince1970: TimeInterval(start)),
                        end: Date(timeIntervalSince1970: TimeInterval(end))))
            })
        return wellFormed ? (segments, extra) : nil
    }

    /// Whether ``encode(_:extra:)``'s text carries extra working stretches (then
    /// ``forEachRunning(in:_:)`` alone does not measure the case).
    public static func hasExtra(_ text: String) -> Bool { text.utf8.first == UInt8(ascii: "x") }

    /// Calls `body` with each running stretch of ``encode(_:)``'s form, without building segments:
    /// the stage's bytes, and start and end in Unix seconds (end nil while open). False when the
    /// text is malformed. The SLA report walks a million of these.
    @discardableResult
    public static func forEachRunning(
        in text: String, _ body: (_ stage: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int?) -> Void
    ) -> Bool {
        forEach(in: text) { effect, stage, start, end in
            if effect == .running { body(stage, start, end) }
        }
    }

    /// Calls `body` with each stretch of ``encode(_:)``'s form, working on its UTF-8 bytes
    /// directly; false when the text is malformed.
    static func forEach(
        in text: String,
        _ body: (_ effect: ClockEffect, _ stage: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int?) -> Void,
        extra: (_ start: Int, _ end: Int) -> Void = { _, _ in }
    ) -> Bool {
        var copy = text
        return copy.withUTF8 { bytes in
            var index = 0
            func number() -> Int?? {
                var value = 0
                var digits = 0
                var negative = false
                if index < bytes.count && bytes[index] == UInt8(ascii: "-") {
                    negative = true
                    index += 1
                }
                while index < bytes.count && bytes[index] != UInt8(ascii: ",") && bytes[index] != UInt8(ascii: ";") {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit), digits < 15 else { return .some(nil) }
                    value = value * 10 + digit
                    digits += 1
                    index += 1
                }
                if digits == 0 { return negative ? .some(nil) : .none }
                return .some(negative ? -value : value)
            }
            var seenSegment = false
            while index < bytes.count {
                let effect: ClockEffect
                var isExtra = false
                switch bytes[index] {
                case UInt8(ascii: "x"):
                    effect = .running
                    isExtra = true
                case UInt8(ascii: "r"): effect = .running
                case UInt8(ascii: "p"): effect = .paused
                case UInt8(ascii: "s"): effect = .stopped
                default: return false
                }
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ",") else { return false }
                index += 2
                let stageStart = index
                while index < bytes.count && bytes[index] != UInt8(ascii: ",") { index += 1 }
                guard index < bytes.count, index > stageStart else { return false }
                let stage = UnsafeBufferPointer(rebasing: bytes[stageStart..<index])
                index += 1
                guard case .some(.some(let start)) = number(), index < bytes.count, bytes[index] == UInt8(ascii: ",")
                else { return false }
                index += 1
                let end: Int?
                switch number() {
                case .none: end = nil
                case .some(.none): return false
                case .some(.some(let value)): end = value
                }
                if index < bytes.count {
                    guard bytes[index] == UInt8(ascii: ";") else { return false }
                    index += 1
                }
                if isExtra {
                    // Only before the segments, named `extended`, closed and not backwards.
                    guard !seenSegment, let end, end >= start, stage.elementsEqual("extended".utf8) else {
                        return false
                    }
                    extra(start, end)
                } else {
                    seenSegment = true
                    body(effect, stage, start, end)
                }
            }
            return true
        }
    }
}
