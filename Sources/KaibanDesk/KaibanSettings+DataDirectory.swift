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
/// `kaiban-hall` first (``claimDataDirectory()``); every process checks the claim when it starts
/// (``checkDataDirectory()``), and a process of another hall is refused, naming both. Only a
/// write claims: a command that reads, or fails, under a mistyped `KAIBAN_HALL` locks nobody out,
/// and a rebuild sweeps only a folder its hall claimed (``maySweepDataDirectory()``).
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
        guard current == .none else { return }
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
        let directory = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
        try refuseUnlessOurs(Self.claim(in: folder))
    }

    /// Writes this hall's code as a new file at `path` (never over one), flushed; false when it
    /// could not (then a file it began is left for the caller to remove).
    private func writeClaim(at path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let line = Array((hall + "\n").utf8)
        return line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == line.count
            && fsync(descriptor) == 0
    }

    /// Whether this hall may sweep the data directory (remove files its records do not name):
    /// only when the folder is claimed by it, or holds nothing yet. An unclaimed folder with files
    /// (kept before claims existed) may be shared with another hall by mistake, and a sweep would
    /// remove that hall's files: it is only checked until a write claims it (or a supervisor
    /// writes the hall's code into `kaiban-hall`).
    public func maySweepDataDirectory() throws(Problem) -> Bool {
        let current = Self.claim(in: dataDirectory)
        try refuseUnlessOurs(current)
        if current != .none { return true }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? []
        return entries.allSatisfy { $0 == Self.dataDirectoryHallFile }
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
