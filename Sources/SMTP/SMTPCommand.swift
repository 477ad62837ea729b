/// An SMTP command (RFC 5321 §4.1.1), as parsed by a server or written by a client.
public enum SMTPCommand: Hashable, Sendable, CustomStringConvertible {
    /// The client's domain or address literal (with brackets).
    case ehlo(String)
    case helo(String)
    /// `nil` is the null reverse-path `<>`, used for bounces (RFC 5321 §4.5.5).
    case mail(from: SMTPMailbox?, parameters: SMTPMailParameters)
    case rcpt(to: SMTPRecipient, parameters: [SMTPParameter])
    case data
    case rset
    case noop(String?)
    case quit
    case vrfy(String)
    case help(String?)
    case startTLS
    /// An upper-cased SASL mechanism name and the initial response as sent: base64, or `=` for
    /// an empty one (RFC 4954 §4).
    case auth(mechanism: String, initialResponse: String?)

    /// Writes the command line including its CRLF.
    public func encode(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: line(redacted: false).utf8)
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    /// The wire form of ``encode(into:)``.
    public var encoded: [UInt8] {
        var buffer: [UInt8] = []
        encode(into: &buffer)
        return buffer
    }

    /// The command line without CRLF; an AUTH initial response, which carries credentials, is redacted.
    public var description: String {
        line(redacted: true)
    }

    private func line(redacted: Bool) -> String {
        switch self {
        case .ehlo(let domain): "EHLO \(domain)"
        case .helo(let domain): "HELO \(domain)"
        case .mail(let mailbox, let parameters):
            (["MAIL FROM:<\(mailbox.map(\.description) ?? "")>"] + parameters.all.map(\.description)).joined(
                separator: " "
            )
        case .rcpt(let recipient, let parameters):
            (["RCPT TO:<\(recipient)>"] + parameters.map(\.description)).joined(separator: " ")
        case .data: "DATA"
        case .rset: "RSET"
        case .noop(let text): text.map { "NOOP \($0)" } ?? "NOOP"
        case .quit: "QUIT"
        case .vrfy(let text): "VRFY \(text)"
        case .help(let text): text.map { "HELP \($0)" } ?? "HELP"
        case .startTLS: "STARTTLS"
        case .auth(let mechanism, let response):
            response.map { "AUTH \(mechanism) \(redacted ? "<redacted>" : $0)" } ?? "AUTH \(mechanism)"
        }
    }
}

/// A RCPT forward-path.
public enum SMTPRecipient: Hashable, Sendable, CustomStringConvertible {
    /// `<Postmaster>` without a domain, which every server must accept (RFC 5321 §4.1.1.3).
    case postmaster
    case mailbox(SMTPMailbox)

    public var description: String {
        switch self {
        case .postmaster: "Postmaster"
        case .mailbox(let mailbox): mailbox.description
        }
    }
}

/// An ESMTP parameter, `esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2), kept as sent so a
/// relay can pass on extensions it does not know.
public struct SMTPParameter: Hashable, Sendable, CustomStringConvertible {
    public var keyword: String
    public var value: String?

    public init(keyword: String, value: String? = nil) {
        self.keyword = keyword
        self.value = value
    }

    public var description: String {
        value.map { "\(keyword)=\($0)" } ?? keyword
    }
}

/// The MAIL parameters the relay interprets, plus all others verbatim.
public struct SMTPMailParameters: Hashable, Sendable {
    /// `SIZE=` — the client's size estimate in octets (RFC 1870 §3).
    public var size: Int?
    /// `BODY=` (RFC 6152 §2).
    public var body: SMTPBodyType?
    /// `SMTPUTF8` — the transaction may use UTF-8 addresses and headers (RFC 6531 §3.4).
    public var smtpUTF8: Bool
    /// Everything else, in order, as sent.
    public var other: [SMTPParameter]

    public init(size: Int? = nil, body: SMTPBodyType? = nil, smtpUTF8: Bool = false, other: [SMTPParameter] = []) {
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.other = other
    }

    /// The parameters in the order a client writes them.
    public var all: [SMTPParameter] {
        var parameters: [SMTPParameter] = []
        if let size { parameters.append(SMTPParameter(keyword: "SIZE", value: String(size))) }
        if let body { parameters.append(SMTPParameter(keyword: "BODY", value: body.rawValue)) }
        if smtpUTF8 { parameters.append(SMTPParameter(keyword: "SMTPUTF8")) }
        return parameters + other
    }
}

/// The `BODY=` values of RFC 6152 §2.
public enum SMTPBodyType: String, Hashable, Sendable {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
}
