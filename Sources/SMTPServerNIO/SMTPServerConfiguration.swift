import NIOCore
import NIOSSL
import SMTP

/// How an ``SMTPServer`` listens and what it allows.
public struct SMTPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The name in the greeting and the EHLO reply; no reverse DNS is done.
    public var hostname: String
    public var maximumMessageSize: Int = 10_240_000
    public var maximumRecipients: Int = 1000
    /// Connections beyond this get `421 4.3.2` and are closed.
    public var maximumConnections: Int = 1000
    /// Idle connections get `421 4.4.2` and are closed.
    public var idleTimeout: TimeAmount = .minutes(5)
    /// A refused connection is closed after QUIT or this long.
    public var refusedConnectionTimeout: TimeAmount = .seconds(10)
    /// After shutdown starts, open transactions may finish this long; then connections are closed with 421.
    public var drainGracePeriod: TimeAmount = .seconds(30)
    /// The certificate offered with STARTTLS; nil: STARTTLS is not offered.
    public var tls: TLSConfiguration?

    public init(host: String = "0.0.0.0", port: Int = 2525, hostname: String) {
        self.host = host
        self.port = port
        self.hostname = hostname
    }

    var stateMachine: SMTPServerStateMachine.Configuration {
        .init(
            hostname: hostname,
            maximumMessageSize: maximumMessageSize,
            maximumRecipients: maximumRecipients,
            offersStartTLS: tls != nil
        )
    }
}
