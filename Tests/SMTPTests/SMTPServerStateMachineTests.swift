import Testing

@testable import SMTP

struct SMTPServerStateMachineTests {
    /// Runs command lines through a state machine whose delegate accepts everything except the
    /// recipients in `rejecting`, and returns the reply codes (with enhanced codes) in order.
    static func run(
        _ lines: [String],
        configuration: SMTPServerStateMachine.Configuration = .init(hostname: "relay.test"),
        refuse: String? = nil,
        rejecting: Set<String> = [],
        messageSize: Int = 100
    ) -> [String] {
        var machine = SMTPServerStateMachine(configuration: configuration)
        var replies: [String] = []
        func record(_ reply: SMTPReply) {
            replies.append(
                [String(reply.code), reply.enhancedStatusCode?.description].compactMap { $0 }.joined(separator: " ")
            )
        }
        func perform(_ action: SMTPServerStateMachine.Action) {
            switch action {
            case .reply(let reply), .replyAndClose(let reply), .abortTransaction(then: let reply), .startTLS(let reply):
                record(reply)
            case .decideMail:
                perform(machine.mailDecided(SMTPReply(code: 250, .init(2, 1, 0), "Ok")))
            case .decideRecipient(let recipient, _):
                let rejected = rejecting.contains(recipient.description)
                perform(
                    machine.recipientDecided(
                        rejected
                            ? SMTPReply(code: 550, .init(5, 1, 1), "No") : SMTPReply(code: 250, .init(2, 1, 5), "Ok")
                    )
                )
            case .decideData:
                perform(machine.dataDecided(SMTPReply(code: 354, lines: ["End data with <CR><LF>.<CR><LF>"])))
                perform(machine.dataReceived(size: messageSize, violation: nil))
            case .decideMessage:
                perform(machine.messageDecided(SMTPReply(code: 250, .init(2, 0, 0), "Ok: queued")))
            }
        }
        perform(refuse.map { machine.refuse($0) } ?? machine.accept())
        for line in lines {
            guard !machine.isClosed else {
                replies.append("closed")
                break
            }
            perform(machine.received(Array(line.utf8)))
        }
        return replies
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var lines: [String]
        var replies: [String]
        var rejecting: Set<String> = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a full transaction",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "QUIT"],
            replies: ["220", "250", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "221 2.0.0"]
        ),
        Case(name: "MAIL before EHLO", lines: ["MAIL FROM:<a@b>"], replies: ["220", "503 5.5.1"]),
        Case(name: "RCPT before MAIL", lines: ["EHLO c", "RCPT TO:<c@d>"], replies: ["220", "250", "503 5.5.1"]),
        Case(
            name: "DATA before RCPT",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "DATA"],
            replies: ["220", "250", "250 2.1.0", "503 5.5.1"]
        ),
        Case(
            name: "DATA after every recipient was rejected",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<x@d>", "DATA"],
            replies: ["220", "250", "250 2.1.0", "550 5.1.1", "554 5.5.1"],
            rejecting: ["x@d"]
        ),
        Case(
            name: "nested MAIL",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "MAIL FROM:<a@b>"],
            replies: ["220", "250", "250 2.1.0", "503 5.5.1"]
        ),
        Case(
            name: "RSET ends the transaction",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "RSET", "RCPT TO:<c@d>"],
            replies: ["220", "250", "250 2.1.0", "250 2.0.0", "503 5.5.1"]
        ),
        Case(
            name: "declared size over the limit",
            lines: ["EHLO c", "MAIL FROM:<a@b> SIZE=10240001"],
            replies: ["220", "250", "552 5.3.4"]
        ),
        Case(
            name: "declared size at the limit",
            lines: ["EHLO c", "MAIL FROM:<a@b> SIZE=10240000"],
            replies: ["220", "250", "250 2.1.0"]
        ),
        Case(
            name: "parameters after HELO",
            lines: ["HELO c", "MAIL FROM:<a@b> BODY=8BITMIME"],
            replies: ["220", "250", "555 5.5.4"]
        ),
        Case(name: "plain MAIL after HELO", lines: ["HELO c", "MAIL FROM:<>"], replies: ["220", "250", "250 2.1.0"]),
        Case(name: "unknown command", lines: ["EHLO c", "FROB"], replies: ["220", "250", "500 5.5.2"]),
        Case(
            name: "VRFY, NOOP, HELP",
            lines: ["VRFY bob", "NOOP", "HELP"],
            replies: ["220", "252 2.5.2", "250 2.0.0", "214 2.0.0"]
        ),
        Case(
            name: "AUTH is not offered",
            lines: ["EHLO c", "AUTH PLAIN AGJvYgBwdw=="],
            replies: ["220", "250", "503 5.5.1"]
        ),
        Case(
            name: "STARTTLS without a certificate",
            lines: ["EHLO c", "STARTTLS"],
            replies: ["220", "250", "502 5.5.1"]
        ),
        Case(
            name: "QUIT during a transaction",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "QUIT", "NOOP"],
            replies: ["220", "250", "250 2.1.0", "221 2.0.0", "closed"]
        ),
        Case(
            name: "UTF-8 recipient needs SMTPUTF8",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<jörg@bücher.de>"],
            replies: ["220", "250", "250 2.1.0", "553 5.6.7"]
        ),
        Case(
            name: "UTF-8 recipient with SMTPUTF8",
            lines: ["EHLO c", "MAIL FROM:<a@b> SMTPUTF8", "RCPT TO:<jörg@bücher.de>"],
            replies: ["220", "250", "250 2.1.0", "250 2.1.5"]
        ),
        Case(
            name: "EHLO during a transaction resets it",
            lines: ["EHLO c", "MAIL FROM:<a@b>", "EHLO c", "RCPT TO:<c@d>"],
            replies: ["220", "250", "250 2.1.0", "250", "503 5.5.1"]
        ),
    ]

    @Test(arguments: cases)
    func session(_ testCase: Case) {
        #expect(Self.run(testCase.lines, rejecting: testCase.rejecting) == testCase.replies)
    }

    @Test func recipientLimit() {
        let configuration = SMTPServerStateMachine.Configuration(hostname: "r", maximumRecipients: 2)
        let replies = Self.run(
            ["EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<x@d>", "RCPT TO:<c@d>", "RCPT TO:<e@d>", "RCPT TO:<f@d>"],
            configuration: configuration,
            rejecting: ["x@d"]
        )
        #expect(replies == ["220", "250", "250 2.1.0", "550 5.1.1", "250 2.1.5", "250 2.1.5", "452 4.5.3"])
    }

    @Test func messageOverTheLimitIsRefusedAfterTheData() {
        let configuration = SMTPServerStateMachine.Configuration(hostname: "r", maximumMessageSize: 50)
        let replies = Self.run(
            ["EHLO c", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "NOOP"],
            configuration: configuration,
            messageSize: 51
        )
        #expect(replies == ["220", "250", "250 2.1.0", "250 2.1.5", "354", "552 5.3.4", "250 2.0.0"])
    }

    @Test func refusedConnectionOnlyServesQuit() {
        #expect(
            Self.run(["EHLO c", "MAIL FROM:<a@b>", "QUIT", "NOOP"], refuse: "unknown client")
                == ["554 5.7.1", "503 5.7.1", "503 5.7.1", "221 2.0.0", "closed"]
        )
    }

    @Test func ehloAdvertisesTheExtensions() {
        var machine = SMTPServerStateMachine(configuration: .init(hostname: "relay.test", offersStartTLS: true))
        _ = machine.accept()
        guard case .reply(let reply) = machine.received(Array("EHLO client".utf8)) else {
            Issue.record("expected a reply")
            return
        }
        #expect(
            reply.lines == [
                "relay.test", "PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS",
            ]
        )
        #expect(
            machine.received(Array("STARTTLS".utf8))
                == .startTLS(SMTPReply(code: 220, .init(2, 0, 0), "Ready to start TLS"))
        )
        machine.tlsEstablished()
        #expect(
            machine.received(Array("MAIL FROM:<a@b>".utf8))
                == .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: send HELO/EHLO first"))
        )
        guard case .reply(let second) = machine.received(Array("EHLO client".utf8)) else {
            Issue.record("expected a reply")
            return
        }
        #expect(!second.lines.contains("STARTTLS"))
        #expect(
            machine.received(Array("STARTTLS".utf8))
                == .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: TLS already active"))
        )
    }

    @Test func drainWaitsForTheTransaction() {
        var machine = SMTPServerStateMachine(configuration: .init(hostname: "r"))
        _ = machine.accept()
        _ = machine.received(Array("EHLO c".utf8))
        _ = machine.received(Array("MAIL FROM:<a@b>".utf8))
        _ = machine.mailDecided(SMTPReply(code: 250, nil, "Ok"))
        #expect(machine.drain() == nil)
        _ = machine.received(Array("RSET".utf8))
        #expect(machine.drain() == .replyAndClose(SMTPReply(code: 421, .init(4, 3, 2), "r Service shutting down")))
    }

    @Test func framingErrors() {
        var machine = SMTPServerStateMachine(configuration: .init(hostname: "r"))
        _ = machine.accept()
        #expect(
            machine.framingFailed(.lineTooLong(limit: 512)) == .reply(LineFramingError.lineTooLong(limit: 512).reply)
        )
        #expect(!machine.isClosed)
        #expect(machine.framingFailed(.bareLF) == .replyAndClose(LineFramingError.bareLF.reply))
        #expect(machine.isClosed)
    }
}
