import Logging
import NIOCore
import SMTP

/// Drives one connection: runs the state machine over the framer's frames, asks the delegate
/// where it must, and writes replies — batched while the client pipelines, flushed when its
/// batch ends (RFC 2920).
struct SMTPSession {
    let channel: NIOAsyncChannel<SMTPServerFrame, ByteBuffer>
    let configuration: SMTPServerConfiguration
    let delegate: any SMTPServerDelegate
    let info: SMTPConnectionInfo
    let logger: Logger

    func run() async {
        let decision = await delegate.openSession(info)
        var session: (any SMTPSessionDelegate)?
        if case .accept(let accepted) = decision { session = accepted }
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await serve(decision: decision, session: session, inbound: inbound, outbound: outbound)
            }
        } catch {
            logger.debug("SMTP session ended with an error", metadata: ["error": "\(error)"])
        }
        await session?.close()
    }

    private func serve(
        decision: SMTPSessionDecision,
        session: (any SMTPSessionDelegate)?,
        inbound: NIOAsyncChannelInboundStream<SMTPServerFrame>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        var machine = SMTPServerStateMachine(configuration: configuration.stateMachine)
        var pending: [ByteBuffer] = []
        var draining = false
        var messageSize = 0

        func queue(_ reply: SMTPReply) {
            pending.append(channel.channel.allocator.buffer(bytes: reply.encoded))
        }
        func flush() async throws {
            guard !pending.isEmpty else { return }
            try await outbound.write(contentsOf: pending)
            pending.removeAll()
        }
        /// Carries out an action and the ones the delegate's answers lead to. Returns whether
        /// the framer now reads message data or TLS.
        func perform(_ action: SMTPServerStateMachine.Action) async throws -> Bool {
            switch action {
            case .reply(let reply), .replyAndClose(let reply):
                queue(reply)
            case .decideMail(let sender, let parameters):
                let reply = await session?.mail(from: sender, parameters: parameters) ?? Self.unavailable
                return try await perform(machine.mailDecided(reply))
            case .decideRecipient(let recipient, let parameters):
                let reply = await session?.recipient(recipient, parameters: parameters) ?? Self.unavailable
                return try await perform(machine.recipientDecided(reply))
            case .decideData:
                let reply = await session?.data() ?? Self.unavailable
                _ = try await perform(machine.dataDecided(reply))
                if machine.isReceivingData {
                    messageSize = 0
                    try await flush()
                    try await channel.channel.triggerUserOutboundEvent(SMTPServerFramerCommand.readData).get()
                    return true
                }
            case .decideMessage:
                let reply = await session?.messageComplete() ?? Self.unavailable
                return try await perform(machine.messageDecided(reply))
            case .abortTransaction(let reply):
                await session?.abortTransaction()
                queue(reply)
            case .startTLS(let reply):
                try await flush()
                let bytes = channel.channel.allocator.buffer(bytes: reply.encoded)
                try await channel.channel.triggerUserOutboundEvent(SMTPServerFramerCommand.startTLS(reply: bytes)).get()
                machine.tlsEstablished()
                return true
            }
            return false
        }

        switch decision {
        case .accept:
            _ = try await perform(machine.accept())
        case .refuse(let reason):
            _ = try await perform(machine.refuse(reason))
            let channel = self.channel.channel
            channel.eventLoop.scheduleTask(in: configuration.refusedConnectionTimeout) { channel.close(promise: nil) }
        }
        try await flush()

        for try await frame in inbound {
            var endOfBatch = true
            switch frame {
            case .command(let line, let pipelined):
                endOfBatch = !pipelined
                let switched = try await perform(machine.received(line))
                if SMTPServerFramer.holdsInput(after: line) && !switched {
                    try await flush()
                    try await channel.channel.triggerUserOutboundEvent(SMTPServerFramerCommand.readCommands).get()
                }
            case .framingFailed(let error, let pipelined):
                endOfBatch = !pipelined
                _ = try await perform(machine.framingFailed(error))
            case .dataChunk(let chunk):
                messageSize += chunk.readableBytes
                // Past the limit the data is read and dropped; the reply at its end refuses it.
                if messageSize <= configuration.maximumMessageSize { await session?.messageData(chunk) }
                endOfBatch = false
            case .dataEnd(let violation):
                _ = try await perform(machine.dataReceived(size: messageSize, violation: violation))
            case .dataFailed(let violation):
                _ = try await perform(machine.dataFailed(violation))
            case .plaintextAfterStartTLS:
                logger.warning(
                    "plaintext after STARTTLS: closing (possible command injection)",
                    metadata: ["client": "\(info.clientAddress)"]
                )
                return
            case .idleTimeout:
                _ = try await perform(machine.timedOut())
            case .drain:
                draining = true
            }
            if draining, let action = machine.drain() {
                _ = try await perform(action)
            }
            if endOfBatch || machine.isClosed { try await flush() }
            if machine.isClosed { return }
        }
        if !machine.isIdle { await session?.abortTransaction() }
    }

    /// The reply when a refused connection still reaches a decision (it cannot: the state machine
    /// serves only QUIT there).
    private static let unavailable = SMTPReply(code: 451, .init(4, 3, 0), "Service unavailable")
}
