import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Issue 10: an opening event's stored JSON is put together from parts (its checklist's JSON made
/// once per checklist); it must be byte for byte what the storage encoder makes of the whole.
@Suite struct OpeningJSONTests {
    @Test func theStoredOpeningIsTheEncodersToTheByte() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(path: path)
        var leased = Fixtures.application()
        leased.proposedName = "广元市昭化区青松农业科技有限公司"
        leased.domicileTenure = .leased
        var numbers: [CaseNumber] = []
        for application in [Fixtures.application(), leased, Fixtures.application(tasks: [])] {
            numbers.append(try await desk.intake(application, documents: .all, as: .clerk("wangfang")).case.number)
        }
        let store = try CaseStore(path: path)
        var checklists: Set<CaseChecklist> = []
        for number in numbers {
            let state = try await store.registrationCase(number)
            let checklist = try #require(state.checklist)
            checklists.insert(checklist)
            let opening = CaseStore.OpeningData(
                application: state.application, definition: state.definition,
                nameParts: NameParts(tradeName: "青禾", industry: "农业科技"), checklist: checklist,
                received: state.documents.values.map(\.document).sorted { $0.code < $1.code })
            let whole = try CaseStore.storageEncoder.encode(opening)
            // Twice: the checklist encoded, then reused.
            for _ in 0..<2 {
                #expect(try CaseStore.openingJSON.encode(opening, checklist: checklist) { $0.checklist = $1 } == whole)
            }
            // What the store wrote reads back as the case it took in.
            let stored = try #require(
                try store.read { db in
                    try String.fetchOne(
                        db,
                        sql: """
                            SELECT data_json FROM case_event
                            WHERE sequence = 1 AND case_id = (SELECT id FROM registration_case WHERE number = ?)
                            """, arguments: [number.description])
                })
            #expect(try CaseStore.decodeStorage(CaseStore.OpeningData.self, stored).checklist == checklist)
        }
        #expect(checklists.count == 2)
    }
}
