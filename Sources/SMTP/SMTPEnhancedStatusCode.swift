/// An enhanced mail system status code, `class.subject.detail` (RFC 3463 §2, RFC 2034).
public struct SMTPEnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    public var statusClass: Int
    public var subject: Int
    public var detail: Int

    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `class.subject.detail` per the RFC 3463 §2 grammar: class is 2, 4 or 5; subject and
    /// detail are 1–3 digits without leading zeros.
    public init?(_ text: some StringProtocol) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3,
            let statusClass = Self.number(parts[0], maxDigits: 1), [2, 4, 5].contains(statusClass),
            let subject = Self.number(parts[1], maxDigits: 3),
            let detail = Self.number(parts[2], maxDigits: 3)
        else { return nil }
        self.init(statusClass, subject, detail)
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }

    private static func number(_ digits: some Collection<UInt8>, maxDigits: Int) -> Int? {
        guard (1...maxDigits).contains(digits.count),
            digits.count == 1 || digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }
}
