import Foundation

/// The national case statuses (STANDARDS.md §5) in words.
public enum NationalStatus {
    public static let names: [Int: (zh: String, en: String)] = [
        1: ("已接件", "received"), 2: ("已撤件", "withdrawn before acceptance"), 3: ("已受理", "accepted"),
        4: ("不受理", "not taken"), 5: ("不予受理", "refused acceptance"), 6: ("补正（开始）", "correction requested"),
        7: ("补正（结束）", "correction supplied"), 8: ("部门开始办理", "handling started"),
        9: ("特别程序（开始）", "special procedure started"), 10: ("特别程序（结束）", "special procedure ended"),
        11: ("办结（通过）", "approved"), 12: ("办结（容缺通过）", "approved, documents deferred"),
        13: ("办结（不通过）", "refused"), 14: ("撤回", "withdrawn"), 15: ("撤销", "revoked"),
    ]

    public static func name(_ status: Int, zh: Bool = true) -> String {
        names[status].map { zh ? $0.zh : $0.en } ?? "?"
    }
}
