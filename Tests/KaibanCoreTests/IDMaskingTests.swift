import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// Citizen ID numbers on screen: the first six and the last four characters, stars between.
@Suite struct IDMaskingTests {
    @Test func anIDNumberKeepsItsDivisionAndLastFour() {
        #expect(CitizenID.masked("11010519491231002X") == "110105********002X")
        #expect(CitizenID.masked("510811198503120178") == "510811********0178")
        // Not an ID number (maybe a part of one): nothing of it shown.
        #expect(CitizenID.masked("5108111985") == "**********")
        #expect(CitizenID.masked("") == "")
    }

    @Test func anApplicationMasksItsPeopleButNotOrganisationsCodes() {
        var application = Fixtures.application()
        application.investors.append(
            Investor(
                name: "某某公司", kind: .company, idNumber: "91510811MA6BX7K207", contribution: Money(fen: 100)))
        let masked = application.maskingIDs()
        #expect(masked.legalRepresentative.idNumber == "110105********002X")
        #expect(masked.investors.map(\.idNumber) == ["110105********002X", "510811********0178", "91510811MA6BX7K207"])
        // Everything else as it was.
        var unmasked = masked
        unmasked.legalRepresentative.idNumber = Fixtures.idZhang
        unmasked.investors[0].idNumber = Fixtures.idZhang
        unmasked.investors[1].idNumber = Fixtures.idLi
        #expect(unmasked == application)
    }
}
