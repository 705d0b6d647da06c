import KaibanCore

/// How the lookup (``CaseLookup``) is kept as rows, the same in every store: a key's kind and the
/// field an entry comes from as short codes (the table has a row per name, number and phone of
/// every case).
package enum StoredLookup {
    /// How the lookup table stores a key's kind.
    package static func kindCode(_ kind: CaseLookup.Kind) -> String {
        switch kind {
        case .name: "n"
        case .idNumber: "i"
        case .phone: "p"
        case .creditCode: "c"
        }
    }

    /// How the lookup table stores the field an entry comes from: a code of one or a few
    /// characters (the table has a row per name, number and phone of every case).
    package static func fieldCode(_ field: String) -> String {
        switch field {
        case "proposedName": return "n"
        case "tradeName": return "t"
        case "legalRepresentative.name": return "r"
        case "legalRepresentative.idNumber": return "R"
        case "contact.name": return "c"
        case "contact.phone": return "p"
        case "creditCode": return "k"
        default:
            // investors[3].name → i3, investors[3].idNumber → I3
            if field.hasPrefix("investors["), let close = field.firstIndex(of: "]") {
                let index = field[field.index(field.startIndex, offsetBy: 10)..<close]
                if field.hasSuffix("].name") { return "i\(index)" }
                if field.hasSuffix("].idNumber") { return "I\(index)" }
            }
            return field
        }
    }

    /// The field an entry's stored code stands for.
    package static func fieldName(_ code: String) -> String {
        switch code {
        case "n": return "proposedName"
        case "t": return "tradeName"
        case "r": return "legalRepresentative.name"
        case "R": return "legalRepresentative.idNumber"
        case "c": return "contact.name"
        case "p": return "contact.phone"
        case "k": return "creditCode"
        default:
            if let first = code.first, first == "i" || first == "I", code.dropFirst().allSatisfy(\.isNumber),
                code.count > 1
            {
                return "investors[\(code.dropFirst())]" + (first == "i" ? ".name" : ".idNumber")
            }
            return code
        }
    }
}
