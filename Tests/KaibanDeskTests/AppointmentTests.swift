import Foundation
import KaibanCore
import KaibanDesk
import KaibanPostgres
import KaibanStore
import KaibanTestSupport
import Testing

/// Issue 11, 预约办: slots from the working calendar, capacity, booking rules and their races,
/// check-in to intake, no-shows, extended hours and the portals' bookings; on each real store
/// (SQLite, and PostgreSQL where it keeps the parts).
@Suite struct AppointmentTests {
    let window = DeskActor.clerk("wangfang")
    let supervisor = DeskActor.clerk("zhouqiang")

    /// A valid GB 11643 number for a person born 1980-01-01 with sequence `sequence` (000–999).
    static func citizenID(_ sequence: Int) -> String {
        let seventeen = "51081119800101" + String(String(1000 + sequence).suffix(3))
        let digits = seventeen.compactMap { $0.wholeNumberValue }
        return seventeen + String(CitizenID.checkCharacter(for: digits))
    }

    func applicant(_ sequence: Int) -> BookingApplicant {
        BookingApplicant(name: "申请人\(sequence)", idNumber: Self.citizenID(sequence), phone: "0839-5551234")
    }

    @Test func theIDsOfTheseTestsAreValid() throws {
        for sequence in [1, 2, 17, 999] { _ = try CitizenID(Self.citizenID(sequence)) }
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func aWorkingDayHasHalfHourSlotsOverItsSessionsAndADayOffNone(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        // Thursday 2026-11-26, winter hours 09:00–12:00 and 13:30–17:30: 6 + 8 slots.
        let slots = try await desk.appointmentSlots(on: Fixtures.day)
        #expect(slots.count == 14)
        #expect(slots.first?.time == "09:00" && slots.last?.time == "17:00")
        #expect(slots.map(\.time).contains("11:30") && !slots.map(\.time).contains("12:00"))
        #expect(slots.map(\.time).contains("13:30"))
        // The default capacity: one window clerk (wangfang), one place per slot.
        #expect(slots.allSatisfy { $0.capacity == 1 && !$0.extended })
        #expect(try await desk.appointmentSlots(on: CivilDate(uncheckedYear: 2026, month: 11, day: 28)).isEmpty)
        #expect(try await desk.appointmentSlots(on: CivilDate(uncheckedYear: 2026, month: 10, day: 1)).isEmpty)
        // 2026-10-10 is a Saturday worked (调休上班) after National Day: it has slots.
        #expect(try await desk.appointmentSlots(on: CivilDate(uncheckedYear: 2026, month: 10, day: 10)).count == 14)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func aSupervisorSetsTheCapacityFromADateAndOnlyASupervisor(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let refused = await Fixtures.problem { _ = try await desk.setAppointmentCapacity(3, as: window) }
        #expect(refused?.code == "role.supervisor-required")
        let zero = await Fixtures.problem { _ = try await desk.setAppointmentCapacity(0, as: supervisor) }
        #expect(zero?.code == "appointment.capacity-invalid")
        let from = CivilDate(uncheckedYear: 2026, month: 11, day: 27)
        let setting = try await desk.setAppointmentCapacity(3, from: from, as: supervisor)
        #expect(setting.setBy == "zhouqiang" && setting.setAt == Fixtures.at(8, 0))
        #expect(try await desk.appointmentSlots(on: Fixtures.day).first?.capacity == 1)
        #expect(try await desk.appointmentSlots(on: from).first?.capacity == 3)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func aFullSlotBookedTwiceAtOnceTakesOneAndRefusesTheOthers(store: TestStoreKind) async throws {
        let first = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        // A second desk on its own connections to the same database, as another process would be.
        let second = Desk(settings: first.settings, store: try TestPostgres.secondStore(of: first), clock: first.clock)
        // Both desks have read the reference data before the race.
        #expect(try await first.appointmentSlots(on: Fixtures.day).count == 14)
        #expect(try await second.appointmentSlots(on: Fixtures.day).count == 14)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for sequence in 1...8 {
                let desk = sequence % 2 == 0 ? first : second
                let applicant = applicant(sequence)
                group.addTask {
                    do {
                        _ = try await desk.book(date: Fixtures.day, time: "10:00", for: applicant, as: window)
                        return "booked"
                    } catch {
                        return Problem.from(error).code
                    }
                }
            }
            var all: [String] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.filter { $0 == "booked" }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == "appointment.slot-full" }.count == 7, "\(outcomes)")
        let day = try await first.appointmentDay(Fixtures.day)
        #expect(day.appointments.count == 1 && day.booked == 1)
        #expect(day.slots.first { $0.time == "10:00" }?.available == 0)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func noBookingOnAHolidayAWeekendOutsideTheSlotsInThePastOrWithABadID(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(10, 20), store: store)
        func code(_ date: CivilDate, _ time: String, _ who: BookingApplicant) async -> String? {
            await Fixtures.problem { _ = try await desk.book(date: date, time: time, for: who, as: window) }?.code
        }
        let nationalDay = CivilDate(uncheckedYear: 2026, month: 10, day: 1)
        let saturday = CivilDate(uncheckedYear: 2026, month: 11, day: 28)
        #expect(await code(nationalDay, "10:00", applicant(1)) == "appointment.day-off")
        #expect(await code(saturday, "10:00", applicant(1)) == "appointment.day-off")
        #expect(await code(Fixtures.day, "12:30", applicant(1)) == "appointment.no-such-slot")
        #expect(await code(Fixtures.day, "18:00", applicant(1)) == "appointment.no-such-slot")
        #expect(await code(Fixtures.day, "09:10", applicant(1)) == "appointment.no-such-slot")
        #expect(await code(Fixtures.day, "9h", applicant(1)) == "appointment.time-invalid")
        // 10:00 has begun at 10:20.
        #expect(await code(Fixtures.day, "10:00", applicant(1)) == "appointment.in-past")
        var bad = applicant(1)
        bad.idNumber = "510811198001010011"
        let invalid = await Fixtures.problem {
            _ = try await desk.book(date: Fixtures.day, time: "14:00", for: bad, as: window)
        }
        #expect(invalid?.code == "appointment.invalid" && invalid?.fields.map(\.field) == ["idNumber"])
        #expect(try await desk.appointmentDay(Fixtures.day).appointments.isEmpty)
        #expect(try await desk.book(date: Fixtures.day, time: "14:00", for: applicant(1), as: window).state == .booked)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func oneOpenBookingPerApplicantPerDayAndCancellingOrMovingKeepsIt(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let booking = try await desk.book(date: Fixtures.day, time: "09:00", for: applicant(1), as: window)
        let again = await Fixtures.problem {
            _ = try await desk.book(date: Fixtures.day, time: "15:00", for: applicant(1), as: window)
        }
        #expect(again?.code == "appointment.applicant-has-booking")
        // Another day is another booking.
        let friday = CivilDate(uncheckedYear: 2026, month: 11, day: 27)
        _ = try await desk.book(date: friday, time: "09:00", for: applicant(1), as: window)
        // Moved: the old booking is kept as moved, the new one holds the applicant's place.
        let moved = try await desk.moveAppointment(booking.id, date: Fixtures.day, time: "15:00", as: window)
        #expect(moved.time == "15:00" && moved.movedFrom == booking.id && moved.state == .booked)
        let old = try await desk.appointmentDay(Fixtures.day).appointments.first { $0.id == booking.id }
        #expect(old?.state == .moved && old?.movedTo == moved.id)
        let cancelled = try await desk.cancelAppointment(moved.id, reason: "另有安排", as: window)
        #expect(cancelled.state == .cancelled && cancelled.cancelReason == "另有安排")
        let twice = await Fixtures.problem { _ = try await desk.cancelAppointment(moved.id, reason: nil, as: window) }
        #expect(twice?.code == "appointment.not-open")
        // Cancelled: the applicant may book the day again, and the 09:00 slot is free again.
        let rebooked = try await desk.book(date: Fixtures.day, time: "09:00", for: applicant(1), as: window)
        #expect(rebooked.state == .booked)
        let day = try await desk.appointmentDay(Fixtures.day)
        #expect(day.appointments.count == 3 && day.cancelled == 1 && day.booked == 1)
        // The list masks ID numbers.
        #expect(day.appointments.allSatisfy { $0.idNumber.contains("*") })
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .cases))
    func aBookingNotCheckedInWithinFifteenMinutesIsANoShow(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let booking = try await desk.book(date: Fixtures.day, time: "10:00", for: applicant(1), as: window)
        // 10:15 is still within the grace; 10:16 is not.
        #expect(try await desk.appointmentDay(Fixtures.day, at: Fixtures.at(10, 15)).noShows == 0)
        let day = try await desk.playing(Fixtures.at(10, 16)).appointmentDay(Fixtures.day)
        #expect(day.noShows == 1 && day.booked == 0)
        #expect(day.appointments.first?.state == .noShow)
        let late = await Fixtures.problem {
            _ = try await desk.checkIn(appointment: booking.id, Fixtures.application(), as: window)
        }
        #expect(late?.code == "appointment.not-open")
        #expect(try await desk.store.caseCount() == 0)
        // The no-show is kept and counted, and no longer blocks a booking later that day.
        let later = try await desk.book(date: Fixtures.day, time: "15:00", for: applicant(1), as: window)
        #expect(later.state == .booked)
        let after = try await desk.appointmentDay(Fixtures.day)
        #expect(after.noShows == 1 && after.booked == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .cases))
    func checkInTakesTheApplicationInOnTheAppointmentChannel(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        // Booked by the application's legal representative, the ID's check character typed lower case.
        let zhang = BookingApplicant(name: "张伟", idNumber: Fixtures.idZhang.lowercased(), phone: "0839-5551234")
        let booking = try await desk.book(date: Fixtures.day, time: "09:30", for: zhang, as: window)
        var li = zhang
        li.idNumber = Fixtures.idLi
        let tomorrow = try await desk.book(
            date: CivilDate(uncheckedYear: 2026, month: 11, day: 27), time: "09:30", for: li, as: window)
        // Someone else's booking does not take this application in.
        let stranger = try await desk.book(date: Fixtures.day, time: "10:00", for: applicant(1), as: window)
        let notTheirs = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(9, 35)).checkIn(
                appointment: stranger.id, Fixtures.application(), as: window)
        }
        #expect(notTheirs?.code == "appointment.other-applicant", "\(String(describing: notTheirs))")
        #expect(try await desk.store.caseCount() == 0)
        let result = try await desk.playing(Fixtures.at(9, 40)).checkIn(
            appointment: booking.id, Fixtures.application(), as: window)
        #expect(result.case.application.channel == .appointment)
        let day = try await desk.appointmentDay(Fixtures.day)
        let checked = try #require(day.appointments.first { $0.id == booking.id })
        #expect(checked.state == .checkedIn && checked.caseNumber == result.case.number.description)
        #expect(checked.checkedInAt == Fixtures.at(9, 40) && day.checkedIn == 1)
        let again = await Fixtures.problem {
            _ = try await desk.checkIn(appointment: booking.id, Fixtures.application(), as: window)
        }
        #expect(again?.code == "appointment.not-open")
        let otherDay = await Fixtures.problem {
            _ = try await desk.checkIn(appointment: tomorrow.id, Fixtures.application(), as: window)
        }
        #expect(otherDay?.code == "appointment.other-day")
        // A refused check-in takes nothing in.
        #expect(try await desk.store.caseCount() == 1)
        let missing = await Fixtures.problem {
            _ = try await desk.checkIn(appointment: 999, Fixtures.application(), as: window)
        }
        #expect(missing?.code == "appointment.not-found")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func extendedHoursOpenOnlyOutsideOfficeTimeAndCanBeBooked(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let saturday = CivilDate(uncheckedYear: 2026, month: 11, day: 28)
        let inside = await Fixtures.problem {
            _ = try await desk.openAppointmentExtension(
                date: Fixtures.day, from: "11:30", to: "13:00", capacity: nil, reason: "午间延时", as: supervisor)
        }
        #expect(inside?.code == "appointment.extension-invalid")
        let byClerk = await Fixtures.problem {
            _ = try await desk.openAppointmentExtension(
                date: saturday, from: "09:00", to: "12:00", capacity: 2, reason: "周末延时", as: window)
        }
        #expect(byClerk != nil)
        let noReason = await Fixtures.problem {
            _ = try await desk.openAppointmentExtension(
                date: saturday, from: "09:00", to: "12:00", capacity: 2, reason: " ", as: supervisor)
        }
        #expect(noReason?.code == "text.not-accepted")
        let lunch = try await desk.openAppointmentExtension(
            date: Fixtures.day, from: "12:00", to: "13:30", capacity: 2, reason: "午间延时服务", as: supervisor)
        #expect(lunch.startMinute == 720 && lunch.endMinute == 810)
        _ = try await desk.openAppointmentExtension(
            date: saturday, from: "09:00", to: "12:00", capacity: 2, reason: "周末延时服务", as: supervisor)
        let overlap = await Fixtures.problem {
            _ = try await desk.openAppointmentExtension(
                date: saturday, from: "11:00", to: "12:30", capacity: 2, reason: "重叠", as: supervisor)
        }
        #expect(overlap?.code == "appointment.extension-invalid")
        let slots = try await desk.appointmentSlots(on: Fixtures.day)
        #expect(slots.count == 17 && slots.filter(\.extended).map(\.time) == ["12:00", "12:30", "13:00"])
        let weekend = try await desk.appointmentSlots(on: saturday)
        #expect(weekend.count == 6 && weekend.allSatisfy { $0.extended && $0.capacity == 2 })
        let booked = try await desk.book(date: saturday, time: "09:00", for: applicant(1), as: window)
        #expect(booked.extended)
        // The calendar does not count them as office time.
        let calendar = try await desk.workingCalendar()
        #expect(calendar.elapsed(from: Fixtures.at(12, 0), to: Fixtures.at(13, 30)).minutes == 0)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .cases, .reports))
    func aCaseTakenInDuringExtendedHoursCountsThemOnItsClock(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let reviewer = DeskActor.clerk("lijun")
        _ = try await desk.openAppointmentExtension(
            date: Fixtures.day, from: "12:00", to: "13:30", capacity: 2, reason: "午间延时服务", as: supervisor)
        let zhang = BookingApplicant(name: "张伟", idNumber: Fixtures.idZhang, phone: "0839-5551234")
        let booking = try await desk.book(date: Fixtures.day, time: "12:00", for: zhang, as: window)
        #expect(booking.extended)
        func application(_ tradeName: String) -> CaseApplication {
            var application = Fixtures.application(tasks: [])
            application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
            return application
        }
        // Checked in at 12:10, inside the extended hours.
        let lunch = try await desk.playing(Fixtures.at(12, 10)).checkIn(
            appointment: booking.id, application("青禾"), documents: .all, as: window
        ).case
        #expect(lunch.extendedHours == ExtendedHoursIntake(opensAt: Fixtures.at(12, 0), closesAt: Fixtures.at(13, 30)))
        // A walk-in taken in at the window in the same hours counts them too; one taken in before
        // them, and an online application arriving during them, do not.
        let walkIn = try await desk.playing(Fixtures.at(12, 20)).intake(
            application("青木"), documents: .all, as: window
        ).case
        #expect(walkIn.extendedHours?.closesAt == Fixtures.at(13, 30))
        let morning = try await desk.playing(Fixtures.at(11, 50)).intake(
            application("青松"), documents: .all, as: window, at: Fixtures.at(11, 50)
        ).case
        #expect(morning.extendedHours == nil)
        let online = try await desk.playing(Fixtures.at(12, 30)).intake(
            {
                var a = application("青山")
                a.channel = .online
                return a
            }(), as: window
        ).case
        #expect(online.extendedHours == nil)

        // 12:10–13:30 (80) + 13:30–14:00 (30): 110 working minutes at 14:00, against 30 for a case
        // whose clock waited for the afternoon session.
        let view = try await desk.caseView(lunch.number, at: Fixtures.at(14, 0))
        #expect(view.sla.governmentMinutes == 110)
        #expect(view.sla.clockStartedAt == Fixtures.at(12, 10))
        #expect(view.sla.deadline == Fixtures.at(15, 22))
        #expect(try await desk.caseView(online.number, at: Fixtures.at(14, 0)).sla.governmentMinutes == 30)
        // The worklist orders it by the same deadline.
        let list = try await desk.worklist(at: Fixtures.at(14, 0))
        #expect(list.first { $0.number == lunch.number }?.sla.deadline == Fixtures.at(15, 22))

        // Completed at 13:40: 80 + 10 = 90 minutes, in the case's figures and the SLA report alike.
        for (step, actor, minute) in [("accept", window, 20), ("review", reviewer, 25), ("approve", reviewer, 30)] {
            _ = try await desk.playing(Fixtures.at(13, minute)).step(lunch.number, step, as: actor)
        }
        _ = try await desk.playing(Fixtures.at(13, 40)).step(lunch.number, "issue-licence", as: window)
        let done = try await desk.caseView(lunch.number, at: Fixtures.at(17, 0))
        #expect(done.case.closedAt == Fixtures.at(13, 40) && done.sla.governmentMinutes == 90)
        let report = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .stage)
        #expect(report.total?.count == 1 && report.total?.maxMinutes == 90)
        let byChannel = try await desk.slaReport(from: Fixtures.day, to: Fixtures.day, by: .channel)
        #expect(byChannel.total?.maxMinutes == 90)

        // The history alone decides: a second store on the database replays the same figures.
        let reopened = Desk(settings: desk.settings, store: try TestPostgres.secondStore(of: desk), clock: desk.clock)
        #expect(try await reopened.caseView(lunch.number, at: Fixtures.at(17, 0)).sla.governmentMinutes == 90)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .cases))
    func extendedHoursOpenedLateCountOnlyFromTheirOpening(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        // Lunch hours opened at 12:05, five minutes into them.
        _ = try await desk.playing(Fixtures.at(12, 5)).openAppointmentExtension(
            date: Fixtures.day, from: "12:00", to: "13:30", capacity: 2, reason: "临时午间延时服务", as: supervisor)
        func application(_ tradeName: String) -> CaseApplication {
            var application = Fixtures.application(tasks: [])
            application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
            return application
        }
        // Entered at 12:06 as taken in at 12:02 (within the quarter hour a clerk may enter a step as
        // it happened): before the hours were open, so not counted.
        let before = try await desk.playing(Fixtures.at(12, 6)).intake(
            application("青禾"), documents: .all, as: window, at: Fixtures.at(12, 2)
        ).case
        #expect(before.extendedHours == nil)
        let after = try await desk.playing(Fixtures.at(12, 10)).intake(
            application("青木"), documents: .all, as: window
        ).case
        #expect(after.extendedHours?.opensAt == Fixtures.at(12, 0))
        #expect(try await desk.caseView(after.number, at: Fixtures.at(13, 30)).sla.governmentMinutes == 80)
        #expect(try await desk.caseView(before.number, at: Fixtures.at(13, 30)).sla.governmentMinutes == 0)
    }

    /// Two windows that follow on without a gap are one stretch the hall worked through: a case
    /// taken in during the first counts to the end of the second (it had counted to 13:00 only,
    /// 30 minutes short, with a deadline 30 minutes late).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .cases))
    func extendedHoursOpenedInTouchingWindowsCountAsOneStretch(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        for (from, to) in [("12:00", "13:00"), ("13:00", "13:30")] {
            _ = try await desk.openAppointmentExtension(
                date: Fixtures.day, from: from, to: to, capacity: 2, reason: "午间延时服务", as: supervisor)
        }
        var application = Fixtures.application(tasks: [])
        application.proposedName = "广元市昭化区柳树农业科技有限公司"
        let taken = try await desk.playing(Fixtures.at(12, 10)).intake(application, documents: .all, as: window).case
        #expect(taken.extendedHours == ExtendedHoursIntake(opensAt: Fixtures.at(12, 0), closesAt: Fixtures.at(13, 30)))
        #expect(try await desk.caseView(taken.number, at: Fixtures.at(13, 45)).sla.governmentMinutes == 95)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments))
    func aSlotReadBeforeTheSupervisorLoweredItsPlacesIsCheckedAgainstTheNewCapacity(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let from = CivilDate(uncheckedYear: 2026, month: 11, day: 27)
        _ = try await desk.setAppointmentCapacity(3, from: from, as: supervisor)
        // A clerk's screen read the slot with 3 places; the supervisor then sets 1 place.
        let slot = try #require(try await desk.appointmentSlots(on: from).first { $0.time == "10:00" })
        #expect(slot.capacity == 3)
        _ = try await desk.book(date: from, time: "10:00", for: applicant(1), as: window)
        _ = try await desk.setAppointmentCapacity(1, from: from, as: supervisor)
        let stale = BookingRequest(
            date: from, startMinute: slot.startMinute, startsAt: slot.startsAt, extensionID: nil,
            capacity: slot.capacity, name: "申请人2", idNumber: Self.citizenID(2), phone: "0839-5551234",
            enterpriseName: nil, bookedBy: "wangfang")
        let full = await Fixtures.problem { _ = try await desk.store.book(stale, at: Fixtures.at(8, 0)) }
        #expect(
            full?.code == "appointment.slot-full" && full?.text.zh.contains("1个名额") == true,
            "\(String(describing: full))")
        #expect(try await desk.appointmentDay(from).appointments.count == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .appointments, .portals))
    func aPortalSeesAndChangesOnlyItsOwnBookings(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let web = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor).portal
        let app = try await desk.addPortal(id: "gov-app", name: "天府通办", channel: .mobile, as: supervisor).portal
        let body = Data("{\"a\":1}".utf8)
        let receipt = try await desk.portalBook(
            date: Fixtures.day, time: "14:00", for: applicant(1), through: web, idempotencyKey: "k-1",
            requestBody: body)
        #expect(!receipt.replayed && receipt.appointment.portalID == "gov-web")
        let retry = try await desk.portalBook(
            date: Fixtures.day, time: "14:00", for: applicant(1), through: web, idempotencyKey: "k-1",
            requestBody: body)
        #expect(retry.replayed && retry.appointment.id == receipt.appointment.id)
        let reused = await Fixtures.problem {
            _ = try await desk.portalBook(
                date: Fixtures.day, time: "15:00", for: applicant(2), through: web, idempotencyKey: "k-1",
                requestBody: Data("{\"a\":2}".utf8))
        }
        #expect(reused?.code == "idempotency.key-reused")
        let id = receipt.appointment.id
        #expect(try await desk.portalAppointment(id, through: web).time == "14:00")
        let read = await Fixtures.problem { _ = try await desk.portalAppointment(id, through: app) }
        #expect(read?.code == "appointment.not-found")
        let cancel = await Fixtures.problem {
            _ = try await desk.portalCancelAppointment(id, reason: nil, through: app)
        }
        #expect(cancel?.code == "appointment.not-found")
        let move = await Fixtures.problem {
            _ = try await desk.portalMoveAppointment(id, date: Fixtures.day, time: "15:00", through: app)
        }
        #expect(move?.code == "appointment.not-found")
        let moved = try await desk.portalMoveAppointment(id, date: Fixtures.day, time: "15:00", through: web)
        #expect(moved.portalID == "gov-web" && moved.time == "15:00")
        let cancelled = try await desk.portalCancelAppointment(moved.id, reason: "改日再来", through: web)
        #expect(cancelled.state == .cancelled)
        // A retry after the booking's time answers it as it stands (it had read "booked"); the
        // same booking written otherwise ("9:00", an empty enterprise name) is the same request.
        let early = try await desk.portalBook(
            date: Fixtures.day, time: "09:00", for: applicant(3), through: web, idempotencyKey: "k-3",
            requestBody: body)
        _ = desk.playing(Fixtures.at(10, 0))
        var reworded = applicant(3)
        reworded.enterpriseName = ""
        let late = try await desk.portalBook(
            date: Fixtures.day, time: "9:00", for: reworded, through: web, idempotencyKey: "k-3",
            requestBody: Data("{\"b\":1}".utf8))
        #expect(late.replayed && late.appointment.id == early.appointment.id && late.appointment.state == .noShow)
        #expect(try await desk.portalAppointment(early.appointment.id, through: web).state == .noShow)
    }
}
