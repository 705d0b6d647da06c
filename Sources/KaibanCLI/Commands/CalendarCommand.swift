import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanForms

/// `kaiban calendar`: the working calendar (holidays, make-up days, office hours).
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: localized(zh: "工作日历：节假日、调休上班日和办公时间。", en: "The working calendar (工作日历)."),
        subcommands: [Status.self, Show.self, Elapsed.self, Add.self, Import.self, Hours.self],
        defaultSubcommand: Status.self)

    /// `kaiban calendar status`
    struct Status: AsyncParsableCommand {

        /// What `status` says of holiday-notice files that differ from the years loaded: a year a
        /// supervisor corrected differs on purpose (importing its file again would undo the
        /// correction; a trial was told to do just that), any other was edited without effect.
        static func holidayFileNotes(differing: [Int], changes: [CalendarChange], zh: Bool) -> [String] {
            let corrected = Set(changes.filter { $0.change == "replaced" }.map(\.subject))
            let years = differing.map(String.init)
            let correctedYears = years.filter(corrected.contains)
            let edited = years.filter { !corrected.contains($0) }
            var notes: [String] = []
            if !correctedYears.isEmpty {
                notes.append(
                    zh
                        ? "注意：\(correctedYears.joined(separator: "、"))年已由负责人更正（见下方变更记录），与节假日安排文件不同；重新载入该文件会撤销更正"
                        : "note: \(correctedYears.joined(separator: ", ")) was corrected by a supervisor (see the changes below) and differs from its holiday-notice file; importing that file again would undo the correction"
                )
            }
            if !edited.isEmpty {
                notes.append(
                    zh
                        ? "注意：\(edited.joined(separator: "、"))年的节假日安排文件与已载入的不同，文件的修改不会自动生效；更正由负责人执行 kaiban calendar import 文件 --replace --reason 理由"
                        : "note: the holiday-notice file of \(edited.joined(separator: ", ")) differs from the dates loaded; an edited file is not applied by itself: a supervisor corrects with kaiban calendar import FILE --replace --reason R"
                )
            }
            return notes
        }
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: localized(zh: "日历已载入节假日安排的年份、办公时间及其变更。", en: "Which years the calendar knows, and its changes."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let status = try await session.desk.calendarStatus()
                if output.json {
                    try Console.json(status)
                    return
                }
                let zh = session.zh
                let covered = status.years.map { String($0.year) }
                Console.print(
                    zh
                        ? "已载入节假日安排：\(covered.joined(separator: "、"))年；其他年份按周末计算，\(StatutoryHolidays.firstYear)年起另计法定节假日（调休以放假通知为准），结果标注“暂估”。"
                        : "holiday notices loaded for \(covered.joined(separator: ", ")); other years count weekends and, from \(StatutoryHolidays.firstYear), the statutory holidays (bridges and make-up days need the notice), and their figures are marked provisional."
                )
                var table = TextTable(zh ? ["年份", "依据", "来源", "载入时间"] : ["year", "notice", "source", "loaded"])
                for year in status.years {
                    table.add(["\(year.year)", year.notice, year.source, HallTime.localText(of: year.loadedAt)])
                }
                Console.print(table.rendered)
                Console.print("")
                Console.print(
                    (zh ? "现行办公时间（" : "office hours in force (") + status.officeHours.name + (zh ? "）：" : "):"))
                for season in status.officeHours.seasons {
                    let sessions = season.sessions.map { clock($0.start) + "–" + clock($0.end) }.joined(separator: ", ")
                    Console.print(
                        "  \(season.name.text(session.language)) \(monthDay(season.from))–\(monthDay(season.to)): \(sessions)"
                    )
                }
                var versions = TextTable(
                    zh ? ["生效日期", "来源", "记录时间", "负责人", "理由"] : ["in force from", "source", "recorded", "by", "reason"])
                for record in status.officeHoursVersions {
                    let corrected = record.corrected
                    versions.add([
                        (record.version.effectiveFrom == OfficeHoursVersion.beginning
                            ? (zh ? "起始" : "the start") : record.version.effectiveFrom.description)
                            + (corrected ? (zh ? "（已更正）" : " (corrected)") : ""),
                        record.source, HallTime.localText(of: record.recordedAt), record.recordedBy ?? "—",
                        record.reason,
                    ])
                }
                Console.print(zh ? "办公时间的各个版本：" : "versions of the office hours:")
                Console.print(versions.rendered)
                for note in Self.holidayFileNotes(differing: status.holidayFilesDiffer, changes: status.changes, zh: zh)
                {
                    Console.print(note)
                }
                if status.officeHoursFileDiffers {
                    Console.print(
                        zh
                            ? "注意：办公时间文件与现行办公时间不同，文件的修改不会自动生效；由负责人执行 kaiban calendar hours 文件 --from 生效日期 --reason 理由"
                            : "note: the office-hours file differs from the hours in force; an edited file is not applied by itself: a supervisor runs kaiban calendar hours FILE --from DATE --reason R"
                    )
                }
                if let last = status.changes.last {
                    Console.print(
                        (zh ? "\n最近一次变更：" : "\nlast change: ")
                            + "\(HallTime.localText(of: last.at)) \(last.subject) "
                            + (zh ? (last.change == "added" ? "载入" : "更正") : last.change)
                            + (zh ? "（\(last.reason)）" : " (\(last.reason))"))
                }
            }
        }
    }

    /// `kaiban calendar show 2026-02`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: localized(
                zh: "显示一个月的日历：工作日、法定节假日和调休上班日。", en: "Print a month: working days, holidays and make-up days."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "月份，yyyy-MM。", en: "The month, yyyy-MM."))
        var month: String

        var first: CivilDate? { CivilDate(month + "-01") }

        func validate() throws {
            if let problem = CivilDate.monthProblem(month) {
                throw usageError(zh: problem.zh, en: problem.en)
            }
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                guard let first else { return }
                let view = try await session.desk.calendarMonth(year: first.year, month: first.month)
                if output.json {
                    try Console.json(view)
                    return
                }
                let zh = session.zh
                Console.print(
                    zh ? "\(first.year)年\(first.month)月" : "\(first.year)-\(String(format: "%02d", first.month))")
                Console.print(zh ? " 一   二   三   四   五   六   日" : " Mo   Tu   We   Th   Fr   Sa   Su")
                let start = HallTime.daysSinceEpoch(first)
                // 1970-01-01 was a Thursday: Monday-based column of the first day.
                var line = String(repeating: "     ", count: ((start % 7) + 7 + 3) % 7)
                for day in view.days {
                    let mark: String
                    switch day.kind {
                    case .holiday: mark = zh ? "休" : "H"
                    case .makeUpWorkday: mark = zh ? "班" : "W"
                    case .workday, .weekend: mark = zh ? "  " : " "
                    }
                    line += String(format: "%3d", day.date.day) + mark + (zh ? "" : " ")
                    if ((HallTime.daysSinceEpoch(day.date) % 7) + 7) % 7 == 3 {
                        Console.print(line)
                        line = ""
                    }
                }
                if !line.isEmpty { Console.print(line) }
                Console.print(zh ? "休 = 法定节假日，班 = 调休上班（周末）" : "H = statutory holiday, W = make-up working weekend day")
                for day in view.days {
                    if let name = day.name {
                        let makeUp = day.kind == .makeUpWorkday ? (zh ? "（调休上班）" : " (make-up working day)") : ""
                        Console.print("  \(day.date) \(name.text(session.language))\(makeUp)")
                    }
                }
                if view.provisional {
                    let statutory = first.year >= StatutoryHolidays.firstYear
                    Console.print(
                        zh
                            ? "注意：尚未载入\(first.year)年的节假日安排，本月\(statutory ? "按周末和法定节假日计算，调休以放假通知为准" : "只按周末计算")（暂估）。"
                            : "note: no holiday notice for \(first.year) is loaded; \(statutory ? "weekends and statutory holidays only, bridges and make-up days need the notice" : "weekends only") (provisional)."
                    )
                }
            }
        }
    }

    /// `kaiban calendar import FILE`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: localized(
                zh: "从文件载入某一年的节假日安排（格式见 seeds/calendar/holidays-2026.xml）；限负责人。",
                en:
                    "Load a year's holiday notice from a file (format: seeds/calendar/holidays-2026.xml); supervisors only."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(
            help: .localized(
                zh: "节假日安排文件（结构见 Forms/schemas/calendar-1.xsd）。", en: "The file (Forms/schemas/calendar-1.xsd)."))
        var file: String

        @Flag(
            help: .localized(
                zh: "以不同的日期替换已载入的年份（属于更正，须用 --reason 说明）。",
                en: "Replace a year already loaded with other dates (a correction; give --reason)."))
        var replace = false

        @Flag(
            help: .localized(
                zh: "安排未列出某个法定假日时仍然载入（国务院修订放假办法，或本系统的法定假日表有误；须用 --reason 说明，所缺日期与理由一并保存）。",
                en:
                    "Load a notice that leaves out a statutory day off (the law changed, or this system's table of statutory days is wrong; give --reason; the days are kept with it)."
            ))
        var overrideStatutory = false

        @Option(help: .localized(zh: "理由（与变更一并保存）。", en: "Why (kept with the change)."))
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let data = try DataFile.read(URL(fileURLWithPath: file))
                let changes = try await session.desk.importCalendar(
                    data, source: file, replace: replace, reason: reason, overridingStatutory: overrideStatutory,
                    as: session.actor)
                var stranded: CalendarStranded?
                let years = changes.compactMap { Int($0.subject) }
                if let firstYear = years.min(), let lastYear = years.max(),
                    let first = CivilDate(year: firstYear, month: 1, day: 1),
                    let last = CivilDate(year: lastYear, month: 12, day: 31)
                {
                    stranded = try await session.desk.strandedByCalendar(from: first, to: last)
                }
                if output.json {
                    try Console.json(changes)
                    // What the change stranded goes to standard error, the JSON keeping its shape.
                    if let stranded { printStranded(stranded, zh: session.zh, toStandardError: true) }
                    return
                }
                if let stranded { printStranded(stranded, zh: session.zh) }
                let zh = session.zh
                if changes.isEmpty {
                    Console.print(zh ? "内容与已载入的相同，未作变更" : "nothing changed: the same dates are already loaded")
                }
                for change in changes {
                    Console.print(
                        zh
                            ? "\(change.subject)年节假日安排：\(change.change == "added" ? "已载入" : "已更正")"
                            : "\(change.subject): \(change.change)")
                    // A correction measures again every case whose time falls in the year: the
                    // supervisor is told how many ended in it.
                    guard change.change == "replaced", let year = Int(change.subject),
                        let first = CivilDate(year: year, month: 1, day: 1),
                        let last = CivilDate(year: year, month: 12, day: 31)
                    else { continue }
                    let total = try await session.desk.hallFigures(from: first, to: last).total
                    let ended = total.completed + total.refused + total.withdrawn + total.otherwiseEnded
                    Console.print(
                        zh
                            ? "  用时落在该年的办件均已按更正后的日期重新计算工作用时，其中该年结束的\(ended)件（另有跨年办结和未结的办件）（kaiban stats year \(year)）"
                            : "  every case with time in \(year) is now measured with the corrected dates: \(ended) of them ended in it (others ended later or are open) (kaiban stats year \(year))"
                    )
                }
            }
        }
    }

    /// `kaiban calendar hours FILE --from D --reason R`
    struct Hours: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hours",
            abstract: localized(
                zh: "自某日起变更办公时间（限负责人；格式见 seeds/calendar/office-hours.xml）。",
                en: "Change the office hours from a date on (supervisors; format: seeds/calendar/office-hours.xml)."),
            discussion: localized(
                zh: """
                    新的办公时间自 --from 指定的日期起生效（最早为明天）；此前已经过的时间仍按当时施行的办公时间计算。\
                    每个版本都记录由谁引入、因何变更。
                    """,
                en: """
                    The new hours apply from --from (tomorrow at the earliest) on; time already spent stays measured \
                    with the hours then in force. Each version is kept with who brought it in and why.
                    """
            ))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(
            help: .localized(
                zh: "办公时间文件（结构见 Forms/schemas/office-hours-1.xsd）。", en: "The file (Forms/schemas/office-hours-1.xsd).")
        )
        var file: String

        @Option(
            help: .localized(
                zh: "新办公时间生效的第一天，yyyy-MM-dd（须晚于今天）。", en: "The first day the new hours apply, yyyy-MM-dd (after today)."
            ))
        var from: String

        @Option(help: .localized(zh: "变更办公时间的理由（与变更一并保存）。", en: "Why the hours change (kept with the change)."))
        var reason: String

        func validate() throws {
            try requireDate("--from", from)
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                guard let date = CivilDate(from) else { return }
                let data = try DataFile.read(URL(fileURLWithPath: file))
                let change = try await session.desk.changeOfficeHours(
                    data, source: file, from: date, reason: reason, as: session.actor)
                var stranded: CalendarStranded?
                if let last = CivilDate(year: WorkingCalendar.lastYear, month: 12, day: 31) {
                    stranded = try await session.desk.strandedByCalendar(from: date, to: last)
                }
                if output.json {
                    try Console.json(change)
                    if let stranded { printStranded(stranded, zh: session.zh, toStandardError: true) }
                    return
                }
                let corrected = change.change == "corrected"
                Console.print(
                    session.zh
                        ? "新的办公时间自\(date)起生效\(corrected ? "（更正此前为该日公布的办公时间，原版本保留在记录中）" : "")；此前的时间仍按原办公时间计算"
                        : "the new office hours apply from \(date) on\(corrected ? " (correcting those announced for that day, which stay on record)" : ""); time before stays measured with the hours then in force"
                )
                if let stranded { printStranded(stranded, zh: session.zh) }
            }
        }
    }
}

