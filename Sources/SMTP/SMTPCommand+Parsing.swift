extension SMTPCommand {
    /// Parses a command line received by a server, given as text without its CRLF.
    public init(parsing line: some StringProtocol, allowsUTF8Addresses: Bool = false) throws(SMTPCommandError) {
        try self.init(parsing: Array(line.utf8), allowsUTF8Addresses: allowsUTF8Addresses)
    }

    /// Parses a command line received by a server (RFC 5321 §4.1.1), given without its CRLF.
    ///
    /// Verbs and the `FROM:`/`TO:` keywords are case-insensitive. Two deviations from the strict
    /// grammar follow common practice (Postfix, Exim) because widespread clients depend on them:
    /// spaces after `FROM:`/`TO:` and trailing spaces are ignored. The line length limit is the
    /// framer's job (``LineFramer``).
    ///
    /// - Parameter allowsUTF8Addresses: whether the current transaction's MAIL command carried
    ///   `SMTPUTF8`; it governs RCPT. A MAIL command enables UTF-8 for itself with that parameter
    ///   (RFC 6531 §3.4).
    public init(parsing line: [UInt8], allowsUTF8Addresses: Bool = false) throws(SMTPCommandError) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: " ") {
            end -= 1
        }
        let trimmed = Array(line[..<end])
        guard !trimmed.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else {
            throw .invalidArguments
        }
        let verbEnd = trimmed.firstIndex(of: UInt8(ascii: " ")) ?? trimmed.count
        let verb = String(decoding: trimmed[..<verbEnd].map(\.asciiUppercased), as: UTF8.self)
        var arguments = ByteScanner(Array(trimmed[min(verbEnd + 1, trimmed.count)...]))

        switch verb {
        case "EHLO", "HELO":
            guard let domain = Self.clientDomain(arguments) else { throw .invalidArguments }
            self = verb == "EHLO" ? .ehlo(domain) : .helo(domain)
        case "MAIL":
            guard arguments.consume(caseInsensitive: "FROM:") else { throw .invalidArguments }
            _ = arguments.consume(while: { $0 == UInt8(ascii: " ") })
            guard case .some(let mailbox) = SMTPGrammar.path(&arguments, allowNull: true) else {
                throw .invalidReversePath
            }
            let parameters = try Self.mailParameters(try Self.parameters(&arguments))
            if let mailbox, !mailbox.isASCII, !parameters.smtpUTF8 {
                throw .nonASCIIAddress
            }
            self = .mail(from: mailbox, parameters: parameters)
        case "RCPT":
            guard arguments.consume(caseInsensitive: "TO:") else { throw .invalidArguments }
            _ = arguments.consume(while: { $0 == UInt8(ascii: " ") })
            let recipient: SMTPRecipient
            if arguments.consume(caseInsensitive: "<Postmaster>") {
                recipient = .postmaster
            } else {
                guard case .some(.some(let mailbox)) = SMTPGrammar.path(&arguments, allowNull: false) else {
                    throw .invalidForwardPath
                }
                guard mailbox.isASCII || allowsUTF8Addresses else { throw .nonASCIIAddress }
                recipient = .mailbox(mailbox)
            }
            self = .rcpt(to: recipient, parameters: try Self.parameters(&arguments))
        case "DATA", "RSET", "QUIT", "STARTTLS":
            guard verbEnd == trimmed.count else { throw .invalidArguments }
            self =
                switch verb {
                case "DATA": .data
                case "RSET": .rset
                case "QUIT": .quit
                default: .startTLS
                }
        case "NOOP", "HELP":
            let text = try Self.optionalText(arguments)
            self = verb == "NOOP" ? .noop(text) : .help(text)
        case "VRFY":
            guard let text = try Self.optionalText(arguments) else { throw .invalidArguments }
            self = .vrfy(text)
        case "AUTH":
            self = try Self.auth(arguments)
        default:
            throw .unrecognizedCommand
        }
    }

    /// `Domain / address-literal`, ASCII only (RFC 6531 §3.7.1 keeps EHLO in A-labels).
    private static func clientDomain(_ arguments: ByteScanner) -> String? {
        var scanner = arguments
        guard scanner.remaining.allSatisfy({ $0 < 0x80 }) else { return nil }
        let domain =
            scanner.peek == UInt8(ascii: "[") ? SMTPGrammar.addressLiteral(&scanner) : SMTPGrammar.domain(&scanner)
        return scanner.isAtEnd ? domain : nil
    }

    /// `*( SP esmtp-param )` after a path; keywords are `(ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
    /// values `1*(%d33-60 / %d62-126)` or UTF-8 (RFC 5321 §4.1.2, RFC 6531 §3.3).
    private static func parameters(_ scanner: inout ByteScanner) throws(SMTPCommandError) -> [SMTPParameter] {
        guard scanner.isAtEnd || scanner.peek == UInt8(ascii: " ") else { throw .invalidArguments }
        var parameters: [SMTPParameter] = []
        for word in scanner.remaining.split(separator: UInt8(ascii: " ")) {
            let keyword = word.prefix(while: { $0 != UInt8(ascii: "=") })
            guard let first = keyword.first, first.isASCIIAlphanumeric,
                keyword.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") })
            else { throw .invalidArguments }
            let name = String(decoding: keyword, as: UTF8.self)
            var value: String?
            if keyword.count < word.count {
                let valueBytes = word[(keyword.endIndex + 1)...]
                guard !valueBytes.isEmpty,
                    valueBytes.allSatisfy({ (33...60).contains($0) || (62...126).contains($0) || $0 >= 0x80 }),
                    let text = SMTPGrammar.text(valueBytes)
                else { throw .invalidParameter(name) }
                value = text
            }
            guard !parameters.contains(where: { $0.keyword.uppercased() == name.uppercased() }) else {
                throw .duplicateParameter(name)
            }
            parameters.append(SMTPParameter(keyword: name, value: value))
        }
        scanner.index = scanner.bytes.count
        return parameters
    }

    private static func mailParameters(_ parameters: [SMTPParameter]) throws(SMTPCommandError) -> SMTPMailParameters {
        var result = SMTPMailParameters()
        for parameter in parameters {
            switch parameter.keyword.uppercased() {
            case "SIZE":
                guard let value = parameter.value, value.utf8.allSatisfy(\.isASCIIDigit), let size = Int(value) else {
                    throw .invalidParameter("SIZE")
                }
                result.size = size
            case "BODY":
                guard let body = parameter.value.flatMap({ SMTPBodyType(rawValue: $0.uppercased()) }) else {
                    throw .invalidParameter("BODY")
                }
                result.body = body
            case "SMTPUTF8":
                guard parameter.value == nil else { throw .invalidParameter("SMTPUTF8") }
                result.smtpUTF8 = true
            default:
                result.other.append(parameter)
            }
        }
        return result
    }

    private static func optionalText(_ arguments: ByteScanner) throws(SMTPCommandError) -> String? {
        guard !arguments.isAtEnd else { return nil }
        guard let text = SMTPGrammar.text(arguments.remaining) else { throw .invalidArguments }
        return text
    }

    /// `"AUTH" SP sasl-mech [SP initial-response]` (RFC 4954 §4); sasl-mech is 1–20 of
    /// `A-Z 0-9 - _` (RFC 4422 §3.1), accepted in any case.
    private static func auth(_ arguments: ByteScanner) throws(SMTPCommandError) -> SMTPCommand {
        let words = arguments.remaining.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard (1...2).contains(words.count), (1...20).contains(words[0].count),
            words[0].allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { throw .invalidArguments }
        let mechanism = String(decoding: words[0].map(\.asciiUppercased), as: UTF8.self)
        guard words.count == 2 else { return .auth(mechanism: mechanism, initialResponse: nil) }
        let response = String(decoding: words[1], as: UTF8.self)
        guard response == "=" || Base64.decode(response) != nil else { throw .invalidArguments }
        return .auth(mechanism: mechanism, initialResponse: response)
    }
}
