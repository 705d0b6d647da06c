import Foundation
import KaibanCore
import KaibanForms

/// The kinds of reference data kept in the store: each file is taken in when its text differs
/// from what the store last took in, and costs one comparison otherwise.
enum ReferenceKind: String, Sendable, CaseIterable {
    case workflow
    case calendar
    case divisions
}

extension Desk {
    /// The files of one kind, in a stable order.
    func referenceFiles(_ kind: ReferenceKind) throws -> [URL] {
        switch kind {
        case .workflow:
            let files = FormsLibrary.workflowFiles(in: settings.formsRoot)
            guard !files.isEmpty else {
                throw Problem(
                    .brokenData, "workflow.none",
                    zh: "\(settings.formsRoot.path)/workflows中没有流程定义",
                    en: "no workflow definitions in \(settings.formsRoot.path)/workflows")
            }
            return files
        case .calendar:
            let folder = settings.calendarFolder
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.filter { $0.hasSuffix(".xml") }.sorted().map { folder.appendingPathComponent($0) }
        case .divisions:
            return [settings.divisionsFile]
        }
    }

    /// Brings the store in step with the files of `kind` (once per desk until ``reload()``): every
    /// file whose text changed is parsed, checked against its schema and taken in.
    func bringInStep(_ kind: ReferenceKind) async throws {
        if cache.withLock({ $0.inStep.contains(kind) }) { return }
        for url in try referenceFiles(kind) {
            let data: Data
            do throws(Problem) {
                data = try DataFile.read(url)
            } catch {
                // A reference file missing or unreadable is a broken installation, not bad input.
                throw Problem(.brokenData, "data.unreadable", error.text)
            }
            let source = ReferenceSource(
                key: "\(kind.rawValue):\(url.lastPathComponent)", text: String(decoding: data, as: UTF8.self))
            if try await store.isReferenceCurrent(source) { continue }
            try await takeIn(kind, data: data, from: url, source: source)
        }
        cache.withLock { _ = $0.inStep.insert(kind) }
    }

    func takeIn(_ kind: ReferenceKind, data: Data, from url: URL, source: ReferenceSource) async throws {
        let now = clock.now()
        switch kind {
        case .workflow:
            let definition = try forms().workflowLoader.load(data, source: url.path)
            try await store.register(definition, source: source, at: now)
        case .calendar:
            let loader = try forms().calendarLoader
            // The change's reason: the file it came from.
            if url.lastPathComponent.hasPrefix("office-hours") {
                let hours = try loader.officeHours(data, source: url.path)
                try await store.loadOfficeHours(hours, source: source, reason: url.path, at: now)
            } else {
                let years = try loader.holidayYears(data, source: url.path)
                try await store.loadHolidayYears(years, source: source, reason: url.path, at: now)
            }
        case .divisions:
            let divisions = try forms().divisionLoader.load(data, source: url.path)
            try await store.loadDivisions(divisions, source: source)
            divisionStatuses.withLock { $0.removeAll() }
        }
    }

    /// Every workflow definition version registered, newest first within each workflow.
    public func definitions() async throws -> [WorkflowDefinition] {
        try await run {
            try await bringInStep(.workflow)
            return try await store.definitions()
        }
    }

    /// One exact definition version.
    public func definition(_ key: WorkflowDefinition.Key) async throws -> WorkflowDefinition {
        try await run {
            try await bringInStep(.workflow)
            return try await store.definition(key)
        }
    }

    /// The version new cases start under.
    public func latestDefinition() async throws -> WorkflowDefinition {
        try await run {
            try await bringInStep(.workflow)
            return try await store.latestDefinition(settings.workflowID)
        }
    }

    /// What is known of a division code on `date`. Divisions are reference data, taken in from
    /// their file once per desk (see ``bringInStep(_:)``): a status read once is kept in memory
    /// (``divisionStatuses``) until the file is taken in again or the desk reloads, so an intake
    /// does not read the table for the domicile, the hall and every ID number's issuing division.
    public func division(_ code: String, on date: CivilDate) async throws -> DivisionStatus {
        try await run {
            // Only six digits can be a code: anything else (a NUL or a letter typed in it) is
            // unknown without asking the store (PostgreSQL's text cannot even hold a NUL).
            guard code.utf8.count == 6, code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return DivisionStatus(code: code, on: date, history: [], parents: [])
            }
            try await bringInStep(.divisions)
            let key = "\(code) \(date)"
            if let known = divisionStatuses.withLock({ $0[key] }) { return known }
            let status = try await store.division(code, on: date)
            divisionStatuses.withLock {
                if $0.count >= Self.divisionStatusesCapacity { $0.removeAll(keepingCapacity: true) }
                $0[key] = status
            }
            return status
        }
    }
}
