import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// A database written by an earlier version keeps every case and event through the migrations.
@Suite struct MigrationTests {
    @Test func aCaseStoredInTheEarlierFormatsSurvivesTheCompactHistory() throws {
        let path = Fixtures.temporaryDatabasePath()
        let queue = try DatabaseQueue(path: path)
        try KaibanMigrations.migrator.migrate(queue, upTo: "0007-history-is-the-state")
        let (definition, source) = try Fixtures.companyFormation()
        let application = Fixtures.application(tasks: [])
        // The earlier forms: text instants, text kinds, long JSON keys, money as a bare integer.
        var opening = try CaseStore.json(
            CaseStore.OpeningData(application: application, definition: definition.key))
        opening = opening.replacingOccurrences(of: "{\"fen\":50000000}", with: "50000000")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO workflow_definition (workflow_id, version, title, source_xml, definition_json, registered_at)
                    VALUES (?, ?, ?, ?, ?, '2026-11-26 00:00:00.000')
                    """,
                arguments: [definition.key.id, definition.key.version, "企业开办", source, try CaseStore.json(definition)])
            try db.execute(
                sql: """
                    INSERT INTO registration_case (number, workflow_id, workflow_version, stage, version, channel,
                        enterprise_type, proposed_name, opened_by, opened_at, updated_at, clock_segments, trade_name,
                        industry)
                    VALUES ('510811-20261126-0001', 'company-formation', ?, 'accepted', 2, 'window', 'llc', ?,
                        'wangfang', '2026-11-26 01:00:00.000', '2026-11-26 01:10:00.000',
                        'r,received,1795654800,1795655400;r,accepted,1795655400,', '青禾', '农业科技')
                    """, arguments: [definition.key.version, application.proposedName])
            try db.execute(
                sql: """
                    INSERT INTO case_event (case_number, sequence, at, kind, actor, role, to_stage, data_json)
                    VALUES ('510811-20261126-0001', 1, '2026-11-26 01:00:00.000', 'opened', 'wangfang', 'window',
                        'received', ?);
                    INSERT INTO case_event (case_number, sequence, at, kind, actor, role, transition, from_stage, to_stage)
                    VALUES ('510811-20261126-0001', 2, '2026-11-26 01:10:00.000', 'transitioned', 'wangfang', 'window',
                        'accept', 'received', 'accepted');
                    """, arguments: [opening])
        }
        let store = try CaseStore(path: path)
        let number = try #require(CaseNumber("510811-20261126-0001"))
        let state = try store.registrationCase(number)
        #expect(state.stage == "accepted")
        #expect(state.application == application)
        #expect(state.updatedAt == Fixtures.at(9, 10))
        let history = try store.history(number)
        #expect(history.map(\.kind) == [.opened, .transitioned])
        #expect(history.map(\.at) == [Fixtures.at(9, 0), Fixtures.at(9, 10)])
        // The projection is filled in by the first schedule refresh, and then agrees with the history.
        #expect(try store.refreshSchedules(clock: try Fixtures.sla()) == 1)
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
        #expect(try store.queue(stages: nil, limit: 10).map(\.number) == [number])
        try store.addClerk(Fixtures.supervisor, by: nil)
        try store.addClerk(Fixtures.reviewer, by: Fixtures.supervisor.id)
        let reviewed = try store.apply(
            .transition("review", reason: nil), to: number, by: Fixtures.reviewer.id, at: Fixtures.at(9, 20),
            clock: try Fixtures.sla())
        #expect(reviewed.state.version == 3)
        // The migrated history is append-only too, REPLACE included.
        let replaced = #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO case_event (case_id, sequence, at, kind, actor)
                        SELECT case_id, sequence, at, kind, 'someone-else' FROM case_event WHERE sequence = 1
                        """)
            }
        }
        #expect(replaced?.message == "case history is append-only")
        #expect(try store.history(number).map(\.actor) == ["wangfang", "wangfang", "lijun"])
    }
}

