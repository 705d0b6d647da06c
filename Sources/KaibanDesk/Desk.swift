import Foundation
import KaibanCore
import KaibanForms
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

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
        /// When ``calendar``'s revision was last compared with the store's.
        var calendarCheckedAt: ContinuousClock.Instant?
        var checklist: DocumentChecklist?
        var inStep: Set<ReferenceKind> = []
        /// Whether the store's worklist order was brought in step with this calendar.
        var scheduled = false
    }

    /// Query passwords already verified against their stored hashes, so that an applicant's
    /// repeated reads pay the slow hash (PBKDF2) once: each entry is the SHA-256 of the stored
    /// hash and the password together, never the password itself. Bounded: when full it starts
    /// again empty.
    let verifiedSecrets = Mutex(Set<String>())
    static let verifiedSecretsCapacity = 50_000
    /// The last view an applicant read of each case, by case number, with the case's version: the
    /// same case at the same version and the same second is the same answer, so a portal polling
    /// a case is answered without folding its history again. Bounded like ``verifiedSecrets``.
    let portalViews = Mutex([String: (version: Int, view: CaseView)]())
    static let portalViewsCapacity = 10_000
    /// Active portals by the SHA-256 of their token, each with when it was read: a token is looked
    /// up again after ``portalTokenLifetime``, so a revocation made by another process (the
    /// command line) reaches a running server within that time; one made through this desk at once.
    let portalsByToken = Mutex([String: (portal: Portal, readAt: ContinuousClock.Instant)]())
    public static let portalTokenLifetime = Duration.seconds(1)
    /// Division statuses read, by code and date (see ``division(_:on:)``): reference data, kept
    /// until the divisions file is taken in again or ``reload()``. Bounded: when full it starts
    /// again empty.
    let divisionStatuses = Mutex([String: DivisionStatus]())
    static let divisionStatusesCapacity = 20_000

    /// The portal submissions of one trade name and industry in a hall, one at a time (see
    /// ``submit(_:through:idempotencyKey:requestBody:canonicalBody:)``).
    let namesBeingSubmitted = KeyedGate()
    /// The names whose submissions are being taken in now (for tests: none once all are answered).
    package var namesBeingSubmittedCount: Int { namesBeingSubmitted.heldCount }

    /// Where the desk tells its user of something it did other than asked without refusing (an
    /// instant a little ahead of the clock recorded as now): the command line prints it on
    /// standard error; a server has no one to tell.
    let notices: (@Sendable (LocalizedText) -> Void)?

    public init(
        settings: KaibanSettings, store: any DeskStore, clock: any DeskClock = SystemClock(),
        notices: (@Sendable (LocalizedText) -> Void)? = nil
    ) {
        self.settings = settings
        self.store = store
        self.clock = clock
        self.notices = notices
    }

    /// Forgets the reference data read so far: the next call brings in whatever file changed
    /// (for a long-running server; each command-line run starts afresh anyway).
    public func reload() {
        cache.withLock { $0 = Cache() }
        divisionStatuses.withLock { $0.removeAll() }
    }

    /// Runs a use case, turning every failure into a ``Problem``.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            // What the operation tells its user is told only once it has succeeded ("recorded as
            // now" after a refusal would say something was recorded).
            guard let notices, Self.pendingNotices == nil else { return try await body() }
            let pending = PendingNotices()
            let value = try await Self.$pendingNotices.withValue(pending) { try await body() }
            for text in pending.texts.withLock({ $0 }) { notices(text) }
            return value
        } catch {
            throw Self.realCause(of: Problem.from(error))
        }
    }

    /// How many more files a command needs to be able to open (its database's connections, each
    /// with its log and shared memory, and the definitions and schemas it reads).
    static let descriptorsHeadroom = 32

    /// `problem`, or the cause behind it: a file that could not be opened for want of file
    /// descriptors reads as a broken or missing definition, or an unusable database.
    public static func realCause(of problem: Problem) -> Problem {
        guard problem.kind == .brokenData || problem.kind == .storage || problem.code == "file.unreadable" else {
            return problem
        }
        return descriptorsExhausted() ?? problem
    }

    /// A problem saying the process is short of file descriptors (`ulimit -n`), or nil when it has
    /// ``descriptorsHeadroom`` left: by the time a failure is reported, the descriptors of what
    /// failed are closed again, so one more free would prove nothing. Counted in `/proc/self/fd`,
    /// once a second at most however many requests fail at once (a database that went away fails
    /// them all).
    static func descriptorsExhausted() -> Problem? {
        descriptorsProbe.withLock { last in
            if let last, last.at.duration(to: .now) < .seconds(1) { return last.problem }
            let problem = probeDescriptors()
            last = (ContinuousClock.now, problem)
            return problem
        }
    }

    /// The last ``descriptorsExhausted()`` answer, and when it was found.
    static let descriptorsProbe = Mutex<(at: ContinuousClock.Instant, problem: Problem?)?>(nil)

    static func probeDescriptors() -> Problem? {
        var limit = rlimit()
        let soft =
            getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 0
        var failure: Int32 = 0
        let probe = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if probe >= 0 {
            close(probe)
            guard soft > 0, let open = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count,
                soft - open < descriptorsHeadroom
            else { return nil }
            failure = EMFILE
        } else {
            failure = errno
        }
        guard failure == EMFILE || failure == ENFILE else { return nil }
        let system = failure == ENFILE
        return Problem(
            .storage, "system.too-many-open-files",
            zh: system
                ? "系统打开的文件数已达上限，无法打开所需文件：请稍后再试，或请管理员调高系统上限（fs.file-max）"
                : "本进程打开的文件数已达上限（ulimit -n 为\(soft)），无法打开所需文件：请调高上限（如 ulimit -n 65536 或 systemd 的 LimitNOFILE）后重试",
            en: system
                ? "the system has run out of open files and cannot open the files needed: try again later, or have an administrator raise the limit (fs.file-max)"
                : "this process has as many files open as it may (ulimit -n is \(soft)) and cannot open the files needed: raise the limit (ulimit -n 65536, or systemd's LimitNOFILE) and try again"
        )
    }

    /// The notices of the operation under way (``run(_:)``), told when it succeeds.
    final class PendingNotices: Sendable {
        let texts = Mutex<[LocalizedText]>([])
    }
    @TaskLocal static var pendingNotices: PendingNotices?

    /// Tells the user `text` once the operation under way has succeeded.
    func notice(_ text: LocalizedText) {
        if let pending = Self.pendingNotices {
            pending.texts.withLock { $0.append(text) }
        } else {
            notices?(text)
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

    /// How long a calendar read is used before its revision is compared with the store's again: a
    /// change made by another process (a supervisor's `calendar hours` or `calendar import` while
    /// `kaiban serve` runs) reaches a running server within this time.
    public static let calendarLifetime = Duration.seconds(1)

    /// The hall's working calendar, with the calendar files brought in step first. Kept, and
    /// compared with the store's revision once per ``calendarLifetime``: when another process
    /// changed the calendar, it is read again (and the worklist order brought in step with it).
    public func workingCalendar() async throws -> WorkingCalendar {
        try await run {
            let now = ContinuousClock.now
            // One request compares at a time: it marks the check done before asking, and the
            // others keep the calendar they have meanwhile.
            let kept = cache.withLock { cache -> (WorkingCalendar, Bool)? in
                guard let calendar = cache.calendar else { return nil }
                if let checked = cache.calendarCheckedAt, checked.duration(to: now) < Self.calendarLifetime {
                    return (calendar, false)
                }
                cache.calendarCheckedAt = now
                return (calendar, true)
            }
            if let (calendar, compare) = kept {
                guard compare else { return calendar }
                let stored: Int
                do {
                    stored = try await store.calendarRevision()
                } catch {
                    // The database unreachable for a moment: the calendar at hand still answers.
                    return calendar
                }
                if stored == calendar.revision { return calendar }
            }
            try await bringInStep(.calendar)
            let calendar = try await store.workingCalendar(hall: settings.hall)
            return cache.withLock { cache in
                // A newer calendar read meanwhile (by this desk's own change) is kept.
                if let newer = cache.calendar, newer.revision > calendar.revision { return newer }
                if cache.calendar?.revision != calendar.revision { cache.scheduled = false }
                cache.calendar = calendar
                cache.calendarCheckedAt = now
                return calendar
            }
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

    /// The instant a step or an intake is recorded at: as ``instant(_:)``, and never later than now:
    /// an instant up to ``futureTolerance`` ahead (a desk clock that drifts) is taken as now, one
    /// further ahead is refused (a step dated in the future would make every later step look
    /// backdated and its SLA figures wrong).
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
        // A desk clock a little ahead: the step is recorded as happening now, never later (a
        // later instant would hide the step from reads now and refuse the next step as early),
        // and the clerk is told so.
        let recorded = self.instant(nowRounded: now)
        let (given, nowText) = (HallTime.localText(of: instant), HallTime.localText(of: recorded))
        if instant > recorded, given != nowText {
            notice(
                LocalizedText(
                    zh: "注意：所填时间\(given)晚于现在，按现在（\(nowText)）记录",
                    en: "note: \(given) is later than now; recorded as now (\(nowText))"))
        }
        return min(instant, recorded)
    }

    /// `now` to whole seconds, as stored.
    func instant(nowRounded now: Date) -> Date {
        Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }

    /// How long after the fact a step may still be entered as it happens (a clerk finishing with
    /// the applicant first). Anything older is a late entry (补录).
    public static let lateEntryTolerance: TimeInterval = 15 * 60

    /// The act a late entry is, for messages.
    static let lateEntryAct = LocalizedText(zh: "补录过去的办理", en: "enter a past step")

    /// Who a step is recorded for, when it happened and how it is written. A step dated more
    /// than ``lateEntryTolerance`` before now is a late entry (补录: paper cases after an outage):
    /// only a supervisor enters one, with a reason, for the clerk who did it (`late.doneBy`, by
    /// default the supervisor); the history shows both instants, the supervisor and the reason.
    func recording(_ given: Date?, as actor: DeskActor, late: LateEntry?) async throws
        -> (clerk: String, at: Date, recording: Recording)
    {
        let at = try recordingInstant(given)
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        let isLate = at < now.addingTimeInterval(-Self.lateEntryTolerance)
        guard let late else {
            guard !isLate else {
                throw Problem(
                    .refused, "instant.late-entry",
                    zh:
                        "\(HallTime.localText(of: at))早于现在（\(HallTime.localText(of: now))）\(Int(now.timeIntervalSince(at)) / 60)分钟：补录过去的办理须由负责人说明补录原因，并指明经办人",
                    en:
                        "\(HallTime.localText(of: at)) is \(Int(now.timeIntervalSince(at)) / 60) minutes before now (\(HallTime.localText(of: now))): a past step is entered by a supervisor, with the reason and the clerk who did it"
                )
            }
            let clerk = try await requireActiveClerk(actor)
            // A step dated a few minutes back is checked against the clerk as they stood then, as
            // a late entry is: one registered, or given the role, since had been recorded doing it.
            guard given != nil, at < now else {
                return (clerk.id, at, Recording(at: now, datedNow: given == nil))
            }
            return (clerk.id, at, Recording(at: now, doneByThen: try await clerkThen(clerk.id, at: at)))
        }
        guard isLate else {
            // Recording a step of now under another clerk's name is no late entry.
            throw Problem(
                .refused, "instant.not-late",
                zh: "\(HallTime.localText(of: at))距现在不足\(Int(Self.lateEntryTolerance) / 60)分钟，不是补录：由经办人本人办理",
                en:
                    "\(HallTime.localText(of: at)) is less than \(Int(Self.lateEntryTolerance) / 60) minutes ago, no late entry: the clerk who does it records it"
            )
        }
        let supervisor = try await requireSupervisor(actor, for: Self.lateEntryAct)
        let reason = try reason(
            late.reason, field: "lateReason", label: LocalizedText(zh: "补录原因", en: "the late entry's reason"),
            required: true)
        let doer =
            late.doneBy.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? supervisor.id
        // The step is checked against the clerk as they stood when it happened.
        let then = try await clerkThen(doer, at: at)
        return (
            doer, at,
            Recording(at: now, lateEntryBy: supervisor.id, lateReason: reason, doneByThen: then)
        )
    }

    /// Clerk `id` as they stood at `at` (their roles then), or a refusal when they were not
    /// registered yet.
    func clerkThen(_ id: String, at: Date) async throws -> Clerk {
        let current = try await store.clerk(id)
        guard let then = current.asOf(at, history: try await store.clerkHistory(id)) else {
            throw Problem(
                .refused, "clerk.not-yet-registered",
                zh: "工作人员\(id)在\(HallTime.localText(of: at))时尚未登记，不能记为该办理的经办人",
                en:
                    "clerk \(id) was not registered yet at \(HallTime.localText(of: at)); they cannot have done the step"
            )
        }
        return then
    }

    /// A reason as kept with an act: trimmed, one line of visible text of bounded length, and
    /// not empty when `required`; `label` names it in the problem.
    func reason(_ text: String?, field: String, label: LocalizedText, required: Bool) throws -> String {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let problem =
            trimmed.isEmpty
            ? (required ? LocalizedText(zh: "不能为空", en: "is empty") : nil)
            : FreeText.problem(trimmed, limit: FreeText.reasonLimit)
        if let problem {
            throw Problem(
                .refused, "text.not-accepted", zh: "\(label.zh)\(problem.zh)", en: "\(label.en) \(problem.en)",
                fields: [FieldProblem(field: field, reason: problem)])
        }
        return trimmed
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
