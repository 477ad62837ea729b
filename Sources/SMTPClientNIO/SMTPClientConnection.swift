import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SMTP

/// One SMTP client session with an upstream server: connected, greeted, secured and
/// authenticated by ``connect(to:on:logger:)``, then used for any number of transactions.
///
/// ## Design
///
/// **An actor running on the channel's event loop.** The session has mutable state (capabilities,
/// transaction step, dot-stuffing state) that async callers touch, so it needs isolation; an
/// actor gives that with compiler-checked `Sendable` boundaries. Its executor is the channel's
/// `EventLoop` (`unownedExecutor`), so every method already runs where NIO wants pipeline work
/// done: STARTTLS installs the non-`Sendable` `NIOSSLClientHandler` with
/// `channel.pipeline.syncOperations`, and ``SMTPReplyHandler`` is called synchronously, without
/// a hop per command.
///
/// **A request/response handler with promises rather than `NIOAsyncChannel`.** SMTP is lock step
/// with optional pipelining, and every reply needs its own deadline (RFC 5321 §4.5.3.2). A
/// promise per expected reply, registered before the command is written and failed by a timer
/// scheduled on the event loop, expresses exactly that; with an async inbound sequence each read
/// would have to race a timer task over a non-`Sendable` iterator. STARTTLS also needs to know
/// that nothing was buffered behind the server's `220` — easy to ask a handler, hidden inside an
/// async channel's buffer.
///
/// **Replies are returned, failures thrown.** Transaction methods return the server's reply so a
/// relay can forward a 4xx or 5xx per recipient. Network errors, timeouts, TLS and protocol
/// failures throw ``SMTPClientError``; after one the connection is broken (``isUsable`` is
/// false) and every later call rethrows the same error.
///
/// **One operation at a time.** Actor methods can interleave at suspension points; SMTP cannot.
/// A call made while another is in progress throws ``SMTPClientError/Kind/invalidUse`` instead
/// of corrupting the command order. Transaction methods also check their order (MAIL, RCPT…,
/// DATA, body, end of data).
///
/// Close every connection with ``close()`` or ``quit()``; ``SMTPConnectionPool`` does that for
/// the connections it manages.
public actor SMTPClientConnection {
    /// Where the session is in a mail transaction (RFC 5321 §3.3).
    private enum TransactionState {
        /// No transaction: MAIL may start one.
        case idle
        /// MAIL was accepted; RCPT and DATA may follow.
        case envelope
        /// DATA was answered with `354`; the body is being sent.
        case body
    }

    public nonisolated let configuration: SMTPClientConfiguration
    private nonisolated let channel: any Channel
    private nonisolated let handler: NIOLoopBound<SMTPReplyHandler>
    private let tlsContext: NIOSSLContext?
    private var logger: Logger

    /// The server's `220` greeting.
    public private(set) var greeting = SMTPReply(code: 0, lines: [])
    /// The capabilities from the last EHLO; after STARTTLS, those of the EHLO sent over TLS
    /// (RFC 3207 §4.2).
    public private(set) var capabilities = EHLOCapabilities(domain: "")
    /// Whether the session runs over TLS.
    public private(set) var isEncrypted = false
    /// The SASL mechanism the session authenticated with, if any.
    public private(set) var authenticatedMechanism: SASLMechanism?

    private var transaction = TransactionState.idle
    private var encoder = DotStuffingEncoder()
    private var isBusy = false
    private var isClosed = false
    /// The error that broke the session; every later operation rethrows it.
    private var brokenBy: SMTPClientError?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        channel.eventLoop.executor.asUnownedSerialExecutor()
    }

    private init(
        configuration: SMTPClientConfiguration,
        channel: any Channel,
        handler: NIOLoopBound<SMTPReplyHandler>,
        tlsContext: NIOSSLContext?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.channel = channel
        self.handler = handler
        self.tlsContext = tlsContext
        self.logger = logger
    }

    /// Whether the connection can carry another transaction: open, not broken, not closed and
    /// not inside a transaction.
    public var isUsable: Bool {
        brokenBy == nil && !isClosed && channel.isActive && transaction == .idle
    }

    /// Whether the connection is open and not broken, though perhaps inside a transaction that
    /// ``reset()`` can abandon.
    public var isOpen: Bool {
        brokenBy == nil && !isClosed && channel.isActive
    }

    /// The local address the connection was made from.
    public nonisolated var localAddress: SocketAddress? { channel.localAddress }

    // MARK: - Connecting

    /// Opens a session: TCP connect, greeting, EHLO, TLS as configured, then AUTH when
    /// credentials are configured.
    ///
    /// - Throws: ``SMTPClientError``; the connection is closed (after a QUIT where that is still
    ///   possible) before the error is thrown.
    public static func connect(
        to configuration: SMTPClientConfiguration,
        on group: any EventLoopGroup,
        logger: Logger = Logger(label: "kube-mail.smtp-client")
    ) async throws -> SMTPClientConnection {
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(configuration.host):\(configuration.port)"

        let tlsContext: NIOSSLContext?
        do {
            // Building a context reads the system trust store from disk: blocking work that must
            // not occupy a thread of the cooperative pool or an event loop.
            let tls = configuration.tls
            tlsContext =
                configuration.security == .plain
                ? nil : try await NIOThreadPool.singleton.runIfActive { try tls.makeContext() }
        } catch {
            throw SMTPClientError.tlsFailed("cannot build the TLS configuration: \(error)")
        }
        let serverHostname = configuration.tls.hostname(connectingTo: configuration.host)
        let implicitTLSContext = configuration.security == .implicitTLS ? tlsContext : nil

        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(configuration.timeouts.connect))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let implicitTLSContext {
                        // TLS from the first byte (RFC 8314 §3.3): nothing SMTP passes before it.
                        try pipeline.addHandler(
                            NIOSSLClientHandler(context: implicitTLSContext, serverHostname: serverHostname)
                        )
                    }
                    let decoder = SMTPReplyDecoder()
                    try pipeline.addHandler(ByteToMessageHandler(decoder))
                    try pipeline.addHandler(SMTPReplyHandler(decoder: decoder, eventLoop: channel.eventLoop))
                }
            }
        if let localAddress = configuration.localAddress {
            do {
                bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0))
            } catch {
                throw SMTPClientError.connectFailed("invalid local address \(localAddress): \(error)")
            }
        }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw Self.connectError(error)
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self),
                eventLoop: channel.eventLoop
            )
        }.get()

        let connection = SMTPClientConnection(
            configuration: configuration,
            channel: channel,
            handler: handler,
            tlsContext: tlsContext,
            logger: logger
        )
        do {
            try await connection.establishSession()
        } catch {
            await connection.abort()
            throw error
        }
        return connection
    }

    private static func connectError(_ error: any Error) -> SMTPClientError {
        switch error {
        case ChannelError.connectTimeout:
            .timedOut(.connect)
        case let error as NIOConnectionError
        where error.connectionErrors.contains(where: {
            if case ChannelError.connectTimeout = $0.error { return true }
            return false
        }):
            .timedOut(.connect)
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            SMTPReplyHandler.classify(error)
        default:
            .connectFailed(String(describing: error))
        }
    }

    /// Greeting, EHLO, TLS, AUTH: everything before the first transaction.
    private func establishSession() async throws {
        isEncrypted = configuration.security == .implicitTLS
        greeting = try await readReply(stage: .greeting)
        guard greeting.code == 220 else {
            // RFC 5321 §3.1: a client receiving 554 should send QUIT; abort() does.
            throw SMTPClientError.greetingRejected(greeting)
        }
        try await ehlo()
        if configuration.security == .startTLS {
            try await startTLS()
        }
        if let authentication = configuration.authentication {
            try await authenticate(authentication)
        }
        logger.debug(
            "SMTP session established",
            metadata: [
                "smtp.tls": "\(isEncrypted)",
                "smtp.auth": "\(authenticatedMechanism?.description ?? "none")",
            ]
        )
    }

    private func ehlo() async throws {
        let reply = try await execute(.ehlo(configuration.clientHostname), stage: .ehlo)
        guard let capabilities = EHLOCapabilities(reply: reply) else {
            throw SMTPClientError.ehloRejected(reply)
        }
        self.capabilities = capabilities
    }

    /// RFC 3207: STARTTLS, TLS, then EHLO again.
    private func startTLS() async throws {
        guard capabilities.supportsStartTLS else {
            // Required, not opportunistic: continuing in plaintext is what a downgrade attacker wants.
            throw SMTPClientError.startTLSNotOffered
        }
        let reply = try await execute(.startTLS, stage: .startTLS)
        guard reply.code == 220 else {
            throw SMTPClientError.startTLSRejected(reply)
        }
        guard !handler.value.hasUnclaimedInput else {
            // Bytes behind the 220 came in plaintext and could have been injected by anyone on the
            // path; reading them as TLS-protected replies is the client side of CVE-2011-0411.
            throw fail(.protocolViolation("the server sent data after its 220 reply to STARTTLS"))
        }
        guard let tlsContext else {
            preconditionFailure("a STARTTLS session always has a TLS context")
        }
        do {
            let tlsHandler = try NIOSSLClientHandler(
                context: tlsContext,
                serverHostname: configuration.tls.hostname(connectingTo: configuration.host)
            )
            try channel.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
        } catch {
            throw fail(SMTPReplyHandler.classify(error))
        }
        isEncrypted = true
        // RFC 3207 §4.2: forget everything learned before TLS, the capabilities in particular.
        capabilities = EHLOCapabilities(domain: "")
        try await ehlo()
    }

    // MARK: - Authentication

    /// AUTH (RFC 4954) driven by `SASLClient`.
    private func authenticate(_ authentication: SMTPAuthentication) async throws {
        let mechanism: SASLMechanism
        do {
            mechanism = try SASLMechanism.select(
                configured: authentication.mechanism,
                offered: capabilities.authMechanisms,
                isEncrypted: isEncrypted,
                allowInsecureAuth: authentication.allowInsecureAuth
            )
        } catch {
            throw SMTPClientError.mechanismNotOffered(error)
        }
        var client: SASLClient
        do {
            client = try SASLClient(mechanism: mechanism, credentials: authentication.credentials)
        } catch {
            throw SMTPClientError.authenticationFailed(error)
        }

        // RFC 4954 §4: the initial response goes on the AUTH line only if the line stays within
        // 512 octets; otherwise the server asks for it with an empty challenge. The client is a
        // value, so a copy can produce the response without recording it as sent.
        var initialResponse: String?
        var probe = client
        if let bytes = probe.initialResponse() {
            let encoded = SASLWire.encodeInitialResponse(bytes)
            let line = SMTPCommand.auth(mechanism: mechanism.rawValue, initialResponse: encoded).encoded
            if line.count <= SMTPLimits.commandLineLength {
                client = probe
                initialResponse = encoded
            }
        }

        var reply = try await execute(
            .auth(mechanism: mechanism.rawValue, initialResponse: initialResponse),
            stage: .authentication
        )
        var challenges = 0
        while reply.code == 334 {
            challenges += 1
            let response: [UInt8]
            do {
                guard challenges <= Self.maximumSASLChallenges else { throw SASLError.unexpectedChallenge }
                let challenge = try SASLWire.decodeChallenge(reply.lines.first ?? "")
                (client, response) = try await Self.respond(client, to: challenge)
            } catch let error as SASLError {
                // RFC 4954 §4: "*" cancels the exchange; the server answers 501.
                let cancelled = try await execute(line: SASLWire.cancel, stage: .authentication)
                throw SMTPClientError.authenticationFailed(error, reply: cancelled)
            }
            reply = try await execute(line: SASLWire.encodeResponse(response), stage: .authentication)
        }
        guard reply.code == 235 else {
            throw SMTPClientError.authenticationFailed(reply)
        }
        do {
            // For SCRAM, a 235 without a verified server signature is an impostor's success.
            try client.complete()
        } catch {
            throw SMTPClientError.authenticationFailed(error, reply: reply)
        }
        authenticatedMechanism = mechanism
    }

    /// Answers a challenge off the event loop: SCRAM runs PBKDF2 with as many iterations as the
    /// server asks for (up to a million), which must not stall every other connection on the loop.
    @concurrent
    private static func respond(_ client: SASLClient, to challenge: [UInt8]) async throws -> (SASLClient, [UInt8]) {
        var client = client
        let response = try client.respond(to: challenge)
        return (client, response)
    }

    /// SCRAM needs two challenges, LOGIN two, CRAM-MD5 one; more means a confused or hostile server.
    private static let maximumSASLChallenges = 4

    // MARK: - Transactions

    /// MAIL (RFC 5321 §4.1.1.2). A `250` starts a transaction; any other reply is returned as is.
    public func mail(
        from sender: SMTPMailbox?,
        parameters: SMTPMailParameters = SMTPMailParameters()
    ) async throws
        -> SMTPReply
    {
        try await exclusively("MAIL") {
            try requireTransaction(.idle, for: "MAIL")
            let reply = try await execute(.mail(from: sender, parameters: parameters), stage: .mail)
            if reply.isPositive {
                transaction = .envelope
            }
            return reply
        }
    }

    /// RCPT (RFC 5321 §4.1.1.3), after an accepted MAIL. The reply is returned, positive or not,
    /// so the relay can pass a per-recipient rejection on.
    public func recipient(_ recipient: SMTPRecipient, parameters: [SMTPParameter] = []) async throws -> SMTPReply {
        try await exclusively("RCPT") {
            try requireTransaction(.envelope, for: "RCPT")
            return try await execute(.rcpt(to: recipient, parameters: parameters), stage: .recipient)
        }
    }

    /// DATA (RFC 5321 §4.1.1.4). After `354`, send the message with ``sendBody(_:)-(ByteBuffer)``
    /// and end it with ``finishBody()``.
    public func data() async throws -> SMTPReply {
        try await exclusively("DATA") {
            try requireTransaction(.envelope, for: "DATA")
            let reply = try await execute(.data, stage: .dataInitiation)
            if reply.code == 354 {
                transaction = .body
                encoder = DotStuffingEncoder()
            }
            return reply
        }
    }

    /// Sends a piece of the message, dot-stuffed (RFC 5321 §4.5.2).
    ///
    /// Returns once the bytes were handed to the network, so a caller that streams a message in
    /// pieces never holds more than one piece here: that is the backpressure. Each write must
    /// complete within the data-block timeout (RFC 5321 §4.5.3.2.5).
    public func sendBody(_ chunk: ByteBuffer) async throws {
        try await exclusively("message data") {
            try requireTransaction(.body, for: "message data")
            try await writeBlock(encoder.encode(chunk.readableBytesView))
        }
    }

    /// Sends a piece of the message given as bytes; see ``sendBody(_:)-(ByteBuffer)``.
    public func sendBody(_ bytes: some Sequence<UInt8>) async throws {
        try await exclusively("message data") {
            try requireTransaction(.body, for: "message data")
            try await writeBlock(encoder.encode(bytes))
        }
    }

    /// Ends the message with `<CRLF>.<CRLF>` (adding the CRLF only if the message lacks one) and
    /// returns the server's verdict; `250` means it took responsibility for the message
    /// (RFC 5321 §4.1.1.4). The transaction is over whatever the reply.
    public func finishBody() async throws -> SMTPReply {
        try await exclusively("end of data") {
            try requireTransaction(.body, for: "end of data")
            return try await finishMessage()
        }
    }

    /// RSET (RFC 5321 §4.1.1.5): abandons the transaction.
    public func reset() async throws -> SMTPReply {
        try await exclusively("RSET") {
            guard transaction != .body else {
                // RSET during DATA would be taken as message text.
                throw SMTPClientError.invalidUse("RSET while sending message data; finish the body first")
            }
            let reply = try await execute(.rset, stage: .reset)
            if reply.isPositive {
                transaction = .idle
            }
            return reply
        }
    }

    /// NOOP (RFC 5321 §4.1.1.9): checks that the server still answers.
    public func noop() async throws -> SMTPReply {
        try await exclusively("NOOP") {
            guard transaction != .body else {
                throw SMTPClientError.invalidUse("NOOP while sending message data")
            }
            return try await execute(.noop(nil), stage: .noop)
        }
    }

    /// Sends a whole transaction: MAIL, every RCPT, DATA, the body and the end of data.
    ///
    /// With PIPELINING (RFC 2920 §3.1) MAIL, the RCPTs and DATA go out in one write and their
    /// replies are read in order; without it, each command waits for its reply and the transaction
    /// stops early when MAIL or every RCPT is refused. The body is sent only when MAIL, at least
    /// one RCPT and DATA succeeded. A transaction that did not deliver is reset, so the
    /// connection is ready for the next.
    public func send<Body: AsyncSequence & Sendable>(
        envelope: SMTPEnvelope,
        body: Body
    ) async throws -> SMTPDeliveryResult where Body.Element == ByteBuffer {
        try await exclusively("send") {
            try requireTransaction(.idle, for: "MAIL")
            var result = try await sendEnvelope(envelope)
            guard result.data?.code == 354 else {
                try await abandonTransaction(result)
                return result
            }
            transaction = .body
            encoder = DotStuffingEncoder()
            guard !result.acceptedRecipients.isEmpty, result.mail.isPositive else {
                // RFC 2920 §3.1: DATA got 354 though nobody can receive the message; send an
                // empty message so the server can refuse it, rather than the real one.
                result.message = try await finishMessage()
                try await abandonTransaction(result)
                return result
            }
            do {
                for try await chunk in body {
                    try await writeBlock(encoder.encode(chunk.readableBytesView))
                }
            } catch let error as SMTPClientError {
                throw error
            } catch {
                // The message source failed. Ending the data now would deliver a truncated
                // message, so the connection is closed instead, which aborts the transaction.
                _ = fail(.invalidUse("the message body failed; the transaction was aborted by closing the connection"))
                throw error
            }
            result.message = try await finishMessage()
            if result.message?.isPositive != true {
                try await abandonTransaction(result)
            }
            return result
        }
    }

    /// ``send(envelope:body:)`` with the whole message in memory.
    public func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPDeliveryResult {
        try await send(envelope: envelope, body: SingleChunk(chunk: ByteBuffer(bytes: message)))
    }

    /// QUIT (RFC 5321 §4.1.1.10), then closes the connection. Returns the server's reply.
    @discardableResult
    public func quit() async throws -> SMTPReply {
        try await exclusively("QUIT") {
            defer { closeChannel() }
            guard transaction != .body else {
                throw SMTPClientError.invalidUse("QUIT while sending message data")
            }
            return try await execute(.quit, stage: .quit)
        }
    }

    /// Ends the session: QUIT when the session is healthy, then closes the connection. Never
    /// throws; safe to call more than once.
    public func close() async {
        guard !isClosed else { return }
        if !isBusy, brokenBy == nil, transaction != .body, channel.isActive {
            _ = try? await execute(.quit, stage: .quit)
        }
        closeChannel()
    }

    // MARK: - Internals

    private func sendEnvelope(_ envelope: SMTPEnvelope) async throws -> SMTPDeliveryResult {
        let mailCommand = SMTPCommand.mail(from: envelope.sender, parameters: envelope.mailParameters)
        let recipientCommands = envelope.recipients.map { SMTPCommand.rcpt(to: $0.address, parameters: $0.parameters) }

        guard capabilities.supportsPipelining else {
            var result = SMTPDeliveryResult(mail: try await execute(mailCommand, stage: .mail), recipients: [])
            guard result.mail.isPositive else { return result }
            transaction = .envelope
            for (recipient, command) in zip(envelope.recipients, recipientCommands) {
                let reply = try await execute(command, stage: .recipient)
                result.recipients.append(SMTPDeliveryResult.RecipientResult(recipient: recipient, reply: reply))
            }
            guard !result.acceptedRecipients.isEmpty else { return result }
            result.data = try await execute(.data, stage: .dataInitiation)
            return result
        }

        // RFC 2920 §3.1: MAIL, RCPT… and DATA, the last command of the group, in one write.
        let stages = [SMTPClientStage.mail] + recipientCommands.map { _ in .recipient } + [.dataInitiation]
        let commands = [mailCommand] + recipientCommands + [.data]
        try throwIfBroken()
        var buffer = channel.allocator.buffer(capacity: commands.count * 64)
        var futures: [EventLoopFuture<SMTPReply>] = []
        for (command, stage) in zip(commands, stages) {
            logger.trace("C: \(command)")
            futures.append(handler.value.expectReply(stage: stage, timeout: TimeAmount(configuration.timeouts[stage])))
            buffer.writeBytes(command.encoded)
        }
        channel.writeAndFlush(buffer, promise: nil)
        var replies: [SMTPReply] = []
        for future in futures {
            replies.append(try await reply(from: future))
        }
        var result = SMTPDeliveryResult(mail: replies[0], recipients: [])
        for (recipient, reply) in zip(envelope.recipients, replies.dropFirst()) {
            result.recipients.append(SMTPDeliveryResult.RecipientResult(recipient: recipient, reply: reply))
        }
        result.data = replies.last
        if result.mail.isPositive {
            transaction = .envelope
        }
        return result
    }

    /// Resets a transaction the server may still hold, so the connection can be reused.
    private func abandonTransaction(_ result: SMTPDeliveryResult) async throws {
        if result.mail.isPositive, result.message?.isPositive != true {
            _ = try await execute(.rset, stage: .reset)
        }
        transaction = .idle
    }

    private func finishMessage() async throws -> SMTPReply {
        let terminator = encoder.finish()
        transaction = .idle
        try throwIfBroken()
        let future = handler.value.expectReply(
            stage: .dataTermination,
            timeout: TimeAmount(configuration.timeouts.dataTermination)
        )
        channel.writeAndFlush(channel.allocator.buffer(bytes: terminator), promise: nil)
        return try await reply(from: future)
    }

    /// Writes one command and waits for its reply.
    private func execute(_ command: SMTPCommand, stage: SMTPClientStage) async throws -> SMTPReply {
        logger.trace("C: \(command)")
        return try await execute(bytes: command.encoded, stage: stage)
    }

    /// Writes a SASL response line, which is never logged.
    private func execute(line: String, stage: SMTPClientStage) async throws -> SMTPReply {
        try await execute(bytes: Array(line.utf8) + [UInt8(ascii: "\r"), UInt8(ascii: "\n")], stage: stage)
    }

    private func execute(bytes: [UInt8], stage: SMTPClientStage) async throws -> SMTPReply {
        try throwIfBroken()
        let future = handler.value.expectReply(stage: stage, timeout: TimeAmount(configuration.timeouts[stage]))
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        return try await reply(from: future)
    }

    /// Waits for a reply no command asked for: the greeting.
    private func readReply(stage: SMTPClientStage) async throws -> SMTPReply {
        try await reply(
            from: handler.value.expectReply(stage: stage, timeout: TimeAmount(configuration.timeouts[stage]))
        )
    }

    private func reply(from future: EventLoopFuture<SMTPReply>) async throws -> SMTPReply {
        let reply: SMTPReply
        do {
            reply = try await future.get()
        } catch {
            throw fail(SMTPReplyHandler.classify(error))
        }
        logger.trace("S: \(reply.code) \(reply.lines.first ?? "")")
        if reply.code == 421 {
            // RFC 5321 §3.8: the server is closing the channel; the reply is still the answer.
            brokenBy = brokenBy ?? .serverClosedConnection
        }
        return reply
    }

    /// Writes message data and waits until it has been handed to the network, within the
    /// data-block timeout.
    private func writeBlock(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try throwIfBroken()
        let handler = self.handler
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.timeouts.dataBlock)) {
            handler.value.fail(with: .timedOut(.dataBlock))
        }
        defer { timeout.cancel() }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: promise)
        do {
            try await promise.futureResult.get()
        } catch {
            throw fail(handler.value.failure ?? SMTPReplyHandler.classify(error))
        }
    }

    /// Records the error that broke the session and closes the channel; returns the error to throw.
    private func fail(_ error: SMTPClientError) -> SMTPClientError {
        let error = brokenBy ?? error
        brokenBy = error
        handler.value.fail(with: error)
        return error
    }

    private func throwIfBroken() throws {
        if let brokenBy { throw brokenBy }
        if let failure = handler.value.failure { throw fail(failure) }
        if isClosed { throw SMTPClientError.invalidUse("the connection is closed") }
    }

    private func requireTransaction(_ expected: TransactionState, for command: String) throws {
        guard transaction == expected else {
            let state =
                switch transaction {
                case .idle: "no transaction has been started"
                case .envelope: "a transaction is in progress"
                case .body: "message data is being sent"
                }
            throw SMTPClientError.invalidUse("\(command) is not allowed now: \(state)")
        }
    }

    /// Runs one public operation, refusing to interleave with another.
    private func exclusively<Result: Sendable>(
        _ operation: String,
        _ body: () async throws -> Result
    ) async throws -> Result {
        guard !isBusy else {
            throw SMTPClientError.invalidUse("\(operation) while another operation is in progress")
        }
        try throwIfBroken()
        isBusy = true
        defer { isBusy = false }
        do {
            return try await body()
        } catch let error as SMTPClientError where error.kind != .invalidUse {
            throw fail(error)
        }
    }

    /// Gives up on a session that could not be established: QUIT if the conversation is still in
    /// step (RFC 5321 §3.1 asks for it after a 554 greeting), then close.
    private func abort() {
        if brokenBy == nil, handler.value.failure == nil, channel.isActive {
            channel.writeAndFlush(channel.allocator.buffer(bytes: SMTPCommand.quit.encoded), promise: nil)
        }
        closeChannel()
    }

    private func closeChannel() {
        isClosed = true
        channel.close(promise: nil)
    }
}

/// A body that is one buffer, for ``SMTPClientConnection/send(envelope:message:)``.
private struct SingleChunk: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunk: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunk: ByteBuffer?

        mutating func next() async -> ByteBuffer? {
            defer { chunk = nil }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunk: chunk)
    }
}
