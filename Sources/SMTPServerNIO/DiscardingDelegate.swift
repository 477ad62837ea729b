import NIOCore
import SMTP
import Synchronization

/// Accepts every connection, sender, recipient and message, counts them and keeps nothing:
/// an SMTP endpoint for load tests (`kube-mail sink`), like Postfix's smtp-sink.
public final class DiscardingDelegate: SMTPServerDelegate, SMTPSessionDelegate {
    public struct Counts: Hashable, Sendable {
        public var connections = 0
        public var messages = 0
        public var recipients = 0
        public var bytes = 0
    }

    private let counts = Mutex(Counts())

    public init() {}

    public var totals: Counts { counts.withLock { $0 } }

    public func openSession(_ connection: SMTPConnectionInfo) async -> SMTPSessionDecision {
        counts.withLock { $0.connections += 1 }
        return .accept(self)
    }

    public func mail(from sender: SMTPMailbox?, parameters: SMTPMailParameters) async -> SMTPReply {
        SMTPReply(code: 250, .init(2, 1, 0), "Ok")
    }

    public func recipient(_ recipient: SMTPRecipient, parameters: [SMTPParameter]) async -> SMTPReply {
        counts.withLock { $0.recipients += 1 }
        return SMTPReply(code: 250, .init(2, 1, 5), "Ok")
    }

    public func data() async -> SMTPReply { SMTPReply(code: 354, lines: ["End data with <CR><LF>.<CR><LF>"]) }

    public func messageData(_ chunk: ByteBuffer) async {
        counts.withLock { $0.bytes += chunk.readableBytes }
    }

    public func messageComplete() async -> SMTPReply {
        counts.withLock { $0.messages += 1 }
        return SMTPReply(code: 250, .init(2, 0, 0), "Ok: discarded")
    }

    public func abortTransaction() async {}
    public func close() async {}
}
