import Foundation
import KaibanCore

// Rules every store applies the same way (SQLite and PostgreSQL), written once here.

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

    /// Why a change that leaves `clerk` (as changed) no longer an active supervisor revokes their
    /// staff token with it (the token opens only the supervisors' pages, and a later promotion must
    /// not bring it back), from a supervisor of the register who gave `reason`; nil when the clerk
    /// stays one, or was not one `before`.
    package static func tokenRevocationReason(before: Set<String>, after clerk: Clerk, reason: String) -> String? {
        guard before.contains(Clerk.supervisorRole), !clerk.isSupervisor else { return nil }
        return clerk.active
            ? "不再担任负责人 (no longer a supervisor): \(reason)" : "工作人员已停用 (clerk deactivated): \(reason)"
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

extension BookingRequest {
    /// This request as the move of booking `old` to its date and slot: the booking stays the same
    /// applicant's (name, ID number, phone, enterprise, portal), whatever the request says. Every
    /// store moves a booking so.
    package func moving(_ old: Appointment) -> BookingRequest {
        var moved = self
        moved.name = old.name
        moved.idNumber = old.idNumber
        moved.phone = old.phone
        moved.enterpriseName = old.enterpriseName
        moved.portalID = old.portalID
        return moved
    }
}

extension ApplicantFlag {
    /// The act this flag records, as a refusal names it (flagging, or clearing a flag).
    package var act: LocalizedText {
        flagged
            ? LocalizedText(zh: "标记失信申请人", en: "flag an applicant as dishonest")
            : LocalizedText(zh: "解除申请人的失信标记", en: "clear an applicant's flag")
    }
}

extension Optional where Wrapped == SLAGrouping {
    /// The case row's column an SLA report groups by (the same name in both stores), or an empty
    /// text for a grouping read otherwise (by stage: from the clock segments) or none.
    package var reportColumn: String {
        switch self {
        case .channel: "channel"
        case .type: "enterprise_type"
        case .clerk: "opened_by"
        case .all, .stage, nil: "''"
        }
    }
}
