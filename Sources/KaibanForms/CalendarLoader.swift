import Foundation
import KaibanCore
import KaibanXML

/// Reads holiday notices (Forms/schemas/calendar-1.xsd) and office hours
/// (Forms/schemas/office-hours-1.xsd) into core values, checking what a schema cannot.
public struct CalendarLoader: Sendable {
    let calendarSchema: XMLSchema
    let officeHoursSchema: XMLSchema

    public init(calendarSchema: XMLSchema, officeHoursSchema: XMLSchema) {
        self.calendarSchema = calendarSchema
        self.officeHoursSchema = officeHoursSchema
    }

    /// The years in a holiday file. `checkingStatutory` false takes a notice that misses a
    /// statutory day off (``HolidayYear/problems(checkingStatutory:)``).
    public func holidayYears(_ data: Data, source: String, checkingStatutory: Bool = true) throws(XMLProblem)
        -> [HolidayYear]
    {
        let root = try XMLDocumentParser.parse(data, source: source, schema: calendarSchema)
        var issues: [XMLProblem.Issue] = []
        func date(_ element: ParsedElement, _ attribute: String) -> CivilDate {
            guard let value = element[attribute], let date = CivilDate(value) else {
                issues.append(.init(line: element.line, message: "\(attribute): not a yyyy-MM-dd date"))
                return CivilDate(uncheckedYear: 2000, month: 1, day: 1)
            }
            return date
        }
        // A year given twice: the second had silently won over the first on import, and the
        // refusal without --replace spoke of the calendar's own year (from a hostile trial).
        // Compared as years, not as text: "02027" and "+2027" are 2027 too, and a value that is
        // no year (" 2027 ") is refused as such (a re-trial got past the text's comparison).
        var firstLine: [Int: Int] = [:]
        for element in root.children("year") {
            let value = element["value"] ?? ""
            guard let year = Int(value), (1900...2200).contains(year) else {
                issues.append(.init(line: element.line, message: "year \"\(value)\" is not a year"))
                continue
            }
            if let first = firstLine[year] {
                issues.append(
                    .init(line: element.line, message: "year \(year) is given twice (first at line \(first))"))
            } else {
                firstLine[year] = element.line
            }
        }
        let years = root.children("year").map { element in
            let year = HolidayYear(
                year: Int(element["value"] ?? "") ?? 0, notice: element["notice"] ?? "",
                holidays: element.children("holiday").map {
                    HolidayYear.Holiday(
                        name: LocalizedText(zh: $0["name"] ?? "", en: $0["name-en"] ?? ""), from: date($0, "from"),
                        to: date($0, "to"))
                },
                makeUpDays: element.children("workday").map {
                    HolidayYear.MakeUpDay(
                        date: date($0, "date"), holiday: LocalizedText(zh: $0["for"] ?? "", en: $0["for-en"] ?? ""))
                })
            issues += year.problems(checkingStatutory: checkingStatutory).map {
                XMLProblem.Issue(line: element.line, message: $0)
            }
            return year
        }
        guard issues.isEmpty else { throw XMLProblem(source: source, issues: issues) }
        return years
    }

    /// A hall's office hours.
    public func officeHours(_ data: Data, source: String) throws(XMLProblem) -> OfficeHours {
        let root = try XMLDocumentParser.parse(data, source: source, schema: officeHoursSchema)
        func minutes(_ text: String?) -> Int {
            let parts = (text ?? "").split(separator: ":").compactMap { Int($0) }
            return parts.count == 2 ? parts[0] * 60 + parts[1] : 0
        }
        func monthDay(_ text: String?) -> Int {
            let parts = (text ?? "").split(separator: "-").compactMap { Int($0) }
            return parts.count == 2 ? parts[0] * 100 + parts[1] : 0
        }
        let hours = OfficeHours(
            hall: root["hall"] ?? "", name: root["name"] ?? "",
            seasons: root.children("season").map { season in
                OfficeHours.Season(
                    name: LocalizedText(zh: season["name"] ?? "", en: season["name-en"] ?? ""),
                    from: monthDay(season["from"]), to: monthDay(season["to"]),
                    sessions: season.children("session").map {
                        OfficeHours.Session(start: minutes($0["from"]), end: minutes($0["to"]))
                    })
            })
        let problems = hours.problems()
        guard problems.isEmpty else {
            throw XMLProblem(source: source, issues: problems.map { .init(line: root.line, message: $0) })
        }
        return hours
    }
}
