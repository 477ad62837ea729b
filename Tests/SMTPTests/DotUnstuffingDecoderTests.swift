import Testing

@testable import SMTP

struct DotUnstuffingDecoderTests {
    struct Outcome: Equatable {
        var body: [UInt8]
        var leftover: [UInt8]?
        var violation: SMTPDataViolation?
    }

    private func decode(_ chunks: [[UInt8]], maximumLineLength: Int = SMTPLimits.textLineLength) -> Outcome {
        var decoder = DotUnstuffingDecoder(maximumLineLength: maximumLineLength)
        var body: [UInt8] = []
        do {
            for (index, chunk) in chunks.enumerated() {
                if case .complete(let leftover) = try decoder.decode(chunk, into: &body) {
                    let rest = leftover + chunks[(index + 1)...].joined()
                    return Outcome(body: body, leftover: rest, violation: decoder.violation)
                }
            }
            return Outcome(body: body, leftover: nil, violation: decoder.violation)
        } catch {
            return Outcome(body: body, leftover: nil, violation: error)
        }
    }

    @Test(arguments: [
        (".\r\n", "", ""),
        ("Hello\r\n.\r\n", "Hello\r\n", ""),
        ("\r\n.\r\n", "\r\n", ""),
        ("a\r\n..b\r\n...\r\n.\r\n", "a\r\n.b\r\n..\r\n", ""),
        ("..\r\n.\r\n", ".\r\n", ""),
        (".x\r\n.\r\n", "x\r\n", ""),
        ("a\r\n.\r\nQUIT\r\n", "a\r\n", "QUIT\r\n"),
        (".\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n", "", "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"),
        ("a.\r\n.\r\n", "a.\r\n", ""),
    ])
    func completes(input: String, body: String, leftover: String) {
        for chunking in standardChunkings([UInt8](input)) {
            #expect(decode(chunking) == Outcome(body: [UInt8](body), leftover: [UInt8](leftover)))
        }
    }

    @Test(arguments: ["", "Hello\r\n", "a\r\n.", "a\r\n.\r", "a\r\n..\r\n", "a\r"])
    func needsMoreData(input: String) {
        for chunking in standardChunkings([UInt8](input)) {
            #expect(decode(chunking).leftover == nil)
            #expect(decode(chunking).violation == nil)
        }
    }

    /// None of the line-ending variants used for SMTP smuggling may end the message.
    @Test(
        arguments: [
            ("a\n.\n", SMTPDataViolation.bareLF),
            ("a\r\n.\n", .bareLF),
            ("a\n.\r\n", .bareLF),
            ("a\r.\r", .bareCR),
            ("a\r.\r\n", .bareCR),
            ("a\r\n.\r", nil),
            ("a\r\n.\rX", .bareCR),
            ("a\r\n.\r.\r\n", .bareCR),
            ("\n", .bareLF),
            ("\r\r\n", .bareCR),
            ("a\rb\r\n.\r\n", .bareCR),
            ("a\nb\r\n.\r\n", .bareLF),
            (".\n", .bareLF),
            ("a\r\n\r\n.\n\r\n.\r\n", .bareLF),
        ] as [(String, SMTPDataViolation?)]
    )
    func smuggling(input: String, violation: SMTPDataViolation?) {
        for chunking in standardChunkings([UInt8](input)) {
            let outcome = decode(chunking)
            #expect(outcome.leftover == nil)
            #expect(outcome.violation == violation)
        }
    }

    @Test func failedDecoderStaysFailed() {
        var decoder = DotUnstuffingDecoder()
        var body: [UInt8] = []
        #expect(throws: SMTPDataViolation.bareLF) { try decoder.decode([UInt8]("a\n"), into: &body) }
        #expect(throws: SMTPDataViolation.bareLF) { try decoder.decode([UInt8](".\r\n"), into: &body) }
        #expect(throws: SMTPDataViolation.bareLF) { try decoder.decode([], into: &body) }
    }

    @Test func terminatorSplitAcrossEveryChunking() {
        let input = [UInt8]("x\r\n.\r\nNOOP")
        for chunking in allChunkings(input) {
            #expect(decode(chunking) == Outcome(body: [UInt8]("x\r\n"), leftover: [UInt8]("NOOP")))
        }
    }

