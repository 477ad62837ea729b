import Testing

@testable import SMTP

struct SMTPReplyParserTests {
    private func parse(_ lines: [String]) throws(SMTPReplyParseError) -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for line in lines {
            if let reply = try parser.parse(line: line) {
                replies.append(reply)
            }
        }
        return replies
    }

    @Test func singleLine() throws {
        #expect(
            try parse(["220 mx.example.com ESMTP ready"]) == [
                SMTPReply(code: 220, lines: ["mx.example.com ESMTP ready"])
            ]
        )
    }

    @Test func multiLine() throws {
        let replies = try parse(["250-mx.example.com", "250-PIPELINING", "250-", "250 SIZE 1000"])
        #expect(replies == [SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING", "", "SIZE 1000"])])
    }

    @Test func bareCodeIsAValidReply() throws {
        #expect(try parse(["250"]) == [SMTPReply(code: 250)])
        #expect(try parse(["250-first", "250"]) == [SMTPReply(code: 250, lines: ["first", ""])])
    }

    @Test func consecutiveReplies() throws {
        let replies = try parse(["250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>"])
        #expect(replies.map(\.code) == [250, 250, 354])
        #expect(replies[1].enhancedStatusCode == SMTPEnhancedStatusCode(2, 1, 5))
    }

    @Test(
        arguments: [
            ("250 2.1.0 Sender ok", SMTPEnhancedStatusCode(2, 1, 0), "Sender ok"),
            ("550 5.7.1 Relaying denied", SMTPEnhancedStatusCode(5, 7, 1), "Relaying denied"),
            ("451 4.4.100 Try later", SMTPEnhancedStatusCode(4, 4, 100), "Try later"),
            ("250 2.0.0", SMTPEnhancedStatusCode(2, 0, 0), ""),
            ("250 5.0.0 class does not match", nil, "5.0.0 class does not match"),
            ("250 2.01.0 leading zero", nil, "2.01.0 leading zero"),
            ("250 2.1.0000 too long", nil, "2.1.0000 too long"),
            ("250 2.1.0Ok", nil, "2.1.0Ok"),
            ("250 3.1.0 bad class", nil, "3.1.0 bad class"),
            ("220 mx.example.com", nil, "mx.example.com"),
        ] as [(String, SMTPEnhancedStatusCode?, String)]
    )
    func enhancedStatusCodes(line: String, code: SMTPEnhancedStatusCode?, text: String) throws {
        let reply = try #require(try parse([line]).first)
        #expect(reply.enhancedStatusCode == code)
        #expect(reply.lines == (text.isEmpty ? [] : [text]))
    }

    @Test func enhancedCodeIsStrippedFromEveryLine() throws {
        let reply = try #require(try parse(["550-5.7.1 first", "550-5.7.1 second", "550 other"]).first)
        #expect(reply.enhancedStatusCode == SMTPEnhancedStatusCode(5, 7, 1))
        #expect(reply.lines == ["first", "second", "other"])
    }

    @Test func mismatchedCodes() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.parse(line: "250-first") == nil)
        #expect(parser.isInsideReply)
        #expect(throws: SMTPReplyParseError.codeMismatch(expected: 250, found: 251)) {
            try parser.parse(line: "251 second")
        }
        #expect(!parser.isInsideReply)
        #expect(try parser.parse(line: "221 bye") == SMTPReply(code: 221, lines: ["bye"]))
    }

    @Test(arguments: [
        "", "25", "2500 x", "250x", "abc def", "150 old preliminary", "650 x", "260 bad second digit", " 250 x",
        "250\tx", "25a x", "250-a\rb",
    ])
    func garbage(line: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParseError.malformedLine(line)) { try parser.parse(line: line) }
    }

    @Test func lineCountIsBounded() throws {
        var parser = SMTPReplyParser(maximumLineCount: 3)
        for _ in 0..<3 {
            #expect(try parser.parse(line: "250-x") == nil)
        }
        #expect(throws: SMTPReplyParseError.tooManyLines(limit: 3)) { try parser.parse(line: "250 x") }
    }

    @Test func bytesAreDecodedAsUTF8() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.parse(line: [UInt8]("250 Grüße")) == SMTPReply(code: 250, lines: ["Grüße"]))
    }

    @Test(arguments: [
        (SMTPReply(code: 250, lines: ["a", "b", "c"]), "250-a\r\n250-b\r\n250 c\r\n"),
        (SMTPReply(code: 250), "250\r\n"),
        (SMTPReply(code: 250, lines: ["a", ""]), "250-a\r\n250\r\n"),
        (SMTPReply(code: 250, lines: ["", "b"]), "250-\r\n250 b\r\n"),
        (SMTPReply(code: 550, SMTPEnhancedStatusCode(5, 7, 1), "Denied"), "550 5.7.1 Denied\r\n"),
        (
            SMTPReply(code: 550, enhancedStatusCode: SMTPEnhancedStatusCode(5, 7, 1), lines: ["a", "b"]),
            "550-5.7.1 a\r\n550 5.7.1 b\r\n"
        ),
        (SMTPReply(code: 250, enhancedStatusCode: SMTPEnhancedStatusCode(2, 0, 0)), "250 2.0.0\r\n"),
    ])
    func serialization(reply: SMTPReply, wire: String) throws {
        #expect(String(bytes: reply.encoded) == wire)
        let lines = wire.split(separator: "\r\n").map(String.init)
        #expect(try parse(lines) == [reply])
    }

    @Test func classification() {
        #expect(SMTPReply(code: 250).isPositive)
        #expect(SMTPReply(code: 354).isPositiveIntermediate)
        #expect(SMTPReply(code: 421).isTransientNegative)
        #expect(SMTPReply(code: 554).isPermanentNegative)
        #expect(!SMTPReply(code: 554).isPositive)
        #expect(SMTPReply(code: 250, lines: ["a", "b"]).description == "250-a\n250 b")
    }
}
