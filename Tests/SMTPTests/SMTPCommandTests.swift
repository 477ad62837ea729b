import Testing

@testable import SMTP

struct SMTPCommandTests {
    private static func mailbox(_ localPart: String, _ domain: String) -> SMTPMailbox {
        SMTPMailbox(localPart: localPart, domain: domain)
    }

    private static let ab = mailbox("a", "b.example")

    @Test(
        arguments: [
            // Greetings.
            ("EHLO client.example.com", .success(.ehlo("client.example.com"))),
            ("ehlo client.example.com", .success(.ehlo("client.example.com"))),
            ("HELO client", .success(.helo("client"))),
            ("EHLO [192.0.2.1]", .success(.ehlo("[192.0.2.1]"))),
            ("EHLO [IPv6:2001:db8::1]", .success(.ehlo("[IPv6:2001:db8::1]"))),
            ("EHLO [IPv6:::ffff:192.0.2.1]", .success(.ehlo("[IPv6:::ffff:192.0.2.1]"))),
            ("EHLO", .failure(.invalidArguments)),
            ("EHLO bad_host", .failure(.invalidArguments)),
            ("EHLO -leading.example", .failure(.invalidArguments)),
            ("EHLO two words", .failure(.invalidArguments)),
            ("EHLO [192.0.2.256]", .failure(.invalidArguments)),
            ("EHLO [IPv6:1:2:3:4:5:6:7:8:9]", .failure(.invalidArguments)),
            ("EHLO [IPv6:1::2::3]", .failure(.invalidArguments)),
            ("EHLO bücher.example", .failure(.invalidArguments)),
            // MAIL.
            ("MAIL FROM:<a@b.example>", .success(.mail(from: ab, parameters: SMTPMailParameters()))),
            ("mail from:<a@b.example>", .success(.mail(from: ab, parameters: SMTPMailParameters()))),
            ("MAIL FROM: <a@b.example>", .success(.mail(from: ab, parameters: SMTPMailParameters()))),
            ("MAIL FROM:<>", .success(.mail(from: nil, parameters: SMTPMailParameters()))),
            (
                "MAIL FROM:<a@b.example> SIZE=12345 BODY=8BITMIME",
                .success(.mail(from: ab, parameters: SMTPMailParameters(size: 12345, body: .eightBitMIME)))
            ),
            (
                "MAIL FROM:<a@b.example> body=7bit",
                .success(.mail(from: ab, parameters: SMTPMailParameters(body: .sevenBit)))
            ),
            (
                "MAIL FROM:<a@b.example> RET=HDRS ENVID=QQ314159 X-Custom",
                .success(
                    .mail(
                        from: ab,
                        parameters: SMTPMailParameters(other: [
                            SMTPParameter(keyword: "RET", value: "HDRS"),
                            SMTPParameter(keyword: "ENVID", value: "QQ314159"),
                            SMTPParameter(keyword: "X-Custom"),
                        ])
                    )
                )
            ),
            (
                "MAIL FROM:<jürgen@bücher.example> SMTPUTF8",
                .success(
                    .mail(from: mailbox("jürgen", "bücher.example"), parameters: SMTPMailParameters(smtpUTF8: true))
                )
            ),
            ("MAIL FROM:<jürgen@example.com>", .failure(.nonASCIIAddress)),
            (
                "MAIL FROM:<\"john doe\"@example.com>",
                .success(.mail(from: mailbox("\"john doe\"", "example.com"), parameters: SMTPMailParameters()))
            ),
            (
                "MAIL FROM:<\"a\\\"b>\"@example.com>",
                .success(.mail(from: mailbox("\"a\\\"b>\"", "example.com"), parameters: SMTPMailParameters()))
            ),
            (
                "MAIL FROM:<first.last+tag@[192.0.2.7]>",
                .success(.mail(from: mailbox("first.last+tag", "[192.0.2.7]"), parameters: SMTPMailParameters()))
            ),
            (
                "MAIL FROM:<@relay1.example,@relay2.example:a@b.example>",
                .success(.mail(from: ab, parameters: SMTPMailParameters()))
            ),
            ("MAIL FROM:a@b.example", .failure(.invalidReversePath)),
            ("MAIL FROM:<a@b.example", .failure(.invalidReversePath)),
            ("MAIL FROM:<a..b@example.com>", .failure(.invalidReversePath)),
            ("MAIL FROM:<.a@example.com>", .failure(.invalidReversePath)),
            ("MAIL FROM:<a@>", .failure(.invalidReversePath)),
            ("MAIL FROM:<a@b..example>", .failure(.invalidReversePath)),
            ("MAIL FROM:<a b@example.com>", .failure(.invalidReversePath)),
            ("MAIL FROM:<@relay:>", .failure(.invalidReversePath)),
            ("MAIL TO:<a@b.example>", .failure(.invalidArguments)),
            ("MAIL <a@b.example>", .failure(.invalidArguments)),
            ("MAIL FROM:<a@b.example>SIZE=1", .failure(.invalidArguments)),
            ("MAIL FROM:<a@b.example> SIZE=big", .failure(.invalidParameter("SIZE"))),
            ("MAIL FROM:<a@b.example> SIZE", .failure(.invalidParameter("SIZE"))),
            ("MAIL FROM:<a@b.example> SIZE=-1", .failure(.invalidParameter("SIZE"))),
            ("MAIL FROM:<a@b.example> BODY=BINARYMIME", .failure(.invalidParameter("BODY"))),
            ("MAIL FROM:<a@b.example> SMTPUTF8=yes", .failure(.invalidParameter("SMTPUTF8"))),
            ("MAIL FROM:<a@b.example> SIZE=1 size=2", .failure(.duplicateParameter("SIZE"))),
            ("MAIL FROM:<a@b.example> X=", .failure(.invalidParameter("X"))),
            ("MAIL FROM:<a@b.example> =x", .failure(.invalidArguments)),
            // RCPT.
            ("RCPT TO:<a@b.example>", .success(.rcpt(to: .mailbox(ab), parameters: []))),
            ("RCPT TO:<Postmaster>", .success(.rcpt(to: .postmaster, parameters: []))),
            ("rcpt to:<postmaster>", .success(.rcpt(to: .postmaster, parameters: []))),
            (
                "RCPT TO:<Postmaster@b.example>",
                .success(.rcpt(to: .mailbox(mailbox("Postmaster", "b.example")), parameters: []))
            ),
            (
                "RCPT TO:<a@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a@b.example",
                .success(
                    .rcpt(
                        to: .mailbox(ab),
                        parameters: [
                            SMTPParameter(keyword: "NOTIFY", value: "SUCCESS,FAILURE"),
                            SMTPParameter(keyword: "ORCPT", value: "rfc822;a@b.example"),
                        ]
                    )
                )
            ),
            (
                "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
                .success(.rcpt(to: .mailbox(mailbox("userc", "d.bar.org")), parameters: []))
            ),
            (
                "RCPT TO:<a@[IPv6:2001:db8::1]>",
                .success(.rcpt(to: .mailbox(mailbox("a", "[IPv6:2001:db8::1]")), parameters: []))
            ),
            ("RCPT TO:<>", .failure(.invalidForwardPath)),
            ("RCPT TO:<a@[300.1.1.1]>", .failure(.invalidForwardPath)),
            ("RCPT TO:<jürgen@example.com>", .failure(.nonASCIIAddress)),
            ("RCPT FROM:<a@b.example>", .failure(.invalidArguments)),
            // Simple verbs.
            ("DATA", .success(.data)),
            ("data", .success(.data)),
            ("DATA now", .failure(.invalidArguments)),
            ("RSET", .success(.rset)),
            ("QUIT", .success(.quit)),
            ("QUIT ", .success(.quit)),
            ("STARTTLS", .success(.startTLS)),
            ("STARTTLS now", .failure(.invalidArguments)),
            ("NOOP", .success(.noop(nil))),
            ("NOOP keep alive", .success(.noop("keep alive"))),
            ("HELP", .success(.help(nil))),
            ("HELP MAIL", .success(.help("MAIL"))),
            ("VRFY postmaster", .success(.vrfy("postmaster"))),
            ("VRFY", .failure(.invalidArguments)),
            // AUTH.
            ("AUTH PLAIN", .success(.auth(mechanism: "PLAIN", initialResponse: nil))),
            (
                "auth scram-sha-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=",
                .success(
                    .auth(mechanism: "SCRAM-SHA-256", initialResponse: "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=")
                )
            ),
            ("AUTH PLAIN =", .success(.auth(mechanism: "PLAIN", initialResponse: "="))),
            ("AUTH", .failure(.invalidArguments)),
            ("AUTH PLAIN not!base64", .failure(.invalidArguments)),
            ("AUTH PLAIN a b", .failure(.invalidArguments)),
            ("AUTH THIS-NAME-IS-WAY-TOO-LONG-FOR-SASL", .failure(.invalidArguments)),
            // Unknown and malformed.
            ("", .failure(.unrecognizedCommand)),
            ("FOO bar", .failure(.unrecognizedCommand)),
            ("MAILFROM:<a@b.example>", .failure(.unrecognizedCommand)),
            ("EXPN staff", .failure(.unrecognizedCommand)),
            ("NOOP a\0b", .failure(.invalidArguments)),
        ] as [(String, Result<SMTPCommand, SMTPCommandError>)]
    )
    func parse(line: String, expected: Result<SMTPCommand, SMTPCommandError>) {
        let result = Result { () throws(SMTPCommandError) in try SMTPCommand(parsing: line) }
        #expect(result == expected)
    }

