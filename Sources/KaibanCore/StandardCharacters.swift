/// The characters an enterprise name is written in (STANDARDS.md §10: 规范汉字): those of the
/// 通用规范汉字表 (Table of General Standard Chinese Characters, 2013), and 〇. The table and the
/// traditional forms are generated from the Unihan database by Scripts/gen-name-characters.py
/// (StandardCharacters+Table.swift).
public enum StandardCharacters {
    /// Whether `scalar` is a standard character: one of the table's 8,105, or 〇 (which the
    /// table's users write in dates and numbers; Unihan lists no unified ideograph for it).
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "〇" || standard.contains(scalar.value)
    }

    /// The standard character the traditional form `scalar` is simplified to (農 → 农), or nil
    /// when `scalar` is standard or is no traditional form of a standard character.
    public static func simplified(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        simplifications[scalar.value]
    }

    /// The table's characters, made once from ``table``.
    package static let standard: Set<UInt32> = Set(table.unicodeScalars.lazy.filter { $0.value > 0x7F }.map(\.value))

    /// Traditional form → standard character, made once from ``traditionalPairs``.
    package static let simplifications: [UInt32: Unicode.Scalar] = {
        let scalars = traditionalPairs.unicodeScalars.filter { $0.value > 0x7F }
        var map: [UInt32: Unicode.Scalar] = [:]
        map.reserveCapacity(scalars.count / 2)
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let next = scalars.index(after: index)
            guard next < scalars.endIndex else { break }
            map[scalars[index].value] = scalars[next]
            index = scalars.index(after: next)
        }
        return map
    }()
}