/// From a review: a supervisor demoted before demotions revoked their staff token kept it
/// unrevoked, and a later promotion brought it back. Migration 33 revokes such tokens.
@Suite struct StaleStaffTokensMigrationTests {
    @Test func tokensOfClerksNotActiveSupervisorsAreRevokedAsOfTheirChange() throws {
        let path = Fixtures.temporaryDatabasePath()
        let queue = try DatabaseQueue(path: path)
        try KaibanMigrations.migrator.migrate(queue, upTo: "0032-office-hours-corrections")
        let (issued, demoted) = (1_795_651_200, 1_795_654_800)
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO clerk (id, name, roles, active) VALUES
                        ('zhouqiang', '周强', 'supervisor', 1), ('sunli', '孙丽', 'window', 1),
                        ('gone', '离职', 'supervisor', 0), ('later', '新任', 'window', 1);
                    INSERT INTO clerk_event (clerk_id, sequence, at, kind, actor, roles, previous_roles, reason) VALUES
                        ('sunli', 1, ?, 'roles-changed', 'zhouqiang', 'window', 'supervisor', '轮岗');
                    INSERT INTO clerk_token (clerk_id, token_hash, issued_at, issued_by, expires_at) VALUES
                        ('zhouqiang', 'a', ?1, 'zhouqiang', ?1 + 86400), ('sunli', 'b', ?1, 'zhouqiang', ?1 + 86400),
                        ('gone', 'c', ?1, 'zhouqiang', ?1 + 86400), ('later', 'd', ?2 + 60, 'zhouqiang', ?2 + 86400);
                    """, arguments: [demoted, issued, demoted])
        }
        let store = try CaseStore(path: path)
        let tokens = Dictionary(uniqueKeysWithValues: try store.clerkTokens(of: nil).map { ($0.clerk, $0) })
        #expect(tokens["zhouqiang"]?.revokedAt == nil)
        // Revoked as of the demotion; with no change recorded, or issued after it, as of the issue.
        #expect(tokens["sunli"]?.revokedAt == Date(timeIntervalSince1970: TimeInterval(demoted)))
        #expect(tokens["gone"]?.revokedAt == Date(timeIntervalSince1970: TimeInterval(issued)))
        #expect(tokens["later"]?.revokedAt == Date(timeIntervalSince1970: TimeInterval(demoted + 60)))
        #expect(tokens["sunli"]?.revokeReason?.contains("升级时撤销") == true && tokens["sunli"]?.revokedBy == nil)
    }
}

/// From a re-trial: cases taken in before people's names were kept in one spelling (阿卜杜拉•艾合买提,
/// O’Brien) were no longer found by their names, since a search reads its query in that spelling.
/// Migration 30 rewrites their lookup keys.
@Suite struct NameKeysMigrationTests {
    @Test func namesKeptBeforeOneSpellingAreFoundAgain() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(path: path)
        var application = Fixtures.application()
        application.legalRepresentative.name = "阿卜杜拉·艾合买提"
        application.contact.name = "Jean-Luc O'Brien"
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(
            application, as: .clerk(Fixtures.window.id), at: Fixtures.at(9, 5)
        ).case.number
        // As an earlier version kept them.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "UPDATE case_lookup SET key = '阿卜杜拉•艾合买提' WHERE key = '阿卜杜拉·艾合买提'")
            try db.execute(sql: "UPDATE case_lookup SET key = 'jean – luc o’brien' WHERE key = 'jean-luc o''brien'")
        }
        #expect(try await desk.find("阿卜杜拉·艾合买提").cases.isEmpty)
        #expect(try await desk.find("Jean-Luc O'Brien").cases.isEmpty)
        try await queue.write { db in try KaibanMigrations.nameKeys(db) }
        #expect(try await desk.find("阿卜杜拉·艾合买提").cases.map(\.number) == [number])
        #expect(try await desk.find("阿卜杜拉•艾合买提").cases.map(\.number) == [number])
        #expect(try await desk.find("jean - luc o’brien").cases.map(\.number) == [number])
        let keys = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT key FROM case_lookup WHERE kind = 'n' ORDER BY key")
        }
        #expect(!keys.contains("阿卜杜拉•艾合买提") && keys.contains("阿卜杜拉·艾合买提"), "\(keys)")
    }
}
