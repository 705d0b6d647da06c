import Foundation
import KaibanCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("500000", 50_000_000), ("12.5", 1250), ("0.01", 1), ("1,000.00", 100_000), ("0", 0)])
    func parsesYuanExactly(text: String, fen: Int64) {
        #expect(Money(yuan: text)?.fen == fen)
    }

    @Test(arguments: ["", "-5", "1.234", "abc", "1.", ".5", "1e5", "１００"])
    func refusesWhatIsNotAnAmount(text: String) {
        #expect(Money(yuan: text) == nil)
    }

    @Test func printsTwoDecimals() {
        #expect(Money(fen: 50_000_005).yuanText == "500000.05")
        #expect(Money(fen: 7).yuanText == "0.07")
    }
}

@Suite struct CitizenIDTests {
    @Test func acceptsTheStandardExample() throws {
        let id = try CitizenID("11010519491231002x")
        #expect(id.value == "11010519491231002X")
        #expect(id.divisionCode == "110105")
        #expect((id.birthYear, id.birthMonth, id.birthDay) == (1949, 12, 31))
    }

    @Test func detectsEverySingleDigitChange() throws {
        let valid = Array("11010519491231002X")
        for position in 0..<17 {
            for digit in "0123456789" where digit != valid[position] {
                var changed = valid
                changed[position] = digit
                let text = String(changed)
                let problem = #expect(throws: CitizenID.Problem.self, "\(text)") { try CitizenID(text) }
                // A changed digit of the birth date may make it no date at all; any other change
                // is caught by the check character, which stays X.
                if case .wrongCheckCharacter(let expected) = problem {
                    #expect(expected != "X", "\(text)")
                } else {
                    #expect(
                        (6..<14).contains(position) && problem == .invalidBirthDate,
                        "\(text): \(String(describing: problem))")
                }
            }
        }
    }

    @Test func refusesLegacyFifteenDigitNumbers() {
        #expect(throws: CitizenID.Problem.legacyFifteenDigits) { try CitizenID("110105491231002") }
    }

    @Test func refusesImpossibleBirthDates() {
        // 1949-02-30 with a check character computed for it.
        let body = Array("11010519490230002")
        let check = CitizenID.checkCharacter(for: body.compactMap(\.wholeNumberValue))
        #expect(throws: CitizenID.Problem.invalidBirthDate) { try CitizenID(String(body) + String(check)) }
    }

    @Test func namesTheExpectedCheckCharacter() {
        #expect(throws: CitizenID.Problem.wrongCheckCharacter(expected: "X")) { try CitizenID("110105194912310021") }
    }
}

@Suite struct CaseNumberTests {
    @Test func roundTripsAndSorts() throws {
        let seven = try #require(CaseNumber("510811-20261126-0007"))
        #expect(seven.description == "510811-20261126-0007")
        let later = try #require(CaseNumber("510811-20261127-0001"))
        let twelve = try #require(CaseNumber("510811-20261126-0012"))
        #expect([later, twelve, seven].sorted() == [seven, twelve, later])
        // Past 9,999 a day the sequence takes the digits it needs.
        #expect(CaseNumber("510811-20261126-12345")?.sequence == 12_345)
        #expect(CaseNumber("510811-20261126-12345")?.description == "510811-20261126-12345")
    }

    @Test func isWrittenDigitByDigitOverTheCalendarsYearsAndEverySequenceWidth() throws {
        // Every 29th day over the calendar's 61 years, and sequences at every width, past 9,999 too.
        let sequences = [1, 7, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 123_456]
        for (index, offset) in stride(from: 0, to: 22_300, by: 29).enumerated() {
            let date = HallTime.civilDate(fromDaysSinceEpoch: 10_957 + offset)
            let sequence = sequences[index % sequences.count]
            let division = index.isMultiple(of: 2) ? "510811" : "500103"
            let number = CaseNumber(division: division, date: date, sequence: sequence)
            let expected =
                division + "-" + String(format: "%04d%02d%02d", date.year, date.month, date.day) + "-"
                + String(format: "%04d", sequence)
            #expect(number.description == expected)
            #expect(CaseNumber(expected) == number)
        }
        // Divisions of other lengths (never made by intake) are written whole too.
        let day = CivilDate(uncheckedYear: 2026, month: 11, day: 26)
        for division in ["", "5108", "广元市"] {
            #expect(CaseNumber(division: division, date: day, sequence: 7).description == "\(division)-20261126-0007")
        }
    }

