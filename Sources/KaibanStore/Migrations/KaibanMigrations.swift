import GRDB

/// Every schema migration, in order. One file per migration; a shipped migration is never edited.
enum KaibanMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-create-cases", migrate: createCases)
        migrator.registerMigration("0002-calendar-and-clock", migrate: calendarAndClock)
        migrator.registerMigration("0003-codes-and-names", migrate: codesAndNames)
        migrator.registerMigration("0004-report-index", migrate: reportIndex)
        migrator.registerMigration("0005-open-name-index", migrate: openNameIndex)
        migrator.registerMigration("0006-reference-files", migrate: referenceFiles)
        migrator.registerMigration("0007-history-is-the-state", migrate: historyIsTheState)
        migrator.registerMigration("0008-compact-history-and-schedules", migrate: compactHistoryAndSchedules)
        migrator.registerMigration(
            "0009-recording-and-office-hours-history", migrate: recordingAndOfficeHoursHistory)
        migrator.registerMigration("0010-case-lookup", migrate: caseLookup)
        migrator.registerMigration("0011-normalized-name-keys", migrate: normalizedNameKeys)
        migrator.registerMigration("0012-clerk-history", migrate: clerkHistory)
        migrator.registerMigration("0013-history-refuses-replace", migrate: historyRefusesReplace)
        migrator.registerMigration("0014-document-receipts", migrate: documentReceipts)
        migrator.registerMigration("0015-deferrals", migrate: deferrals)
        migrator.registerMigration("0016-portals", migrate: portals)
        migrator.registerMigration("0017-attachments", migrate: attachments)
        migrator.registerMigration("0018-mail", migrate: mail)
        migrator.registerMigration("0019-special-service", migrate: specialService)
        migrator.registerMigration("0020-appointments", migrate: appointments)
        migrator.registerMigration("0021-channel-activity", migrate: channelActivity)
        migrator.registerMigration("0022-transition-index", migrate: transitionIndex)
        migrator.registerMigration("0023-clerk-tokens", migrate: clerkTokens)
        migrator.registerMigration("0025-exchange", migrate: exchange)
        migrator.registerMigration("0026-figures-indexes", migrate: figuresIndexes)
        migrator.registerMigration("0027-figure-days", migrate: figureDays)
        migrator.registerMigration("0028-submission-warnings", migrate: submissionWarnings)
        migrator.registerMigration("0029-partner-changes", migrate: partnerChanges)
        migrator.registerMigration("0030-name-keys", migrate: nameKeys)
        migrator.registerMigration("0031-revoked-name-hold", migrate: revokedNameHold)
        migrator.registerMigration("0032-office-hours-corrections", migrate: officeHoursCorrections)
        migrator.registerMigration("0033-stale-staff-tokens", migrate: staleStaffTokens)
        return migrator
    }
}
