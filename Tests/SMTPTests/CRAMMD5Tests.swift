import Testing

@testable import SMTP

struct CRAMMD5Tests {
    private let credentials = SASLCredentials(username: "tim", password: "tanstaaftanstaaf")

    /// RFC 2195 §2.
    @Test func rfc2195Example() throws {
        var client = try SASLClient(mechanism: .cramMD5, credentials: credentials)
        #expect(client.initialResponse() == nil)
        let challenge = try SASLWire.decodeChallenge("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
        #expect(String(bytes: challenge) == "<1896.697170952@postoffice.reston.mci.net>")
        let response = try client.respond(to: challenge)
        #expect(String(bytes: response) == "tim b913a602c7eda7a495b4e6e7334d3890")
        #expect(SASLWire.encodeResponse(response) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
        try client.complete()
        #expect(!client.isServerVerified)
    }

    @Test func emptyChallengeIsAnError() throws {
        var client = try SASLClient(mechanism: .cramMD5, credentials: credentials)
        #expect(throws: SASLError.emptyChallenge) { try client.respond(to: []) }
    }

    @Test func secondChallengeIsUnexpected() throws {
        var client = try SASLClient(mechanism: .cramMD5, credentials: credentials)
        _ = try client.respond(to: [UInt8]("<1@x>"))
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: [UInt8]("<2@x>")) }
    }
}
