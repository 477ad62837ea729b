#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The name and label syntax rules of Kubernetes (`k8s.io/apimachinery/pkg/util/validation`).
///
/// Each function returns the problems as human-readable sentences; an empty array means valid.
public enum NameValidation {
    /// RFC 1123 label: namespaces, Service names. Lower-case alphanumerics and `-`, at most 63.
    public static func dnsLabel(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append("must be no more than 63 characters") }
        if !isDNSLabel(value) {
            problems.append(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    + "and must start and end with an alphanumeric character (e.g. 'my-name')"
            )
        }
        return problems
    }

    /// RFC 1123 subdomain: object names, Secret names. Labels joined by dots, at most 253.
    public static func dnsSubdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 253 { problems.append("must be no more than 253 characters") }
        if value.isEmpty
            || !value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isDNSLabel($0) })
        {
            problems.append(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'example.com')"
            )
        }
        return problems
    }

    /// A qualified name (label and annotation keys, condition types): `[prefix/]name`.
    public static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        var problems: [String] = []
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            if parts[0].isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dnsSubdomain(String(parts[0])).map { "prefix part \($0)" }
            }
            name = parts[1]
        default:
            return [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    + "with an alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc'), with an optional "
                    + "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else {
            if name.utf8.count > 63 { problems.append("name part must be no more than 63 characters") }
            if !isQualifiedNamePart(name) {
                problems.append(
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                        + "with an alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc')"
                )
            }
        }
        return problems
    }

    /// A label value: empty, or at most 63 characters of the qualified-name alphabet.
    public static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > 63 { problems.append("must be no more than 63 characters") }
        if !value.isEmpty && !isQualifiedNamePart(Substring(value)) {
            problems.append(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
            )
        }
        return problems
    }

    /// A host name (RFC 1123, letters of either case) or an IPv4 or IPv6 address.
    public static func host(_ value: String) -> [String] {
        if isIPv4(value) || isIPv6(value) { return [] }
        let trimmed = value.hasSuffix(".") ? String(value.dropLast()) : value
        let labels = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !trimmed.isEmpty && trimmed.utf8.count <= 253
            && labels.allSatisfy { label in
                label.utf8.count <= 63 && isDNSLabel(Substring(label.lowercased()))
            }
        return valid ? [] : ["must be a host name (such as smtp.example.com) or an IP address"]
    }

    /// The schema pattern for `host(_:)`: RFC 1123 host names, or anything shaped like an IP address
    /// (the exact IPv6 grammar is checked by `host(_:)`).
    public static let hostPattern =
        #"^(([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$"#

    static func isIPv4(_ value: String) -> Bool { parses(value, family: AF_INET) }

    static func isIPv6(_ value: String) -> Bool { parses(value, family: AF_INET6) }

    private static func parses(_ value: String, family: Int32) -> Bool {
        var buffer = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buffer) { inet_pton(family, value, $0.baseAddress) == 1 }
    }

    private static func isDNSLabel(_ value: some StringProtocol) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isQualifiedNamePart(_ value: Substring) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy {
                isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
