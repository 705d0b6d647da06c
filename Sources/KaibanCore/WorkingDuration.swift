import Foundation

/// A duration on the working calendar as a clerk writes it: `192m`, `3.2h`, `0.4d` (a working day
/// is 8 working hours), or `5wd` (five whole working days, for deadlines).
public enum WorkingDuration: Sendable, Equatable {
    case minutes(Int)
    case workingDays(Int)

    /// Minutes in a working day for targets such as 0.4 day (STANDARDS.md §1).
    public static let minutesPerDay = 480

    /// The longest duration accepted: about forty years of working time.
    public static let maximumMinutes = 5_000_000

    /// Parses `192m`, `3.2h`, `0.4d`, `5wd`; nil when malformed or not a whole number of minutes.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.hasSuffix("wd") {
            guard let days = Int(trimmed.dropLast(2)), days > 0, days <= Self.maximumMinutes / Self.minutesPerDay else {
                return nil
            }
            self = .workingDays(days)
            return
        }
        let units: [(String, Int)] = [("m", 1), ("h", 60), ("d", Self.minutesPerDay)]
        guard let (suffix, factor) = units.first(where: { trimmed.hasSuffix($0.0) }),
            let hundredths = Money(yuan: String(trimmed.dropLast(suffix.count)))?.fen
        else { return nil }
        let (scaled, overflow) = hundredths.multipliedReportingOverflow(by: Int64(factor))
        guard !overflow, scaled % 100 == 0, scaled > 0, scaled / 100 <= Self.maximumMinutes else { return nil }
        self = .minutes(Int(scaled / 100))
    }
}
