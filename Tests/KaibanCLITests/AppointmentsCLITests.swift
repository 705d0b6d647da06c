import Foundation
import KaibanTestSupport
import Testing

/// `kaiban appointments` as a clerk and a supervisor type it. The command line runs on the real
/// clock (bookings are acts of now, never entered late): the bookings are for a Tuesday decades
/// ahead, 2059-03-04, inside the working calendar's range (to 2060) and with no holiday notice
/// yet, so an ordinary working day whenever the test runs.
@Suite struct AppointmentsCLITests {
    let kaiban: KaibanProcess

    init() async throws {
        kaiban = try KaibanProcess()
        try await Fixtures.staff(kaiban.database)
    }

    func book(_ id: String, _ name: String) throws -> KaibanProcess.Result {
        try kaiban.run([
            "appointments", "book", "--as", "wangfang", "--date", "2059-03-04", "--time", "09:00", "--name", name,
            "--id", id, "--phone", "13800000000", "--json",
        ])
    }

    /// From a hostile trial: the places of a slot follow the active window clerks; deactivating
    /// one left a booked day over its places, and nobody was told.
    @Test func aClerkDeactivatedOrMovedLeavesNoSlotOverbookedUnsaid() throws {
        let added = try kaiban.run(["clerk", "add", "liuyang", "--name", "刘洋", "--role", "window", "--as", "zhouqiang"])
        #expect(added.status == 0, "\(added)")
        #expect(try book("11010519491231002X", "张伟").status == 0)
        #expect(try book("510811198503120178", "李秀英").status == 0)
        let moved = try kaiban.run([
            "clerk", "roles", "liuyang", "--role", "reviewer", "--reason", "调审查岗", "--as", "zhouqiang", "--json",
        ])
        #expect(moved.status == 0 && moved.stderr.contains("2059-03-04 09:00 名额1，已约2"), "\(moved)")
        #expect(try JSONSerialization.jsonObject(with: Data(moved.stdout.utf8)) is [String: Any], "\(moved)")
        let back = try kaiban.run([
            "clerk", "roles", "liuyang", "--role", "window", "--reason", "回窗口", "--as", "zhouqiang", "--lang", "en",
        ])
        #expect(back.status == 0 && !back.stdout.contains("beyond their places"), "\(back)")
        let gone = try kaiban.run([
            "clerk", "deactivate", "liuyang", "--reason", "调离", "--as", "zhouqiang", "--lang", "en",
        ])
        #expect(gone.status == 0 && gone.stdout.contains("2059-03-04 09:00: 1 places, 2 booked"), "\(gone)")
        // Setting the places lower says so too; setting them back, nothing.
        let two = try kaiban.run(["appointments", "capacity", "2", "--from", "2059-03-03", "--as", "zhouqiang"])
        #expect(two.status == 0 && !two.stdout.contains("名额1，已约2"), "\(two)")
        let one = try kaiban.run(["appointments", "capacity", "1", "--from", "2059-03-03", "--as", "zhouqiang"])
        #expect(one.status == 0 && one.stdout.contains("2059-03-04 09:00 名额1，已约2"), "\(one)")
    }

    @Test func aSupervisorSetsTheCapacityAndClerksBookListAndCancel() throws {
        let byClerk = try kaiban.run(["appointments", "capacity", "2", "--from", "2059-03-03", "--as", "wangfang"])
        #expect(byClerk.status != 0, "\(byClerk)")
        let set = try kaiban.run(["appointments", "capacity", "2", "--from", "2059-03-03", "--as", "zhouqiang"])
        #expect(set.status == 0 && set.stdout.contains("2个名额"), "\(set)")
        #expect(try book("11010519491231002X", "张伟").status == 0)
        #expect(try book("510811198503120178", "李秀英").status == 0)
        let full = try book("510811198001010016", "王五")
        #expect(full.status != 0 && full.stderr.contains("appointment.slot-full"), "\(full)")
        let twice = try kaiban.run([
            "appointments", "book", "--as", "wangfang", "--date", "2059-03-04", "--time", "10:00", "--name", "张伟",
            "--id", "11010519491231002X", "--phone", "13800000000", "--json",
        ])
        #expect(twice.stderr.contains("appointment.applicant-has-booking"), "\(twice)")
        let badDate = try kaiban.run(["appointments", "2059-02-30"])
        #expect(badDate.status == 64, "\(badDate)")
        // A check-in is never a late entry: said at once, with the intake's usage.
        let lateCheckIn = try kaiban.run([
            "intake", "--file", Fixtures.packageRoot.appendingPathComponent("seeds/demo/cases/01-llc-window.xml").path,
            "--appointment", "1", "--as", "zhouqiang", "--late-reason", "补录", "--done-by", "wangfang", "--at",
            "2026-11-26T09:00",
        ])
        #expect(lateCheckIn.status == 64 && lateCheckIn.stderr.contains("补录收件请去掉 --appointment"), "\(lateCheckIn)")
        #expect(lateCheckIn.stderr.contains("kaiban intake"), "\(lateCheckIn)")
        // Past days keep their places; days beyond the calendar have no slots to offer.
        let past = try kaiban.run(["appointments", "capacity", "7", "--from", "2020-01-06", "--as", "zhouqiang"])
        #expect(past.status != 0 && past.stderr.contains("已经过去"), "\(past)")
        let beyond = try kaiban.run([
            "appointments", "extend", "--date", "2099-01-05", "--from", "09:00", "--to", "17:00", "--reason", "r",
            "--as", "zhouqiang",
        ])
        #expect(beyond.status != 0 && beyond.stderr.contains("超出工作日历的范围"), "\(beyond)")
        #expect(try kaiban.run(["appointments", "2099-01-05"]).status != 0)
        let list = try kaiban.run(["appointments", "2059-03-04", "--json"])
        #expect(list.status == 0, "\(list)")
        let day = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        #expect((day?["appointments"] as? [Any])?.count == 2 && day?["booked"] as? Int == 2)
        #expect(!list.stdout.contains("11010519491231002X"))
        let cancel = try kaiban.run(["appointments", "cancel", "1", "--reason", "另有安排", "--as", "wangfang"])
        #expect(cancel.status == 0 && cancel.stdout.contains("已取消"), "\(cancel)")
        let english = try kaiban.run(["appointments", "2059-03-04", "--lang", "en"])
        #expect(english.stdout.contains("cancelled 1") && english.stdout.contains("09:00"), "\(english)")
        let weekend = try kaiban.run(["appointments", "2059-03-08", "--lang", "en"])
        #expect(weekend.status == 0 && weekend.stdout.contains("no slots"), "\(weekend)")
        let extend = try kaiban.run([
            "appointments", "extend", "--date", "2059-03-08", "--from", "09:00", "--to", "11:00", "--reason", "周末延时服务",
            "--as", "zhouqiang",
        ])
        #expect(extend.status == 0 && extend.stdout.contains("延时服务"), "\(extend)")
        // Check-in is recorded as it happens: never as a late entry.
        let late = try kaiban.run(KaibanCLITests.intakeFlags + ["--appointment", "2"])
        #expect(late.status == 64, "\(late)")
    }
}
