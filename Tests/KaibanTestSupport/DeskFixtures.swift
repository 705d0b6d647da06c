import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore

extension Fixtures {
    /// A desk on a new store of `store` (a temporary SQLite database unless told otherwise) with
    /// the checkout's Forms/ and seeds/, a clock fixed at `now`, and the four clerks (the
    /// supervisor first, registered by no one).
    public static func desk(
        at now: Date = at(18, 0), formsRoot: URL = formsRoot, calendarFolder: URL? = nil,
        path: String = temporaryDatabasePath(), staffFrom: Date = at(8, 0, day: 2), store kind: TestStoreKind = .sqlite
    ) async throws -> Desk {
        let store = try await newStore(kind, path: path)
        var settings = KaibanSettings(
            database: kind == .sqlite ? path : store.location, formsRoot: formsRoot,
            calendarFolder: calendarFolder ?? packageRoot.appendingPathComponent("seeds/calendar"))
        // A database at an address has no folder beside it: its files go to one of the test's own.
        if kind == .postgres { settings.dataDirectory = URL(fileURLWithPath: path + ".files") }
        // The staff were registered at the start of the month, before anything the tests play.
        let clock = ManualClock(staffFrom)
        let desk = Desk(settings: settings, store: store, clock: clock)
        _ = try await desk.addClerk(
            id: supervisor.id, name: supervisor.name, roles: supervisor.roles, as: .anonymous)
        for clerk in [window, reviewer] {
            _ = try await desk.addClerk(id: clerk.id, name: clerk.name, roles: clerk.roles, as: .clerk(supervisor.id))
        }
        clock.set(now)
        return desk
    }

    /// A database file at `path` with the fixtures' staff (zhouqiang supervisor, wangfang window,
    /// lijun reviewer), registered at the start of the month: a command-line test can then enter
    /// the steps of a fixed day as late entries done by them.
    public static func staff(_ path: String) async throws {
        _ = try await desk(path: path)
    }

    /// A copy of the checkout's Forms/ in a new temporary folder, to edit, with the checkout's
    /// seeds/ beside it (linked).
    public static func formsCopy() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-forms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("Forms")
        try FileManager.default.copyItem(at: formsRoot, to: copy)
        try FileManager.default.createSymbolicLink(
            at: folder.appendingPathComponent("seeds"), withDestinationURL: packageRoot.appendingPathComponent("seeds"))
        return copy
    }

    /// The problem `body` throws, or nil when it throws none.
    public static func problem(_ body: () async throws -> Void) async -> Problem? {
        do {
            try await body()
            return nil
        } catch {
            return Problem.from(error)
        }
    }
}

extension Desk {
    /// The desk with its clock (the fixtures' ``ManualClock``) moved to `instant`: tests play a
    /// day in order, each step recorded as it happens, as the demo does.
    public func playing(_ instant: Date) -> Desk {
        (clock as? ManualClock)?.set(instant)
        return self
    }
}
