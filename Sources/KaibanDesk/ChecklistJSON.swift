import Foundation
import KaibanCore
import Synchronization

/// JSON of a value that holds a case's document checklist (the opening event as stored, a portal's
/// receipt): byte for byte what its encoder makes of the value, with each checklist's own JSON
/// made once and reused. A checklist is most of an application's JSON, yet there are only a few of
/// them (one per enterprise type and conditions that hold, per checklist version), so an intake
/// encodes the rest of its value only. Bounded: when full it starts again empty.
public final class ChecklistJSON: Sendable {
    /// Stands in for the checklist while the rest of the value is encoded. No real checklist has
    /// its id (it starts with NUL), and its JSON cannot occur anywhere but where a checklist is
    /// encoded: within a JSON string every `"` is escaped, and this JSON starts with `{"`.
    public static let placeholder = CaseChecklist(
        key: .init(id: "\u{0}kaiban:checklist-placeholder", version: 0), documents: [])
    static let capacity = 256

    let encoder: JSONEncoder
    /// The placeholder's JSON (nil if it could not be encoded: then every value is encoded whole).
    let marker: Data?
    private let fragments = Mutex([CaseChecklist: Data]())

    /// JSON as `encoder` writes it; its strategies must not depend on where in the value a key or
    /// a date is (Kaiban's encoders depend at most on the key itself).
    public init(encoder: JSONEncoder) {
        self.encoder = encoder
        marker = try? encoder.encode(Self.placeholder)
    }

    /// `value`'s JSON. `place` puts a checklist where `value` holds `checklist`.
    public func encode<T: Encodable>(
        _ value: T, checklist: CaseChecklist?, place: (inout T, CaseChecklist) -> Void
    ) throws -> Data {
        guard let checklist, let marker else { return try encoder.encode(value) }
        var standIn = value
        place(&standIn, Self.placeholder)
        var data = try encoder.encode(standIn)
        guard let range = data.range(of: marker) else { return try encoder.encode(value) }
        data.replaceSubrange(range, with: try fragment(checklist))
        return data
    }

    /// The checklist's JSON, encoded once.
    func fragment(_ checklist: CaseChecklist) throws -> Data {
        if let known = fragments.withLock({ $0[checklist] }) { return known }
        let data = try encoder.encode(checklist)
        fragments.withLock {
            if $0.count >= Self.capacity { $0.removeAll(keepingCapacity: true) }
            $0[checklist] = data
        }
        return data
    }
}