/// Tells the supervisor what a change of the calendar left on a time no longer working: 容缺
/// deadlines on a day off and bookings without their slot, kept as they are, to be extended or
/// moved and the applicants told.
func printStranded(_ stranded: CalendarStranded, zh: Bool, toStandardError: Bool = false) {
    func print(_ text: String) {
        if toStandardError { Console.error(text) } else { Console.print(text) }
    }
    if !stranded.deadlines.isEmpty {
        print(
            zh
                ? "注意：以下容缺补交期限落在非工作日，期限仍按承诺书，不自动顺延；请决定是否延期（kaiban deferrals extend）并告知申请人："
                : "note: these deferral deadlines now fall on a day off; they stay as signed, not moved: extend them (kaiban deferrals extend) and tell the applicants:"
        )
        for item in stranded.deadlines {
            print("  \(item.number) \(item.code) \(HallTime.localText(of: item.deadline))")
        }
    }
    if !stranded.bookings.isEmpty {
        print(
            zh
                ? "注意：以下预约的时段已不再开放，预约仍保留；请改约或取消（kaiban appointments move|cancel）并告知申请人："
                : "note: these bookings' slots are no longer open; the bookings are kept: move or cancel them (kaiban appointments move|cancel) and tell the applicants:"
        )
        for booking in stranded.bookings {
            print("  #\(booking.id) \(booking.date) \(booking.time) \(booking.name) \(booking.phone)")
        }
    }
}

func clock(_ minutes: Int) -> String {
    String(format: "%02d:%02d", minutes / 60, minutes % 60)
}

func monthDay(_ value: Int) -> String {
    String(format: "%02d-%02d", value / 100, value % 100)
}
