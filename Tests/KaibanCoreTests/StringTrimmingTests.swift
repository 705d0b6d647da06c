import Foundation
import KaibanCore
import Testing

/// The core's own trimming gives exactly what Foundation's `trimmingCharacters(in:)` gives.
@Suite struct StringTrimmingTests {
    /// Every scalar of the Basic Multilingual Plane and a few beyond, alone and around a name.
    static let scalars: [Unicode.Scalar] =
        (0...0xFFFF).compactMap(Unicode.Scalar.init)
        + [0x1F600, 0x20000, 0xE0020, 0x10FFFD].compactMap(Unicode.Scalar.init)

    /// The same scalars (String's `==` would take canonically equivalent texts as equal).
    func same(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

    @Test func everyScalarIsTrimmedWhenFoundationsSetsHoldIt() async {
        // Membership, scalar by scalar (trimming a text per scalar is too slow for all of them).
        // The loop yields now and then: the tests share two threads with servers under test.
        var differing: [String] = []
        for (index, scalar) in Self.scalars.enumerated() {
            if index % 2_048 == 0 { await Task.yield() }
            let text = String(Character(scalar))
            if text.trimmingSpaces().isEmpty != CharacterSet.whitespaces.contains(scalar)
                || text.trimmingWhitespace().isEmpty != CharacterSet.whitespacesAndNewlines.contains(scalar)
                || text.isBlank != CharacterSet.whitespacesAndNewlines.contains(scalar)
            {
                differing.append(String(scalar.value, radix: 16))
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(20))")
        // Those Foundation trims, trimmed around a name as Foundation trims them.
        for scalar in Self.scalars where CharacterSet.whitespacesAndNewlines.contains(scalar) || scalar.value < 0x100 {
            let text = "\(Character(scalar))青禾 \(Character(scalar))"
            #expect(same(text.trimmingSpaces(), text.trimmingCharacters(in: .whitespaces)), "\(scalar.value)")
            #expect(
                same(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(scalar.value)"
            )
        }
    }

    @Test func namesAndNumbersTrimAsFoundationTrimsThem() {
        let texts = [
            "", " ", "\t\n", "　广元市昭化区青禾农业科技有限公司\u{3000}", " 11010519491231002x\t", "\u{85}500000\u{2028}",
            "a\u{301} ", " \u{301}", "\r\n张伟\r\n", "\u{A0}\u{2009}李 秀英\u{202F}", "青禾", "e\u{301}\u{20}",
        ]
        for text in texts {
            #expect(same(text.trimmingSpaces(), text.trimmingCharacters(in: .whitespaces)), "\(text.debugDescription)")
            #expect(
                same(text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespacesAndNewlines)),
                "\(text.debugDescription)")
            #expect(
                same(Substring(text).trimmingWhitespace(), text.trimmingCharacters(in: .whitespacesAndNewlines)),
                "\(text.debugDescription)")
        }
    }
}
