import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 10: submissions arriving together over HTTP are written together (group commit) and
/// each is answered only once written; a retry among them makes no second case.
@Suite struct ConcurrentSubmissionsTests {

    @Test func concurrentSubmissionsAreEachTakenInOnceWithDenseNumbers() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let names = Array("青禾丰泽瑞恒通达安康宏远嘉润博信华盛鑫源")
            // 20 applications with their own keys and names, and the first one sent twice more.
            let requests: [(key: String, name: Character)] =
                names.enumerated().map { ("k\($0.offset)", $0.element) } + [("k0", names[0]), ("k0", names[0])]
            // Sent at once: `send` puts each request with a body on a connection and a thread of its own.
            let answers = try await withThrowingTaskGroup(of: (String, HTTPAnswer).self) { group in
                for (key, name) in requests {
                    group.addTask {
                        let body = PortalRoutesTests.form.replacingOccurrences(of: "青禾", with: "\(name)禾")
                        let answer = try await server.send(
                            "POST", "/applications",
                            headers: [
                                "Authorization": "Bearer \(web.token)", "Content-Type": "application/json",
                                "Idempotency-Key": key,
                            ], body: Data(body.utf8))
                        return (key, answer)
                    }
                }
                var answers: [(String, HTTPAnswer)] = []
                for try await answer in group { answers.append(answer) }
                return answers
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
