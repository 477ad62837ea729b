import NIOCore
import SMTP

/// Who connected, as the server saw it.
public struct SMTPConnectionInfo: Hashable, Sendable {
    /// The client's IP address; IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are given as IPv4.
    public var clientAddress: String
    public var clientPort: Int
    /// A short id for logs, unique per server.
    public var sessionID: String

    public init(clientAddress: String, clientPort: Int, sessionID: String) {
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.sessionID = sessionID
    }
}

/// The decisions an SMTP server leaves to its application: who may connect, and what becomes
/// of each transaction. kube-mail's relay fills it in.
public protocol SMTPServerDelegate: Sendable {
    /// Called once per connection, before the greeting.
    func openSession(_ connection: SMTPConnectionInfo) async -> SMTPSessionDecision
}

public enum SMTPSessionDecision: Sendable {
    /// Greet the client; the session's transactions go to `session`.
    case accept(any SMTPSessionDelegate)
    /// Answer `554 5.7.1 <reason>` in place of the greeting (RFC 5321 §3.1).
    case refuse(reason: String)
}

/// One connection's transactions. The server calls it from one task, one call at a time.
public protocol SMTPSessionDelegate: Sendable {
    /// MAIL FROM: a 2xx accepts the sender.
    func mail(from sender: SMTPMailbox?, parameters: SMTPMailParameters) async -> SMTPReply
    /// RCPT TO: a 2xx accepts the recipient.
    func recipient(_ recipient: SMTPRecipient, parameters: [SMTPParameter]) async -> SMTPReply
    /// DATA: 354 lets the message come.
    func data() async -> SMTPReply
    /// A piece of the message, dot-unstuffed, in order. The next piece is read only after this
    /// returns, so a slow sink slows the client down rather than filling memory.
    func messageData(_ chunk: ByteBuffer) async
    /// The message is complete: the final reply. Only a 2xx tells the client the mail is taken.
    func messageComplete() async -> SMTPReply
    /// The transaction is abandoned (RSET, a new EHLO, a refused message, QUIT, a closed connection).
    func abortTransaction() async
    /// The connection is gone.
    func close() async
}
