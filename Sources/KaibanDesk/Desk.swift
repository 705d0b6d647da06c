import Foundation
import KaibanCore
import KaibanForms
import Synchronization

/// Every use case a clerk, a portal or a partner province runs, as asynchronous functions that
/// take who is acting and return Codable results or throw a ``Problem``. The edges (the command
/// line, later the HTTP server and the exchange) parse, call the desk and present; the desk holds
/// the rules that need reference data, reads the time from its clock and reaches storage only
/// through ``DeskStore``.
public final class Desk: Sendable {
    public let settings: KaibanSettings
    public let store: any DeskStore
    public let clock: any DeskClock
    let cache = Mutex(Cache())

    /// Reference data read once and kept while its files do not change.
    struct Cache {
        var forms: FormsLibrary?
        var nameRules: NameRules?
        var calendar: WorkingCalendar?
        var inStep: Set<ReferenceKind> = []
        /// Whether the store's worklist order was brought in step with this calendar.
        var scheduled = false
    }

    public init(settings: KaibanSettings, store: any DeskStore, clock: any DeskClock = SystemClock()) {
        self.settings = settings
        self.store = store
        self.clock = clock
    }

    /// Forgets the reference data read so far: the next call brings in whatever file changed
    /// (for a long-running server; each command-line run starts afresh anyway).
    public func reload() {
        cache.withLock { $0 = Cache() }
    }

    /// Runs a use case, turning every failure into a ``Problem``.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Problem.from(error)
        }
    }

    /// The compiled Forms library (schemas compiled once).
    public func forms() throws -> FormsLibrary {
        if let forms = cache.withLock({ $0.forms }) { return forms }
        let forms = try FormsLibrary(root: settings.formsRoot)
        cache.withLock { $0.forms = forms }
        return forms
    }

    /// The name rules of Forms/names/name-rules.xml.
    func nameRules() throws -> NameRules {
        if let rules = cache.withLock({ $0.nameRules }) { return rules }
        let rules = try forms().nameRules()
        cache.withLock { $0.nameRules = rules }
        return rules
    }

    /// The hall's working calendar, with the calendar files brought in step first.
    public func workingCalendar() async throws -> WorkingCalendar {
        try await run {
            if let calendar = cache.withLock({ $0.calendar }) { return calendar }
            try await bringInStep(.calendar)
            let calendar = try await store.workingCalendar(hall: settings.hall)
            cache.withLock { $0.calendar = calendar }
            return calendar
        }
    }

    /// The SLA clock on the hall's calendar, with the store's worklist order brought in step with
    /// that calendar (once per desk, and only when the calendar changed since).
    public func slaClock() async throws -> SLAClock {
        try await run {
            let clock = SLAClock(calendar: try await workingCalendar(), riskThreshold: settings.riskThreshold)
            if !cache.withLock({ $0.scheduled }) {
                try await bringInStep(.workflow)
                _ = try await store.refreshSchedules(clock: clock)
                cache.withLock { $0.scheduled = true }
            }
            return clock
        }
    }

    /// The acting clerk's id, or a problem saying someone must act.
    func requireClerk(_ actor: DeskActor) throws -> String {
        guard let id = actor.clerkID else { throw StoreError.actorRequired }
        return id
    }

    /// The acting clerk, who must be active (a deactivated clerk cannot act).
    func requireActiveClerk(_ actor: DeskActor) async throws -> Clerk {
        let clerk = try await store.clerk(try requireClerk(actor))
        guard clerk.active else { throw WorkflowError.clerkInactive(clerk: clerk.id) }
        return clerk
    }

    /// The acting clerk, who must be an active supervisor to do `act`.
    func requireSupervisor(_ actor: DeskActor, for act: LocalizedText) async throws -> Clerk {
        let clerk = try await requireActiveClerk(actor)
        guard clerk.isSupervisor else { throw StoreError.supervisorRequired(clerk: clerk.id, act: act) }
        return clerk
    }

    /// The instant a step happened or a read is for: the one given, or now, to whole seconds (as
    /// stored). Instants the working calendar cannot measure are refused, never stored.
    func instant(_ given: Date?) throws -> Date {
        let instant = Date(timeIntervalSince1970: (given ?? clock.now()).timeIntervalSince1970.rounded(.down))
        let year = HallTime.localDate(of: instant).year
        guard (WorkingCalendar.firstYear...WorkingCalendar.lastYear).contains(year) else {
            throw Problem(
                .invalid, "instant.out-of-range",
                zh:
                    "\(HallTime.localText(of: instant))不在工作日历的范围内（\(WorkingCalendar.firstYear)至\(WorkingCalendar.lastYear)年）",
                en:
                    "\(HallTime.localText(of: instant)) is outside the working calendar (\(WorkingCalendar.firstYear) to \(WorkingCalendar.lastYear))"
            )
        }
        return instant
    }

    /// How far ahead of the clock a recorded step may be dated (clocks of desks drift a little).
    public static let futureTolerance: TimeInterval = 5 * 60

    /// The instant a step or an intake is recorded at: as ``instant(_:)``, and never later than now
    /// (within ``futureTolerance``): a step dated in the future would make every later step look
    /// backdated and its SLA figures wrong.
    func recordingInstant(_ given: Date?) throws -> Date {
        let instant = try instant(given)
        let now = clock.now()
        guard instant <= now.addingTimeInterval(Self.futureTolerance) else {
            throw Problem(
                .refused, "instant.in-future",
                zh: "\(HallTime.localText(of: instant))晚于现在（\(HallTime.localText(of: now))），不能记录尚未发生的办理",
                en:
                    "\(HallTime.localText(of: instant)) is later than now (\(HallTime.localText(of: now))); what has not happened cannot be recorded"
            )
        }
        return instant
    }

    /// A page size the desk serves: 1 to 10,000.
    func requireLimit(_ limit: Int) throws {
        guard (1...10_000).contains(limit) else {
            throw Problem(
                .invalid, "limit.out-of-range", zh: "条数\(limit)应在1至10000之间",
                en: "a limit of \(limit) is not between 1 and 10000")
        }
    }

    /// Today in the hall.
    public func today() -> CivilDate {
        HallTime.localDate(of: clock.now())
    }
}
