import Foundation
import KaibanTestSupport
import Testing

/// `kaiban calendar` and `kaiban sla` through the real executable.
@Suite struct CalendarCLITests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try kaiban.run(arguments + ["--json"])
        #expect(result.status == 0, "\(result)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func elapsedAndAddSpeakJSON() throws {
        let festival = try json(["calendar", "elapsed", "2021-02-10T09:00", "2021-02-18T12:00"])
        #expect(festival["workingMinutes"] as? Int == 600)
        #expect(festival["provisional"] as? Bool == false)
        let beyond = try json(["calendar", "elapsed", "2027-03-01T09:00", "2027-03-02T09:00"])
        #expect(beyond["provisional"] as? Bool == true)
        let target = try json(["calendar", "add", "2026-11-26T09:00", "0.4d"])
        #expect(target["until"] as? String == "2026-11-26T13:42:00+08:00")
        #expect(try kaiban.run(["calendar", "add", "2026-11-26T09:00", "0.001d"]).status == 64)
        #expect(try kaiban.run(["calendar", "elapsed", "yesterday", "2026-11-26T09:00"]).status == 64)
    }

    @Test func showMarksHolidaysAndMakeUpDays() throws {
        let month = try kaiban.run(["calendar", "show", "2026-02"])
        #expect(
            month.stdout.contains("14班") && month.stdout.contains("15休") && month.stdout.contains("28班"), "\(month)")
        let status = try kaiban.run(["calendar", "status"])
        #expect(status.stdout.contains("2020、2021、2022、2023、2024、2025、2026"), "\(status)")
        let future = try kaiban.run(["calendar", "show", "2027-01", "--lang", "en"])
        #expect(future.stdout.contains("provisional"))
        // A year without its notice keeps its statutory days off, and says so.
        #expect(future.stdout.contains("weekends and statutory holidays only"), "\(future)")
        #expect(future.stdout.contains("2027-01-01 New Year's Day (statutory; no notice yet)"), "\(future)")
        let past = try kaiban.run(["calendar", "show", "2019-02"])
        #expect(past.stdout.contains("本月只按周末计算（暂估）"), "\(past)")
    }

    @Test func importIsForSupervisorsAndValidated() throws {
        for arguments in [
            ["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"],
            ["clerk", "add", "wangfang", "--name", "王芳", "--role", "window", "--as", "zhouqiang"],
        ] {
            #expect(try kaiban.run(arguments).status == 0)
        }
        let folder = URL(fileURLWithPath: kaiban.database).deletingLastPathComponent()
        let file = folder.appendingPathComponent("holidays-2027.xml")
        try """
        <?xml version="1.0" encoding="UTF-8"?>
        <holiday-calendar xmlns="urn:kaiban:calendar:1">
          <year value="2027" notice="国务院办公厅关于2027年部分节假日安排的通知">
            <holiday name="元旦" name-en="New Year's Day" from="2027-01-01" to="2027-01-03"/>
            <holiday name="春节" name-en="Spring Festival" from="2027-02-05" to="2027-02-11"/>
            <holiday name="清明节" name-en="Qingming Festival" from="2027-04-03" to="2027-04-05"/>
            <holiday name="劳动节" name-en="Labour Day" from="2027-05-01" to="2027-05-05"/>
            <holiday name="端午节" name-en="Dragon Boat Festival" from="2027-06-09" to="2027-06-11"/>
            <holiday name="中秋节" name-en="Mid-Autumn Festival" from="2027-09-15" to="2027-09-17"/>
            <holiday name="国庆节" name-en="National Day" from="2027-10-01" to="2027-10-07"/>
          </year>
        </holiday-calendar>
        """.write(to: file, atomically: true, encoding: .utf8)
        #expect(try kaiban.run(["calendar", "import", file.path, "--as", "wangfang"]).status == 65)
        let imported = try kaiban.run(["calendar", "import", file.path, "--as", "zhouqiang"])
        #expect(imported.status == 0, "\(imported)")
        // From a hostile trial: a file giving a year twice was taken (the second block won) or
        // refused as if the calendar held that year; it is refused naming both lines.
        let twice = folder.appendingPathComponent("holidays-2027-twice.xml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let block =
            try #require(text.range(of: "  <year")).lowerBound..<(try #require(text.range(of: "</year>\n")).upperBound)
        try text.replacingCharacters(in: block, with: String(text[block]) + String(text[block])).write(
            to: twice, atomically: true, encoding: .utf8)
        let doubled = try kaiban.run(["calendar", "import", twice.path, "--as", "zhouqiang", "--lang", "en"])
        #expect(doubled.status != 0 && doubled.stderr.contains("year 2027 is given twice (first at line"), "\(doubled)")
        // Spelt otherwise, it is the same year (a second re-trial got past a comparison of text).
        let padded = try String(contentsOf: twice, encoding: .utf8)
        let second = try #require(padded.range(of: "<year value=\"2027\"", options: .backwards))
        try padded.replacingCharacters(in: second, with: "<year value=\"02027\"").write(
            to: twice, atomically: true, encoding: .utf8)
        let spelt = try kaiban.run(["calendar", "import", twice.path, "--as", "zhouqiang", "--lang", "en"])
        #expect(spelt.status != 0 && spelt.stderr.contains("year 2027 is given twice"), "\(spelt)")
        let newYear = try json(["calendar", "elapsed", "2027-01-01T09:00", "2027-01-01T17:30"])
        #expect(newYear["workingMinutes"] as? Int == 0)
        #expect(newYear["provisional"] as? Bool == false)
        // The notice with `text` written as `replacement`, imported by the supervisor.
        func importVariant(_ name: String, _ text: String, _ replacement: String, replacing: Bool) throws
            -> KaibanProcess.Result
        {
            let variant = folder.appendingPathComponent(name)
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: text, with: replacement)
                .write(to: variant, atomically: true, encoding: .utf8)
            let flags = replacing ? ["--replace", "--reason", "更正"] : []
            return try kaiban.run(["calendar", "import", variant.path, "--as", "zhouqiang"] + flags)
        }
        let refused = try importVariant("broken.xml", "2027-01-03", "2026-01-03", replacing: false)
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("broken.xml:3:"), "\(refused)")
        // A notice that leaves a statutory day off out (a typo: 元旦 from the 2nd) is refused, naming
        // the day: it would have made New Year's Day a working day for good.
        let leftOut = try importVariant(
            "mistyped.xml", "from=\"2027-01-01\"", "from=\"2027-01-02\"", replacing: true)
        #expect(leftOut.status == 78, "\(leftOut)")
        #expect(leftOut.stderr.contains("2027-01-01 (元旦, a statutory day off)"), "\(leftOut.stderr)")
        #expect(
            try json(["calendar", "elapsed", "2027-01-01T09:00", "2027-01-01T17:30"])["workingMinutes"] as? Int == 0)
        // A supervisor may still take it, with a reason (the law changed, or the table of
        // statutory days is wrong): the days overridden are kept with the reason.
        let variant = folder.appendingPathComponent("mistyped.xml").path
        let noReason = try kaiban.run([
            "calendar", "import", variant, "--replace", "--override-statutory", "--reason", " ", "--as", "zhouqiang",
        ])
        #expect(noReason.status != 0 && noReason.stderr.contains("reason"), "\(noReason)")
        let overridden = try kaiban.run([
            "calendar", "import", variant, "--replace", "--override-statutory", "--reason", "国务院修订放假办法",
            "--as", "zhouqiang", "--json",
        ])
        #expect(overridden.status == 0, "\(overridden)")
        #expect(overridden.stdout.contains("国务院修订放假办法 (statutory days off not in the notice: 2027-01-01 元旦)"))
        #expect(
            try json(["calendar", "elapsed", "2027-01-01T09:00", "2027-01-01T17:30"])["workingMinutes"] as? Int == 420)
        // A correction says what it measures again.
        let replaced = try importVariant("corrected.xml", "to=\"2027-10-07\"", "to=\"2027-10-08\"", replacing: true)
        #expect(replaced.status == 0, "\(replaced)")
        #expect(replaced.stdout.contains("2027年节假日安排：已更正"), "\(replaced.stdout)")
        #expect(replaced.stdout.contains("其中该年结束的0件"), "\(replaced.stdout)")
    }

    @Test func theDemoDayFeedsTheWorklistAndTheReport() throws {
        #expect(try kaiban.run(["demo", "--quiet"]).status == 0)
        let report = try json(["sla", "report", "--from", "2026-11-26", "--to", "2026-11-26", "--by", "channel"])
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["count"] as? Int == 17)
        #expect((report["groups"] as? [Any])?.count == 7)
        // The count per channel comes with it: 26 cases, 22 of them taken in on the day (the mail
        // applications and the overdue deferral's case came earlier; one came from Chongqing, one
        // was taken in for Chongqing and transferred there).
        let channels = try #require(report["channels"] as? [String: Any])
        let bookings = try #require(channels["bookings"] as? [String: Any])
        #expect(
            bookings["noShows"] as? Int == 1 && bookings["checkedIn"] as? Int == 4 && bookings["extended"] as? Int == 1)
        let rows = try #require(channels["channels"] as? [[String: Any]])
        #expect(rows.compactMap { $0["received"] as? Int }.reduce(0, +) == 22)
        #expect(rows.first { $0["channel"] as? String == "cross-province" }?["received"] as? Int == 1)
        #expect(rows.first { $0["channel"] as? String == "appointment" }?["received"] as? Int == 4)
        // A day on which no case completed still shows what came in: on 11-25, one application by mail.
        let quiet = try kaiban.run(["sla", "report", "--from", "2026-11-25", "--to", "2026-11-25", "--by", "channel"])
        #expect(quiet.status == 0 && quiet.stdout.contains("该期间没有办结的办件"), "\(quiet)")
        let mailRow = quiet.stdout.split(separator: "\n").first { $0.hasPrefix("寄递办") }
        #expect(mailRow?.split(separator: " ").dropFirst().first == "1", "\(quiet.stdout)")
        #expect(quiet.stdout.contains("预约办：预约"), "\(quiet.stdout)")
        // The month's figures: 26 cases taken in during November (22 on the day, one of them
        // transferred from Chongqing, one taken in for Chongqing, 3 mail applications posted
        // 11-23..25, 1 on 11-23), 22 accepted (not the refused one, the one awaiting its correction,
        // the mail case whose post came late, the one Chongqing accepted), 18 completed (17 on the
        // day, the one Chongqing licensed among them, and the 11-23 case completed with its deferral open).
        let month = try json(["stats", "month", "2026-11"])
        let counts = try #require(month["total"] as? [String: Any])
        #expect(
            counts["received"] as? Int == 26 && counts["accepted"] as? Int == 22 && counts["completed"] as? Int == 18)
        // 川渝通办 both ways: the case from Chongqing, and the one the demo transferred there.
        let table = try kaiban.run(["stats", "month", "2026-11"])
        #expect(table.stdout.contains("川渝通办（跨省）：省外转来本厅受理1件，本厅收件转省外办理1件"), "\(table.stdout)")
        let english = try kaiban.run(["stats", "month", "2026-11", "--lang", "en"])
        #expect(
            english.stdout.contains("川渝通办 (cross-province): 1 transferred here and taken in, 1 transferred from here"),
            "\(english.stdout)")
        for bad in ["2026-+1", "+026-11", "2026-13", "2026-1", "２０２６-11"] {
            #expect(try kaiban.run(["stats", "month", bad]).status == 64, "\(bad)")
            #expect(try kaiban.run(["sla", "report", "--month", bad]).status == 64, "\(bad)")
        }
        // A year outside the calendar's is refused as a month is (it had printed a table of zeros).
        for bad in ["1999", "2061"] {
            let refused = try kaiban.run(["stats", "year", bad])
            #expect(refused.status == 64 && refused.stderr.contains("工作日历所覆盖"), "\(refused)")
        }
        #expect(try kaiban.run(["stats", "year", "2026"]).status == 0)
        let result = try kaiban.run(["queue", "--json", "--at", "2026-11-26T17:30"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 5)
        let figures = items.compactMap { $0["sla"] as? [String: Any] }
        #expect(figures.count == items.count)
        let remaining = figures.compactMap { $0["running"] as? Bool == true ? $0["remainingMinutes"] as? Int : nil }
        #expect(remaining == remaining.sorted())
        #expect(figures.last?["running"] as? Bool == false)
        let risky = try kaiban.run(["sla", "--at", "2026-11-26T17:30", "--json"])
        #expect(risky.stdout.contains("breached"))
    }
}
