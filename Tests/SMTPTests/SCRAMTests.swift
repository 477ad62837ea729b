import Testing

@testable import SMTP

struct SCRAMTests {
    private static let credentials = SASLCredentials(username: "user", password: "pencil")
    private static let sha1Nonce = "fyko+d2lbbFgONRv9qkxdawL"
    private static let sha1ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"

    /// RFC 5802 §5.
    @Test func rfc5802SCRAMSHA1Exchange() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        let initial = client.initialResponse()
        let clientFirst = try #require(initial)
        #expect(String(bytes: clientFirst) == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")

        let clientFinal = try client.respond(to: [UInt8](Self.sha1ServerFirst))
        #expect(
            String(bytes: clientFinal)
                == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
        )
        #expect(!client.isServerVerified)
        #expect(throws: SASLError.serverNotVerified) { try client.complete() }

        #expect(try client.respond(to: [UInt8]("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")) == [])
        #expect(client.isServerVerified)
        try client.complete()
    }

    /// RFC 7677 §3.
    @Test func rfc7677SCRAMSHA256Exchange() throws {
        var client = try SASLClient(
            mechanism: .scramSHA256,
            credentials: Self.credentials,
            scramNonce: "rOprNGfwEbeRWgbNEkqO"
        )
        #expect(client.initialResponse().map(String.init(bytes:)) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let clientFinal = try client.respond(to: [UInt8](serverFirst))
        #expect(
            String(bytes: clientFinal)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        _ = try client.respond(to: [UInt8]("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
        #expect(client.isServerVerified)
        try client.complete()
    }

    /// Over SMTP the server-first message may come as a 334 with base64 text (RFC 4954 §4).
    @Test func wireFormOfRFC5802Exchange() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        #expect(
            client.initialResponse().map(SASLWire.encodeInitialResponse)
                == "biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM"
        )
        let challenge = try SASLWire.decodeChallenge(SASLWire.encodeResponse([UInt8](Self.sha1ServerFirst)))
        #expect(try client.respond(to: challenge).count > 0)
    }

    /// Without an initial response, the server's empty challenge asks for the client-first message.
    @Test func clientFirstOnEmptyChallenge() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        #expect(String(bytes: try client.respond(to: [])) == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
    }

    /// Unknown attributes after `i=` are extensions to ignore (RFC 5802 §7); the AuthMessage still
    /// covers the server-first message verbatim, so the proof changes.
    @Test func unknownExtensionAttributesAreIgnored() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        _ = client.initialResponse()
        let clientFinal = String(bytes: try client.respond(to: [UInt8](Self.sha1ServerFirst + ",x=future")))
        #expect(clientFinal.hasPrefix("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p="))
        #expect(!clientFinal.hasSuffix("p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
    }

    @Test func unknownAttributesInServerFinalAreIgnored() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        _ = client.initialResponse()
        _ = try client.respond(to: [UInt8](Self.sha1ServerFirst))
        _ = try client.respond(to: [UInt8]("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,y=whatever"))
        #expect(client.isServerVerified)
    }

    @Test(arguments: [
        ("s=QSXCR+Q6sek8bf92,i=4096", SASLError.missingAttribute("r")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,i=4096", .missingAttribute("s")),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92", .missingAttribute("i")),
        ("i=4096,s=QSXCR+Q6sek8bf92,r=fyko+d2lbbFgONRv9qkxdawL3rfc", .missingAttribute("r")),
        ("r=somebodyElse,s=QSXCR+Q6sek8bf92,i=4096", .serverNonceMismatch),
        ("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", .serverNonceMismatch),
        ("r=fyko+d2lbbFgONRv9qkxdaw,s=QSXCR+Q6sek8bf92,i=4096", .serverNonceMismatch),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=0", .invalidIterationCount),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=abc", .invalidIterationCount),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=-1", .invalidIterationCount),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=1000001", .iterationCountTooLarge(limit: 1_000_000)),
        (
            "r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=99999999999999999999999",
            .iterationCountTooLarge(limit: 1_000_000)
        ),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf9,i=4096", .invalidSalt),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=!!!!,i=4096", .invalidSalt),
        ("m=required,r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096", .mandatoryExtension),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=QSXCR+Q6sek8bf92,i=4096,m=x", .mandatoryExtension),
        ("", .malformedServerMessage),
        ("garbage", .malformedServerMessage),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,,s=QSXCR+Q6sek8bf92,i=4096", .malformedServerMessage),
        ("r=fyko+d2lbbFgONRv9qkxdawL3rfc,s=,i=4096", .malformedServerMessage),
    ])
    func malformedServerFirst(message: String, error: SASLError) throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        _ = client.initialResponse()
        #expect(throws: error) { try client.respond(to: [UInt8](message)) }
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: [UInt8](Self.sha1ServerFirst)) }
    }

    @Test(arguments: [
        ("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=", SASLError.serverSignatureMismatch),
        ("v=rmF9pqV8S7suAoZWja4dJRkFsKQ", .malformedServerMessage),
        ("v=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", .serverSignatureMismatch),
        ("e=invalid-proof", .serverError("invalid-proof")),
        ("e=other-error,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", .serverError("other-error")),
        ("", .malformedServerMessage),
        ("r=fyko", .malformedServerMessage),
        ("m=x,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", .mandatoryExtension),
    ])
    func badServerFinal(message: String, error: SASLError) throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        _ = client.initialResponse()
        _ = try client.respond(to: [UInt8](Self.sha1ServerFirst))
        #expect(throws: error) { try client.respond(to: [UInt8](message)) }
        #expect(!client.isServerVerified)
        #expect(throws: SASLError.serverNotVerified) { try client.complete() }
    }

    @Test func serverErrorDescriptionCarriesServerMessage() {
        #expect(SASLError.serverError("invalid-proof").description.contains("invalid-proof"))
    }

    @Test func usernameIsEscaped() throws {
        var client = try SASLClient(
            mechanism: .scramSHA256,
            credentials: SASLCredentials(username: "a=b,c", password: "p"),
            scramNonce: "n"
        )
        #expect(client.initialResponse().map(String.init(bytes:)) == "n,,n=a=3Db=2Cc,r=n")
    }

    @Test(arguments: ["", "us\u{1}er", "user\u{7F}", "us\u{85}er", "tab\there"])
    func invalidUsernames(username: String) {
        #expect(throws: SASLError.invalidUsername) {
            try SASLClient(mechanism: .scramSHA1, credentials: SASLCredentials(username: username, password: "p"))
        }
    }

    @Test func utf8UsernameIsAccepted() throws {
        var client = try SASLClient(
            mechanism: .scramSHA1,
            credentials: SASLCredentials(username: "jürgen", password: "p"),
            scramNonce: "n"
        )
        #expect(client.initialResponse().map(String.init(bytes:)) == "n,,n=jürgen,r=n")
    }

    @Test(arguments: ["", "a,b", "sp ace", "caf\u{E9}"])
    func invalidInjectedNonces(nonce: String) {
        #expect(throws: SASLError.invalidNonce) {
            try SASLClient(mechanism: .scramSHA256, credentials: Self.credentials, scramNonce: nonce)
        }
    }

    @Test func randomNoncesAre24BytesOfBase64() throws {
        var first = try SASLClient(mechanism: .scramSHA256, credentials: Self.credentials)
        var second = try SASLClient(mechanism: .scramSHA256, credentials: Self.credentials)
        let firstResponse = first.initialResponse()
        let secondResponse = second.initialResponse()
        let a = String(bytes: try #require(firstResponse))
        let b = String(bytes: try #require(secondResponse))
        let nonce = try #require(a.split(separator: "r=").last)
        #expect(Base64.decode(nonce)?.count == 24)
        #expect(a != b)
    }

    @Test func challengeAfterVerificationIsUnexpected() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        _ = client.initialResponse()
        _ = try client.respond(to: [UInt8](Self.sha1ServerFirst))
        _ = try client.respond(to: [UInt8]("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: []) }
        #expect(client.isServerVerified)
    }

    @Test func serverFirstBeforeClientFirstIsUnexpected() throws {
        var client = try SASLClient(mechanism: .scramSHA1, credentials: Self.credentials, scramNonce: Self.sha1Nonce)
        #expect(throws: SASLError.unexpectedChallenge) { try client.respond(to: [UInt8](Self.sha1ServerFirst)) }
    }

    @Test func constantTimeEquals() {
        #expect(SCRAM.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!SCRAM.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!SCRAM.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(SCRAM.constantTimeEquals([], []))
    }
}
