/// A mailbox, `Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
///
/// Both parts are kept exactly as they appeared in the command, so a relay forwards the address
/// byte for byte: a quoted local part keeps its quotes and escapes, an address literal its brackets.
public struct SMTPMailbox: Hashable, Sendable, CustomStringConvertible {
    public var localPart: String
    public var domain: String

    /// Creates a mailbox from parts that are already valid; nothing is checked or quoted.
    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    /// Parses `local-part@domain`, with UTF-8 allowed in both parts (RFC 6531 §3.3).
    public init?(_ address: some StringProtocol) {
        var scanner = ByteScanner(Array(address.utf8))
        guard let mailbox = SMTPGrammar.mailbox(&scanner), scanner.isAtEnd else { return nil }
        self = mailbox
    }

    /// Whether the address can be used without SMTPUTF8 (RFC 6531 §3.2).
    public var isASCII: Bool {
        localPart.utf8.allSatisfy { $0 < 0x80 } && domain.utf8.allSatisfy { $0 < 0x80 }
    }

    public var description: String { "\(localPart)@\(domain)" }
}

/// A cursor over the bytes of one line.
struct ByteScanner {
    let bytes: [UInt8]
    var index: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = 0
    }

    var isAtEnd: Bool { index == bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[index] }
    var remaining: ArraySlice<UInt8> { bytes[index...] }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `prefix` compared ASCII-case-insensitively.
    mutating func consume(caseInsensitive prefix: String) -> Bool {
        let expected = Array(prefix.utf8)
        guard remaining.count >= expected.count,
            zip(remaining, expected).allSatisfy({ $0.asciiUppercased == $1.asciiUppercased })
        else { return false }
        index += expected.count
        return true
    }

    mutating func consume(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while let byte = peek, predicate(byte) {
            index += 1
        }
        return bytes[start..<index]
    }
}

extension UInt8 {
    var asciiUppercased: UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) ? self - 0x20 : self
    }

    var isASCIIDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
}

/// The address grammar of RFC 5321 §4.1.2–4.1.3, extended for UTF-8 by RFC 6531 §3.3.
///
/// Non-ASCII octets are accepted wherever RFC 6531 allows them and checked for valid UTF-8;
/// whether SMTPUTF8 is in effect is decided by the caller (see ``SMTPMailbox/isASCII``).
enum SMTPGrammar {
    /// `Path = "<" [ A-d-l ":" ] Mailbox ">"`; the source route (A-d-l) is parsed and dropped, as
    /// RFC 5321 §4.1.2 and Appendix C tell receivers to do. Returns `.some(nil)` for `<>` when
    /// `allowNull` is set.
    static func path(_ scanner: inout ByteScanner, allowNull: Bool) -> SMTPMailbox?? {
        guard scanner.consume(UInt8(ascii: "<")) else { return nil }
        if allowNull, scanner.consume(UInt8(ascii: ">")) { return .some(nil) }
        if scanner.peek == UInt8(ascii: "@") {
            repeat {
                guard scanner.consume(UInt8(ascii: "@")), domain(&scanner) != nil else { return nil }
            } while scanner.consume(UInt8(ascii: ","))
            guard scanner.consume(UInt8(ascii: ":")) else { return nil }
        }
        guard let mailbox = mailbox(&scanner), scanner.consume(UInt8(ascii: ">")) else { return nil }
        return .some(mailbox)
    }

    static func mailbox(_ scanner: inout ByteScanner) -> SMTPMailbox? {
        guard let localPart = localPart(&scanner), scanner.consume(UInt8(ascii: "@")) else { return nil }
        let domainPart = scanner.peek == UInt8(ascii: "[") ? addressLiteral(&scanner) : domain(&scanner)
        guard let domainPart else { return nil }
        return SMTPMailbox(localPart: localPart, domain: domainPart)
    }

