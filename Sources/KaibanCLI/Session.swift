import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore

/// One run of a command: the desk on the configured store, who is acting and the language.
struct Session {
    let desk: Desk
    let actor: DeskActor
    let language: Language
    let settings: KaibanSettings

    var zh: Bool { language == .zh }

    /// The acting clerk named by `--as` or KAIBAN_CLERK, or anonymous.
    var clerk: String? { actor.clerkID }
}

/// Where a command's problems go, and how.
struct ProblemOutput {
    var language: Language
    var json: Bool
}

extension AsyncParsableCommand {
    /// Opens the desk on the configured database and runs `body`. A problem is printed in the
    /// clerk's language (or as JSON with `json`) on standard error, with the exit code of its kind.
    func withDesk(_ options: GlobalOptions, json: Bool = false, _ body: (Session) async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        var language = options.lang ?? .zh
        if options.lang == nil, let text = environment["KAIBAN_LANG"], !text.isEmpty {
            guard let parsed = Language(rawValue: text) else {
                throw ValidationError("KAIBAN_LANG=\(text): use zh or en")
            }
            language = parsed
        }
        let output = ProblemOutput(language: language, json: json)
        do {
            let settings = try KaibanSettings.resolve(
                database: options.db, forms: options.forms, environment: environment,
                executable: Bundle.main.executableURL)
            let store: CaseStore
            do {
                store = try CaseStore(path: settings.database)
            } catch {
                throw Problem.from(error)
            }
            let clerk = options.clerk ?? environment["KAIBAN_CLERK"].flatMap { $0.isEmpty ? nil : $0 }
            let session = Session(
                desk: Desk(settings: settings, store: store), actor: clerk.map(DeskActor.clerk) ?? .anonymous,
                language: language, settings: settings)
            try await body(session)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            throw ExitCode(Console.report(Problem.from(error), output))
        }
    }
}
