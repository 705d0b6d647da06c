import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban appointments [DATE]` and its subcommands: 预约办 at the window.
struct AppointmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appointments",
        abstract: localized(
            zh: "预约办：列出某日的预约时段、预约、到场和爽约；预约、取消、改约；负责人设定容量、开放延时服务。",
            en:
                "Appointments: a day's slots, bookings, check-ins and no-shows; book, cancel, move; capacity and extended hours."
        ),
        discussion: localized(
            zh: "到场办理用 kaiban intake … --appointment ID；预约时段开始15分钟后仍未到场的为爽约，不能再到场办理。",
            en:
                "Check in at the window with kaiban intake … --appointment ID; a booking not checked in 15 minutes after its slot's start is a no-show and can no longer be checked in."
        ),
        subcommands: [
            ListAppointments.self, BookAppointment.self, CancelAppointment.self, MoveAppointment.self,
            AppointmentCapacity.self, ExtendAppointments.self,
        ],
        defaultSubcommand: ListAppointments.self)

    /// A `YYYY-MM-DD` argument, or a usage error naming `flag`.
    static func date(_ text: String, _ flag: String) throws -> CivilDate {
        guard let date = CivilDate(text.trimmingCharacters(in: .whitespaces)) else {
            throw usageError(
                zh: "\(flag)：“\(text)”不是日期（YYYY-MM-DD）", en: "\(flag): \"\(text)\" is not a date (YYYY-MM-DD)")
        }
        return date
    }

    /// One booking in a line.
    static func line(_ appointment: Appointment, _ language: Language) -> String {
        let zh = language == .zh
        return zh
            ? "预约\(appointment.id)：\(appointment.date) \(appointment.time) \(appointment.name)（\(appointment.state.name.zh)）"
            : "booking \(appointment.id): \(appointment.date) \(appointment.time) \(appointment.name) (\(appointment.state.name.en))"
    }
}

struct ListAppointments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: localized(zh: "列出某日的时段和预约。", en: "List a day's slots and bookings."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "日期 YYYY-MM-DD，默认今天。", en: "Date YYYY-MM-DD, default today."))
    var date: String?

    @Option(
        help: .localized(
            zh: "按该时刻判断爽约（ISO 8601，默认现在）。", en: "Judge no-shows as of this instant (ISO 8601, default now)."))
    var at: String?

    func validate() throws {
        if let date { _ = try AppointmentsCommand.date(date, "DATE") }
        if let at, HallTime.parse(at) == nil {
            throw usageError(zh: "--at：无法识别的时刻“\(at)”", en: "--at: \"\(at)\" is not an instant")
        }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let date = try date.map { try AppointmentsCommand.date($0, "DATE") } ?? session.desk.today()
            let day = try await session.desk.appointmentDay(date, at: at.flatMap(HallTime.parse))
            if output.json {
                try Console.json(day)
                return
            }
            let zh = session.zh
            guard !day.slots.isEmpty || !day.appointments.isEmpty else {
                Console.print(zh ? "\(date)没有预约时段（非工作日）" : "\(date) has no slots (a day off)")
                return
            }
            var slots = TextTable(zh ? ["时段", "名额", "已约", "余量", "类型"] : ["slot", "places", "taken", "free", "kind"])
            for slot in day.slots {
                slots.add([
                    slot.time, "\(slot.capacity)", "\(slot.taken)", "\(slot.available)",
                    slot.extended ? (zh ? "延时服务" : "extended") : (zh ? "办公时间" : "office"),
                ])
            }
            Console.print(slots.rendered)
            Console.print(Self.bookings(day, language: session.language))
        }
    }

    /// The day's bookings as they stand (ID numbers masked) and the day's counts.
    static func bookings(_ day: AppointmentDay, language: Language) -> String {
        let zh = language == .zh
        var lines: [String] = []
        if !day.appointments.isEmpty {
            var table = TextTable(
                zh
                    ? ["编号", "时段", "姓名", "身份证号", "电话", "状态", "办件编号"]
                    : ["id", "slot", "name", "ID number", "phone", "state", "case"])
            for booking in day.appointments {
                table.add([
                    "\(booking.id)", booking.time, booking.name, booking.idNumber, booking.phone,
                    booking.state.name.text(language), booking.caseNumber ?? "",
                ])
            }
            lines.append(table.rendered)
        }
        lines.append(
            zh
                ? "待到场\(day.booked)，已到场\(day.checkedIn)，爽约\(day.noShows)，已取消\(day.cancelled)"
                    + (day.slotClosed > 0 ? "，时段因日历变更已不开放\(day.slotClosed)（不计爽约）" : "")
                : "booked \(day.booked), checked in \(day.checkedIn), no-shows \(day.noShows), cancelled \(day.cancelled)"
                    + (day.slotClosed > 0
                        ? ", \(day.slotClosed) on a slot the calendar no longer has (no no-shows)" : "")
        )
        return lines.joined(separator: "\n")
    }
}

struct BookAppointment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: localized(zh: "为申请人预约一个时段。", en: "Book a slot for an applicant."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: .localized(zh: "日期 YYYY-MM-DD。", en: "Date YYYY-MM-DD."))
    var date: String
    @Option(help: .localized(zh: "时段开始时间 HH:MM。", en: "The slot's start HH:MM."))
    var time: String
    @Option(help: .localized(zh: "申请人姓名。", en: "The applicant's name."))
    var name: String
    @Option(name: .customLong("id"), help: .localized(zh: "申请人身份证号码。", en: "The applicant's ID number."))
    var idNumber: String
    @Option(help: .localized(zh: "联系电话。", en: "Phone number."))
    var phone: String
    @Option(
        name: .customLong("enterprise-name"),
        help: .localized(zh: "拟办企业名称（可选）。", en: "The enterprise's name (optional)."))
    var enterpriseName: String?

    func validate() throws { _ = try AppointmentsCommand.date(date, "--date") }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let booking = try await session.desk.book(
                date: try AppointmentsCommand.date(date, "--date"), time: time,
                for: BookingApplicant(name: name, idNumber: idNumber, phone: phone, enterpriseName: enterpriseName),
                as: session.actor
            ).maskingID()
            if output.json { return try Console.json(booking) }
            Console.print((session.zh ? "已预约 " : "booked ") + AppointmentsCommand.line(booking, session.language))
        }
    }
}

struct CancelAppointment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: localized(zh: "取消预约。", en: "Cancel a booking."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "预约编号。", en: "Booking id."))
    var id: Int64
    @Option(help: .localized(zh: "取消理由。", en: "Why."))
    var reason: String?

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let booking = try await session.desk.cancelAppointment(id, reason: reason, as: session.actor).maskingID()
            if output.json { return try Console.json(booking) }
            Console.print(AppointmentsCommand.line(booking, session.language))
        }
    }
}

struct MoveAppointment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move", abstract: localized(zh: "改约到另一时段（原预约保留为已改约）。", en: "Move a booking to another slot."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "预约编号。", en: "Booking id."))
    var id: Int64
    @Option(help: .localized(zh: "新日期 YYYY-MM-DD。", en: "New date YYYY-MM-DD."))
    var date: String
    @Option(help: .localized(zh: "新时段开始时间 HH:MM。", en: "The new slot's start HH:MM."))
    var time: String

    func validate() throws { _ = try AppointmentsCommand.date(date, "--date") }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let booking = try await session.desk.moveAppointment(
                id, date: try AppointmentsCommand.date(date, "--date"), time: time, as: session.actor
            ).maskingID()
            if output.json { return try Console.json(booking) }
            Console.print((session.zh ? "已改约为 " : "moved to ") + AppointmentsCommand.line(booking, session.language))
        }
    }
}

extension AppointmentsCommand {
    /// Tells the supervisor which slots to come are now booked beyond their places (after a change of
    /// the places, or of the window clerks they follow unless set): on standard error under
    /// --json, the JSON keeping its shape.
    static func warnOfOverbookedSlots(_ session: Session, json: Bool) async throws {
        // The change is made already: a list that cannot be read is said so, never taken for the
        // change having failed.
        guard let slots = try? await session.desk.overbookedSlots() else {
            let text =
                session.zh
                ? "注意：变更已保存，但未能读取超过名额的预约时段（稍后用 kaiban appointments 日期 查看）"
                : "note: the change is saved, but the slots booked beyond their places could not be read (see kaiban appointments DATE later)"
            if json { Console.error(text) } else { Console.print(text) }
            return
        }
        guard !slots.isEmpty else { return }
        let zh = session.zh
        var lines = [
            zh
                ? "注意：以下预约时段的预约已超过名额（未设定名额时，名额按在岗窗口人员数计算；可用 kaiban appointments capacity 调整，或改约、取消预约）："
                : "note: these slots are now booked beyond their places (places follow the active window clerks unless set: kaiban appointments capacity; or move or cancel bookings):"
        ]
        for slot in slots {
            lines.append(
                zh
                    ? "  \(slot.date) \(slot.time) 名额\(slot.capacity)，已约\(slot.taken)"
                    : "  \(slot.date) \(slot.time): \(slot.capacity) places, \(slot.taken) booked")
        }
        let text = lines.joined(separator: "\n")
        if json { Console.error(text) } else { Console.print(text) }
    }

}

struct AppointmentCapacity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: localized(
            zh: "负责人设定每个办公时段的预约名额（默认每个窗口每30分钟一件）。",
            en: "A supervisor sets the places per office slot (default one per window per 30 minutes)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "每个时段的名额。", en: "Places per slot."))
    var places: Int
    @Option(help: .localized(zh: "自该日起生效（YYYY-MM-DD，默认今天）。", en: "In force from this date (default today)."))
    var from: String?

    func validate() throws { if let from { _ = try AppointmentsCommand.date(from, "--from") } }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let setting = try await session.desk.setAppointmentCapacity(
                places, from: try from.map { try AppointmentsCommand.date($0, "--from") }, as: session.actor)
            // Fewer places can leave days already booked over them: said, as after a clerk leaves.
            try await AppointmentsCommand.warnOfOverbookedSlots(session, json: output.json)
            if output.json { return try Console.json(setting) }
            Console.print(
                session.zh
                    ? "自\(setting.effectiveFrom)起每个时段\(setting.capacity)个名额（\(setting.setBy)设定）"
                    : "\(setting.capacity) places per slot from \(setting.effectiveFrom) (set by \(setting.setBy))")
        }
    }
}

struct ExtendAppointments: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: localized(
            zh: "负责人开放延时服务时段（午间、下班后、周末），只在办公时间以外。",
            en: "A supervisor opens extended-hours slots (lunch, after closing, weekends), outside office time."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: .localized(zh: "日期 YYYY-MM-DD。", en: "Date YYYY-MM-DD."))
    var date: String
    @Option(help: .localized(zh: "开始时间 HH:MM。", en: "Start HH:MM."))
    var from: String
    @Option(help: .localized(zh: "结束时间 HH:MM。", en: "End HH:MM."))
    var to: String
    @Option(
        parsing: .unconditional,
        help: .localized(zh: "每个时段的名额（默认同办公时段）。", en: "Places per slot (default: as office slots)."))
    var capacity: Int?
    @Option(help: .localized(zh: "理由。", en: "Why."))
    var reason: String

    func validate() throws { _ = try AppointmentsCommand.date(date, "--date") }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let opened = try await session.desk.openAppointmentExtension(
                date: try AppointmentsCommand.date(date, "--date"), from: from, to: to, capacity: capacity,
                reason: reason, as: session.actor)
            if output.json { return try Console.json(opened) }
            let span =
                "\(opened.date) \(AppointmentRules.text(ofMinute: opened.startMinute))–\(AppointmentRules.text(ofMinute: opened.endMinute))"
            Console.print(
                session.zh
                    ? "已开放延时服务 \(span)，每个时段\(opened.capacity)个名额"
                    : "extended hours open \(span), \(opened.capacity) places per slot")
        }
    }
}

extension IntakeCommand {
    /// Takes the application in: at check-in of `--appointment` (channel 预约办), else as usual.
    func admit(
        _ application: CaseApplication, documents: DocumentSelection, as actor: DeskActor, at instant: Date?,
        late: LateEntry?, desk: Desk
    ) async throws -> IntakeResult {
        guard let appointment else {
            return try await desk.intake(application, documents: documents, as: actor, at: instant, late: late)
        }
        do {
            return try await desk.checkIn(
                appointment: appointment, application, documents: documents, as: actor, at: instant)
        } catch let problem as Problem where problem.code == "instant.late-entry" {
            // Not the generic advice (a supervisor's late entry): a check-in is never one.
            throw Problem(
                .refused, "appointment.check-in-late",
                zh: "到场办理须即时登记，不能补录（\(problem.message(.zh))）；补录收件请去掉 --appointment，由负责人补录",
                en:
                    "a check-in is recorded as it happens, never entered late (\(problem.message(.en))); enter a late intake without --appointment"
            )
        }
    }
}
