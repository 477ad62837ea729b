import Testing

@testable import SMTP

struct EHLOCapabilitiesTests {
    private func capabilities(_ lines: [String]) throws -> EHLOCapabilities {
        try #require(EHLOCapabilities(reply: SMTPReply(code: 250, lines: lines)))
    }

    @Test func typicalReply() throws {
        let capabilities = try capabilities([
            "mx.example.com Hello client [10.0.0.1]", "PIPELINING", "SIZE 35882577", "8BITMIME",
            "SMTPUTF8", "ENHANCEDSTATUSCODES", "STARTTLS", "AUTH PLAIN LOGIN SCRAM-SHA-256", "CHUNKING",
        ])
        #expect(capabilities.domain == "mx.example.com")
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.supportsSize)
        #expect(capabilities.maximumMessageSize == 35_882_577)
        #expect(capabilities.supports8BitMIME)
        #expect(capabilities.supportsSMTPUTF8)
        #expect(capabilities.supportsEnhancedStatusCodes)
        #expect(capabilities.supportsStartTLS)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN", "SCRAM-SHA-256"])
        #expect(capabilities.saslMechanisms == [.plain, .login, .scramSHA256])
        #expect(capabilities.contains("chunking"))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let capabilities = try capabilities(["mx", "pipelining", "StartTLS", "auth cram-md5 Plain", "size 100"])
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.supportsStartTLS)
        #expect(capabilities.authMechanisms == ["CRAM-MD5", "PLAIN"])
        #expect(capabilities.maximumMessageSize == 100)
        #expect(capabilities.parameters(for: "Auth") == ["CRAM-MD5", "PLAIN"])
    }

    @Test func obsoleteAuthEqualsFormIsMerged() throws {
        let capabilities = try capabilities(["mx", "AUTH LOGIN PLAIN", "AUTH=LOGIN PLAIN CRAM-MD5"])
        #expect(capabilities.authMechanisms == ["LOGIN", "PLAIN", "CRAM-MD5"])
        #expect(try self.capabilities(["mx", "auth=login"]).authMechanisms == ["LOGIN"])
    }

    @Test(arguments: [["mx"], ["mx", "SIZE"], ["mx", "SIZE 0"], ["mx", "SIZE abc"]])
    func sizeWithoutLimit(lines: [String]) throws {
        #expect(try capabilities(lines).maximumMessageSize == nil)
    }

    @Test func sizeKeywordWithoutLimitIsStillSupported() throws {
        #expect(try capabilities(["mx", "SIZE"]).supportsSize)
        #expect(try !capabilities(["mx"]).supportsSize)
    }

    @Test func malformedLinesAreSkipped() throws {
        let capabilities = try capabilities(["mx", "-BAD", "X_UNDERSCORE", "", "8BITMIME"])
        #expect(capabilities.extensions.keys.sorted() == ["8BITMIME"])
    }

    @Test func nonEHLORepliesAreRejected() {
        #expect(EHLOCapabilities(reply: SMTPReply(code: 502, lines: ["not implemented"])) == nil)
        #expect(EHLOCapabilities(reply: SMTPReply(code: 250)) != nil)
    }
}
