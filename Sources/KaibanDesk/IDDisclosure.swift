import Foundation
import KaibanCore

/// How the desk's answers show citizen ID numbers: masked (``CitizenID/masked(_:)``) unless the
/// clerk asks for them in full. Every edge presents what it is given through one of these, so
/// the rule is not repeated per command.
public enum IDDisclosure: Sendable, Equatable {
    /// `510811********0178`: the default, on screen and in JSON alike.
    case masked
    /// As stored, when the clerk asks (`--show-ids`).
    case full

    /// `value` as this disclosure shows it.
    public func apply<T: IDMaskable>(_ value: T) -> T {
        self == .full ? value : value.maskingIDs()
    }
}

extension CaseView: IDMaskable {
    public func maskingIDs() -> CaseView {
        var masked = self
        masked.case = self.case.maskingIDs()
        return masked
    }
}

extension IntakeResult: IDMaskable {
    public func maskingIDs() -> IntakeResult {
        var masked = self
        masked.case = self.case.maskingIDs()
        return masked
    }
}

extension StepOutcome: IDMaskable {
    public func maskingIDs() -> StepOutcome {
        StepOutcome(state: state.maskingIDs(), events: events.maskingIDs())
    }
}

extension FindResult: IDMaskable {
    /// The query masked when it was taken for an ID number (the cases carry none).
    public func maskingIDs() -> FindResult {
        // A credit code is public: a query that reads as one stays as typed. Anything else that
        // looks like a citizen ID number (whatever it was searched as) is masked.
        guard kinds.contains(.idNumber) || CitizenID.looksLikeNumber(query), (try? CreditCode(query)) == nil else {
            return self
        }
        var masked = self
        masked.query = CitizenID.masked(query)
        return masked
    }
}
