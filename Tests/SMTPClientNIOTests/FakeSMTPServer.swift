import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SMTP

/// A scriptable SMTP server on 127.0.0.1 for tests: it records what it receives, byte for byte,
/// and answers as its ``Script`` says.
final class FakeSMTPServer: Sendable {
    struct Script: Sendable {
        var greeting = SMTPReply(code: 220, lines: ["fake.test ESMTP ready"])
        /// EHLO keywords before TLS (and without TLS).
        var extensions: [String] = ["PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]
        /// EHLO keywords after STARTTLS or with implicit TLS; `nil` means ``extensions``.
        var extensionsAfterTLS: [String]?
        /// The server's TLS context, for STARTTLS or implicit TLS.
        var tls: NIOSSLContext?
        var implicitTLS = false
        /// Extra bytes written right behind the `220` to STARTTLS, in plaintext.
        var injectAfterStartTLS: String?
        var authentication: FakeSASLServer?
        var mailReply: @Sendable (String) -> SMTPReply = { _ in
            SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 1, 0), "OK")
        }
        var recipientReply: @Sendable (String) -> SMTPReply = { _ in
            SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 1, 5), "OK")
        }
        var dataReply = SMTPReply(code: 354, lines: ["End data with <CR><LF>.<CR><LF>"])
        var messageReply = SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 0, 0), "Queued")
        /// Close the connection once this many message octets have arrived.
        var closeAfterMessageBytes: Int?
        /// Stop reading from the socket after answering DATA, so the client's writes stall.
        var stopReadingAfterData = false
        /// Delay before a reply, by upper-cased verb, or `GREETING`.
        var delays: [String: TimeAmount] = [:]
    }

    struct Session: Sendable {
        /// Every read, as received (after TLS).
        var reads: [[UInt8]] = []
        /// Command lines, in order (SASL response lines included).
        var commands: [String] = []
        /// Each message's data section as received, dot-stuffing and final `.CRLF` included.
        var messages: [[UInt8]] = []
        var isTLS = false
        var authenticated = false
        var closed = false
        var remoteAddress: SocketAddress?
    }

    fileprivate struct State {
        var sessions: [Session] = []
        var children: [any Channel] = []
    }

    let script: Script
    let port: Int
    private let serverChannel: any Channel
    private let state: NIOLockedValueBox<State>

    private init(script: Script, serverChannel: any Channel, state: NIOLockedValueBox<State>) throws {
        self.script = script
        self.serverChannel = serverChannel
        self.state = state
        guard let port = serverChannel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        self.port = port
    }

    var sessions: [Session] { state.withLockedValue { $0.sessions } }

    /// Every command line of every session, in order.
    var allCommands: [String] { sessions.flatMap(\.commands) }

    static func start(
        _ script: Script,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws
        -> FakeSMTPServer
    {
        let state = NIOLockedValueBox(State())
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let index = state.withLockedValue { state in
                        state.sessions.append(Session(remoteAddress: channel.remoteAddress))
                        state.children.append(channel)
                        return state.sessions.count - 1
                    }
                    if script.implicitTLS, let tls = script.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        FakeSMTPServerHandler(script: script, state: state, index: index)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return try FakeSMTPServer(script: script, serverChannel: channel, state: state)
    }

    /// Closes the listening socket and every connection.
    func stop() async {
        try? await serverChannel.close()
        let children = state.withLockedValue { $0.children }
        for child in children {
            try? await child.close()
        }
    }

    /// Closes every connection but keeps listening, as a server restarting its workers does.
    func closeConnections() async {
        let children = state.withLockedValue { $0.children }
        for child in children {
            try? await child.close()
        }
    }

    fileprivate static func update(_ state: NIOLockedValueBox<State>, _ index: Int, _ body: (inout Session) -> Void) {
        state.withLockedValue { body(&$0.sessions[index]) }
    }
}

