import Foundation
import KaibanCore

#if canImport(Glibc)
    import Glibc
#endif

/// A data directory belongs to one hall.
///
/// The directory holds the hall's document files (a rebuild removes those its own records do not
/// name) and its exchange key and files: two halls sharing one (easy with many halls on one
/// PostgreSQL database) would delete each other's files and sign as each other. The hall that
/// first writes a file there (a document, the exchange's files or key) writes its code into
/// `kaiban-hall` first (``claimDataDirectory()``), and the database it works on into
/// `kaiban-database`; every process checks the claim when it starts (``checkDataDirectory()``),
/// and a process of another hall is refused, naming both. Only a write claims: a command that
/// reads, or fails, under a mistyped `KAIBAN_HALL` locks nobody out, and a rebuild sweeps only a
/// folder its hall claimed for its database (``dataDirectorySweep()``).
extension KaibanSettings {
    /// The file in the data directory that names the hall it belongs to.
    public static let dataDirectoryHallFile = "kaiban-hall"

    /// What the data directory's claim says.
    enum DataDirectoryClaim: Equatable {
        /// No claim (no file, or an empty one: a process stopped as it wrote it).
        case none
        case hall(String)
        /// A claim that cannot be read as a hall's code, and why.
        case unusable(String)
    }

    /// Refuses when the data directory is claimed by another hall, or its claim cannot be read.
    public func checkDataDirectory() throws(Problem) {
        try refuseUnlessOurs(Self.claim(in: dataDirectory))
    }

    /// Claims the data directory for this hall before a file is written there (making it when
    /// missing), or refuses it when it is another hall's.
    public func claimDataDirectory() throws(Problem) {
        let folder = dataDirectory
        let current = Self.claim(in: folder)
        try refuseUnlessOurs(current)
        guard current == .none else {
            recordDatabase()
            return
        }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let marker = folder.appendingPathComponent(Self.dataDirectoryHallFile).path
        let temporary = folder.appendingPathComponent(
            ".\(Self.dataDirectoryHallFile).\(String(UInt64.random(in: .min ... .max), radix: 36)).tmp"
        ).path
        // A folder that cannot be written is left unclaimed: the write that follows says why.
        defer { unlink(temporary) }
        guard writeClaim(at: temporary) else { return }
        // Linked, not renamed: a claim another process made meanwhile is never replaced. An empty
        // one (its writer stopped) is removed first, and the link tried again: of halls doing so
        // at once, one link stands. Where links are not had (some network and FUSE file systems)
        // the claim is created in place, exclusively.
        for _ in 0..<2 {
            if link(temporary, marker) == 0 { break }
            if errno == EEXIST {
                guard Self.claim(in: folder) == .none else { break }
                unlink(marker)
                continue
            }
            if !writeClaim(at: marker) && errno != EEXIST { unlink(marker) }
            break
        }
        Self.flushFolder(folder.path)
        try refuseUnlessOurs(Self.claim(in: folder))
        recordDatabase()
    }

    /// Writes this hall's code as a new file at `path` (never over one), flushed; false when it
    /// could not (then a file it began is left for the caller to remove).
    private func writeClaim(at path: String) -> Bool {
        writeNewFile(at: path, line: hall)
    }

    /// Flushes the folder at `path`, so that a file just made in it stays there after a crash
    /// (best effort: a folder that cannot be opened is left as it is).
    private static func flushFolder(_ path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        _ = fsync(directory)
        close(directory)
    }

    /// Writes `line` as a new file at `path` (never over one), flushed.
    private func writeNewFile(at path: String, line text: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let line = Array((text + "\n").utf8)
        return line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == line.count
            && fsync(descriptor) == 0
    }

    /// The file in the data directory that names the database its document files belong to.
    public static let dataDirectoryDatabaseFile = "kaiban-database"

    /// The database this process works on, as a data directory records it: a SQLite file by its
    /// real path; a PostgreSQL database by its host, port and name (never the user nor the
    /// password) and the hall's schema.
    public var databaseIdentity: String {
        if let address = URLComponents(string: database),
            let scheme = address.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        {
            // Not the user: a supervisor's rebuild may log in as another role than the server.
            var identity = URLComponents()
            identity.scheme = "postgres"
            identity.host = address.host?.lowercased()
            identity.port = address.port ?? 5432
            identity.path = address.path
            return (identity.string ?? "postgres:") + "#kaiban_" + hall
        }
        let absolute = URL(fileURLWithPath: database).standardizedFileURL.path
        guard let resolved = realpath(absolute, nil) else { return absolute }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Records this database as the one the data directory's files belong to, when none is
    /// recorded yet (the first write there records it; a folder claimed before this record
    /// existed gets it at its next write). Only a rebuild on that database removes files.
    private func recordDatabase() {
        let path = dataDirectory.appendingPathComponent(Self.dataDirectoryDatabaseFile).path
        guard Self.recordedDatabase(in: dataDirectory) == nil else { return }
        // An empty record (its writer stopped before writing) is none: written again.
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFREG, status.st_size == 0 else { return }
            unlink(path)
        }
        if writeNewFile(at: path, line: databaseIdentity) {
            Self.flushFolder(dataDirectory.path)
        } else if errno != EEXIST {
            unlink(path)
        }
    }

