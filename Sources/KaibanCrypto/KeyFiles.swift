#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SM2 key files in PEM. A private key file is created with mode 0600 and never exists with
/// another mode, even for an instant: the PEM goes into a new temporary file beside it, created
/// with O_CREAT|O_EXCL and mode 0600, written and synced, then linked (or renamed, when replacing
/// is asked for) to its name, and the directory synced. A private key file that its group or
/// others may read or write is refused, as ssh refuses one.
public enum KeyFiles {
    /// Writes `key` to `path` as PKCS#8 PEM, mode 0600. Refuses to replace an existing file unless
    /// `replacingExisting`.
    public static func writePrivateKey(
        _ key: SM2.PrivateKey, to path: String, replacingExisting: Bool = false
    ) throws(SM2.Failure) {
        try writeFile(Array(key.pkcs8PEM().utf8), to: path, mode: 0o600, replacingExisting: replacingExisting)
    }

    /// Writes `key` to `path` as SubjectPublicKeyInfo PEM, mode 0644 (a public key is no secret).
    /// Refuses to replace an existing file unless `replacingExisting`.
    public static func writePublicKey(
        _ key: SM2.PublicKey, to path: String, replacingExisting: Bool = false
    ) throws(SM2.Failure) {
        try writeFile(Array(key.pem.utf8), to: path, mode: 0o644, replacingExisting: replacingExisting)
    }

    /// The private key in the PEM file at `path`. Refuses a file its group or others may read or
    /// write (``SM2/Failure/keyFileTooOpen(path:mode:)``, naming the path and the mode), one that is
    /// not a regular file, and one larger than any key.
    public static func readPrivateKey(from path: String) throws(SM2.Failure) -> SM2.PrivateKey {
        try SM2.PrivateKey(pem: readFile(path, ownerOnly: true))
    }

    /// The public key in the PEM file at `path` (any mode).
    public static func readPublicKey(from path: String) throws(SM2.Failure) -> SM2.PublicKey {
        try SM2.PublicKey(pem: readFile(path, ownerOnly: false))
    }

    static func readFile(_ path: String, ownerOnly: Bool) throws(SM2.Failure) -> [UInt8] {
        // O_NONBLOCK: a FIFO at the path opens at once (and is refused below) instead of hanging.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw failure(path, "open") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw failure(path, "stat") }
        let mode = UInt32(status.st_mode)
        guard mode & 0o170000 == 0o100000 else { throw .keyFileNotRegular(path: path) }
        if ownerOnly, mode & 0o077 != 0 { throw .keyFileTooOpen(path: path, mode: mode & 0o7777) }
        guard Int(status.st_size) <= SM2.pemLimit else {
            throw .tooLarge(bytes: Int(status.st_size), limit: SM2.pemLimit)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= SM2.pemLimit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure(path, "read") }
            if count == 0 { break }
            bytes += chunk.prefix(count)
        }
        // The file grew after the stat.
        guard bytes.count <= SM2.pemLimit else { throw .tooLarge(bytes: bytes.count, limit: SM2.pemLimit) }
        return bytes
    }

    static func writeFile(_ bytes: [UInt8], to path: String, mode: mode_t, replacingExisting: Bool) throws(SM2.Failure)
    {
        let directory = directoryOf(path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var random = (try? Secrets.randomBytes(6)) ?? []
        if random.isEmpty { random = Array(String(getpid()).utf8) }
        let temporary = "\(directory)/.\(name).\(Secrets.hex(random)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw failure(temporary, "create") }
        var linked = false
        defer { if !linked { unlink(temporary) } }
        do {
            defer { close(fd) }
            // The umask can only have taken bits away; this makes the mode exactly `mode`.
            guard fchmod(fd, mode) == 0 else { throw failure(temporary, "chmod") }
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw failure(temporary, "write") }
                written += count
            }
            guard fsync(fd) == 0 else { throw failure(temporary, "fsync") }
        }
        if replacingExisting {
            guard rename(temporary, path) == 0 else { throw failure(path, "rename to") }
            linked = true
        } else {
            // link(2) fails with EEXIST when the name is taken, atomically: no file is replaced.
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { throw .keyFileExists(path: path) }
                throw failure(path, "link to")
            }
            linked = true
            unlink(temporary)
        }
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The directory part of `path` ("." when it has none).
    static func directoryOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    static func failure(_ path: String, _ operation: String) -> SM2.Failure {
        let code = errno
        return .file(path: path, operation: operation, errno: code, message: String(cString: strerror(code)))
    }
}
