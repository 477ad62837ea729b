import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP/1.1 (optionally TLS) front of the server, in plain SwiftNIO.
///
/// Each connection is one child task of a discarding task group. Within it, one task reads
/// requests and another answers them in order; when the client goes away the reader ends, which
/// cancels the answering task and with it any watch or log stream it was writing.
final class HTTPServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let serverChannel: NIOAsyncChannel<Connection, Never>
    private let acceptTask: Task<Void, Never>
    let port: Int

    private init(serverChannel: NIOAsyncChannel<Connection, Never>, acceptTask: Task<Void, Never>, port: Int) {
        self.serverChannel = serverChannel
        self.acceptTask = acceptTask
        self.port = port
    }

    /// Binds `host:port` (0: any free port) and starts serving.
    static func start(
        host: String,
        port: Int,
        tls: NIOSSLContext?,
        authenticator: Authenticator,
        handler: APIServerHandler
    ) async throws -> HTTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = channel.channel.localAddress?.port ?? port
        let acceptTask = Task<Void, Never> {
            _ = try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask {
                            await serve(connection, authenticator: authenticator, handler: handler)
                        }
                    }
                }
            }
        }
        return HTTPServer(serverChannel: channel, acceptTask: acceptTask, port: boundPort)
    }

    /// Stops accepting connections and ends the open ones.
    func shutdown() async {
        acceptTask.cancel()
        try? await serverChannel.channel.close()
        await acceptTask.value
    }

    private struct Request: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer
    }

    private static func serve(_ connection: Connection, authenticator: Authenticator, handler: APIServerHandler) async {
        let channel = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            let (requests, pending) = AsyncStream<Request>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var head: HTTPRequestHead?
                    var body = ByteBuffer()
                    defer { pending.finish() }
                    for try await part in inbound {
                        switch part {
                        case .head(let value):
                            head = value
                            body.clear()
                        case .body(var chunk):
                            body.writeBuffer(&chunk)
                        case .end:
                            if let head { pending.yield(Request(head: head, body: body)) }
                            head = nil
                        }
                    }
                }
                group.addTask {
                    for await request in requests {
                        let peerCertificate = try? await channel.nioSSL_peerCertificate().get()
                        let keepAlive = request.head.isKeepAlive
                        try await respond(
                            to: request,
                            peerCertificate: peerCertificate,
                            authenticator: authenticator,
                            handler: handler,
                            outbound: outbound,
                            keepAlive: keepAlive
                        )
                        if !keepAlive { return }
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    private static func respond(
        to request: Request,
        peerCertificate: NIOSSLCertificate?,
        authenticator: Authenticator,
        handler: APIServerHandler,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        keepAlive: Bool
    ) async throws {
        let headers = request.head.headers.map { ($0.name, $0.value) }
        let response: APIResponse
        switch authenticator.authenticate(
            authorization: request.head.headers.first(name: "Authorization"),
            peerCertificate: peerCertificate
        ) {
        case .success(let user):
            let apiRequest = APIRequest(
                method: request.head.method.rawValue,
                uri: request.head.uri,
                headers: headers,
                body: Array(request.body.readableBytesView),
                user: user
            )
            response = await handler.handle(apiRequest)
        case .failure(let error):
            response = .error(error)
        }
        switch response {
        case .full(let status, let fields, let body):
            var responseHeaders = HTTPHeaders(fields)
            responseHeaders.replaceOrAdd(name: "Content-Length", value: String(body.count))
            if !keepAlive { responseHeaders.replaceOrAdd(name: "Connection", value: "close") }
            try await outbound.write(
                .head(
                    HTTPResponseHead(
                        version: .http1_1,
                        status: HTTPResponseStatus(statusCode: status),
                        headers: responseHeaders
                    )
                )
            )
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))
        case .stream(let status, let fields, let chunks):
            var responseHeaders = HTTPHeaders(fields)
            responseHeaders.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(
                .head(
                    HTTPResponseHead(
                        version: .http1_1,
                        status: HTTPResponseStatus(statusCode: status),
                        headers: responseHeaders
                    )
                )
            )
            for await chunk in chunks {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
            }
            try Task.checkCancellation()
            try await outbound.write(.end(nil))
        }
    }
}
