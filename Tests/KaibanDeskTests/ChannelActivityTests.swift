import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 11: the count per channel (`kaiban sla report --by channel [--month]`), on a hand-made
/// day whose answers are worked out below.
@Suite struct ChannelActivityTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    func application(_ tradeName: String, channel: Channel = .window) -> CaseApplication {
        var application = Fixtures.application(channel: channel, tasks: [])
        application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
        return application
    }

    func applicant(_ sequence: Int) -> BookingApplicant {
        BookingApplicant(name: "申请人\(sequence)", idNumber: AppointmentTests.citizenID(sequence), phone: "0839-5551234")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .mail, .appointments, .exchange))
    func theDaysCountsPerChannelIncludeBookingsNoShowsAndPosts(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        // A mail application from Tuesday 11-24, its documents posted in on Thursday 11-26.
        let mail = try await desk.playing(Fixtures.at(15, 0, day: 24)).intake(
            application("青邮", channel: .mail), as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(9, 0)).receiveMail(
            mail, post: try Desk.postalItem(carrier: "EMS", tracking: "EA123456789CN", items: nil), documents: .all,
            as: window)
        // Four bookings on Thursday: checked in, no-show, cancelled, and one for the afternoon.
        let zhang = BookingApplicant(name: "张伟", idNumber: Fixtures.idZhang, phone: "0839-5551234")
        let checked = try await desk.book(date: Fixtures.day, time: "09:30", for: zhang, as: window)
        _ = try await desk.book(date: Fixtures.day, time: "10:00", for: applicant(1), as: window)
        let cancelled = try await desk.book(date: Fixtures.day, time: "10:30", for: applicant(2), as: window)
        _ = try await desk.cancelAppointment(cancelled.id, reason: "申请人改期", as: window)
        _ = try await desk.book(date: Fixtures.day, time: "16:00", for: applicant(3), as: window)
        let appointment = try await desk.playing(Fixtures.at(9, 40)).checkIn(
            appointment: checked.id, application("青禾"), documents: .all, as: window
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 45), ("review", reviewer, 50), ("approve", reviewer, 55),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(appointment, step, as: actor)
        }
        _ = try await desk.playing(Fixtures.at(10, 0)).step(appointment, "issue-licence", as: window)
        // The mail case licensed (no start-up task asked for: completed with it) and posted back.
        for (step, actor, minute) in [
            ("accept", window, 5), ("review", reviewer, 10), ("approve", reviewer, 15), ("issue-licence", window, 20),
        ] {
            _ = try await desk.playing(Fixtures.at(10, minute)).step(mail, step, as: actor)
        }
        _ = try await desk.playing(Fixtures.at(10, 30)).sendMail(
            mail, post: try Desk.postalItem(carrier: "EMS", tracking: "1186352047216", items: ["licence"]), as: window)
        // A walk-in withdrawn; an online application flagged for special service, then refused.
        let walkIn = try await desk.playing(Fixtures.at(10, 40)).intake(
            application("青木"), documents: .all, as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(11, 0)).withdraw(walkIn, reason: "申请人撤回", as: window)
        let online = try await desk.playing(Fixtures.at(11, 5)).intake(
            application("青山", channel: .online), documents: .all, as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(11, 10)).flagSpecial(
            online, kind: "elderly", reason: "申请人年逾八十", as: supervisor)
        _ = try await desk.playing(Fixtures.at(11, 15)).step(online, "refuse", reason: "经营范围不符", as: window)

        // Counted at 14:00 on Thursday.
        let later = desk.playing(Fixtures.at(14, 0))
        let day = try await later.channelActivity(from: Fixtures.day, to: Fixtures.day)
        func row(_ channel: Channel) -> ChannelActivity.Counts? {
            day.channels.first { $0.channel == channel.rawValue }
        }
        #expect(day.channels.map(\.channel) == Channel.allCases.map(\.rawValue))
        // The mail case was taken in on Tuesday: not received on Thursday.
        #expect(row(.mail)?.received == 0 && row(.mail)?.completed == 1)
        #expect(row(.appointment)?.received == 1 && row(.appointment)?.completed == 1)
        #expect(row(.window)?.received == 1 && row(.window)?.withdrawn == 1)
        #expect(row(.online)?.received == 1 && row(.online)?.refused == 1 && row(.online)?.flaggedSpecial == 1)
        #expect(row(.mobile) == ChannelActivity.Counts(channel: "mobile"))
        #expect(day.total.received == 3 && day.total.completed == 2)
        // The 10:00 booking passed its 15 minutes without a check-in: a no-show.
        #expect(
            day.bookings.booked == 3 && day.bookings.checkedIn == 1 && day.bookings.noShows == 1
                && day.bookings.cancelled == 1 && day.bookings.waiting == 1)
        #expect(
            day.posts
                == {
                    var posts = ChannelActivity.Posts()
                    posts.documentsReceived = 1
                    posts.licencesPosted = 1
                    return posts
                }())

        // The month counts the mail case's intake too; the report by channel carries the counts.
        let november = try await later.channelActivity(
            from: CivilDate(uncheckedYear: 2026, month: 11, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 11, day: 30))
        #expect(november.channels.first { $0.channel == "mail" }?.received == 1 && november.total.received == 4)
        let report = try await later.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(report.channels == day)
        #expect(try await later.slaReport(from: Fixtures.day, to: Fixtures.day, by: .all).channels == nil)
        // The hall's figures read the same bookings with their own counts: 1 no-show of the 2
        // that came due; and the same cases received per channel.
        let figures = try await later.hallFigures(from: Fixtures.day, to: Fixtures.day)
        #expect(figures.bookings == day.bookings && figures.noShowRate == 0.5)
        #expect(figures.byChannel.map(\.received) == day.channels.map(\.received))
        // Counted at 10:10 the 10:00 booking is within its 15 minutes: still to come, not a no-show.
        let early = try await desk.playing(Fixtures.at(10, 10)).channelActivity(from: Fixtures.day, to: Fixtures.day)
        #expect(early.bookings.noShows == 0 && early.bookings.waiting == 2)
    }
}

extension ChannelActivityTests {
    @Test func everyReadOfTheCountGoesThroughAnIndex() throws {
        let plans = try Fixtures.store().channelActivityPlans()
        #expect(plans.count == 5)
        for plan in plans {
            #expect(
                plan.contains("USING") && !plan.contains("SCAN registration_case") && !plan.contains("SCAN case_mail"),
                "\(plan)")
            #expect(!plan.contains("SCAN appointment") && !plan.contains("SCAN case_figure_day"), "\(plan)")
        }
        // Received and closed from the counts by day: some rows per day, never the cases.
        for plan in plans[0...1] {
            #expect(
                plan.contains("SEARCH case_figure_day USING PRIMARY KEY (measure=? AND day>? AND day<?)"), "\(plan)")
        }
    }
}