    /// `Dot-string / Quoted-string`.
    static func localPart(_ scanner: inout ByteScanner) -> String? {
        let start = scanner.index
        if scanner.consume(UInt8(ascii: "\"")) {
            while true {
                guard let byte = scanner.peek else { return nil }
                scanner.index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return text(scanner.bytes[start..<scanner.index])
                case UInt8(ascii: "\\"):
                    guard let escaped = scanner.peek, (32...126).contains(escaped) else { return nil }
                    scanner.index += 1
                case 32...33, 35...91, 93...126, 0x80...:
                    continue
                default:
                    return nil
                }
            }
        }
        repeat {
            guard !scanner.consume(while: isAtext).isEmpty else { return nil }
        } while scanner.consume(UInt8(ascii: "."))
        return text(scanner.bytes[start..<scanner.index])
    }

    /// `sub-domain *("." sub-domain)` where a sub-domain is `Let-dig [Ldh-str]`, at most 63
    /// octets (RFC 1035 §2.3.4); RFC 6531 also allows U-labels.
    static func domain(_ scanner: inout ByteScanner) -> String? {
        let start = scanner.index
        repeat {
            let label = scanner.consume(while: { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 >= 0x80 })
            guard (1...63).contains(label.count),
                label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return nil }
        } while scanner.consume(UInt8(ascii: "."))
        return text(scanner.bytes[start..<scanner.index])
    }

    /// `"[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"` (RFC 5321 §4.1.3).
    static func addressLiteral(_ scanner: inout ByteScanner) -> String? {
        let start = scanner.index
        guard scanner.consume(UInt8(ascii: "[")) else { return nil }
        let content = scanner.consume(while: { (33...90).contains($0) || (94...126).contains($0) })
        guard scanner.consume(UInt8(ascii: "]")) else { return nil }
        let literal = String(decoding: content, as: UTF8.self)
        if let colon = literal.firstIndex(of: ":") {
            let tag = literal[..<colon]
            let value = literal[literal.index(after: colon)...]
            if tag.uppercased() == "IPV6" {
                guard isIPv6(value) else { return nil }
            } else {
                guard isStandardizedTag(tag), !value.isEmpty else { return nil }
            }
        } else {
            guard isIPv4(literal[...]) else { return nil }
        }
        return text(scanner.bytes[start..<scanner.index])
    }

    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                (1...3).contains(part.utf8.count) && part.utf8.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
            }
    }

    /// RFC 5321 §4.1.3 `IPv6-addr`: eight 16-bit groups, one `::` compressing at least one group,
    /// and an optional trailing IPv4 address standing for two groups.
    static func isIPv6(_ text: Substring) -> Bool {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return false }
        var groupCount = 0
        for (halfIndex, half) in halves.enumerated() where !half.isEmpty {
            let groups = half.split(separator: ":", omittingEmptySubsequences: false)
            for (groupIndex, group) in groups.enumerated() {
                let isLast = halfIndex == halves.count - 1 && groupIndex == groups.count - 1
                if isLast, group.contains("."), isIPv4(group) {
                    groupCount += 2
                } else if (1...4).contains(group.utf8.count), group.utf8.allSatisfy(\.isASCIIHexDigit) {
                    groupCount += 1
                } else {
                    return false
                }
            }
        }
        return halves.count == 2 ? groupCount <= 7 : groupCount == 8
    }

    /// `Ldh-str` used as the tag of a General-address-literal.
    private static func isStandardizedTag(_ tag: Substring) -> Bool {
        guard let first = tag.utf8.first, let last = tag.utf8.last,
            first.isASCIIAlphanumeric, last.isASCIIAlphanumeric
        else { return false }
        return tag.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") }
    }

    /// RFC 5322 §3.2.3 `atext`, plus UTF-8 (RFC 6531 §3.3).
    static func isAtext(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte >= 0x80 || Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
    }

    /// Decodes UTF-8, rejecting invalid sequences rather than replacing them.
    static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }
}

extension UInt8 {
    var isASCIIHexDigit: Bool {
        isASCIIDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