/// Runs `body` with a started server and stops the server afterwards, even when `body` throws.
func withFakeServer<Result>(
    _ script: FakeSMTPServer.Script = FakeSMTPServer.Script(),
    _ body: (FakeSMTPServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeSMTPServer.start(script)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// One session of the fake server. Only used on its channel's event loop.
private final class FakeSMTPServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Mode {
        case command
        case data(received: [UInt8])
        case authentication(FakeSASLServer)
    }

    private let script: FakeSMTPServer.Script
    private let state: NIOLockedValueBox<FakeSMTPServer.State>
    private let index: Int
    private var buffer: [UInt8] = []
    private var mode = Mode.command
    private var isTLS: Bool

    init(script: FakeSMTPServer.Script, state: NIOLockedValueBox<FakeSMTPServer.State>, index: Int) {
        self.script = script
        self.state = state
        self.index = index
        self.isTLS = script.implicitTLS
    }

    func channelActive(context: ChannelHandlerContext) {
        record { $0.isTLS = self.isTLS }
        send(script.greeting, verb: "GREETING", context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        record { $0.closed = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        record { $0.reads.append(bytes) }
        buffer += bytes
        process(context: context)
    }

    private func process(context: ChannelHandlerContext) {
        while context.channel.isActive {
            switch mode {
            case .data(var received):
                let (consumed, finished) = Self.scanData(buffer, after: received)
                received += buffer[..<consumed]
                buffer.removeFirst(consumed)
                if let limit = script.closeAfterMessageBytes, received.count >= limit {
                    context.close(promise: nil)
                    return
                }
                guard finished else {
                    mode = .data(received: received)
                    return
                }
                mode = .command
                record { $0.messages.append(received) }
                send(script.messageReply, verb: "MESSAGE", context: context)
            case .command, .authentication:
                guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")), end > 0,
                    buffer[end - 1] == UInt8(ascii: "\r")
                else { return }
                let line = String(decoding: buffer[..<(end - 1)], as: UTF8.self)
                buffer.removeFirst(end + 1)
                record { $0.commands.append(line) }
                handle(line, context: context)
            }
        }
    }

    /// How many bytes of `bytes` belong to the data section, and whether its end was found.
    /// The section ends at the first `.CRLF` that starts a line; `received` is what came before.
    private static func scanData(_ bytes: [UInt8], after received: [UInt8]) -> (consumed: Int, finished: Bool) {
        var lineStart = received.isEmpty || Array(received.suffix(2)) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        var previous = received.last
        for index in bytes.indices {
            if lineStart, bytes[index] == UInt8(ascii: ".") {
                guard index + 2 < bytes.count else { return (index, false) }
                if bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    return (index + 3, true)
                }
            }
            lineStart = bytes[index] == UInt8(ascii: "\n") && previous == UInt8(ascii: "\r")
            previous = bytes[index]
        }
        return (bytes.count, false)
    }

    private func handle(_ line: String, context: ChannelHandlerContext) {
        if case .authentication(var sasl) = mode {
            let step = sasl.respond(line)
            finish(sasl, step, context: context)
            return
        }
        let verb = String(line.prefix(while: { $0 != " " })).uppercased()
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        switch verb {
        case "EHLO":
            let keywords = isTLS ? (script.extensionsAfterTLS ?? script.extensions) : script.extensions
            send(SMTPReply(code: 250, lines: ["fake.test greets \(argument)"] + keywords), verb: verb, context: context)
        case "STARTTLS":
            guard let tls = script.tls, !isTLS else {
                send(
                    SMTPReply(code: 454, SMTPEnhancedStatusCode(4, 7, 0), "TLS not available"),
                    verb: verb,
                    context: context
                )
                return
            }
            var bytes = SMTPReply(code: 220, SMTPEnhancedStatusCode(2, 0, 0), "Ready to start TLS").encoded
            bytes += Array((script.injectAfterStartTLS ?? "").utf8)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
            // RFC 3207 §4.2: anything the client sent before the handshake is discarded.
            buffer.removeAll()
            isTLS = true
            record { $0.isTLS = true }
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                context.close(promise: nil)
            }
        case "AUTH":
            let parts = argument.split(separator: " ").map(String.init)
            guard var sasl = script.authentication, let name = parts.first, name.uppercased() == sasl.name else {
                send(
                    SMTPReply(code: 504, SMTPEnhancedStatusCode(5, 5, 4), "Unrecognized mechanism"),
                    verb: verb,
                    context: context
                )
                return
            }
            let step = sasl.start(initialResponse: parts.count > 1 ? parts[1] : nil)
            finish(sasl, step, context: context)
        case "MAIL":
            send(script.mailReply(argument), verb: verb, context: context)
        case "RCPT":
            send(script.recipientReply(argument), verb: verb, context: context)
        case "DATA":
            let reply = script.dataReply
            send(reply, verb: verb, context: context)
            if reply.code == 354 {
                mode = .data(received: [])
                if script.stopReadingAfterData {
                    context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
                }
            }
        case "RSET", "NOOP":
            send(SMTPReply(code: 250, SMTPEnhancedStatusCode(2, 0, 0), "OK"), verb: verb, context: context)
        case "QUIT":
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: SMTPReply(code: 221, lines: ["Bye"]).encoded)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            send(
                SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 2), "Unrecognized command"),
                verb: verb,
                context: context
            )
        }
    }

    private func finish(_ sasl: FakeSASLServer, _ step: FakeSASLServer.Step, context: ChannelHandlerContext) {
        switch step {
        case .challenge(let text):
            mode = .authentication(sasl)
            send(SMTPReply(code: 334, lines: [text]), verb: "AUTH", context: context)
        case .done(let reply):
            mode = .command
            if reply.code == 235 {
                record { $0.authenticated = true }
            }
            send(reply, verb: "AUTH", context: context)
        }
    }

    private func send(_ reply: SMTPReply, verb: String, context: ChannelHandlerContext) {
        let buffer = ByteBuffer(bytes: reply.encoded)
        if let delay = script.delays[verb] {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let data = wrapOutboundOut(buffer)
            let loopBoundData = NIOLoopBound(data, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: delay) {
                loopBoundContext.value.writeAndFlush(loopBoundData.value, promise: nil)
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    private func record(_ body: (inout FakeSMTPServer.Session) -> Void) {
        FakeSMTPServer.update(state, index, body)
    }
}
