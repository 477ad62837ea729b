import Testing

@testable import SMTP

struct LineFramerTests {
    /// Feeds the chunks, draining lines after each, and records lines and errors in order.
    private func frame(
        _ chunks: [[UInt8]],
        maximumLineLength: Int = SMTPLimits.commandLineLength
    ) -> [Result<String, LineFramingError>] {
        var framer = LineFramer(maximumLineLength: maximumLineLength)
        var results: [Result<String, LineFramingError>] = []
        for chunk in chunks {
            framer.append(chunk)
            while true {
                do {
                    guard let line = try framer.nextLine() else { break }
                    results.append(.success(String(bytes: line)))
                } catch {
                    results.append(.failure(error))
                    if error != .lineTooLong(limit: maximumLineLength) { return results }
                }
            }
        }
        return results
    }

    @Test(
        arguments: [
            ("EHLO x\r\n", [.success("EHLO x")]),
            ("EHLO x\r\nMAIL FROM:<>\r\n", [.success("EHLO x"), .success("MAIL FROM:<>")]),
            ("\r\n", [.success("")]),
            ("partial", []),
            ("partial\r", []),
            ("a\nb\r\n", [.failure(.bareLF)]),
            ("a\rb\r\n", [.failure(.bareCR)]),
            ("ok\r\nbad\n", [.success("ok"), .failure(.bareLF)]),
            ("a\r\r\n", [.failure(.bareCR)]),
        ] as [(String, [Result<String, LineFramingError>])]
    )
    func table(input: String, expected: [Result<String, LineFramingError>]) {
        for chunking in standardChunkings([UInt8](input)) {
            #expect(frame(chunking) == expected)
        }
    }

    @Test func crlfSplitAcrossEveryChunking() {
        for chunking in allChunkings([UInt8]("NOOP\r\nQUIT\r\n")) {
            #expect(frame(chunking) == [.success("NOOP"), .success("QUIT")])
        }
    }

    @Test func limitIncludesCRLF() {
        let fits = String(repeating: "a", count: 510)
        #expect(frame([[UInt8](fits + "\r\n")]) == [.success(fits)])
        for chunking in [[[UInt8](fits + "a\r\nNOOP\r\n")], chunks([UInt8](fits + "a\r\nNOOP\r\n"), size: 100)] {
            #expect(frame(chunking) == [.failure(.lineTooLong(limit: 512)), .success("NOOP")])
        }
    }

    /// The over-long line is consumed up to its CRLF; bare CR or LF inside it do not end it.
    @Test func overlongLineIsDiscardedThroughCRLF() {
        let input = [UInt8](
            String(repeating: "x", count: 20) + "\n\r" + String(repeating: "y", count: 20) + "\r\nQUIT\r\n"
        )
        for chunking in standardChunkings(input) {
            #expect(frame(chunking, maximumLineLength: 16) == [.failure(.lineTooLong(limit: 16)), .success("QUIT")])
        }
    }

    @Test func memoryStaysBounded() throws {
        var framer = LineFramer(maximumLineLength: 64)
        for _ in 0..<1000 {
            framer.append([UInt8](repeating: UInt8(ascii: "z"), count: 100))
            #expect(try framer.nextLine() == nil)
            #expect(framer.bufferedByteCount == 0)
        }
        framer.append([UInt8]("\r\nRSET\r\n"))
        #expect(throws: LineFramingError.lineTooLong(limit: 64)) { try framer.nextLine() }
        #expect(try framer.nextLine() == [UInt8]("RSET"))
    }

    @Test func bufferedBytesCanBeTakenAfterDATA() throws {
        var framer = LineFramer()
        framer.append([UInt8]("DATA\r\nSubject: x\r\n\r\nbody"))
        #expect(try framer.nextLine() == [UInt8]("DATA"))
        #expect(framer.bufferedByteCount == 18)
        #expect(framer.takeBufferedBytes() == [UInt8]("Subject: x\r\n\r\nbody"))
        #expect(framer.bufferedByteCount == 0)
        #expect(try framer.nextLine() == nil)
    }

    @Test func bareLineEndingsAreFatal() {
        var framer = LineFramer()
        framer.append([UInt8]("EHLO x\nQUIT\r\n"))
        #expect(throws: LineFramingError.bareLF) { try framer.nextLine() }
        #expect(throws: LineFramingError.bareLF) { try framer.nextLine() }
    }

    @Test func authLinesMayBeLonger() throws {
        var framer = LineFramer()
        framer.maximumLineLength = SMTPLimits.authLineLength
        let line = "AUTH PLAIN " + String(repeating: "A", count: 4000)
        framer.append([UInt8](line + "\r\n"))
        #expect(try framer.nextLine() == [UInt8](line))
    }

    @Test func replies() {
        #expect(
            LineFramingError.lineTooLong(limit: 512).reply
                == SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 6), "Line too long")
        )
        #expect(LineFramingError.bareLF.reply.code == 500)
    }
}
