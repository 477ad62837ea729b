/// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1).
///
/// Keywords compare case-insensitively and are stored upper-cased; parameters are kept as sent.
public struct EHLOCapabilities: Hashable, Sendable {
    /// The first word of the first line: the server's name for itself.
    public var domain: String
    /// Parameters by upper-cased keyword. A keyword announced twice keeps the last parameters,
    /// except AUTH, whose mechanisms are merged (see ``authMechanisms``).
    public var extensions: [String: [String]]
    /// The SASL mechanisms from `AUTH` and the obsolete `AUTH=` form some servers still send for
    /// old clients, upper-cased, without duplicates, in announcement order.
    public var authMechanisms: [String]

    /// Reads the capabilities from a `250` reply to EHLO; returns `nil` for any other code.
    ///
    /// Lines that are not `ehlo-keyword *(SP ehlo-param)` are skipped rather than failing the
    /// whole reply: the relay only depends on the keywords it knows.
    public init?(reply: SMTPReply) {
        guard reply.code == 250 else { return nil }
        domain = String(reply.lines.first?.split(separator: " ", maxSplits: 1).first ?? "")
        extensions = [:]
        authMechanisms = []
        for line in reply.lines.dropFirst() {
            var words = line.split(separator: " ")
            guard let first = words.first else { continue }
            var keyword = first.uppercased()
            if keyword.hasPrefix("AUTH=") {
                words[0] = first.dropFirst(5)
                keyword = "AUTH"
            } else {
                words.removeFirst()
                guard Self.isKeyword(keyword) else { continue }
            }
            let parameters = words.filter { !$0.isEmpty }.map(String.init)
            if keyword == "AUTH" {
                for mechanism in parameters.map({ $0.uppercased() }) where !authMechanisms.contains(mechanism) {
                    authMechanisms.append(mechanism)
                }
                extensions["AUTH"] = authMechanisms
            } else {
                extensions[keyword] = parameters
            }
        }
    }

    public init(domain: String, extensions: [String: [String]] = [:]) {
        self.domain = domain
        self.extensions = Dictionary(extensions.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.authMechanisms = self.extensions["AUTH"]?.map { $0.uppercased() } ?? []
    }

    /// Whether `keyword` was announced; EHLO keywords are case-insensitive (RFC 5321 §2.4).
    public func contains(_ keyword: String) -> Bool {
        extensions[keyword.uppercased()] != nil
    }

    /// The parameters announced with `keyword`, or `nil` when it was not announced.
    public func parameters(for keyword: String) -> [String]? {
        extensions[keyword.uppercased()]
    }

    /// Whether SIZE was announced, which allows the `SIZE=` MAIL parameter (RFC 1870 §3).
    public var supportsSize: Bool { contains("SIZE") }

    /// The maximum message size in octets; `nil` when SIZE is absent, has no parameter or is 0,
    /// all of which mean no fixed limit (RFC 1870 §4).
    public var maximumMessageSize: Int? {
        guard let value = parameters(for: "SIZE")?.first, let size = Int(value), size > 0 else { return nil }
        return size
    }

    /// RFC 2920.
    public var supportsPipelining: Bool { contains("PIPELINING") }
    /// RFC 6152.
    public var supports8BitMIME: Bool { contains("8BITMIME") }
    /// RFC 6531.
    public var supportsSMTPUTF8: Bool { contains("SMTPUTF8") }
    /// RFC 2034.
    public var supportsEnhancedStatusCodes: Bool { contains("ENHANCEDSTATUSCODES") }
    /// RFC 3207.
    public var supportsStartTLS: Bool { contains("STARTTLS") }

    /// The announced mechanisms this module implements, in announcement order.
    public var saslMechanisms: [SASLMechanism] {
        authMechanisms.compactMap { SASLMechanism(name: $0) }
    }

    /// RFC 5321 §4.1.1.1: `(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`.
    private static func isKeyword(_ word: String) -> Bool {
        guard let first = word.utf8.first, first != UInt8(ascii: "-") else { return false }
        return word.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") }
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
