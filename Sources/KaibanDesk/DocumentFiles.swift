import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The documents' files in the data directory, content-addressed: a file whose SHA-256 is
/// `ab12…` is `ab/ab12…`. A file is written to a temporary name, flushed to the disk, renamed into
/// place and its folder flushed, so that once ``keep(_:sha256:)`` returns the file survives a
/// crash, and no reader ever sees half of one. The same content is kept once. Every store keeps
/// them so.
package struct DocumentFiles {
    package let root: URL

    package init(root: URL) {
        self.root = root
    }

    /// The path of the file whose SHA-256 is `sha256`; nil for a text that is no SHA-256 (it
    /// would name some other path).
    package func path(_ sha256: String) -> URL? {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isASCII && $0.isHexDigit && !$0.isUppercase }) else {
            return nil
        }
        return root.appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }

    /// Keeps `content` under `sha256` (its digest, computed by the caller) unless a file of its
    /// size is already there; returns whether it wrote one.
    @discardableResult
    package func keep(_ content: Data, sha256: String) throws -> Bool {
        guard let target = path(sha256) else { throw StoreError.storage("\(sha256) is not a SHA-256") }
        var status = stat()
        if stat(target.path, &status) == 0, Int(status.st_size) == content.count { return false }
        try DurableFiles.write([(target, content)], mode: 0o640)
        return true
    }

    /// The folder (under the root) where files no record names are moved.
    package static let orphansFolder = "orphans"

    /// Checks the files against `recorded` (digest and size of every attachment record): moves
    /// files no record names into ``orphansFolder`` and removes temporary files, when last
    /// modified before `olderThan`; reports
    /// records whose file is missing or of another size. Only the two-hex-digit folders and the
    /// names this type writes are touched.
    package func check(recorded: [(sha256: String, size: Int)], olderThan: Date) throws -> DocumentFileCheck {
        var result = DocumentFileCheck()
        var sizes: [String: Int] = [:]
        for record in recorded { sizes[record.sha256] = record.size }
        for record in recorded {
            var status = stat()
            if let target = path(record.sha256), stat(target.path, &status) == 0, Int(status.st_size) == record.size {
                result.verified += 1
            } else {
                result.missing.append(record.sha256)
            }
        }
        result.missing.sort()
        let manager = FileManager.default
        guard manager.fileExists(atPath: root.path) else { return result }
        let limit = olderThan.timeIntervalSince1970
        let hex = Set("0123456789abcdef")
        for folder in try contents(root) where folder.count == 2 && folder.allSatisfy(hex.contains) {
            let folderURL = root.appendingPathComponent(folder)
            for name in try contents(folderURL) {
                let file = folderURL.appendingPathComponent(name)
                var status = stat()
                guard lstat(file.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
                    TimeInterval(status.st_mtim.tv_sec) < limit
                else { continue }
                let temporary = name.hasPrefix(".") && name.hasSuffix(".tmp")
                let orphan = path(name)?.deletingLastPathComponent().lastPathComponent == folder && sizes[name] == nil
                guard temporary || orphan else { continue }
                if temporary {
                    guard unlink(file.path) == 0 else { throw failure("cannot remove \(file.path)") }
                    result.temporaryRemoved += 1
                    continue
                }
                // Moved aside, never deleted: a file no record names may be the only copy of a
                // case the database lost (a backup restored over it).
                let aside = root.appendingPathComponent(Self.orphansFolder)
                if !manager.fileExists(atPath: aside.path) {
                    try? manager.createDirectory(at: aside, withIntermediateDirectories: true)
                }
                guard rename(file.path, aside.appendingPathComponent(name).path) == 0 else {
                    throw failure("cannot move \(file.path) to \(aside.path)")
                }
                result.orphansRemoved += 1
            }
        }
        return result
    }

    package func contents(_ folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw StoreError.storage("cannot list \(folder.path): \(error.localizedDescription)")
        }
    }

    /// The file kept under `sha256`, or nil when there is none.
    package func read(_ sha256: String) throws -> Data? {
        guard let target = path(sha256), FileManager.default.fileExists(atPath: target.path) else { return nil }
        do {
            return try Data(contentsOf: target)
        } catch {
            throw StoreError.storage("cannot read \(target.path): \(error.localizedDescription)")
        }
    }

    package func failure(_ what: String) -> StoreError {
        StoreError.storage("\(what): \(String(cString: strerror(errno)))")
    }
}
