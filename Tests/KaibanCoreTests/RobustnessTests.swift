import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// Every parser of clerk input answers any text with a value or nil/an error, never a crash.
@Suite struct RobustnessTests {
    /// Deterministic pseudo-random texts built from characters that matter to these parsers.
    static func texts(count: Int, seed: UInt64) -> [String] {
        let alphabet =
            Array("0123456789-:.,+ZTXxdhmw 年月日中（）/\u{0}\u{FF10}９").map(String.init) + [
                "wd", "2026-11-26", "T09:05", "510811",
            ]
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return (0..<count).map { _ in
            let length = Int(next() % 40)
            return (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }.joined()
        }
    }

    @Test func parsersNeverCrash() throws {
        let calendar = try Fixtures.calendar()
        for text in Self.texts(count: 20_000, seed: 42) + [
            "999999999999999d", "9223372036854775807wd", "99999999999999.99h",
        ] {
            if let instant = HallTime.parse(text) {
                _ = calendar.elapsed(from: instant, to: instant.addingTimeInterval(86_400))
                _ = calendar.adding(minutes: 192, to: instant)
            }
            if let duration = WorkingDuration(text), case .minutes(let minutes) = duration {
                #expect(minutes <= WorkingDuration.maximumMinutes)
                _ = calendar.adding(minutes: minutes, to: Fixtures.at(9, 0))
            }
            _ = Money(yuan: text)
            _ = CaseNumber(text)
            _ = CivilDate(text)
            _ = try? CitizenID(text)
            _ = try? CreditCode(text)
            _ = ClockSegment.decode(text[...])
        }
        #expect(WorkingDuration("999999999999999d") == nil)
    }

    @Test func anInstantWithAnInvisibleCharacterIsNoInstant() {
        #expect(HallTime.parse(" 2026-11-26T09:05\t") == HallTime.parse("2026-11-26T09:05"))
        #expect(HallTime.parse("2026-11-26T09:05") != nil)
        // Spaces an input method types are spaces.
        #expect(HallTime.parse("\u{3000}2026-11-26T09:05\u{00A0}") == HallTime.parse("2026-11-26T09:05"))
        for invisible in ["\u{200B}", "\u{FEFF}", "\u{2060}", "\u{200D}"] {
            #expect(HallTime.parse("2026-11-26T09:05" + invisible) == nil, "\(invisible.unicodeScalars.first!.value)")
            #expect(HallTime.parse(invisible + "2026-11-26T09:05") == nil)
        }
    }

    @Test func extremeInstantsAreClampedToTheTables() throws {
        let calendar = try Fixtures.calendar()
        let far = try #require(HallTime.parse("9999-12-31T23:59"))
        let early = try #require(HallTime.parse("1000-01-01T00:00"))
        #expect(calendar.elapsed(from: early, to: far).provisional)
        #expect(calendar.adding(minutes: WorkingDuration.maximumMinutes, to: far).provisional)
        #expect(calendar.adding(workingDays: 10_000, to: far).provisional)
    }
}
