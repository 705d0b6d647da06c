import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A document file received into a private temporary file on disk and read back through a
/// read-only memory map, so that a transfer's files never sit in the process's own memory.
///
/// A transfer may list 100 files of up to 50 MiB, and a batch of 200 messages is checked at once:
/// read into memory, one message of 10 such files had taken 579 MB, and a partner could have
/// exhausted the machine's memory. Mapped from a file, the pages are the disk's cache, which the
/// kernel takes back when it needs to. The file is written by this process alone (a spool's file
/// could be shortened under a map by its writer, which ends the reader with SIGBUS) and unlinked as
/// soon as it is mapped: nothing is left on disk once the content is released, or if the process
/// is killed (a file killed while being written has a temporary name, which the start-up cleaning
/// of the folder removes, ``DurableFiles/removeAbandoned(in:now:named:)``).
final class StagedFile {
    private let path: String
    private var descriptor: Int32
    private var count = 0
    private let limit: Int
    /// A write failed (the disk full): the file is not had, whatever was written.
    private var failed = false

    /// A new temporary file in `folder` (made when missing) for at most `limit` + 1 octets, or nil
    /// when it cannot be made (the folder unwritable, the disk full).
    init?(in folder: URL, named name: String, limit: Int) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path =
            folder.appendingPathComponent(".\(name).\(String(UInt64.random(in: .min ... .max), radix: 36)).tmp").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        self.limit = limit
        guard descriptor >= 0 else { return nil }
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(path)
        }
    }

    /// Appends `bytes`; false once the file would pass its limit + 1 octets or cannot be written
    /// (the rest is not wanted: the file is refused by its size).
    func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard descriptor >= 0 else { return false }
        let wanted = min(bytes.count, limit + 1 - count)
        var written = 0
        while written < wanted, let base = bytes.baseAddress {
            let result = write(descriptor, base + written, wanted - written)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                failed = true
                return false
            }
            written += result
        }
        count += written
        return count <= limit
    }

    /// Copies what `source` (a descriptor open for reading) holds, up to the limit + 1 octets;
    /// false when it could not be read or written.
    func append(readingFrom source: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while count <= limit {
            let read = buffer.withUnsafeMutableBytes { Glibc.read(source, $0.baseAddress, $0.count) }
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else { return false }
            if read == 0 { return true }
            let appended = buffer.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[..<read])) }
            guard appended || count > limit else { return false }
        }
        return true
    }

    /// The content as written, mapped read-only (released with the `Data`), the file itself
    /// removed; nil when it cannot be mapped.
    func content() -> Data? {
        guard descriptor >= 0, !failed else { return nil }
        defer {
            close(descriptor)
            unlink(path)
            descriptor = -1
        }
        guard count > 0 else { return Data() }
        guard let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0),
            mapped != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            return nil
        }
        return Data(bytesNoCopy: mapped, count: count, deallocator: .custom { pointer, size in munmap(pointer, size) })
    }
}

/// How many octets of document files may be held in the process's own memory at once: a small
/// file (most scans) is read straight into memory while the budget lasts, sparing a temporary file
/// (creating and removing one per document had cost the import the time ext4 takes to find inodes
/// after deletions); past the budget, or for a large file, it is staged on disk (``StagedFile``).
final class DocumentMemory: Sendable {
    static let shared = DocumentMemory(budget: 64 << 20)

    /// The largest file read into memory.
    static let largestInMemory = 1 << 20

    private let left: Mutex<Int>

    init(budget: Int) { left = Mutex(budget) }

    /// The `count` octets `descriptor` holds from its start, read into memory taken from the
    /// budget (given back when the content is released); nil when the budget does not allow it
    /// (or the file is larger than ``largestInMemory``), or the file cannot be read whole.
    func read(_ descriptor: Int32, count: Int) -> Data? {
        guard count <= Self.largestInMemory else { return nil }
        let taken = left.withLock { left -> Bool in
            guard left >= count else { return false }
            left -= count
            return true
        }
        guard taken else { return nil }
        guard count > 0, let buffer = malloc(count) else {
            give(count)
            return count == 0 ? Data() : nil
        }
        var done = 0
        while done < count {
            let read = pread(descriptor, buffer + done, count - done, off_t(done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { break }
            done += read
        }
        guard done == count else {
            free(buffer)
            give(count)
            return nil
        }
        return Data(
            bytesNoCopy: buffer, count: count,
            deallocator: .custom { [self] pointer, _ in
                free(pointer)
                give(count)
            })
    }

    private func give(_ count: Int) { left.withLock { $0 += count } }

    /// What is left of the budget (for tests).
    var available: Int { left.withLock { $0 } }
}
