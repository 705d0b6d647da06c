import Foundation
import KaibanCore
import KaibanDesk

/// Reference data on PostgreSQL: workflow definitions, divisions, the holiday calendar and the
/// halls' office hours, with the files they were read from.
extension PostgresStore {
    public func isReferenceCurrent(_ source: ReferenceSource) async throws -> Bool {
        throw PostgresStoreError.notYet(LocalizedText(zh: "参考数据", en: "reference data"))
    }

    @discardableResult
    public func register(_ definition: WorkflowDefinition, source: ReferenceSource, at now: Date) async throws -> Bool {
        throw PostgresStoreError.notYet(LocalizedText(zh: "流程定义", en: "workflow definitions"))
    }

    public func latestDefinition(_ id: String) async throws -> WorkflowDefinition {
        throw PostgresStoreError.notYet(LocalizedText(zh: "流程定义", en: "workflow definitions"))
    }

    public func definitions() async throws -> [WorkflowDefinition] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "流程定义", en: "workflow definitions"))
    }

    public func definition(_ key: WorkflowDefinition.Key) async throws -> WorkflowDefinition {
        throw PostgresStoreError.notYet(LocalizedText(zh: "流程定义", en: "workflow definitions"))
    }

    public func loadDivisions(_ divisions: [Division], source: ReferenceSource) async throws {
        throw PostgresStoreError.notYet(LocalizedText(zh: "行政区划", en: "divisions"))
    }

    public func division(_ code: String, on date: CivilDate) async throws -> DivisionStatus {
        throw PostgresStoreError.notYet(LocalizedText(zh: "行政区划", en: "divisions"))
    }

    public func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        throw PostgresStoreError.notYet(LocalizedText(zh: "节假日安排", en: "the holiday calendar"))
    }

    public func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        throw PostgresStoreError.notYet(LocalizedText(zh: "办公时间", en: "office hours"))
    }

    public func addOfficeHours(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String, at now: Date
    ) async throws -> CalendarChange {
        throw PostgresStoreError.notYet(LocalizedText(zh: "办公时间", en: "office hours"))
    }

    public func officeHoursHistory(hall: String) async throws -> [OfficeHoursRecord] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "办公时间", en: "office hours"))
    }

    public func importCalendar(
        _ years: [HolidayYear], source: String, replace: Bool, reason: String, by clerk: String, at now: Date
    ) async throws -> [CalendarChange] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "节假日安排", en: "the holiday calendar"))
    }

    public func workingCalendar(hall: String) async throws -> WorkingCalendar {
        throw PostgresStoreError.notYet(LocalizedText(zh: "节假日安排", en: "the holiday calendar"))
    }

    public func calendarYears() async throws -> [CalendarYearInfo] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "节假日安排", en: "the holiday calendar"))
    }

    public func calendarChanges() async throws -> [CalendarChange] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "节假日安排", en: "the holiday calendar"))
    }
}
