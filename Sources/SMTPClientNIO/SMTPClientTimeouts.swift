/// How long each stage of a session may take.
///
/// The defaults are the minimums of RFC 5321 §4.5.3.2: a client that gives up sooner than that
/// breaks delivery to slow but working servers (which may, for instance, run content checks
/// before answering the final `.`). Commands for which the RFC names no time (EHLO, STARTTLS,
/// AUTH, RSET, NOOP, QUIT) use ``command``.
public struct SMTPClientTimeouts: Hashable, Sendable {
    /// Opening the TCP connection; not covered by RFC 5321.
    public var connect: Duration
    /// RFC 5321 §4.5.3.2.1, initial 220 message: 5 minutes.
    public var greeting: Duration
    /// EHLO, STARTTLS, AUTH steps, RSET, NOOP and QUIT; also bounds a TLS handshake.
    public var command: Duration
    /// RFC 5321 §4.5.3.2.2, MAIL: 5 minutes.
    public var mail: Duration
    /// RFC 5321 §4.5.3.2.3, RCPT: 5 minutes.
    public var recipient: Duration
    /// RFC 5321 §4.5.3.2.4, DATA initiation: 2 minutes.
    public var dataInitiation: Duration
    /// RFC 5321 §4.5.3.2.5, data block: 3 minutes for each write to complete.
    public var dataBlock: Duration
    /// RFC 5321 §4.5.3.2.6, DATA termination: 10 minutes.
    public var dataTermination: Duration

    public init(
        connect: Duration = .seconds(30),
        greeting: Duration = .seconds(300),
        command: Duration = .seconds(300),
        mail: Duration = .seconds(300),
        recipient: Duration = .seconds(300),
        dataInitiation: Duration = .seconds(120),
        dataBlock: Duration = .seconds(180),
        dataTermination: Duration = .seconds(600)
    ) {
        self.connect = connect
        self.greeting = greeting
        self.command = command
        self.mail = mail
        self.recipient = recipient
        self.dataInitiation = dataInitiation
        self.dataBlock = dataBlock
        self.dataTermination = dataTermination
    }

    /// The same timeout for every stage; convenient for tests.
    public static func uniform(_ timeout: Duration) -> SMTPClientTimeouts {
        SMTPClientTimeouts(
            connect: timeout,
            greeting: timeout,
            command: timeout,
            mail: timeout,
            recipient: timeout,
            dataInitiation: timeout,
            dataBlock: timeout,
            dataTermination: timeout
        )
    }

    /// The timeout that applies to `stage`.
    public subscript(stage: SMTPClientStage) -> Duration {
        switch stage {
        case .connect: connect
        case .greeting: greeting
        case .ehlo, .startTLS, .tlsHandshake, .authentication, .reset, .noop, .quit: command
        case .mail: mail
        case .recipient: recipient
        case .dataInitiation: dataInitiation
        case .dataBlock: dataBlock
        case .dataTermination: dataTermination
        }
    }
}
