/// A duration in Go's `time.ParseDuration` syntax (`168h`, `1h30m`, `90s`, `1.5h`), the form
/// Kubernetes resources use for durations.
public struct GoDuration: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    /// The duration in seconds (fractions of a second are kept).
    public let seconds: Double

    /// The schema pattern that matches what `init?(_:)` accepts (ECMA-262 and RE2 compatible).
    public static let pattern = #"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"#

    public init?(_ text: String) {
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number.first != ".", number.last != ".",
                number.filter({ $0 == "." }).count <= 1, let value = Double(number)
            else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            total += value * scale
        }
        self.text = text
        self.seconds = total
    }

    public var description: String { text }
}
