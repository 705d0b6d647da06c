import Foundation
import KaibanCore
import KaibanDesk

extension Fixtures {
    /// November 2026 by hand (winter hours 09:00–12:00, 13:30–17:30), played on `desk`:
    /// - A (window) on 11-26 09:00–09:40: completed in 40 government minutes;
    /// - B (online) on 11-26 10:00: returned for correction 10:10–11:10 (60 applicant minutes),
    ///   licensed 13:40 across lunch: 10 + 50 + 10 = 70 government minutes;
    /// - C (window) on 11-26 15:00, licensed 11-27 10:30: 150 + 90 = 240 minutes, over 192;
    /// - E (window) taken in 11-27 09:00 and left: breached by 11-30 11:30;
    /// - D (mobile) taken in 11-30 09:00, accepted 09:05: 150 minutes at 11:30, at risk (≥ 144).
    /// Returns the case numbers A…E and the instant the month is read at (11-30 11:30).
    public static func dashboardMonth(_ desk: Desk) async throws -> (numbers: [CaseNumber], at: Date) {
        let window = DeskActor.clerk(Fixtures.window.id)
        let reviewer = DeskActor.clerk(Fixtures.reviewer.id)
        func intake(_ tradeName: String, _ channel: Channel, _ time: String) async throws -> CaseNumber {
            var application = Fixtures.application(channel: channel, tasks: [])
            application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
            return try await desk.playing(local(time)).intake(application, documents: .all, as: window).case.number
        }
        func steps(_ number: CaseNumber, _ list: [(String, String?, String)]) async throws {
            for (step, reason, time) in list {
                let actor = ["review", "approve"].contains(step) ? reviewer : window
                _ = try await desk.playing(local(time)).step(number, step, reason: reason, as: actor)
            }
        }
        let a = try await intake("青禾", .window, "2026-11-26 09:00")
        try await steps(
            a,
            [
                ("accept", nil, "2026-11-26 09:10"), ("review", nil, "2026-11-26 09:20"),
                ("approve", nil, "2026-11-26 09:30"), ("issue-licence", nil, "2026-11-26 09:40"),
            ])
        let b = try await intake("青木", .online, "2026-11-26 10:00")
        try await steps(
            b,
            [
                ("request-correction", "章程缺少签字页", "2026-11-26 10:10"), ("resubmit", nil, "2026-11-26 11:10"),
                ("accept", nil, "2026-11-26 11:20"), ("review", nil, "2026-11-26 11:30"),
                ("approve", nil, "2026-11-26 11:40"), ("issue-licence", nil, "2026-11-26 13:40"),
            ])
        let c = try await intake("青松", .window, "2026-11-26 15:00")
        try await steps(
            c,
            [
                ("accept", nil, "2026-11-26 15:10"), ("review", nil, "2026-11-26 15:20"),
                ("approve", nil, "2026-11-26 16:00"), ("issue-licence", nil, "2026-11-27 10:30"),
            ])
        let e = try await intake("青山", .window, "2026-11-27 09:00")
        let d = try await intake("青川", .mobile, "2026-11-30 09:00")
        try await steps(d, [("accept", nil, "2026-11-30 09:05")])
        let at = local("2026-11-30 11:30")
        _ = desk.playing(at)
        return ([a, b, c, d, e], at)
    }
}
