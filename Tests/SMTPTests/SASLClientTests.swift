import Testing

@testable import SMTP

struct SASLClientTests {
    private let credentials = SASLCredentials(username: "user", password: "s3cret")

    /// RFC 4616 §2 with an empty authzid.
    @Test func plainInitialResponse() throws {
        var client = try SASLClient(mechanism: .plain, credentials: credentials)
        let initial = client.initialResponse()
        let response = try #require(initial)
        #expect(response == [0] + [UInt8]("user") + [0] + [UInt8]("s3cret"))
        #expect(SASLWire.encodeInitialResponse(response) == "AHVzZXIAczNjcmV0")
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: []) }
        try client.complete()
        #expect(!client.isServerVerified)
    }

    /// A server may answer `AUTH PLAIN` without initial response with an empty `334` (RFC 4954 §4).
    @Test func plainWithoutInitialResponse() throws {
        var client = try SASLClient(mechanism: .plain, credentials: credentials)
        #expect(try client.respond(to: []) == [0] + [UInt8]("user") + [0] + [UInt8]("s3cret"))
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: []) }
    }

    @Test func plainRejectsNUL() {
        #expect(throws: SASLError.invalidUsername) {
            try SASLClient(mechanism: .plain, credentials: SASLCredentials(username: "a\0b", password: "p"))
        }
        #expect(throws: SASLError.invalidPassword) {
            try SASLClient(mechanism: .plain, credentials: SASLCredentials(username: "a", password: "p\0"))
        }
    }

    /// LOGIN answers by position; the prompt text does not matter.
    @Test(arguments: [("VXNlcm5hbWU6", "UGFzc3dvcmQ6"), ("dXNlcm5hbWU=", "cGFzc3dvcmQ="), ("", "")])
    func login(usernamePrompt: String, passwordPrompt: String) throws {
        var client = try SASLClient(mechanism: .login, credentials: credentials)
        #expect(client.initialResponse() == nil)
        let first = try client.respond(to: try SASLWire.decodeChallenge(usernamePrompt))
        #expect(SASLWire.encodeResponse(first) == "dXNlcg==")
        let second = try client.respond(to: try SASLWire.decodeChallenge(passwordPrompt))
        #expect(SASLWire.encodeResponse(second) == "czNjcmV0")
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: []) }
        try client.complete()
    }

    @Test(arguments: ["not base64", "VXNlcm5hbWU", "VXNlcm5hbWU6 ", "*"])
    func nonBase64ChallengeIsRejected(text: String) {
        #expect(throws: SASLError.invalidChallengeEncoding) { try SASLWire.decodeChallenge(text) }
    }

    @Test func wireSpecials() throws {
        #expect(try SASLWire.decodeChallenge("") == [])
        #expect(SASLWire.encodeResponse([]) == "")
        #expect(SASLWire.encodeInitialResponse([]) == "=")
        #expect(SASLWire.cancel == "*")
    }

    @Test func descriptionsNeverContainThePassword() throws {
        let secret = SASLCredentials(username: "user", password: "hunter2-very-secret")
        #expect(!secret.description.contains("hunter2"))
        for mechanism in SASLMechanism.allCases {
            var client = try SASLClient(mechanism: mechanism, credentials: secret, scramNonce: "abc")
            _ = client.initialResponse()
            do {
                _ = try client.respond(to: [UInt8]("r=abcdef,s=QSXCR+Q6sek8bf92,i=1"))
                _ = try client.respond(to: [UInt8]("v=AAAA"))
            } catch {
                #expect(!error.description.contains("hunter2"))
            }
        }
    }
}