    @Test func rcptAcceptsUTF8InSMTPUTF8Transaction() throws {
        let command = try SMTPCommand(parsing: "RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>", allowsUTF8Addresses: true)
        #expect(command == .rcpt(to: .mailbox(Self.mailbox("δοκιμή", "παράδειγμα.δοκιμή")), parameters: []))
    }

    @Test func invalidUTF8IsRejected() {
        let line = [UInt8]("MAIL FROM:<") + [0xFF, 0xFE] + [UInt8]("@b.example> SMTPUTF8")
        #expect(throws: SMTPCommandError.invalidReversePath) { try SMTPCommand(parsing: line) }
    }

    @Test(arguments: [
        (SMTPCommandError.unrecognizedCommand, 500, "5.5.2"),
        (.invalidArguments, 501, "5.5.4"),
        (.invalidReversePath, 501, "5.1.7"),
        (.invalidForwardPath, 501, "5.1.3"),
        (.nonASCIIAddress, 553, "5.6.7"),
        (.invalidParameter("SIZE"), 501, "5.5.4"),
        (.duplicateParameter("BODY"), 501, "5.5.4"),
    ])
    func errorReplies(error: SMTPCommandError, code: Int, enhanced: String) {
        #expect(error.reply.code == code)
        #expect(error.reply.enhancedStatusCode?.description == enhanced)
    }

