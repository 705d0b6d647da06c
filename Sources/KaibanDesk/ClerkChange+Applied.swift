import Foundation
import KaibanCore

extension ClerkChange {
    /// `clerk` as this change leaves them, with the kind of its history entry and the roles held
    /// before; refused for a deactivated clerk and for roles they hold already. Every store applies
    /// a change so; whether the hall keeps an active supervisor is the store's to count, under
    /// its lock.
    package func applied(to clerk: Clerk) throws -> (clerk: Clerk, kind: ClerkEvent.Kind, before: Set<String>) {
        guard clerk.active else { throw StoreError.clerkAlreadyInactive(clerk.id) }
        var changed = clerk
        switch self {
        case .roles(let roles):
            guard roles != clerk.roles else { throw StoreError.rolesUnchanged(clerk.id) }
            changed.roles = roles
            return (changed, .rolesChanged, clerk.roles)
        case .deactivate:
            changed.active = false
            return (changed, .deactivated, clerk.roles)
        }
    }
}

extension Appointment {
    /// Refuses the check-in of this booking (number `id`) for `application` at `now` unless it is
    /// today's and the one who booked comes for the application: its legal representative, agent
    /// or an investor in person (ID numbers are kept in one form on both sides).
    package func requireCheckIn(id: Int64, for application: CaseApplication, at now: Date) throws {
        guard date == HallTime.localDate(of: now) else {
            throw Problem(
                .refused, "appointment.other-day",
                zh: "预约\(id)是\(date)的，不能在\(HallTime.localDate(of: now))到场办理",
                en: "booking \(id) is for \(date), not \(HallTime.localDate(of: now))")
        }
        let people =
            [application.legalRepresentative.idNumber] + (application.agent.map { [$0.idNumber] } ?? [])
            + application.investors.filter { $0.kind == .person }.map(\.idNumber)
        guard people.contains(idNumber) else {
            let booked = CitizenID.masked(idNumber)
            throw Problem(
                .refused, "appointment.other-applicant",
                zh: "预约\(id)的申请人（\(name)，\(booked)）不是本申请的法定代表人、代理人或自然人投资人",
                en:
                    "booking \(id) was made by \(name) (\(booked)), who is not this application's legal representative, agent or an investor in person"
            )
        }
    }
}
