import NIOCore
import NIOSSL
import SMTP

/// Matches replies to the commands that were sent, in order, and bounds how long each may take.
///
/// The connection registers a promise with ``expectReply(stage:timeout:)`` before it writes a
/// command, so pipelined commands (RFC 2920) simply register several. A reply with no promise
/// waiting is kept: the greeting arrives before anybody asks for it, and a `421` a server sends
/// just before closing (RFC 5321 §3.8) is the honest answer to the next command. More than one
/// such reply means client and server disagree about the conversation; that is a protocol
/// violation and ends the session rather than risking replies being matched to the wrong command.
///
/// Every failure — a timeout, a decoding error, a TLS error, the server closing — is recorded and
/// fails all waiting promises; the channel is closed, since after a timeout the next reply could
/// belong to either command. Only used on the channel's event loop.
final class SMTPReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = SMTPReply

    private struct Pending {
        var promise: EventLoopPromise<SMTPReply>
        var timeout: Scheduled<Void>?
    }

    private let decoder: SMTPReplyDecoder
    /// Kept apart from `context`, which is gone once the channel closes, so that a command after
    /// that still gets a failed future rather than a crash.
    private let eventLoop: any EventLoop
    private var context: ChannelHandlerContext?
    private var pending = CircularBuffer<Pending>()
    private var unclaimed = CircularBuffer<SMTPReply>()
    /// The error that ended the session, if any.
    private(set) var failure: SMTPClientError?

    init(decoder: SMTPReplyDecoder, eventLoop: any EventLoop) {
        self.decoder = decoder
        self.eventLoop = eventLoop
    }

    /// Whether the server sent anything not yet claimed by a command: replies, or part of one.
    var hasUnclaimedInput: Bool { !unclaimed.isEmpty || decoder.hasPendingInput }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        fail(with: .serverClosedConnection)
    }

    /// Returns a future for the next reply not yet claimed; it fails with
    /// `SMTPClientError.timedOut(stage)` after `timeout`.
    func expectReply(stage: SMTPClientStage, timeout: TimeAmount) -> EventLoopFuture<SMTPReply> {
        if let reply = unclaimed.popFirst() {
            return eventLoop.makeSucceededFuture(reply)
        }
        if let failure {
            return eventLoop.makeFailedFuture(failure)
        }
        guard let context else {
            // The channel closed (the server hung up) before this command's reply was asked for.
            return eventLoop.makeFailedFuture(SMTPClientError.serverClosedConnection)
        }
        let promise = context.eventLoop.makePromise(of: SMTPReply.self)
        let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            fail(with: .timedOut(stage))
        }
        pending.append(Pending(promise: promise, timeout: scheduled))
        return promise.futureResult
    }

    /// Ends the session with `error`: fails every waiting command and closes the channel.
    func fail(with error: SMTPClientError) {
        if failure == nil {
            failure = error
        }
        let failure = self.failure ?? error
        while let waiting = pending.popFirst() {
            waiting.timeout?.cancel()
            waiting.promise.fail(failure)
        }
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let waiting = pending.popFirst() {
            waiting.timeout?.cancel()
            waiting.promise.succeed(reply)
            return
        }
        guard failure == nil else { return }
        guard unclaimed.isEmpty else {
            fail(with: .protocolViolation("unsolicited reply: \(reply.code)"))
            return
        }
        unclaimed.append(reply)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(with: .serverClosedConnection)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(with: Self.classify(error))
    }

    /// Maps pipeline errors to the client's error kinds.
    static func classify(_ error: any Error) -> SMTPClientError {
        switch error {
        case let error as SMTPClientError:
            return error
        case NIOSSLError.uncleanShutdown:
            return .serverClosedConnection
        case let error as NIOSSLError:
            return .tlsFailed(String(describing: error))
        case let error as BoringSSLError:
            return .tlsFailed(String(describing: error))
        case let error as NIOSSLExtraError:
            return .tlsFailed(String(describing: error))
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof:
            return .serverClosedConnection
        case is IOError:
            // A reset or broken pipe: the relay can only retry, like after a clean close.
            return .serverClosedConnection
        default:
            return .protocolViolation(String(describing: error))
        }
    }
}
