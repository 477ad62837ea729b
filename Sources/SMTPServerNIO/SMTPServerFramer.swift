import NIOCore
import NIOSSL
import SMTP

/// What the framer passes up to a session: command lines, or message data already unstuffed.
public enum SMTPServerFrame: Sendable {
    /// A command line without its CRLF. `pipelined` when more lines of the same read follow,
    /// so the session may hold its reply and flush the batch at once (RFC 2920).
    case command([UInt8], pipelined: Bool)
    case framingFailed(LineFramingError, pipelined: Bool)
    /// Message body octets, dot-unstuffed.
    case dataChunk(ByteBuffer)
    /// CRLF.CRLF arrived; `violation` if a line was too long.
    case dataEnd(violation: SMTPDataViolation?)
    /// A bare CR or LF in the message data: the connection must end (SMTP smuggling defence).
    case dataFailed(SMTPDataViolation)
    /// Bytes arrived between STARTTLS and the TLS handshake: a command injection attempt
    /// (CVE-2011-0411). The session closes without starting TLS.
    case plaintextAfterStartTLS
    /// Nothing was read for the idle timeout.
    case idleTimeout
    /// The server is shutting down: close between transactions.
    case drain
}

/// What a session tells its framer after a DATA or STARTTLS command.
enum SMTPServerFramerCommand: Sendable {
    /// Go on reading commands (the DATA or STARTTLS was refused).
    case readCommands
    /// Read message data (a 354 was sent).
    case readData
    /// Write the reply (220), then put TLS in front of the framer and read commands.
    case startTLS(reply: ByteBuffer)
}

/// An inbound event a server fires into each connection's pipeline to drain it.
struct SMTPServerDrainEvent: Sendable {}

/// Frames the bytes of an SMTP connection: CRLF-only command lines, or DATA that is
/// dot-unstuffed and ends only on CRLF.CRLF (RFC 5321 §4.5.2).
///
/// After a DATA or STARTTLS line it holds further input until the session has decided, since
/// only then is it known whether the bytes are commands, message data, or a TLS handshake.
final class SMTPServerFramer: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPServerFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Mode {
        case commands
        /// Input after a DATA or STARTTLS line, kept until the session decides.
        case holding
        case data
        case failed
    }

    private var mode = Mode.commands
    private var lines = LineFramer()
    private var held: ByteBuffer?
    private var decoder = DotUnstuffingDecoder()
    private let tlsContext: NIOSSLContext?
    /// Held input beyond this is not a well-behaved client; the connection ends.
    private let maximumHeldBytes: Int

    init(tlsContext: NIOSSLContext?, maximumHeldBytes: Int = 64 * 1024) {
        self.tlsContext = tlsContext
        self.maximumHeldBytes = maximumHeldBytes
    }

    /// Whether the framer holds input after this command line: DATA and STARTTLS (verbs are
    /// case-insensitive, trailing spaces allowed, as the command parser has it). Checked on
    /// every line, so by bytes rather than by parsing.
    static func holdsInput(after line: [UInt8]) -> Bool {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: " ") { end -= 1 }
        func isVerb(_ verb: StaticString) -> Bool {
            guard end == verb.utf8CodeUnitCount else { return false }
            return verb.withUTF8Buffer { expected in
                (0..<end).allSatisfy { line[$0] | 0x20 == expected[$0] | 0x20 }
            }
        }
        return isVerb("DATA") || isVerb("STARTTLS")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch mode {
        case .commands:
            lines.append(buffer.readableBytesView)
            frameCommands(context: context)
        case .holding:
            if held == nil { held = context.channel.allocator.buffer(capacity: buffer.readableBytes) }
            held!.writeBuffer(&buffer)
            if held!.readableBytes > maximumHeldBytes {
                mode = .failed
                context.fireChannelRead(
                    wrapInboundOut(.framingFailed(.lineTooLong(limit: maximumHeldBytes), pipelined: false))
                )
                context.close(promise: nil)
            }
        case .data:
            decodeData(buffer.readableBytesView, context: context)
        case .failed:
            break
        }
    }

    private func frameCommands(context: ChannelHandlerContext) {
        var framed: [SMTPServerFrame] = []
        var holding = false
        while !holding {
            do {
                guard let line = try lines.nextLine() else { break }
                framed.append(.command(line, pipelined: true))
                holding = Self.holdsInput(after: line)
            } catch .lineTooLong(let limit) {
                framed.append(.framingFailed(.lineTooLong(limit: limit), pipelined: true))
            } catch {
                framed.append(.framingFailed(error, pipelined: false))
                mode = .failed
                break
            }
        }
        if holding {
            mode = .holding
            let rest = lines.takeBufferedBytes()
            if !rest.isEmpty { held = context.channel.allocator.buffer(bytes: rest) }
        }
        // The last frame of a read ends the batch: the session flushes its replies.
        if let last = framed.popLast() {
            switch last {
            case .command(let line, _): framed.append(.command(line, pipelined: false))
            case .framingFailed(let error, _): framed.append(.framingFailed(error, pipelined: false))
            default: framed.append(last)
            }
        }
        for frame in framed { context.fireChannelRead(wrapInboundOut(frame)) }
    }

    private func decodeData(_ bytes: some Collection<UInt8>, context: ChannelHandlerContext) {
        var body: [UInt8] = []
        do {
            let progress = try decoder.decode(bytes, into: &body)
            if !body.isEmpty {
                context.fireChannelRead(wrapInboundOut(.dataChunk(context.channel.allocator.buffer(bytes: body))))
            }
            if case .complete(let leftover) = progress {
                context.fireChannelRead(wrapInboundOut(.dataEnd(violation: decoder.violation)))
                decoder = DotUnstuffingDecoder()
                mode = .commands
                lines.append(leftover)
                frameCommands(context: context)
            }
        } catch {
            mode = .failed
            context.fireChannelRead(wrapInboundOut(.dataFailed(error)))
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let command = event as? SMTPServerFramerCommand else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        // Frames fired here are outside a read cycle; the async channel delivers on read-complete.
        defer { context.fireChannelReadComplete() }
        guard case .holding = mode else {
            promise?.succeed()
            return
        }
        let pending = held
        held = nil
        switch command {
        case .readCommands:
            mode = .commands
            if let pending { lines.append(pending.readableBytesView) }
            frameCommands(context: context)
        case .readData:
            mode = .data
            if let pending { decodeData(pending.readableBytesView, context: context) }
        case .startTLS(let reply):
            guard pending == nil || pending!.readableBytes == 0, let tlsContext else {
                mode = .failed
                context.fireChannelRead(wrapInboundOut(.plaintextAfterStartTLS))
                promise?.succeed()
                return
            }
            // The 220 goes out in plaintext; nothing can be read between it and the TLS handler.
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            do {
                try context.pipeline.syncOperations.addHandler(
                    NIOSSLServerHandler(context: tlsContext),
                    position: .before(self)
                )
            } catch {
                mode = .failed
                context.close(promise: nil)
                promise?.fail(error)
                return
            }
            lines = LineFramer()
            mode = .commands
        }
        promise?.succeed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            context.fireChannelRead(wrapInboundOut(.idleTimeout))
            context.fireChannelReadComplete()
        case is SMTPServerDrainEvent:
            context.fireChannelRead(wrapInboundOut(.drain))
            context.fireChannelReadComplete()
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }
}
