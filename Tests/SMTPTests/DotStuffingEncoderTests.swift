import Testing

@testable import SMTP

struct DotStuffingEncoderTests {
    private func stuff(_ chunks: [[UInt8]]) -> [UInt8] {
        var encoder = DotStuffingEncoder()
        var output: [UInt8] = []
        for chunk in chunks {
            encoder.encode(chunk, into: &output)
        }
        encoder.finish(into: &output)
        return output
    }

    @Test(arguments: [
        ("", ".\r\n"),
        ("Hello\r\n", "Hello\r\n.\r\n"),
        ("Hello", "Hello\r\n.\r\n"),
        (".", "..\r\n.\r\n"),
        (".\r\n", "..\r\n.\r\n"),
        ("a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n"),
        ("a.b\r\n", "a.b\r\n.\r\n"),
        ("\r\n.\r\n", "\r\n..\r\n.\r\n"),
        ("a\n.b", "a\n..b\r\n.\r\n"),
        ("a\r.b\r", "a\r..b\r\r\n.\r\n"),
        ("end\n", "end\n\r\n.\r\n"),
        ("end\r", "end\r\r\n.\r\n"),
    ])
    func table(message: String, expected: String) {
        for chunking in standardChunkings([UInt8](message)) {
            #expect(String(bytes: stuff(chunking)) == expected)
        }
    }

    @Test func dotAtLineStartSurvivesEveryChunking() {
        let message = [UInt8]("x\r\n.y\r\n.")
        for chunking in allChunkings(message) {
            #expect(String(bytes: stuff(chunking)) == "x\r\n..y\r\n..\r\n.\r\n")
        }
    }

    @Test func encoderIsReusableAfterFinish() {
        var encoder = DotStuffingEncoder()
        _ = encoder.encode([UInt8]("abc"))
        _ = encoder.finish()
        #expect(String(bytes: encoder.encode([UInt8](".x\r\n")) + encoder.finish()) == "..x\r\n.\r\n")
    }
}
