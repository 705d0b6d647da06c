import ArgumentParser
import Foundation
import KaibanCore
import KaibanForms
import KaibanStore
import KaibanXML

/// What a command works with: the configuration, the open store (its workflow definitions in step
/// with Forms/) and the output language.
struct Desk {
    let configuration: KaibanConfiguration
    let store: CaseStore
    let formsRoot: URL
    /// What one command computes once: compiled schemas, reference data brought in step.
    let memo = Memo()

    /// Per-command memory; a command runs on one thread.
    final class Memo {
        var forms: FormsLibrary?
        var nameRules: NameRules?
        var divisionsSynced = false
        var calendar: WorkingCalendar?
    }

    var language: Language { configuration.language }

    /// Opens the database and registers any new workflow definition version found in Forms/.
    static func open(_ configuration: KaibanConfiguration) throws -> Desk {
        let formsRoot = FormsLibrary.locate(
            explicit: configuration.formsPath, executable: Bundle.main.executableURL)
        let store = try CaseStore(path: configuration.databasePath)
        let desk = Desk(configuration: configuration, store: store, formsRoot: formsRoot)
        try desk.syncDefinitions()
        return desk
    }

    /// Compiles the schemas (only when something has to be parsed).
    func forms() throws -> FormsLibrary {
        if let forms = memo.forms { return forms }
        let forms = try FormsLibrary(root: formsRoot)
        memo.forms = forms
        return forms
    }

    /// The name rules of Forms/names/name-rules.xml, read once per command.
    func nameRules() throws -> NameRules {
        if let rules = memo.nameRules { return rules }
        let rules = try forms().nameRules()
        memo.nameRules = rules
        return rules
    }

    /// Registers each definition file whose exact text the database does not know yet. Unchanged
    /// files cost one query and no parsing.
    func syncDefinitions() throws {
        let files = FormsLibrary.workflowFiles(in: formsRoot)
        guard !files.isEmpty else {
            throw XMLProblem(
                source: formsRoot.appendingPathComponent("workflows").path, "no workflow definitions found")
        }
        for file in files {
            let data = try XMLDocumentParser.read(file)
            let text = String(decoding: data, as: UTF8.self)
            if try store.isRegistered(sourceXML: text) { continue }
            let definition = try forms().workflowLoader.load(data, source: file.path)
            try store.register(definition, sourceXML: text, at: Date())
        }
    }

    /// The acting clerk's id, or a usage error naming `--as` / KAIBAN_CLERK.
    func requireClerk() throws -> String {
        guard let clerk = configuration.clerk else {
            throw ValidationError(
                language == .zh
                    ? "请用 --as 或环境变量 KAIBAN_CLERK 指明办理人" : "say who is acting with --as or KAIBAN_CLERK")
        }
        return clerk
    }

    func presenter(for key: WorkflowDefinition.Key) throws -> CasePresenter {
        CasePresenter(definition: try store.definition(key), language: language)
    }
}

extension ParsableCommand {
    /// Opens the desk and runs `body`, printing any failure in the clerk's language on standard
    /// error and exiting with the matching code.
    func withDesk(_ options: GlobalOptions, _ body: (Desk) throws -> Void) throws {
        let configuration = options.configuration
        if let problem = configuration.problems.first { throw ValidationError(problem) }
        do {
            try body(try Desk.open(configuration))
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            let (code, message) = KaibanExit.describe(error, configuration.language)
            Console.error(message)
            throw ExitCode(code)
        }
    }
}

/// Writing to the terminal.
enum Console {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws {
        print(String(decoding: try jsonEncoder.encode(value), as: UTF8.self))
    }
}