    @Test func ignoresBlanksAroundTheNumberOnly() throws {
        // Spaces, tabs, the ideographic space of a Chinese keyboard and a no-break space around it.
        let number = try #require(CaseNumber(" \t510811-20261126-0007\u{3000}\u{00A0}"))
        let date = try #require(CivilDate(year: 2026, month: 11, day: 26))
        #expect(number == CaseNumber(division: "510811", date: date, sequence: 7))
        #expect(CaseNumber("510811 -20261126-0007") == nil)
        #expect(CaseNumber("510811-20261126-0007\u{200B}") == nil)  // a zero-width space is no blank
        #expect(CaseNumber("５１０８１１-20261126-0007") == nil)  // full-width digits are not read as digits
    }

    @Test(arguments: [
        "", "510811-20261126", "51081-20261126-0001", "510811-20261332-0001", "510811-20261126-0000", "x",
        // Only the number as written: no sign, no extra leading zero, no empty part.
        "510811-20261127-+272", "510811-20261127-00272", "510811-20261127-000272", "510811-+0261127-0272",
        "510811-20261127-0272-", "510811--20261127-0272", "510811-2026112a-0001", "510811-20261126-00a1",
        "5108a1-20261126-0001", "510811-20260229-0001", "510811-20261126-1234567",
    ])
    func refusesMalformedNumbers(text: String) {
        #expect(CaseNumber(text) == nil)
    }
}

@Suite struct HallTimeTests {
    @Test func readsLocalTimeAsAsiaShanghai() throws {
        let local = try #require(HallTime.parse("2026-11-26T09:05"))
        let utc = try #require(HallTime.parse("2026-11-26T01:05:00Z"))
        let offset = try #require(HallTime.parse("2026-11-26 09:05:00+08:00"))
        #expect(local == utc)
        #expect(local == offset)
        #expect(HallTime.localText(of: local) == "2026-11-26 09:05")
    }

    @Test func localDateChangesAtShanghaiMidnight() throws {
        let beforeMidnightUTC = try #require(HallTime.parse("2026-11-26T15:59Z"))
        let afterMidnightLocal = try #require(HallTime.parse("2026-11-26T16:00Z"))
        #expect(HallTime.localDate(of: beforeMidnightUTC).description == "2026-11-26")
        #expect(HallTime.localDate(of: afterMidnightLocal).description == "2026-11-27")
    }

    @Test(arguments: ["2026-11-26", "2026-13-01T09:00", "2026-11-26T24:00", "2026-11-26T09:60", "yesterday"])
    func refusesBadInstants(text: String) {
        #expect(HallTime.parse(text) == nil)
    }

    @Test func convertsDaysBothWays() throws {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let date = HallTime.civilDate(fromDaysSinceEpoch: days)
            #expect(HallTime.daysSinceEpoch(date) == days)
        }
    }
}

@Suite struct StrictParsingTests {
    @Test func datesAndInstantsAreDigitsOnly() {
        #expect(CivilDate("2026-+1-+1") == nil)
        #expect(CivilDate("2026-01-01") != nil)
        #expect(HallTime.parse("2026-+1-+1T09:00") == nil)
        #expect(HallTime.parse("2026-01-01T09:00") != nil)
    }

    @Test func commasInAmountsOnlySeparateThousands() {
        #expect(Money(yuan: "5,0,0,000") == nil)
        #expect(Money(yuan: "50,0000") == nil)
        #expect(Money(yuan: ",500") == nil)
        #expect(Money(yuan: "1,000,000.50") == Money(fen: 100_000_050))
        #expect(Money(yuan: "500000") == Money(fen: 50_000_000))
        // Never in the decimals.
        #expect(Money(yuan: "5,000.5,0") == nil)
        #expect(Money(yuan: "5000.,5") == nil)
        #expect(Money(yuan: "5000.5,") == nil)
    }

    @Test func creditCodesAndIDNumbersAreReadAlike() throws {
        #expect(try CreditCode(" 91350100m000100y43 ").value == "91350100M000100Y43")
        #expect(try CitizenID(" 11010519491231002x ").value == "11010519491231002X")
    }
}
