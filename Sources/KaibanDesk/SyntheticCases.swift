import Foundation
import KaibanCore

/// Generates realistic closed and open cases in bulk, for benchmarks: working-day intakes spread
/// over office hours, most completed through every step, some refused, rejected or withdrawn, a
/// share still open at every stage. Deterministic for a given seed.
public struct SyntheticCases: Sendable {
    /// SplitMix64: small, fast, reproducible.
    public struct Generator: RandomNumberGenerator, Sendable {
        public var state: UInt64

        public init(state: UInt64) {
            self.state = state
        }

        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public static let clerks = [
        Clerk(id: "zhouqiang", name: "周强", roles: ["supervisor"]),
        Clerk(id: "wangfang", name: "王芳", roles: ["window"]),
        Clerk(id: "lijun", name: "李军", roles: ["reviewer"]),
    ]

    let hall: String
    let workflowID: String
    /// Share of cases left open, at a random stage.
    let openShare: Double
    var random: Generator

    public init(hall: String, workflowID: String, openShare: Double, random: Generator) {
        self.hall = hall
        self.workflowID = workflowID
        self.openShare = openShare
        self.random = random
    }

    /// Valid GB 11643 numbers to draw from.
    static let people = [
        ("张伟", "11010519491231002X"), ("李秀英", "510811198503120178"), ("王磊", "510802197909080240"),
        ("陈静", "500103199002190586"),
    ]

    static let numerals = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    /// A valid limited-liability application with a random channel, people and tasks.
    public mutating func application() -> CaseApplication {
        // The channels a hall takes cases in by itself (a cross-province case comes by the exchange).
        let channels = Channel.allCases.filter { $0 != .crossProvince }
        let channel = channels[Int(random.next() % UInt64(channels.count))]
        let tasks = ["seal", "tax", "social-insurance", "provident-fund", "bank"].filter { _ in random.next() % 3 != 0 }
        let first = Int(random.next() % UInt64(Self.people.count))
        let (name, id) = Self.people[first]
        // Another person: one person is never two investors.
        let second = (first + 1 + Int(random.next() % UInt64(Self.people.count - 1))) % Self.people.count
        let (partnerName, partnerID) = Self.people[second]
        let capital = Int64(1 + random.next() % 500) * 1_000_000
        // Names hold Chinese characters only: the serial is written in them (三〇七 for 307).
        let serial = String(random.next() % 100_000).map { Self.numerals[$0.wholeNumberValue ?? 0] }.joined()
        return CaseApplication(
            channel: channel, enterpriseType: .limitedLiabilityCompany,
            proposedName: "广元市昭化区\(name)\(serial)科技有限公司", registeredCapital: Money(fen: capital),
            domicile: "四川省广元市昭化区元坝镇中街\(random.next() % 200 + 1)号", domicileDivision: "510811",
            businessScope: "技术服务；技术开发", legalRepresentative: Person(name: name, idNumber: id),
            investors: [
                Investor(name: name, kind: .person, idNumber: id, contribution: Money(fen: capital / 2)),
                Investor(
                    name: partnerName, kind: .person, idNumber: partnerID,
                    contribution: Money(fen: capital - capital / 2)),
            ],
            contact: Contact(name: name, phone: "138\(String(format: "%08d", random.next() % 100_000_000))"),
            requestedTasks: tasks, mailingAddress: channel == .mail ? "四川省广元市昭化区元坝镇中街1号 \(name)收" : nil)
    }

    /// The steps a case takes, `minutes` apart from its intake at `start`.
    mutating func steps(for application: CaseApplication, from start: Date) -> [BatchStep] {
        var at = start
        func next(_ command: CaseCommand, _ clerk: String) -> BatchStep {
            at = at.addingTimeInterval(TimeInterval(60 * (3 + random.next() % 20)))
            return BatchStep(command, by: clerk, at: at)
        }
        var full: [BatchStep] = []
        if application.channel == .mail {
            // The post arrives (recorded with its tracking number, as `mail receive` does).
            let tracking = String(format: "EA%09dCN", Int(random.next() % 1_000_000_000))
            full.append(next(.receiveMail(PostalItem(carrier: .ems, tracking: tracking)), "wangfang"))
        }
        let roll = Double(random.next() % 10_000) / 10_000
        if roll < 0.03 {
            return full + [next(.transition("refuse", reason: "不属于登记范围"), "wangfang")]
        }
        if roll < 0.05 {
            full.append(next(.transition("request-correction", reason: "章程缺少签字页"), "wangfang"))
            full.append(next(.transition("resubmit", reason: nil), "wangfang"))
        }
        full += [
            next(.transition("accept", reason: nil), "wangfang"), next(.transition("review", reason: nil), "lijun"),
        ]
        if roll > 0.97 { return full + [next(.transition("reject", reason: "经营范围不予登记"), "lijun")] }
        if roll > 0.95 { return full + [next(.transition("withdraw", reason: "申请人撤回"), "wangfang")] }
        full += [
            next(.transition("approve", reason: nil), "lijun"),
            next(.transition("issue-licence", reason: nil), "wangfang"),
        ]
        full += application.requestedTasks.map { next(.completeTask($0, note: nil), "wangfang") }
        if Double(random.next() % 10_000) / 10_000 < openShare {
            return Array(full.prefix(Int(random.next() % UInt64(full.count))))
        }
        return full
    }

    /// The next `count` cases of a day-by-day sequence ending on `lastDay`, going back one working
    /// day per `perDay` cases; `position` carries the day and the count on it between batches.
    mutating func cases(count: Int, position: inout (day: Int, onDay: Int), perDay: Int) -> [CaseImport] {
        var result: [CaseImport] = []
        for _ in 0..<count {
            // 1970-01-01 was a Thursday: skip Saturdays and Sundays.
            while (position.day % 7 + 7) % 7 == 2 || (position.day % 7 + 7) % 7 == 3 { position.day -= 1 }
            let date = HallTime.civilDate(fromDaysSinceEpoch: position.day)
            let minute = Int(random.next() % 420)
            let start = HallTime.instant(date, hour: 9 + minute / 60, minute: minute % 60)
            let application = application()
            result.append(
                CaseImport(
                    application: application, workflowID: workflowID, hall: hall, clerk: "wangfang", at: start,
                    steps: steps(for: application, from: start)))
            position.onDay += 1
            if position.onDay == perDay {
                position.onDay = 0
                position.day -= 1
            }
        }
        return result
    }
}
