import CKaibanSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files written together, durably, with one flush of the disk for all of them: each is written
/// under a temporary name beside its target (`.NAME.RANDOM.tmp`), every file system holding one is
/// flushed once (`syncfs`; a single file is flushed alone), then each file takes its name and its
/// folder is flushed. A reader never sees half a file under its name, and once
/// ``write(_:mode:)`` returns every file survives a crash. One flush for a batch instead of one
/// per file: a spool of receipts or the files of 200 transfers cost what one file costs.
public enum DurableFiles {
    /// How long a temporary file may stay before it counts as left by a killed writer.
    public static let abandonedAfter: TimeInterval = 600

    /// Removes the temporary files in `folder` that a killed writer left, untouched for
    /// ``abandonedAfter`` (a write going on now is never one of them): by default this type's own
    /// (`.NAME.RANDOM.tmp`), or those `named` picks (another writer's pattern).
    public static func removeAbandoned(
        in folder: URL, now: Date, named isTemporary: (String) -> Bool = DurableFiles.isTemporaryName
    ) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where isTemporary(name) {
            let path = folder.appendingPathComponent(name).path
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
                now.timeIntervalSince1970 - Double(status.st_mtim.tv_sec) > abandonedAfter
            else { continue }
            unlink(path)
        }
    }

    /// Whether `name` is one of the temporary names ``write(_:mode:)`` gives (`.NAME.RANDOM.tmp`).
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".")
        guard parts.count >= 2, let random = parts.last else { return false }
        return UInt64(random, radix: 36) != nil
    }

    /// Writes each `content` at its `target` (replacing a file of that name), creating the
    /// folders as needed (each new one flushed into its parent), with permissions `mode` (before
    /// the umask). Nothing is renamed into place unless every file was written and flushed; the
    /// temporary files of a failure are removed.
    public static func write(_ files: [(target: URL, content: Data)], mode: mode_t = 0o644) throws {
        guard !files.isEmpty else { return }
        var folders: [String] = []
        for file in files {
            let folder = file.target.deletingLastPathComponent().path
            if !folders.contains(folder) { folders.append(folder) }
        }
        for folder in folders { try makeFolder(URL(fileURLWithPath: folder)) }
        // The folders are opened before anything is written: syncfs reports the write-back
        // errors that happen after its descriptor was opened.
        var descriptors: [String: Int32] = [:]
        defer { for descriptor in descriptors.values { close(descriptor) } }
        for folder in folders {
            let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure("cannot open \(folder)") }
            descriptors[folder] = descriptor
        }
        var temporaries: [String] = []
        var renamed = 0
        defer {
            for temporary in temporaries.dropFirst(renamed) { unlink(temporary) }
        }
        for file in files {
            let temporary =
                file.target.deletingLastPathComponent().appendingPathComponent(
                    ".\(file.target.lastPathComponent).\(String(UInt64.random(in: .min ... .max), radix: 36)).tmp"
                ).path
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
            temporaries.append(temporary)
            defer { close(descriptor) }
            try writeAll(file.content, to: descriptor, path: temporary)
            // A single file is flushed alone, without the rest of the file system's writes.
            if files.count == 1 && fsync(descriptor) != 0 { throw failure("cannot flush \(temporary)") }
        }
        if files.count > 1 { try flushAll(temporaries, folders: folders, descriptors: descriptors) }
        for (temporary, file) in zip(temporaries, files) {
            guard rename(temporary, file.target.path) == 0 else {
                throw failure("cannot rename \(temporary) to \(file.target.path)")
            }
            renamed += 1
        }
        for folder in folders {
            guard let descriptor = descriptors[folder], fsync(descriptor) == 0 else {
                throw failure("cannot flush \(folder)")
            }
        }
    }

    /// One flush per file system (a device) through its folders' descriptors; where the system
    /// has no syncfs, each file's own.
    static func flushAll(_ temporaries: [String], folders: [String], descriptors: [String: Int32]) throws {
        var flushed: Set<UInt64> = []
        for folder in folders {
            guard let descriptor = descriptors[folder] else { continue }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw failure("cannot read \(folder)") }
            guard flushed.insert(UInt64(status.st_dev)).inserted else { continue }
            if kaiban_syncfs(descriptor) == 0 { continue }
            guard errno == ENOSYS else { throw failure("cannot flush the disk of \(folder)") }
            for temporary in temporaries {
                let file = open(temporary, O_RDONLY | O_CLOEXEC)
                guard file >= 0 else { throw failure("cannot open \(temporary)") }
                defer { close(file) }
                guard fsync(file) == 0 else { throw failure("cannot flush \(temporary)") }
            }
            return
        }
    }

    /// Creates `folder` and the folders above it as needed, each new one flushed into its parent,
    /// so that it survives a crash with the files in it.
    public static func makeFolder(_ folder: URL) throws {
        var missing: [URL] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current.path) {
            missing.append(current)
            let parent = current.deletingLastPathComponent()
            guard parent.path != current.path else { break }
            current = parent
        }
        for created in missing.reversed() {
            if mkdir(created.path, 0o750) != 0 && errno != EEXIST { throw failure("cannot create \(created.path)") }
            let parent = created.deletingLastPathComponent().path
            let descriptor = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw failure("cannot open \(parent)") }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else { throw failure("cannot flush \(parent)") }
        }
    }

    static func writeAll(_ content: Data, to descriptor: Int32, path: String) throws {
        try content.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let result = systemWrite(descriptor, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw failure("cannot write \(path)") }
                offset += result
            }
        }
    }

    static func failure(_ what: String) -> StoreError {
        StoreError.storage("\(what): \(String(cString: strerror(errno)))")
    }
}

/// write(2), under a name the enum's own `write` does not hide.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
