// The PostgreSQL store's write path under load, for Scripts/bench-postgres (issue 14):
//   kaiban-bench-postgres URL SECONDS CONNECTIONS HALLS DAY
// opens cases through PostgresStore.openCase (the day's counter taken, the case and its opening
// event inserted, in one transaction) from CONNECTIONS tasks at once for SECONDS, spread over
// HALLS halls (510800, 510801, …) on DAY (YYYY-MM-DD), and prints
//   openings: N in S s = R/s
// It is not yet the desk's submission (the desk's store is not on PostgreSQL yet): it measures
// what the store adds to PostgreSQL's own commits.
import Foundation
import KaibanCore
import KaibanPostgres
import Logging
import Synchronization

func fail(_ message: String) -> Never {
    try? FileHandle.standardError.write(contentsOf: Data("kaiban-bench-postgres: \(message)\n".utf8))
    exit(64)
}

let arguments = CommandLine.arguments.dropFirst()
// The pool keeps up to 20 connections (postgres-nio's default): CONNECTIONS above it wait for one.
guard arguments.count == 5, let seconds = Int(arguments[arguments.startIndex + 1]), seconds > 0,
    let connections = Int(arguments[arguments.startIndex + 2]), connections > 0,
    let halls = Int(arguments[arguments.startIndex + 3]), (1...99).contains(halls),
    let day = CivilDate(arguments[arguments.startIndex + 4])
else { fail("usage: kaiban-bench-postgres URL SECONDS CONNECTIONS HALLS(1-99) DAY") }
let location: PostgresLocation
do {
    location = try PostgresLocation(arguments[arguments.startIndex])
} catch {
    fail("\(error)")
}

let logger = {
    var logger = Logger(label: "kaiban.bench-postgres")
    logger.logLevel = .error
    return logger
}()
let opened = Atomic<Int>(0)
let failed = Atomic<Int>(0)
let clock = ContinuousClock()
do {
    let elapsed = try await PostgresStore.withStore(location, logger: logger) { store in
        try await store.migrate()
        let began = clock.now
        let end = began + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    var index = worker
                    while clock.now < end {
                        do {
                            _ = try await store.openCase(
                                hall: String(510_800 + index % halls), day: day, channel: "online", stage: "received",
                                actor: "bench", at: Date())
                            opened.add(1, ordering: .relaxed)
                        } catch {
                            failed.add(1, ordering: .relaxed)
                            if failed.load(ordering: .relaxed) == 1 {
                                try? FileHandle.standardError.write(contentsOf: Data("first failure: \(error)\n".utf8))
                            }
                        }
                        index += connections
                    }
                }
            }
        }
        return clock.now - began
    }
    let time = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let count = opened.load(ordering: .relaxed)
    print(
        String(
            format: "openings: %d in %.2f s = %.0f/s (failed: %d)", count, time, Double(count) / time,
            failed.load(ordering: .relaxed)))
} catch {
    fail("\(error)")
}
