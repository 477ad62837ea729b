import NIOCore
import NIOPosix
import NIOSSL
import SMTP
import Synchronization

/// A client that sends exactly the bytes a test gives it and reads replies, for protocol tests
/// that no well-behaved client would make (bare LF, pipelined bursts, injection after STARTTLS).
final class RawSMTPClient: Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    /// Bytes received so far, and whether the server closed the connection.
    private final class Inbox: Sendable {
        let state = Mutex(State())
        struct State {
            var lines = LineFramer(maximumLineLength: 4096)
            var closed = false
        }
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox
        init(_ inbox: Inbox) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            inbox.state.withLock { $0.lines.append(buffer.readableBytesView) }
        }
        func channelInactive(context: ChannelHandlerContext) { inbox.state.withLock { $0.closed = true } }
    }

    static func connect(port: Int, host: String = "127.0.0.1") async throws -> RawSMTPClient {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox))
                }
            }
            .connect(host: host, port: port).get()
        return RawSMTPClient(channel: channel, inbox: inbox)
    }

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(string: text)).get()
    }

    /// The next reply, or nil when the server closed the connection first.
    func reply(timeout: Duration = .seconds(20)) async throws -> SMTPReply? {
        var parser = SMTPReplyParser()
        let deadline = ContinuousClock.now + timeout
        while true {
            let (line, closed) = try inbox.state.withLock { state in (try state.lines.nextLine(), state.closed) }
            if let line {
                if let reply = try parser.parse(line: line) { return reply }
                continue
            }
            if closed { return nil }
            guard ContinuousClock.now < deadline else { throw TestFailure("no reply within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The codes of the next `count` replies (`closed` once the server hung up).
    func codes(_ count: Int) async throws -> [String] {
        var codes: [String] = []
        for _ in 0..<count {
            guard let reply = try await reply() else {
                codes.append("closed")
                break
            }
            codes.append(
                [String(reply.code), reply.enhancedStatusCode?.description].compactMap { $0 }.joined(separator: " ")
            )
        }
        return codes
    }

    /// Waits until the server closes the connection; true if it did within the timeout.
    func waitForClose(timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if inbox.state.withLock({ $0.closed }) { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Starts TLS on the connection (after the server's 220 to STARTTLS), trusting any certificate.
    func startTLS() async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let channel = self.channel
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: nil)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close()
    }
}
