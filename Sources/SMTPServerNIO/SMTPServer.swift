import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SMTP
import ServiceLifecycle
import Synchronization

/// An SMTP server on SwiftNIO: one task per connection, framing in the pipeline, protocol in
/// ``SMTPServerStateMachine``, decisions in an ``SMTPServerDelegate``.
///
/// As a swift-service-lifecycle `Service`, a graceful shutdown stops accepting connections,
/// lets open transactions finish for the drain grace period, and closes the rest with 421.
public final class SMTPServer: Service, Sendable {
    public let configuration: SMTPServerConfiguration
    private let delegate: any SMTPServerDelegate
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let tlsContext: NIOSSLContext?
    private let state = Mutex(State())
    private let boundAddress = Mutex<SocketAddress?>(nil)
    private let listening = AsyncStream<SocketAddress>.makeStream()

    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var draining = false
        var serverChannel: (any Channel)?
        var nextSessionID = 0
    }

    public init(
        configuration: SMTPServerConfiguration,
        delegate: any SMTPServerDelegate,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) throws {
        self.configuration = configuration
        self.delegate = delegate
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.tlsContext = try configuration.tls.map(NIOSSLContext.init(configuration:))
    }

    /// The address the server listens on, once it does (port 0 is resolved to the real port).
    public func localAddress() async -> SocketAddress? {
        if let address = boundAddress.withLock({ $0 }) { return address }
        for await address in listening.stream { return address }
        return nil
    }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    public func run() async throws {
        let tlsContext = self.tlsContext
        let idleTimeout = configuration.idleTimeout
        let serverChannel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(SMTPServerFramer(tlsContext: tlsContext))
                    return try NIOAsyncChannel<SMTPServerFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let address = serverChannel.channel.localAddress
        boundAddress.withLock { $0 = address }
        if let address { listening.continuation.yield(address) }
        listening.continuation.finish()
        state.withLock { $0.serverChannel = serverChannel.channel }
        logger.info("SMTP server listening", metadata: ["address": "\(address.map { "\($0)" } ?? "?")"])

        try await withGracefulShutdownHandler {
            try await serverChannel.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await self.handle(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.drain()
        }
        logger.info("SMTP server stopped")
    }

    private func handle(_ connection: NIOAsyncChannel<SMTPServerFrame, ByteBuffer>) async {
        let channel = connection.channel
        let key = ObjectIdentifier(channel)
        let admitted: (Bool, Int) = state.withLock { state in
            guard !state.draining, state.connections.count < configuration.maximumConnections else { return (false, 0) }
            state.connections[key] = channel
            state.nextSessionID += 1
            return (true, state.nextSessionID)
        }
        guard admitted.0 else {
            let reply = SMTPReply(
                code: 421,
                .init(4, 3, 2),
                "\(configuration.hostname) Too many connections, try again later"
            )
            try? await connection.executeThenClose { _, outbound in
                try await outbound.write(channel.allocator.buffer(bytes: reply.encoded))
            }
            return
        }
        defer { _ = state.withLock { $0.connections.removeValue(forKey: key) } }
        let address = channel.remoteAddress
        var clientAddress = address?.ipAddress ?? "unknown"
        if clientAddress.hasPrefix("::ffff:"), clientAddress.contains(".") {
            clientAddress.removeFirst("::ffff:".count)
        }
        let info = SMTPConnectionInfo(
            clientAddress: clientAddress,
            clientPort: address?.port ?? 0,
            sessionID: String(admitted.1, radix: 36)
        )
        var logger = self.logger
        logger[metadataKey: "session"] = "\(info.sessionID)"
        await SMTPSession(
            channel: connection,
            configuration: configuration,
            delegate: delegate,
            info: info,
            logger: logger
        ).run()
    }

    /// Stops accepting, asks every connection to close between transactions, and closes what is
    /// left after the grace period.
    private func drain() {
        let (serverChannel, connections) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            state.draining = true
            return (state.serverChannel, Array(state.connections.values))
        }
        logger.info("SMTP server draining", metadata: ["connections": "\(connections.count)"])
        serverChannel?.close(promise: nil)
        for channel in connections {
            channel.pipeline.fireUserInboundEventTriggered(SMTPServerDrainEvent())
        }
        let grace = configuration.drainGracePeriod
        let hostname = configuration.hostname
        for channel in connections {
            channel.eventLoop.scheduleTask(in: grace) {
                guard channel.isActive else { return }
                let reply = SMTPReply(code: 421, .init(4, 3, 2), "\(hostname) Service shutting down")
                channel.writeAndFlush(channel.allocator.buffer(bytes: reply.encoded)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            }
        }
    }
}
