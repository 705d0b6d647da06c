import Foundation
import KaibanCore

#if canImport(Glibc)
    import Glibc
#endif

extension KaibanSettings {
    /// The file in the data directory that names the hall it belongs to.
    public static let dataDirectoryHallFile = "kaiban-hall"

    /// Claims the data directory for this hall, or refuses it when it is another hall's.
    ///
    /// The directory holds the hall's document files (a rebuild removes those its own records do
    /// not name) and its exchange key: two halls sharing one (easy with many halls on one
    /// PostgreSQL database) would delete each other's files and sign as each other. The first
    /// process of a hall to find files in it writes the hall's code into `kaiban-hall`; a process
    /// of another hall is then refused, naming both. A missing or empty directory is not claimed
    /// (there is nothing of anyone's in it yet: a run with a mistyped `KAIBAN_HALL` must not lock
    /// the hall out of its own folder), nor one that cannot be written (a read-only command in a
    /// read-only place): the next process claims it.
    public func claimDataDirectory() throws(Problem) {
        let folder = dataDirectory
        let marker = folder.appendingPathComponent(Self.dataDirectoryHallFile)
        if let owner = Self.claimedHall(marker) {
            try refuseUnless(owner, folder: folder)
            return
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard entries.contains(where: { $0 != Self.dataDirectoryHallFile }) else { return }
        let created = open(marker.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard created >= 0 else {
            // Another process claimed it meanwhile: its claim stands.
            if errno == EEXIST, let owner = Self.claimedHall(marker) { try refuseUnless(owner, folder: folder) }
            return
        }
        let line = Array((hall + "\n").utf8)
        let written = line.withUnsafeBytes { write(created, $0.baseAddress, $0.count) }
        _ = fsync(created)
        close(created)
        // A short write (a full disk) leaves no half-written claim behind.
        if written != line.count { unlink(marker.path) }
    }

    /// Refuses unless `owner`, the hall that claimed `folder`, is this one.
    private func refuseUnless(_ owner: String, folder: URL) throws(Problem) {
        guard owner != hall else { return }
        let marker = Self.dataDirectoryHallFile
        throw Problem(
            .invalid, "data-directory.other-hall",
            zh:
                "数据目录\(folder.path)属于大厅\(owner)（见其中的 \(marker) 文件），不是本厅\(hall)：每个大厅须有自己的数据目录（KAIBAN_DATA_DIR），否则会删除或冒用另一大厅的文件和交换密钥；若该目录确属本厅，请删除 \(marker) 文件",
            en:
                "the data directory \(folder.path) belongs to hall \(owner) (its \(marker) file), not to this hall \(hall): each hall needs a data directory of its own (KAIBAN_DATA_DIR), or it would delete or use another hall's files and exchange key; if the folder is this hall's, remove its \(marker) file"
        )
    }

    /// The hall a marker file names (its first line, at most a few bytes), or nil when it is not
    /// a regular file or is empty.
    static func claimedHall(_ marker: URL) -> String? {
        let descriptor = open(marker.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self)
        let code = text.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
        return code.isEmpty ? nil : code
    }
}
