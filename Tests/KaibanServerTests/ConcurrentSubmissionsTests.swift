import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Synchronization
import Testing

/// Issue 10: submissions arriving together over HTTP are written together (group commit) and
/// each is answered only once written; a retry among them makes no second case.
@Suite struct ConcurrentSubmissionsTests {
    final class Collected: Sendable {
        let answers = Mutex<[(String, HTTPAnswer)]>([])
        func add(_ key: String, _ answer: HTTPAnswer) { answers.withLock { $0.append((key, answer)) } }
        var all: [(String, HTTPAnswer)] { answers.withLock { $0 } }
    }

    @Test func concurrentSubmissionsAreEachTakenInOnceWithDenseNumbers() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let names = Array("青禾丰泽瑞恒通达安康宏远嘉润博信华盛鑫源")
            // 20 applications with their own keys and names, and the first one sent twice more.
            let requests: [(key: String, name: Character)] =
                names.enumerated().map { ("k\($0.offset)", $0.element) } + [("k0", names[0]), ("k0", names[0])]
            // Raw connections on threads of their own, all sent at once (URLSession on Linux
            // queues concurrent requests to one host).
            let port = server.port
            let answers: [(String, HTTPAnswer)] = await withCheckedContinuation { continuation in
                let collected = Collected()
                let group = DispatchGroup()
                for (key, name) in requests {
                    group.enter()
                    // A thread each: blocked on its socket, a client must not hold one of the
                    // dispatch pool's few threads, which the server in this process needs.
                    Thread {
                        defer { group.leave() }
                        let body = Data(PortalRoutesTests.form.replacingOccurrences(of: "青禾", with: "\(name)禾").utf8)
                        let head =
                            "POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(web.token)\r\n"
                            + "Content-Type: application/json\r\nIdempotency-Key: \(key)\r\n"
                            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                        do {
                            let connection = try RawConnection(port: port)
                            try connection.send(Data(head.utf8) + body)
                            collected.add(key, HTTPAnswer(raw: connection.readAnswer()))
                        } catch {
                            collected.add(key, HTTPAnswer(status: 0, headers: [:], body: Data("\(error)".utf8)))
                        }
                    }.start()
                }
                group.notify(queue: .global()) { continuation.resume(returning: collected.all) }
            }
            #expect(answers.count == requests.count)
            #expect(answers.allSatisfy { [200, 201].contains($0.1.status) }, "\(answers.map(\.1.status))")
            #expect(answers.filter { $0.1.status == 201 }.count == names.count)
            var numberByKey: [String: Set<String>] = [:]
            for (key, answer) in answers {
                let receipt = try #require(
                    try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer)")
                let number = try #require((receipt["case"] as? [String: Any])?["number"] as? String)
                numberByKey[key, default: []].insert(number)
            }
            // One case per key, the retries answered with the first's.
            #expect(numberByKey.count == names.count && numberByKey.values.allSatisfy { $0.count == 1 })
            let numbers = numberByKey.values.compactMap(\.first).compactMap(CaseNumber.init)
            #expect(Set(numbers.map(\.sequence)) == Set(1...names.count))
            #expect(try await server.desk.store.caseCount() == names.count)
        }
    }
}

extension HTTPAnswer {
    /// An answer read whole from a raw connection (status 0 when it is not one).
    init(raw: String) {
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let head = parts.first?.components(separatedBy: "\r\n") ?? []
        let status = head.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.init(
            status: status, headers: headers, body: Data(parts.dropFirst().joined(separator: "\r\n\r\n").utf8))
    }
}
