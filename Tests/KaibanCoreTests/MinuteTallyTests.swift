import KaibanCore
import Testing

/// The SLA report's percentiles from counts of minutes equal the nearest ranks of the sorted
/// minutes, for any mix of values (negative, ordinary, beyond the dense range) and any merging.
@Suite struct MinuteTallyTests {
    /// The definition the report states: the k-th smallest, k = ⌈p·n⌉ (at least 1).
    static func nearestRank(_ p: Double, _ minutes: [Int]) -> Int {
        let sorted = minutes.sorted()
        return sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
    }

    @Test func aHandWorkedExample() throws {
        // Ten cases: 30 ×3, 65, 70, 77 ×2, 109, 192, 250; seven within a 100-minute budget.
        let minutes = [30, 77, 30, 65, 250, 70, 109, 30, 192, 77]
        let statistics = try #require(
            SLAStatistics(group: "all", measured: minutes.map { ($0, $0 <= 100) }, provisional: false))
        #expect(statistics.count == 10)
        #expect(statistics.medianMinutes == 70)  // the 5th smallest
        #expect(statistics.p90Minutes == 192)  // the 9th
        #expect(statistics.maxMinutes == 250)
        #expect(statistics.withinBudgetShare == 0.7)
    }

    @Test func anyMinutesGiveTheSortedNearestRanks() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let count = Int.random(in: 1...300, using: &generator)
            let minutes = (0..<count).map { _ in
                switch Int.random(in: 0..<10, using: &generator) {
                case 0: Int.random(in: -50..<0, using: &generator)
                case 1: Int.random(in: 16_000..<2_000_000, using: &generator)
                default: Int.random(in: 0..<400, using: &generator)
                }
            }
            // Counted in two halves and merged, as the report's parts are.
            let cut = Int.random(in: 0...count, using: &generator)
            var left = MinuteTally()
            var right = MinuteTally()
            for (index, value) in minutes.enumerated() {
                if index < cut {
                    left.add(value, withinBudget: value <= 192)
                } else {
                    right.add(value, withinBudget: value <= 192)
                }
            }
            left.merge(right)
            let statistics = try #require(SLAStatistics(group: "g", tally: left, provisional: false))
            #expect(statistics.count == count, "round \(round)")
            #expect(statistics.medianMinutes == Self.nearestRank(0.5, minutes), "round \(round): \(minutes)")
            #expect(statistics.p90Minutes == Self.nearestRank(0.9, minutes), "round \(round): \(minutes)")
            #expect(statistics.maxMinutes == minutes.max(), "round \(round)")
            #expect(
                statistics.withinBudgetShare == Double(minutes.filter { $0 <= 192 }.count) / Double(count),
                "round \(round)")
        }
        #expect(SLAStatistics(group: "empty", tally: MinuteTally(), provisional: false) == nil)
        // Only minutes below zero (a damaged record): the largest of them is the maximum.
        var negative = MinuteTally()
        for value in [-40, -3, -17] { negative.add(value, withinBudget: true) }
        #expect(negative.maximum == -3)
        #expect(negative.nearestRanks([0.5, 0.9, 1]) == [-17, -3, -3])
    }
}
