/// The server side of an SMTP session (RFC 5321 §4), without IO: commands and decisions go in,
/// actions come out. The network driver sends the replies, asks its delegate where an action
/// says so, and reports the answers back.
///
/// kube-mail authenticates clients by their address, so AUTH is not offered; STARTTLS is, when
/// a certificate is configured.
public struct SMTPServerStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// The name in the greeting and the EHLO reply.
        public var hostname: String
        /// SIZE (RFC 1870): the largest message accepted, in octets of the unstuffed body.
        public var maximumMessageSize: Int
        /// The most recipients one message may have.
        public var maximumRecipients: Int
        /// Whether STARTTLS (RFC 3207) is offered.
        public var offersStartTLS: Bool

        public init(
            hostname: String,
            maximumMessageSize: Int = 10_240_000,
            maximumRecipients: Int = 1000,
            offersStartTLS: Bool = false
        ) {
            self.hostname = hostname
            self.maximumMessageSize = maximumMessageSize
            self.maximumRecipients = maximumRecipients
            self.offersStartTLS = offersStartTLS
        }
    }

    public enum Action: Hashable, Sendable {
        /// Send the reply and read the next command.
        case reply(SMTPReply)
        /// Send the reply, then close the connection.
        case replyAndClose(SMTPReply)
        /// Ask whether the sender is accepted; report the answer with ``mailDecided(_:)``.
        case decideMail(from: SMTPMailbox?, parameters: SMTPMailParameters)
        /// Ask whether the recipient is accepted; report the answer with ``recipientDecided(_:)``.
        case decideRecipient(SMTPRecipient, parameters: [SMTPParameter])
        /// Ask whether the message data may come; report the answer with ``dataDecided(_:)``.
        case decideData
        /// The whole message arrived; ask for the final reply and report it with ``messageDecided(_:)``.
        case decideMessage
        /// Abandon the transaction (the delegate forgets its sender and recipients), then send the reply.
        case abortTransaction(then: SMTPReply)
        /// Send the reply, then start TLS before reading anything more (RFC 3207 §4).
        case startTLS(SMTPReply)
    }

    enum Greeting: Hashable, Sendable {
        case none, helo, ehlo
    }

    enum State: Hashable, Sendable {
        case connected
        /// The connection was refused in place of the greeting; only QUIT is served.
        case refused
        case ready
        case awaitingMailDecision
        /// `accepted` recipients of `attempted` RCPT commands.
        case transaction(accepted: Int, attempted: Int)
        case awaitingRecipientDecision(accepted: Int, attempted: Int)
        case awaitingDataDecision(accepted: Int, attempted: Int)
        case receivingData
        case awaitingMessageDecision
        case awaitingTLS
        case closed
    }

    public let configuration: Configuration
    private(set) var state = State.connected
    private var greeting = Greeting.none
    /// Whether the transaction's sender declared SMTPUTF8 (RFC 6531), which permits UTF-8 recipients.
    private var transactionUsesUTF8 = false
    public private(set) var isEncrypted = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether no transaction is under way: a draining server may close the connection now.
    public var isIdle: Bool {
        switch state {
        case .connected, .refused, .ready, .closed: true
        default: false
        }
    }

    /// Whether the message data is being received (the driver frames data, not commands).
    public var isReceivingData: Bool { state == .receivingData }

    // MARK: - Connection

    /// The connection is accepted: the 220 greeting (RFC 5321 §4.2).
    public mutating func accept() -> Action {
        state = .ready
        return .reply(SMTPReply(code: 220, lines: ["\(configuration.hostname) ESMTP kube-mail"]))
    }

    /// The connection is refused: 554 in place of the greeting (RFC 5321 §3.1). The client may
    /// still QUIT; every other command gets 503.
    public mutating func refuse(_ reason: String) -> Action {
        state = .refused
        return .reply(SMTPReply(code: 554, .init(5, 7, 1), reason))
    }

    /// TLS is up after STARTTLS: everything learnt before is forgotten, EHLO must come again
    /// (RFC 3207 §4.2).
    public mutating func tlsEstablished() {
        isEncrypted = true
        greeting = .none
        state = .ready
    }

    public mutating func timedOut() -> Action {
        state = .closed
        return .replyAndClose(
            SMTPReply(code: 421, .init(4, 4, 2), "\(configuration.hostname) Error: timeout exceeded")
        )
    }

    /// The server is shutting down. Between transactions the connection is closed now; during
    /// one, nil: the driver finishes it and asks again.
    public mutating func drain() -> Action? {
        guard isIdle else { return nil }
        state = .closed
        return .replyAndClose(SMTPReply(code: 421, .init(4, 3, 2), "\(configuration.hostname) Service shutting down"))
    }

    /// A command line could not be framed. Too long lines are answered and skipped; bare CR or LF
    /// end the connection (SMTP smuggling defence).
    public mutating func framingFailed(_ error: LineFramingError) -> Action {
        if case .lineTooLong = error { return .reply(error.reply) }
        state = .closed
        return .replyAndClose(error.reply)
    }

    // MARK: - Commands

    public mutating func received(_ line: [UInt8]) -> Action {
        if state == .refused {
            if let command = try? SMTPCommand(parsing: line), command == .quit {
                state = .closed
                return .replyAndClose(SMTPReply(code: 221, .init(2, 0, 0), "Bye"))
            }
            return .reply(SMTPReply(code: 503, .init(5, 7, 1), "Connection refused; send QUIT"))
        }
        let command: SMTPCommand
        do {
            command = try SMTPCommand(parsing: line, allowsUTF8Addresses: transactionUsesUTF8)
        } catch {
            return .reply(error.reply)
        }
        switch command {
        case .ehlo:
            greeting = .ehlo
            return endTransaction(then: SMTPReply(code: 250, lines: ehloLines))
        case .helo:
            greeting = .helo
            return endTransaction(then: SMTPReply(code: 250, lines: [configuration.hostname]))
        case .mail(let from, let parameters):
            return mail(from: from, parameters: parameters)
        case .rcpt(let recipient, let parameters):
            guard case .transaction(let accepted, let attempted) = state else {
                return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: need MAIL command"))
            }
            guard accepted < configuration.maximumRecipients else {
                return .reply(SMTPReply(code: 452, .init(4, 5, 3), "Error: too many recipients"))
            }
            state = .awaitingRecipientDecision(accepted: accepted, attempted: attempted + 1)
            return .decideRecipient(recipient, parameters: parameters)
        case .data:
            guard case .transaction(let accepted, let attempted) = state else {
                return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: need MAIL command"))
            }
            guard accepted > 0 else {
                // RFC 5321 §3.3: 554 when recipients were tried but none accepted (RFC 2920 §3.1).
                return attempted > 0
                    ? .reply(SMTPReply(code: 554, .init(5, 5, 1), "Error: no valid recipients"))
                    : .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: need RCPT command"))
            }
            state = .awaitingDataDecision(accepted: accepted, attempted: attempted)
            return .decideData
        case .rset:
            return endTransaction(then: SMTPReply(code: 250, .init(2, 0, 0), "Ok"))
        case .noop:
            return .reply(SMTPReply(code: 250, .init(2, 0, 0), "Ok"))
        case .vrfy:
            return .reply(SMTPReply(code: 252, .init(2, 5, 2), "Cannot VRFY user, but will accept message"))
        case .help:
            return .reply(
                SMTPReply(code: 214, .init(2, 0, 0), "See RFC 5321; kube-mail relays mail for Kubernetes Pods")
            )
        case .quit:
            let bye = SMTPReply(code: 221, .init(2, 0, 0), "Bye")
            let wasIdle = isIdle
            state = .closed
            return wasIdle ? .replyAndClose(bye) : .abortTransaction(then: bye)
        case .startTLS:
            guard configuration.offersStartTLS else {
                return .reply(SMTPReply(code: 502, .init(5, 5, 1), "Error: STARTTLS not available"))
            }
            guard !isEncrypted else { return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: TLS already active")) }
            guard isIdle else {
                return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: STARTTLS not allowed during a transaction"))
            }
            state = .awaitingTLS
            return .startTLS(SMTPReply(code: 220, .init(2, 0, 0), "Ready to start TLS"))
        case .auth:
            return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: authentication not enabled"))
        }
    }

    private mutating func mail(from: SMTPMailbox?, parameters: SMTPMailParameters) -> Action {
        switch greeting {
        case .none:
            return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: send HELO/EHLO first"))
        case .helo where !parameters.all.isEmpty:
            // Service extensions need EHLO (RFC 5321 §4.1.4).
            return .reply(SMTPReply(code: 555, .init(5, 5, 4), "Error: MAIL parameters need EHLO"))
        default:
            break
        }
        guard state == .ready else {
            return .reply(SMTPReply(code: 503, .init(5, 5, 1), "Error: nested MAIL command"))
        }
        if let size = parameters.size, size > configuration.maximumMessageSize {
            return .reply(SMTPReply(code: 552, .init(5, 3, 4), "Message size exceeds fixed limit"))
        }
        transactionUsesUTF8 = parameters.smtpUTF8
        state = .awaitingMailDecision
        return .decideMail(from: from, parameters: parameters)
    }

    private mutating func endTransaction(then reply: SMTPReply) -> Action {
        let wasIdle = isIdle
        state = .ready
        transactionUsesUTF8 = false
        return wasIdle ? .reply(reply) : .abortTransaction(then: reply)
    }

    private var ehloLines: [String] {
        var lines = [
            configuration.hostname, "PIPELINING", "SIZE \(configuration.maximumMessageSize)", "8BITMIME", "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
        ]
        if configuration.offersStartTLS && !isEncrypted { lines.append("STARTTLS") }
        return lines
    }

    // MARK: - Decisions

    public mutating func mailDecided(_ reply: SMTPReply) -> Action {
        precondition(state == .awaitingMailDecision, "mailDecided in \(state)")
        state = reply.isPositive ? .transaction(accepted: 0, attempted: 0) : .ready
        return .reply(reply)
    }

    public mutating func recipientDecided(_ reply: SMTPReply) -> Action {
        guard case .awaitingRecipientDecision(let accepted, let attempted) = state else {
            preconditionFailure("recipientDecided in \(state)")
        }
        state = .transaction(accepted: accepted + (reply.isPositive ? 1 : 0), attempted: attempted)
        return .reply(reply)
    }

    /// A 354 starts the message data; anything else keeps the transaction as it was.
    public mutating func dataDecided(_ reply: SMTPReply) -> Action {
        guard case .awaitingDataDecision(let accepted, let attempted) = state else {
            preconditionFailure("dataDecided in \(state)")
        }
        state = reply.code == 354 ? .receivingData : .transaction(accepted: accepted, attempted: attempted)
        return .reply(reply)
    }

    /// The data ended on CRLF.CRLF after `size` body octets. Too large, or a line too long: the
    /// message is refused; otherwise the driver asks for the final reply.
    public mutating func dataReceived(size: Int, violation: SMTPDataViolation?) -> Action {
        precondition(state == .receivingData, "dataReceived in \(state)")
        if size > configuration.maximumMessageSize {
            state = .ready
            return .abortTransaction(then: SMTPReply(code: 552, .init(5, 3, 4), "Message size exceeds fixed limit"))
        }
        if let violation {
            state = .ready
            return .abortTransaction(then: violation.reply)
        }
        state = .awaitingMessageDecision
        return .decideMessage
    }

    /// The message data broke the line rules fatally (bare CR or LF): the connection ends.
    public mutating func dataFailed(_ violation: SMTPDataViolation) -> Action {
        state = .closed
        return .abortTransaction(then: violation.reply)
    }

    /// The final reply to the message; the transaction is over either way.
    public mutating func messageDecided(_ reply: SMTPReply) -> Action {
        precondition(state == .awaitingMessageDecision, "messageDecided in \(state)")
        state = .ready
        transactionUsesUTF8 = false
        return .reply(reply)
    }

    /// Whether the connection is to be closed after the current action's reply.
    public var isClosed: Bool { state == .closed }
}