    /// The database `folder` records (first line, trimmed), nil when none.
    static func recordedDatabase(in folder: URL) -> String? {
        let path = folder.appendingPathComponent(dataDirectoryDatabaseFile).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        var text = String(decoding: bytes[..<count], as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Whether a rebuild on this database may sweep the data directory (remove files its records
    /// do not name): nil when it may, else why not (said as a notice; the files are only
    /// checked). It may when the folder is claimed by this hall and records this database, or
    /// holds nothing yet. An unclaimed folder with files (kept before claims existed) may be
    /// shared with another hall by mistake; a folder of another database of this hall (the live
    /// one, while a supervisor rebuilds a restored copy) holds files that copy does not name.
    public func dataDirectorySweep() throws(Problem) -> LocalizedText? {
        let folder = dataDirectory.path
        let current = Self.claim(in: dataDirectory)
        try refuseUnlessOurs(current)
        if current == .none {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if entries.allSatisfy({ $0 == Self.dataDirectoryHallFile || $0 == Self.dataDirectoryDatabaseFile }) {
                return nil
            }
            return LocalizedText(
                zh:
                    "数据目录\(folder)尚未标明所属大厅（\(Self.dataDirectoryHallFile)），只核对、不删除无记录的文件；确属本厅时，可在其中写入本厅代码\(hall)",
                en:
                    "the data directory \(folder) names no hall yet (\(Self.dataDirectoryHallFile)): its files were checked, none removed; if it is this hall's, write \(hall) into that file"
            )
        }
        let ours = databaseIdentity
        let file = Self.dataDirectoryDatabaseFile
        switch Self.recordedDatabase(in: dataDirectory) {
        case ours: return nil
        case nil:
            return LocalizedText(
                zh: "数据目录\(folder)尚未记录所属数据库（\(file)），只核对、不删除无记录的文件；本库下次写入电子材料时将记录为\(ours)",
                en:
                    "the data directory \(folder) records no database yet (\(file)): its files were checked, none removed; the next document this database writes there records it as \(ours)"
            )
        case let other?:
            return LocalizedText(
                zh:
                    "数据目录\(folder)的文件属于数据库\(other)（见 \(file)），不是本库\(ours)：只核对、不删除无记录的文件（本库没有记录的文件可能属于那个库）；若本库已取代那个库（例如已迁移），请将 \(file) 的内容改为\(ours)",
                en:
                    "the files of the data directory \(folder) belong to the database \(other) (its \(file)), not to this one, \(ours): they were checked, none removed (files this database does not name may be that one's); if this database has replaced that one (moved), write \(ours) into \(file)"
            )
        }
    }

    /// ``dataDirectorySweep()`` as a yes or no.
    public func maySweepDataDirectory() throws(Problem) -> Bool {
        try dataDirectorySweep() == nil
    }

    private func refuseUnlessOurs(_ claim: DataDirectoryClaim) throws(Problem) {
        let folder = dataDirectory.path
        let marker = Self.dataDirectoryHallFile
        switch claim {
        case .none: return
        case .hall(let owner) where owner == hall: return
        case .hall(let owner):
            throw Problem(
                .invalid, "data-directory.other-hall",
                zh:
                    "数据目录\(folder)属于大厅\(owner)（见其中的 \(marker) 文件），不是本厅\(hall)：每个大厅须有自己的数据目录（KAIBAN_DATA_DIR），否则会删除或冒用另一大厅的文件和交换密钥；若该目录确属本厅，请删除 \(marker) 文件",
                en:
                    "the data directory \(folder) belongs to hall \(owner) (its \(marker) file), not to this hall \(hall): each hall needs a data directory of its own (KAIBAN_DATA_DIR), or it would delete or use another hall's files and exchange key; if the folder is this hall's, remove its \(marker) file"
            )
        case .unusable(let why):
            throw Problem(
                .invalid, "data-directory.claim-unreadable",
                zh: "无法读取数据目录\(folder)中的 \(marker) 文件（\(why)）：它应为一个普通文件，内容是所属大厅的6位行政区划代码",
                en:
                    "the \(marker) file of the data directory \(folder) cannot be read (\(why)): it should be a plain file holding the six-digit code of the hall the folder belongs to"
            )
        }
    }

    /// The claim of `folder`: a regular file (a link to one is followed) holding a six-digit code,
    /// surrounding spaces, line ends and a byte-order mark aside.
    static func claim(in folder: URL) -> DataDirectoryClaim {
        let path = folder.appendingPathComponent(dataDirectoryHallFile).path
        var status = stat()
        guard lstat(path, &status) == 0 else {
            return errno == ENOENT ? .none : .unusable(String(cString: strerror(errno)))
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .unusable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            return .unusable("not a regular file")
        }
        // A claim is a line: one larger than a page is no claim of Kaiban's.
        guard status.st_size <= 4096 else { return .unusable("\(status.st_size) bytes") }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { return .unusable(String(cString: strerror(errno))) }
        var text = String(decoding: bytes[..<count], as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let code = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if code.isEmpty { return .none }
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .unusable("“\(code.prefix(12))” is no division code")
        }
        return .hall(code)
    }
}
