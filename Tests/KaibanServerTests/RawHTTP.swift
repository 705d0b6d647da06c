import Foundation

#if canImport(Glibc)
    import Glibc

    private let streamSocket = Int32(SOCK_STREAM.rawValue)
    private let sendFlags = Int32(MSG_NOSIGNAL)
    private func sendBytes(_ socket: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
        Glibc.send(socket, bytes, count, flags)
    }
#elseif canImport(Darwin)
    import Darwin

    private let streamSocket = SOCK_STREAM
    private let sendFlags: Int32 = 0
    private func sendBytes(_ socket: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
        Darwin.send(socket, bytes, count, flags)
    }
#endif

/// A plain TCP connection to 127.0.0.1, for what URLSession cannot do: send a request in pieces
/// (a body that arrives slowly, a chunked body) and read the answer as it comes.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    /// ``readAnswer(timeout:interim:)`` on a thread of its own: waiting for an answer must not
    /// hold one of Swift's few cooperative threads, which also run the servers of the tests in
    /// this process (two tests waiting so at once had left no thread to answer them).
    func answer(timeout: TimeInterval = 30, interim: Bool = false) async -> String {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.readAnswer(timeout: timeout, interim: interim)) }.start()
        }
    }

    /// Connects, or throws `POSIXError` (ECONNREFUSED when nothing listens).
    init(port: Int) throws {
        descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = Loopback.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // The socket is closed by deinit, which runs also when this init throws: closed here as
        // well, its number could already be another thread's socket (NIO then failed with EBADF in
        // epoll_ctl, and the test process crashed).
        guard result == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func send(_ text: String) throws {
        try send(Data(text.utf8))
    }

    func send(_ data: Data) throws {
        var offset = 0
        while offset < data.count {
            let sent = data.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return -1 }
                return sendBytes(descriptor, base + offset, data.count - offset, sendFlags)
            }
            // A signal (a child process of another test ending) may interrupt a send: send again.
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EPIPE) }
            offset += sent
        }
    }

    /// Reads one whole answer (headers, then as many bytes as its Content-Length says), or what
    /// came before the connection closed or `timeout` ran out; with `interim`, an interim 1xx
    /// answer is one too (otherwise it is read past, to the final one).
    func readAnswer(timeout: TimeInterval = 30, interim: Bool = false) -> String {
        String(decoding: readAnswerData(timeout: timeout, interim: interim), as: UTF8.self)
    }

    /// Whether the server closed the connection (end of stream or reset, nothing more sent) within `timeout`;
    /// `skippingAnswers`: whatever it sent before is read and dropped.
    func closedByServer(timeout: TimeInterval = 30, skippingAnswers: Bool = false) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var byte: UInt8 = 0
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let count = recv(descriptor, &byte, 1, 0)
            if count < 0 && errno == EINTR { continue }
            if count > 0 && skippingAnswers { continue }
            // A reset is the server's close too: bytes the client sent after the server had closed
            // (a loaded machine's test thread sending late) are answered with one by the kernel.
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
        return false
    }

    /// ``readAnswer(timeout:interim:)``'s bytes, as they came.
    func readAnswerData(timeout: TimeInterval = 30, interim: Bool = false) -> Data {
        var received = Data()
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            if Self.isComplete(received, interim: interim) { break }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return received
    }

    /// Whether `data` holds a final answer's headers and the whole body they announce (past any
    /// interim 1xx answer, unless `interim` takes one as an answer; a chunked body up to its last,
    /// empty chunk).
    static func isComplete(_ data: Data, interim: Bool = false) -> Bool {
        var rest = data[...]
        while let end = rest.range(of: Data("\r\n\r\n".utf8)) {
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self).lowercased()
            let lines = head.split(separator: "\r\n")
            let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            rest = rest[end.upperBound...]
            if (100..<200).contains(status) {
                if interim { return true }
                continue
            }
            if lines.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.hasSuffix("chunked") }) {
                return rest.starts(with: Data("0\r\n\r\n".utf8)) || rest.range(of: Data("\r\n0\r\n\r\n".utf8)) != nil
            }
            let length =
                lines.first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            return rest.count >= length
        }
        return false
    }
}

/// A socket listening on 127.0.0.1 (a port someone else holds).
final class Loopback {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, streamSocket, 0)
        var address = Self.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }

    static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
