/// A step of an SMTP client session, used to pick its timeout and to say where a session failed.
public enum SMTPClientStage: String, Hashable, Sendable, CustomStringConvertible {
    /// Opening the TCP connection.
    case connect
    /// Waiting for the `220` greeting (RFC 5321 §4.5.3.2.1).
    case greeting
    case ehlo
    case startTLS
    /// The TLS handshake, implicit or after STARTTLS.
    case tlsHandshake
    case authentication
    /// MAIL (RFC 5321 §4.5.3.2.2).
    case mail
    /// RCPT (RFC 5321 §4.5.3.2.3).
    case recipient
    /// DATA up to its `354` (RFC 5321 §4.5.3.2.4).
    case dataInitiation
    /// Writing one block of message data (RFC 5321 §4.5.3.2.5).
    case dataBlock
    /// The reply to the final `.` (RFC 5321 §4.5.3.2.6).
    case dataTermination
    case reset
    case noop
    case quit

    public var description: String { rawValue }
}
