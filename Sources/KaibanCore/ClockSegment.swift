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
    public static func encode(_ segments: [ClockSegment]) -> String {
        segments.map { segment in
            let effect = segment.effect.rawValue.prefix(1)
            let end = segment.end.map { "\(Int($0.timeIntervalSince1970))" } ?? ""
            return "\(effect),\(segment.stage),\(Int(segment.start.timeIntervalSince1970)),\(end)"
        }.joined(separator: ";")
    }

    /// Reads ``encode(_:)``'s form; nil when malformed.
    public static func decode(_ text: Substring) -> [ClockSegment]? {
        guard !text.isEmpty else { return [] }
        var segments: [ClockSegment] = []
        for part in text.split(separator: ";") {
            let fields = part.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 4, let start = Int(fields[2]) else { return nil }
            let effect: ClockEffect
            switch fields[0] {
            case "r": effect = .running
            case "p": effect = .paused
            case "s": effect = .stopped
            default: return nil
            }
            let end = fields[3].isEmpty ? nil : Int(fields[3]).map { Date(timeIntervalSince1970: TimeInterval($0)) }
            if !fields[3].isEmpty && end == nil { return nil }
            segments.append(
                ClockSegment(
                    stage: String(fields[1]), effect: effect, start: Date(timeIntervalSince1970: TimeInterval(start)),
                    end: end))
        }
        return segments
    }
}
