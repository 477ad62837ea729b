import SMTP

/// Why an SMTP client session failed: network errors, timeouts, TLS and authentication failures,
/// and protocol violations.
///
/// Replies to transaction commands are returned, not thrown, so a relay can forward a 4xx or 5xx
/// per recipient; this error is for everything after which the session cannot go on as planned.
/// A relay maps it to `451 4.4.x` with ``suggestedReply``.
///
/// Modelled on async-http-client's `HTTPClientError`: a struct over a private code, so cases can
/// be added without breaking callers, who switch over ``kind`` or compare with the static members.
/// No description contains a password: the configuration is never printed and SASL failures are
/// described by `SASLError`, which redacts.
public struct SMTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure, without details, for `switch`.
    public enum Kind: Hashable, Sendable {
        case connectFailed
        case timedOut
        case tlsFailed
        case greetingRejected
        case ehloRejected
        case startTLSNotOffered
        case startTLSRejected
        case mechanismNotOffered
        case authenticationFailed
        case serverClosedConnection
        case protocolViolation
        /// The caller used the connection out of order or concurrently, or after it broke.
        case invalidUse
        case poolCheckoutTimedOut
        case poolShutDown
    }

    private enum Code: Hashable, Sendable {
        case connectFailed(String)
        case timedOut(SMTPClientStage)
        case tlsFailed(String)
        case greetingRejected(SMTPReply)
        case ehloRejected(SMTPReply)
        case startTLSNotOffered
        case startTLSRejected(SMTPReply)
        case mechanismNotOffered(SASLError)
        case authenticationRejected(SMTPReply)
        case authenticationError(SASLError, SMTPReply?)
        case serverClosedConnection
        case protocolViolation(String)
        case invalidUse(String)
        case poolCheckoutTimedOut(limit: Int)
        case poolShutDown
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The TCP connection could not be opened.
    public static func connectFailed(_ reason: String) -> SMTPClientError { SMTPClientError(.connectFailed(reason)) }
    /// The server did not answer (or did not take data) within the stage's timeout.
    public static func timedOut(_ stage: SMTPClientStage) -> SMTPClientError { SMTPClientError(.timedOut(stage)) }
    /// The TLS handshake failed, e.g. because the certificate is not trusted or names another host.
    public static func tlsFailed(_ reason: String) -> SMTPClientError { SMTPClientError(.tlsFailed(reason)) }
    /// The greeting was not `220` (RFC 5321 §3.1: `554` means no service).
    public static func greetingRejected(_ reply: SMTPReply) -> SMTPClientError {
        SMTPClientError(.greetingRejected(reply))
    }
    /// EHLO was refused.
    public static func ehloRejected(_ reply: SMTPReply) -> SMTPClientError { SMTPClientError(.ehloRejected(reply)) }
    /// STARTTLS is required but the server's EHLO reply does not offer it.
    public static let startTLSNotOffered = SMTPClientError(.startTLSNotOffered)
    /// The server answered STARTTLS with something other than `220` (RFC 3207 §4).
    public static func startTLSRejected(_ reply: SMTPReply) -> SMTPClientError {
        SMTPClientError(.startTLSRejected(reply))
    }
    /// No usable SASL mechanism: the configured one is not offered, none is supported, or only
    /// PLAIN/LOGIN are offered on an unencrypted connection.
    public static func mechanismNotOffered(_ reason: SASLError) -> SMTPClientError {
        SMTPClientError(.mechanismNotOffered(reason))
    }
    /// The server refused the credentials, e.g. `535 5.7.8` (RFC 4954 §6).
    public static func authenticationFailed(_ reply: SMTPReply) -> SMTPClientError {
        SMTPClientError(.authenticationRejected(reply))
    }
    /// The exchange failed on the client side: a malformed challenge, or a SCRAM server that did not
    /// prove it knows the credentials. `reply` is the server's last reply, if it sent one.
    public static func authenticationFailed(_ reason: SASLError, reply: SMTPReply? = nil) -> SMTPClientError {
        SMTPClientError(.authenticationError(reason, reply))
    }
    /// The server closed the connection while a reply was awaited or data was being sent.
    public static let serverClosedConnection = SMTPClientError(.serverClosedConnection)
    /// The server broke the protocol: a malformed or over-long reply, unsolicited replies, or
    /// data after the `220` to STARTTLS.
    public static func protocolViolation(_ reason: String) -> SMTPClientError {
        SMTPClientError(.protocolViolation(reason))
    }
    /// The caller used the connection out of order, concurrently, or after it broke.
    public static func invalidUse(_ reason: String) -> SMTPClientError { SMTPClientError(.invalidUse(reason)) }
    /// No pooled connection became free within the pool's wait limit.
    public static func poolCheckoutTimedOut(limit: Int) -> SMTPClientError {
        SMTPClientError(.poolCheckoutTimedOut(limit: limit))
    }
    /// The pool was shut down.
    public static let poolShutDown = SMTPClientError(.poolShutDown)

    public var kind: Kind {
        switch code {
        case .connectFailed: .connectFailed
        case .timedOut: .timedOut
        case .tlsFailed: .tlsFailed
        case .greetingRejected: .greetingRejected
        case .ehloRejected: .ehloRejected
        case .startTLSNotOffered: .startTLSNotOffered
        case .startTLSRejected: .startTLSRejected
        case .mechanismNotOffered: .mechanismNotOffered
        case .authenticationRejected, .authenticationError: .authenticationFailed
        case .serverClosedConnection: .serverClosedConnection
        case .protocolViolation: .protocolViolation
        case .invalidUse: .invalidUse
        case .poolCheckoutTimedOut: .poolCheckoutTimedOut
        case .poolShutDown: .poolShutDown
        }
    }

    /// The stage that timed out, for ``Kind/timedOut``.
    public var stage: SMTPClientStage? {
        if case .timedOut(let stage) = code { return stage }
        return nil
    }

    /// The server's reply that caused the failure, if there was one.
    public var reply: SMTPReply? {
        switch code {
        case .greetingRejected(let reply), .ehloRejected(let reply), .startTLSRejected(let reply),
            .authenticationRejected(let reply):
            reply
        case .authenticationError(_, let reply): reply
        default: nil
        }
    }

    /// The SASL failure behind ``Kind/authenticationFailed`` or ``Kind/mechanismNotOffered``.
    public var saslError: SASLError? {
        switch code {
        case .mechanismNotOffered(let error), .authenticationError(let error, _): error
        default: nil
        }
    }

    /// A transient reply a relay can give its own client (RFC 3463): 4.4.1 when the server could
    /// not be reached or did not answer, 4.4.2 for a broken connection, 4.7.x for TLS and
    /// authentication, 4.3.0 otherwise. Transient, because another attempt may reach a healthier
    /// server; the upstream's own 5xx replies are returned by the transaction methods instead.
    public var suggestedReply: SMTPReply {
        let enhanced: SMTPEnhancedStatusCode
        let text: String
        switch kind {
        case .connectFailed:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 4, 1), "Upstream server unreachable")
        case .timedOut:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 4, 1), "Upstream server did not answer in time")
        case .serverClosedConnection, .protocolViolation, .greetingRejected, .ehloRejected:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 4, 2), "Bad connection to the upstream server")
        case .tlsFailed, .startTLSNotOffered, .startTLSRejected:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 7, 0), "TLS to the upstream server failed")
        case .mechanismNotOffered, .authenticationFailed:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 7, 0), "Authentication to the upstream server failed")
        case .invalidUse, .poolCheckoutTimedOut, .poolShutDown:
            (enhanced, text) = (SMTPEnhancedStatusCode(4, 3, 0), "Upstream delivery temporarily unavailable")
        }
        return SMTPReply(code: 451, enhanced, text)
    }

    public var description: String {
        switch code {
        case .connectFailed(let reason): "connecting to the SMTP server failed: \(reason)"
        case .timedOut(let stage): "the SMTP server did not answer in time (stage: \(stage))"
        case .tlsFailed(let reason): "TLS with the SMTP server failed: \(reason)"
        case .greetingRejected(let reply): "the SMTP server refused the session: \(Self.quote(reply))"
        case .ehloRejected(let reply): "the SMTP server refused EHLO: \(Self.quote(reply))"
        case .startTLSNotOffered:
            "STARTTLS is required but the SMTP server does not offer it; nothing was sent in plaintext"
        case .startTLSRejected(let reply): "the SMTP server refused STARTTLS: \(Self.quote(reply))"
        case .mechanismNotOffered(let error): "cannot authenticate: \(error)"
        case .authenticationRejected(let reply): "the SMTP server rejected the credentials: \(Self.quote(reply))"
        case .authenticationError(let error, let reply):
            "authentication failed: \(error)" + (reply.map { " (server: \(Self.quote($0)))" } ?? "")
        case .serverClosedConnection: "the SMTP server closed the connection"
        case .protocolViolation(let reason): "the SMTP server violated the protocol: \(reason)"
        case .invalidUse(let reason): "invalid use of the SMTP connection: \(reason)"
        case .poolCheckoutTimedOut(let limit):
            "no SMTP connection became available in time (at most \(limit) per server)"
        case .poolShutDown: "the SMTP connection pool is shut down"
        }
    }

    private static func quote(_ reply: SMTPReply) -> String {
        reply.description.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " / ")
    }
}
