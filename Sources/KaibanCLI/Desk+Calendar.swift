import Foundation
import KaibanCore
import KaibanForms
import KaibanStore
import KaibanXML

extension Desk {
    /// The calendar folder: KAIBAN_CALENDAR, or seeds/calendar beside Forms/.
    var calendarFolder: URL {
        configuration.calendarPath.map { URL(fileURLWithPath: $0) }
            ?? formsRoot.deletingLastPathComponent().appendingPathComponent("seeds/calendar")
    }

    /// Brings the stored calendar in step with the calendar folder (only files whose text changed
    /// are parsed; each change is recorded with the file as its reason), then builds the hall's
    /// working calendar.
    func calendar() throws -> WorkingCalendar {
        if let calendar = memo.calendar { return calendar }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: calendarFolder.path)) ?? []
        for name in names.filter({ $0.hasSuffix(".xml") }).sorted() {
            let url = calendarFolder.appendingPathComponent(name)
            let data = try XMLDocumentParser.read(url)
            let text = String(decoding: data, as: UTF8.self)
            if try store.isCalendarFileCurrent(name: name, text: text) { continue }
            let loader = try forms().calendarLoader
            // The change's reason: the file it came from (the calendar folder may be KAIBAN_CALENDAR).
            let reason = url.path
            if name.hasPrefix("office-hours") {
                let hours = try loader.officeHours(data, source: url.path)
                try store.loadOfficeHours(hours, name: name, text: text, reason: reason, at: Date())
            } else {
                let years = try loader.holidayYears(data, source: url.path)
                try store.loadCalendarFile(name: name, text: text, years: years, reason: reason, by: nil, at: Date())
            }
        }
        let calendar = try store.workingCalendar(hall: configuration.hall)
        memo.calendar = calendar
        return calendar
    }

    func slaClock() throws -> SLAClock {
        SLAClock(calendar: try calendar(), riskThreshold: configuration.riskThreshold)
    }
}
