import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Registers a workflow definition version. Returns false when that exact version and content
    /// is already registered; refuses a changed definition that kept its version number.
    @discardableResult
    package func register(_ definition: WorkflowDefinition, source: ReferenceSource, at now: Date) throws -> Bool {
        try write { db in
            try recordReference(source, db)
            let sourceXML = source.text
            let key = definition.key
            if let stored = try String.fetchOne(
                db, sql: "SELECT source_xml FROM workflow_definition WHERE workflow_id = ? AND version = ?",
                arguments: [key.id, key.version])
            {
                guard stored == sourceXML else { throw StoreError.definitionChanged(key) }
                return false
            }
            try db.execute(
                sql: """
                    INSERT INTO workflow_definition (workflow_id, version, title, source_xml, definition_json, registered_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [key.id, key.version, definition.title.zh, sourceXML, try Self.json(definition), now])
            return true
        }
    }

    /// Whether `source` was already taken in with exactly this text (cheap: no parsing).
    package func isReferenceCurrent(_ source: ReferenceSource) throws -> Bool {
        try read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT text FROM reference_file WHERE key = ?"), arguments: [source.key])
                == source.text
        }
    }

    /// Remembers the text of a reference file, inside the transaction that took it in.
    func recordReference(_ source: ReferenceSource, _ db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO reference_file (key, text) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET text = excluded.text",
            arguments: [source.key, source.text])
    }

    /// The file name part of a reference key (`calendar:holidays-2026.xml` → `holidays-2026.xml`).
    static func fileName(_ source: ReferenceSource) -> String {
        source.key.split(separator: ":", maxSplits: 1).last.map(String.init) ?? source.key
    }

    /// The newest registered version of workflow `id`.
    package func latestDefinition(_ id: String) throws -> WorkflowDefinition {
        try read { db in try latestDefinition(id, db) }
    }

    func latestDefinition(_ id: String, _ db: Database) throws -> WorkflowDefinition {
        guard
            let version = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT MAX(version) FROM workflow_definition WHERE workflow_id = ?"),
                arguments: [id])
        else { throw StoreError.noDefinition(id) }
        return try definition(WorkflowDefinition.Key(id: id, version: version), db)
    }

    /// Every registered version, newest first within each workflow; each decoded once per store
    /// (a registered version never changes), since reports ask for them several times.
    package func definitions() throws -> [WorkflowDefinition] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT workflow_id, version FROM workflow_definition ORDER BY workflow_id, version DESC"
            )
            .map { try definition(WorkflowDefinition.Key(id: $0[0], version: $0[1]), db) }
        }
    }

    /// One exact version, from the cache when already decoded.
    package func definition(_ key: WorkflowDefinition.Key) throws -> WorkflowDefinition {
        if let cached = definitionCache.withLock({ $0[key] }) { return cached }
        return try read { db in try definition(key, db) }
    }

    func definition(_ key: WorkflowDefinition.Key, _ db: Database) throws -> WorkflowDefinition {
        if let cached = definitionCache.withLock({ $0[key] }) { return cached }
        guard
            let json = try String.fetchOne(
                db, sql: "SELECT definition_json FROM workflow_definition WHERE workflow_id = ? AND version = ?",
                arguments: [key.id, key.version])
        else { throw StoreError.definitionNotFound(key) }
        let definition = try Self.decode(WorkflowDefinition.self, json)
        definitionCache.withLock { $0[key] = definition }
        return definition
    }
}
