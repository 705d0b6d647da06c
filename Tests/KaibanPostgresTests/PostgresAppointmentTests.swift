import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// 预约办 on PostgreSQL, where the desk's suites cannot look: several servers booking at once (two
/// stores on one database: a slot's places, one open booking per applicant per day, a portal's
/// retry, a booking changed twice at once, extended hours opened twice at once), what the
/// database itself refuses, and instants kept as the SQLite store keeps them.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    )) struct PostgresAppointmentTests
{

    /// A booking of `minute` (after midnight) on the fixtures' day for applicant `person`, in a
    /// slot of `capacity` places.
    static func request(
        _ person: Int, minute: Int = 600, capacity: Int = 1, day: Int = 26, portal: String? = nil, key: String? = nil
    ) -> BookingRequest {
        BookingRequest(
            date: CivilDate(uncheckedYear: 2026, month: 11, day: day), startMinute: minute,
            startsAt: Fixtures.at(minute / 60, minute % 60, day: day), extensionID: nil, capacity: capacity,
            name: "申请人\(person)", idNumber: String(format: "5108111980010100%02d", person), phone: "0839-5551234",
            enterpriseName: nil, portalID: portal, keySHA256: key, requestSHA256: key.map { "request-\($0)" },
            bookedBy: portal.map { "portal:\($0)" } ?? "wangfang")
    }

    /// What each of `count` bookings made at once (alternately on `stores`) came to: "booked",
    /// "replayed" or the problem's code.
    static func race(_ stores: [PostgresStore], _ count: Int, _ request: @escaping @Sendable (Int) -> BookingRequest)
        async -> [String]
    {
        await withTaskGroup(of: String.self) { group in
            for index in 0..<count {
                let store = stores[index % stores.count]
                group.addTask {
                    do {
                        let (_, replayed) = try await store.book(request(index), at: Fixtures.at(8, 0))
                        return replayed ? "replayed" : "booked"
                    } catch { return Problem.from(error).code }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    @Test func twoServersBookingTheLastPlacesAtOnceTakeOnlyThem() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        for (round, minute) in [540, 570, 600, 630].enumerated() {
            // Three places (the last two in the later rounds) and ten applicants at once.
            let capacity = 3
            if round > 0 {
                _ = try await store.book(Self.request(90 + round, minute: minute, capacity: 3), at: Fixtures.at(8, 0))
            }
            let outcomes = await Self.race([store, other], 10) {
                Self.request(10 * (round + 1) + $0, minute: minute, capacity: capacity)
            }
            let left = round > 0 ? 2 : 3
            #expect(outcomes.filter { $0 == "booked" }.count == left, "round \(round): \(outcomes)")
            #expect(outcomes.filter { $0 == "appointment.slot-full" }.count == 10 - left, "round \(round): \(outcomes)")
            let slot = try await store.appointments(on: Fixtures.day).filter {
                $0.time == AppointmentRules.text(ofMinute: minute)
            }
            #expect(slot.count == capacity)
        }
    }

    @Test func oneApplicantBookingOnTwoServersAtOnceGetsOneBookingThatDay() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        // Applicant 1 in eight slots at once, each with room.
        let outcomes = await Self.race([store, other], 8) { Self.request(1, minute: 540 + 30 * $0, capacity: 2) }
        #expect(outcomes.filter { $0 == "booked" }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == "appointment.applicant-has-booking" }.count == 7, "\(outcomes)")
        #expect(try await store.appointments(on: Fixtures.day).count == 1)
        // Another day is another booking.
        _ = try await other.book(Self.request(1, day: 27), at: Fixtures.at(8, 0))
        #expect(try await store.appointments(on: CivilDate(uncheckedYear: 2026, month: 11, day: 27)).count == 1)
    }

    @Test func aPortalsRequestSentToTwoServersAtOnceBooksOnce() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let outcomes = await Self.race([store, other], 6) { _ in
            Self.request(1, capacity: 5, portal: "gov-web", key: "k-1")
        }
        #expect(outcomes.filter { $0 == "booked" }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0 == "replayed" }.count == 5, "\(outcomes)")
        let bookings = try await store.appointments(on: Fixtures.day)
        #expect(bookings.count == 1)
        let (earlier, requestSHA) = try #require(try await other.earlierBooking(portalID: "gov-web", keySHA256: "k-1"))
        #expect(earlier.id == bookings.first?.id && requestSHA == "request-k-1")
        #expect(try await store.earlierBooking(portalID: "gov-app", keySHA256: "k-1") == nil)
    }

    @Test func aBookingCancelledAndMovedAtOnceOnTwoServersIsChangedOnce() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        for round in 1...4 {
            let booking = try await store.book(Self.request(round, minute: 540, capacity: 4), at: Fixtures.at(8, 0))
                .appointment
            async let cancel = Fixtures.problem {
                _ = try await store.cancelAppointment(
                    booking.id, portalID: nil, reason: "另有安排", by: "wangfang", at: Fixtures.at(8, 1))
            }
            async let move = Fixtures.problem {
                _ = try await other.moveAppointment(
                    booking.id, portalID: nil, to: Self.request(round, minute: 600, capacity: 4), at: Fixtures.at(8, 1))
            }
            let outcomes = await [cancel, move]
            #expect(outcomes.filter { $0 == nil }.count == 1, "round \(round): \(outcomes)")
            #expect(outcomes.compactMap { $0?.code } == ["appointment.not-open"], "round \(round): \(outcomes)")
            let stored = try #require(try await store.appointment(booking.id))
            #expect(stored.state == .cancelled || (stored.state == .moved && stored.movedTo != nil))
            let open = try await store.appointments(on: Fixtures.day).filter {
                $0.idNumber == booking.idNumber && $0.state == .booked
            }
            #expect(open.count == (stored.state == .moved ? 1 : 0), "round \(round)")
        }
    }

    @Test func movesCrossingDaysOnTwoServersAtOnceBothGoThrough() async throws {
        let store = try await TestPostgres.freshStore()
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        for round in 1...4 {
            // Each takes the other's day: the days are locked in one order, so neither waits forever.
            let a = try await store.book(Self.request(2 * round, capacity: 9, day: 26), at: Fixtures.at(8, 0))
                .appointment
            let b = try await store.book(Self.request(2 * round + 1, capacity: 9, day: 27), at: Fixtures.at(8, 0))
                .appointment
            async let there = Fixtures.problem {
                _ = try await store.moveAppointment(
                    a.id, portalID: nil, to: Self.request(0, minute: 630, capacity: 9, day: 27), at: Fixtures.at(8, 1))
            }
            async let back = Fixtures.problem {
                _ = try await other.moveAppointment(
                    b.id, portalID: nil, to: Self.request(0, minute: 630, capacity: 9, day: 26), at: Fixtures.at(8, 1))
            }
            let outcomes = await [there, back]
            #expect(outcomes.allSatisfy { $0 == nil }, "round \(round): \(outcomes)")
            #expect(try await store.appointment(a.id)?.state == .moved)
            #expect(try await store.appointment(b.id)?.state == .moved)
        }
    }

    @Test func overlappingExtendedHoursOpenedOnTwoServersAtOnceOpenOnce() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: .postgres)
        let store = try #require(desk.store as? PostgresStore)
        let other = try TestPostgres.secondServer(store)
        defer { other.close() }
        let second = Desk(settings: desk.settings, store: other, clock: desk.clock)
        let supervisor = DeskActor.clerk("zhouqiang")
        for day in [28, 29] {
            let date = CivilDate(uncheckedYear: 2026, month: 11, day: day)
            async let first = Fixtures.problem {
                _ = try await desk.openAppointmentExtension(
                    date: date, from: "09:00", to: "12:00", capacity: 2, reason: "周末延时服务", as: supervisor)
            }
            async let overlapping = Fixtures.problem {
                _ = try await second.openAppointmentExtension(
                    date: date, from: "11:00", to: "13:00", capacity: 2, reason: "周末延时服务", as: supervisor)
            }
            let outcomes = await [first, overlapping]
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(date): \(outcomes)")
            #expect(outcomes.compactMap { $0?.code } == ["appointment.extension-invalid"], "\(date): \(outcomes)")
            #expect(try await store.appointmentExtensions(on: date).count == 1)
        }
    }

    @Test func theDatabaseKeepsBookingsAsMadeAndTheirRecordsAppendOnly() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: .postgres)
        let store = try #require(desk.store as? PostgresStore)
        _ = try await desk.setAppointmentCapacity(2, as: .clerk("zhouqiang"))
        _ = try await desk.openAppointmentExtension(
            date: Fixtures.day, from: "12:00", to: "13:30", capacity: 2, reason: "午间延时服务", as: .clerk("zhouqiang"))
        let kept = try await store.book(Self.request(1), at: Fixtures.at(8, 0)).appointment
        let cancelled = try await store.book(Self.request(2), at: Fixtures.at(8, 0)).appointment
        _ = try await store.cancelAppointment(
            cancelled.id, portalID: nil, reason: nil, by: "wangfang", at: Fixtures.at(8, 1))
        let refusals: [(String, String)] = [
            ("UPDATE appointment SET name = 'forged' WHERE id = \(kept.id)", "kept as made"),
            ("UPDATE appointment SET enterprise_name = 'forged' WHERE id = \(kept.id)", "kept as made"),
            ("UPDATE appointment SET state = 'booked' WHERE id = \(cancelled.id)", "final"),
            ("DELETE FROM appointment WHERE id = \(kept.id)", "kept"),
            ("TRUNCATE appointment CASCADE", "TRUNCATE refused"),
            ("UPDATE appointment_event SET actor = 'forged'", "append-only"),
            ("DELETE FROM appointment_event", "append-only"), ("TRUNCATE appointment_event", "append-only"),
            ("UPDATE appointment_capacity SET capacity = 9", "append-only"),
            ("DELETE FROM appointment_capacity", "append-only"),
            ("UPDATE appointment_extension SET capacity = 9", "append-only"),
            ("DELETE FROM appointment_extension", "append-only"),
        ]
        for (statement, words) in refusals {
            let refusal = await Self.refusal(store, statement)
            guard case .refused(let message) = refusal else {
                Issue.record("\(statement): \(String(describing: refusal))")
                continue
            }
            #expect(message.contains(words), "\(statement): \(message)")
        }
        // Its state changes while it is booked (a no-show is derived so).
        try await store.execute("UPDATE appointment SET state = 'no-show' WHERE id = \(kept.id)")
        #expect(try await store.appointment(kept.id)?.state == .noShow)
        #expect(try await store.appointment(cancelled.id)?.state == .cancelled)
        #expect(try await store.appointmentCapacity(on: Fixtures.day)?.capacity == 2)
        #expect(try await store.appointmentExtensions(on: Fixtures.day).count == 1)
    }

    /// The error running `statement` on `store` throws, or nil.
    static func refusal(_ store: PostgresStore, _ statement: String) async -> PostgresStoreError? {
        do {
            try await store.execute(statement)
            return nil
        } catch { return error as? PostgresStoreError }
    }

    @Test func instantsAreKeptToTheSecondAsTheSQLiteStoreKeepsThem() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: .postgres)
        let store = try #require(desk.store as? PostgresStore)
        let now = Fixtures.at(8, 0).addingTimeInterval(12.75)
        try await store.setAppointmentCapacity(
            AppointmentCapacitySetting(effectiveFrom: Fixtures.day, capacity: 2, setBy: "zhouqiang", setAt: now))
        #expect(
            try await store.appointmentCapacity(on: Fixtures.day)?.setAt == Fixtures.at(8, 0).addingTimeInterval(12))
        #expect(try await store.appointmentCapacity(on: CivilDate(uncheckedYear: 2026, month: 11, day: 25)) == nil)
        let booking = try await store.book(Self.request(1), at: now).appointment
        #expect(booking.bookedAt == Fixtures.at(8, 0).addingTimeInterval(12))
        #expect(booking.startsAt == Fixtures.at(10, 0) && booking.time == "10:00" && booking.date == Fixtures.day)
        let cancelled = try await store.cancelAppointment(
            booking.id, portalID: nil, reason: "改期", by: "wangfang", at: now)
        #expect(cancelled.cancelReason == "改期" && cancelled.state == .cancelled)
        #expect(try await store.appointment(booking.id) == cancelled)
        #expect(try await store.appointment(booking.id + 1) == nil)
    }
}