    @Test(arguments: [
        (SMTPCommand.ehlo("relay.example"), "EHLO relay.example\r\n"),
        (
            .mail(from: SMTPCommandTests.ab, parameters: SMTPMailParameters(size: 123, body: .eightBitMIME)),
            "MAIL FROM:<a@b.example> SIZE=123 BODY=8BITMIME\r\n"
        ),
        (.mail(from: nil, parameters: SMTPMailParameters()), "MAIL FROM:<>\r\n"),
        (
            .mail(
                from: SMTPCommandTests.ab,
                parameters: SMTPMailParameters(smtpUTF8: true, other: [SMTPParameter(keyword: "ENVID", value: "x")])
            ),
            "MAIL FROM:<a@b.example> SMTPUTF8 ENVID=x\r\n"
        ),
        (
            .rcpt(to: .mailbox(SMTPCommandTests.ab), parameters: [SMTPParameter(keyword: "NOTIFY", value: "NEVER")]),
            "RCPT TO:<a@b.example> NOTIFY=NEVER\r\n"
        ),
        (.rcpt(to: .postmaster, parameters: []), "RCPT TO:<Postmaster>\r\n"),
        (.data, "DATA\r\n"), (.rset, "RSET\r\n"), (.quit, "QUIT\r\n"), (.startTLS, "STARTTLS\r\n"),
        (.noop(nil), "NOOP\r\n"), (.help("DATA"), "HELP DATA\r\n"), (.vrfy("x"), "VRFY x\r\n"),
        (.auth(mechanism: "PLAIN", initialResponse: "AHVzZXIAcGFzcw=="), "AUTH PLAIN AHVzZXIAcGFzcw==\r\n"),
        (.auth(mechanism: "LOGIN", initialResponse: nil), "AUTH LOGIN\r\n"),
    ])
    func serialization(command: SMTPCommand, wire: String) throws {
        #expect(String(bytes: command.encoded) == wire)
        // "\r\n" is a single Character.
        #expect(try SMTPCommand(parsing: String(wire.dropLast())) == command)
    }

    @Test func descriptionRedactsAuthData() {
        let command = SMTPCommand.auth(mechanism: "PLAIN", initialResponse: "AHVzZXIAcGFzcw==")
        #expect(command.description == "AUTH PLAIN <redacted>")
    }
}
