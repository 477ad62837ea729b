import SMTP

/// Runs arbitrary client bytes through the server's framing, dot-unstuffing and state machine,
/// as a connection would, and checks what must always hold. For fuzzing (smtp-fuzz) and for
/// replaying the fuzz corpus in tests.
public enum SMTPSessionSimulator {
    public struct Outcome: Sendable {
        public var replies: [SMTPReply] = []
        public var messages = 0
        public var closed = false
    }

    /// The first byte chooses how the rest is cut into reads (1 to 64 bytes), so that every
    /// chunking of framing and unstuffing is reached.
    public static func run(_ input: [UInt8]) -> Outcome {
        guard let first = input.first else { return Outcome() }
        let chunkSize = Int(first % 64) + 1
        var simulator = Simulator()
        var index = 1
        while index < input.count, !simulator.outcome.closed {
            let end = min(index + chunkSize, input.count)
            simulator.receive(input[index..<end])
            index = end
        }
        return simulator.outcome
    }

    private struct Simulator {
        var machine = SMTPServerStateMachine(
            configuration: .init(
                hostname: "fuzz.test",
                maximumMessageSize: 4096,
                maximumRecipients: 8,
                offersStartTLS: true
            )
        )
        var lines = LineFramer()
        var decoder: DotUnstuffingDecoder?
        var messageSize = 0
        var outcome = Outcome()

        init() {
            perform(machine.accept())
        }

        mutating func receive(_ bytes: ArraySlice<UInt8>) {
            if decoder != nil {
                receiveData(bytes)
            } else {
                lines.append(bytes)
                readCommands()
            }
        }

        mutating func readCommands() {
            while !outcome.closed, decoder == nil {
                do {
                    guard let line = try lines.nextLine() else { return }
                    perform(machine.received(line))
                } catch {
                    perform(machine.framingFailed(error))
                }
            }
            if decoder != nil { receiveData(lines.takeBufferedBytes()[...]) }
        }

        mutating func receiveData(_ bytes: ArraySlice<UInt8>) {
            guard var decoder else { return }
            var body: [UInt8] = []
            do {
                let progress = try decoder.decode(bytes, into: &body)
                messageSize += body.count
                self.decoder = decoder
                if case .complete(let leftover) = progress {
                    self.decoder = nil
                    perform(machine.dataReceived(size: messageSize, violation: decoder.violation))
                    lines.append(leftover)
                    readCommands()
                }
            } catch {
                self.decoder = nil
                perform(machine.dataFailed(error))
            }
        }

        /// Carries out an action with a delegate that accepts everything but recipients whose
        /// address starts with "x" — both branches of every decision are reached.
        mutating func perform(_ action: SMTPServerStateMachine.Action) {
            switch action {
            case .reply(let reply), .replyAndClose(let reply), .abortTransaction(then: let reply):
                send(reply)
            case .decideMail:
                perform(machine.mailDecided(SMTPReply(code: 250, .init(2, 1, 0), "Ok")))
            case .decideRecipient(let recipient, _):
                let accepted = !recipient.description.hasPrefix("x")
                perform(
                    machine.recipientDecided(
                        accepted
                            ? SMTPReply(code: 250, .init(2, 1, 5), "Ok") : SMTPReply(code: 550, .init(5, 1, 1), "No")
                    )
                )
            case .decideData:
                perform(machine.dataDecided(SMTPReply(code: 354, lines: ["Go ahead"])))
                if machine.isReceivingData {
                    decoder = DotUnstuffingDecoder()
                    messageSize = 0
                }
            case .decideMessage:
                outcome.messages += 1
                perform(machine.messageDecided(SMTPReply(code: 250, .init(2, 0, 0), "Ok: queued")))
            case .startTLS(let reply):
                send(reply)
                // As the framer does: what was sent behind STARTTLS is not executed.
                if !lines.takeBufferedBytes().isEmpty {
                    outcome.closed = true
                    return
                }
                machine.tlsEstablished()
            }
            if machine.isClosed { outcome.closed = true }
        }

        mutating func send(_ reply: SMTPReply) {
            // A reply is lines of text ending in CRLF; client bytes must never break that.
            let encoded = reply.encoded
            precondition(encoded.count >= 5 && encoded.suffix(2) == [13, 10], "reply not CRLF-terminated: \(reply)")
            for (index, byte) in encoded.enumerated() where byte == 13 || byte == 10 {
                let isCRLF =
                    byte == 13
                    ? encoded.indices.contains(index + 1) && encoded[index + 1] == 10
                    : index > 0 && encoded[index - 1] == 13
                precondition(isCRLF, "bare CR or LF in a reply: \(reply)")
            }
            precondition((200...599).contains(reply.code), "reply code out of range: \(reply.code)")
            outcome.replies.append(reply)
        }
    }
}