    @Test func lineLengthLimit() {
        let fits = String(repeating: "a", count: 998) + "\r\n"
        #expect(decode([[UInt8](fits + ".\r\n")]) == Outcome(body: [UInt8](fits), leftover: []))
        let stuffedFits = "." + fits
        #expect(decode([[UInt8](stuffedFits + ".\r\n")]).violation == nil)

        let tooLong = String(repeating: "a", count: 999) + "\r\nnext\r\n.\r\nQUIT\r\n"
        for chunking in [chunks([UInt8](tooLong), size: 7), [[UInt8](tooLong)]] {
            let outcome = decode(chunking)
            #expect(outcome.violation == .lineTooLong(limit: 1000))
            #expect(outcome.leftover == [UInt8]("QUIT\r\n"))
            #expect(outcome.body.count <= 998)
        }
    }

    /// The decoder keeps no buffer: an endless line costs nothing but a counter.
    @Test func endlessLineIsNotBuffered() throws {
        var decoder = DotUnstuffingDecoder(maximumLineLength: 10)
        var body: [UInt8] = []
        for _ in 0..<100 {
            #expect(
                try decoder.decode([UInt8](repeating: UInt8(ascii: "x"), count: 1000), into: &body) == .needMoreData
            )
        }
        #expect(body.count == 8)
        #expect(decoder.violation == .lineTooLong(limit: 10))
        #expect(try decoder.decode([UInt8]("\r\n.\r\n"), into: &body) == .complete(leftover: []))
    }

    @Test func violationReplies() {
        #expect(SMTPDataViolation.bareLF.reply.code == 550)
        #expect(SMTPDataViolation.bareLF.reply.enhancedStatusCode == SMTPEnhancedStatusCode(5, 6, 11))
        #expect(SMTPDataViolation.lineTooLong(limit: 1000).reply.enhancedStatusCode == SMTPEnhancedStatusCode(5, 5, 6))
    }

    /// Stuffing then unstuffing gives back the message, whatever the chunking on either side.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func roundTripOfRandomMessages(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<25 {
            let message = randomMessage(using: &generator)
            var encoder = DotStuffingEncoder()
            var wire: [UInt8] = []
            for chunk in chunks(message, size: Int.random(in: 1...64, using: &generator)) {
                encoder.encode(chunk, into: &wire)
            }
            encoder.finish(into: &wire)
            wire.append(contentsOf: [UInt8]("QUIT\r\n"))

            var expected = message
            if !message.isEmpty, !(message.suffix(2) == [13, 10]) {
                expected.append(contentsOf: [13, 10])
            }
            for size in [1, 2, 3, Int.random(in: 4...200, using: &generator), wire.count] {
                #expect(decode(chunks(wire, size: size)) == Outcome(body: expected, leftover: [UInt8]("QUIT\r\n")))
            }
        }
    }

    @Test(arguments: ["Hi\r\n.\r\n", "..\r\n", ".", "a\r\n.", ""])
    func roundTripOfSamplesInEveryChunking(message: String) {
        var encoder = DotStuffingEncoder()
        let wire = encoder.encode([UInt8](message)) + encoder.finish()
        var expected = [UInt8](message)
        if !message.isEmpty, !message.hasSuffix("\r\n") {
            expected += [13, 10]
        }
        for chunking in allChunkings(wire) {
            #expect(decode(chunking) == Outcome(body: expected, leftover: []))
        }
    }

    /// Random lines of random bytes without bare CR or LF, dots heavily over-represented.
    private func randomMessage(using generator: inout SeededGenerator) -> [UInt8] {
        var message: [UInt8] = []
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            for _ in 0..<Int.random(in: 0...80, using: &generator) {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: message.append(UInt8(ascii: "."))
                default:
                    var byte: UInt8
                    repeat { byte = .random(in: .min ... .max, using: &generator) } while byte == 13 || byte == 10
                    message.append(byte)
                }
            }
            message.append(contentsOf: [13, 10])
        }
        if Bool.random(using: &generator) {
            message.append(contentsOf: [UInt8](".tail"))
        }
        return message
    }
}
