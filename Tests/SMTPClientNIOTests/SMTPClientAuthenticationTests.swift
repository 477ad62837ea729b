import Crypto
import Foundation
import SMTP
import SMTPClientNIO
import Testing

@Suite("SMTPClientConnection AUTH", .timeLimit(.minutes(1)))
struct SMTPClientAuthenticationTests {
    static func script(_ sasl: FakeSASLServer, offered: String? = nil) -> FakeSMTPServer.Script {
        var script = FakeSMTPServer.Script()
        script.extensions = ["PIPELINING", "AUTH \(offered ?? sasl.name)"]
        script.authentication = sasl
        return script
    }

    static func authenticate(
        _ script: FakeSMTPServer.Script,
        _ authentication: SMTPAuthentication
    ) async throws -> (error: SMTPClientError?, commands: [String], mechanism: SASLMechanism?) {
        try await withFakeServer(script) { server in
            do {
                let connection = try await TestSupport.connect(
                    TestSupport.configuration(server, authentication: authentication)
                )
                let mechanism = await connection.authenticatedMechanism
                #expect(try await connection.noop().code == 250)
                await connection.close()
                return (nil, server.allCommands, mechanism)
            } catch let error as SMTPClientError {
                return (error, server.allCommands, nil)
            }
        }
    }

    @Test func plainSendsTheInitialResponseOnTheAuthLine() async throws {
        let sasl = FakeSASLServer(username: "user", password: "pencil", mechanism: .plain)
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil", allowInsecureAuth: true)
        )
        #expect(outcome.error == nil)
        #expect(outcome.mechanism == .plain)
        #expect(outcome.commands.contains("AUTH PLAIN AHVzZXIAcGVuY2ls"))
    }

    @Test func loginAnswersBothPrompts() async throws {
        let sasl = FakeSASLServer(username: "user", password: "pencil", mechanism: .login)
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil", allowInsecureAuth: true)
        )
        #expect(outcome.error == nil)
        #expect(outcome.mechanism == .login)
        #expect(Array(outcome.commands.dropFirst().prefix(3)) == ["AUTH LOGIN", "dXNlcg==", "cGVuY2ls"])
    }

    @Test func cramMD5MatchesRFC2195() async throws {
        let sasl = FakeSASLServer(
            username: "tim",
            password: "tanstaaftanstaaf",
            mechanism: .cramMD5(challenge: "<1896.697170952@postoffice.reston.mci.net>")
        )
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "tim", password: "tanstaaftanstaaf")
        )
        #expect(outcome.error == nil)
        #expect(outcome.mechanism == .cramMD5)
        // RFC 2195 §2: "tim b913a602c7eda7a495b4e6e7334d3890".
        #expect(outcome.commands.contains("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"))
    }

    @Test(arguments: [SASLMechanism.scramSHA1, .scramSHA256])
    func scramVerifiesTheServer(mechanism: SASLMechanism) async throws {
        let options = FakeSASLServer.ScramOptions()
        let sasl = FakeSASLServer(
            username: "user",
            password: "pencil",
            mechanism: mechanism == .scramSHA1 ? .scramSHA1(options) : .scramSHA256(options)
        )
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil")
        )
        #expect(outcome.error == nil)
        #expect(outcome.mechanism == mechanism)
        // The final empty response acknowledges the server's v= (RFC 4954 §4).
        #expect(outcome.commands.contains(""))
    }

    @Test(arguments: [SASLMechanism.scramSHA1, .scramSHA256])
    func scramSuccessWithoutServerSignatureIsAFailure(mechanism: SASLMechanism) async throws {
        var options = FakeSASLServer.ScramOptions()
        options.serverFinal = .omitted
        let sasl = FakeSASLServer(
            username: "user",
            password: "pencil",
            mechanism: mechanism == .scramSHA1 ? .scramSHA1(options) : .scramSHA256(options)
        )
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil")
        )
        #expect(outcome.error?.kind == .authenticationFailed)
        #expect(outcome.error?.saslError == .serverNotVerified)
        #expect(outcome.error?.reply?.code == 235)
        #expect(!outcome.commands.contains { $0.hasPrefix("MAIL") || $0 == "NOOP" })
    }

    @Test func scramWrongServerSignatureCancelsTheExchange() async throws {
        var options = FakeSASLServer.ScramOptions()
        options.serverFinal = .wrong
        let sasl = FakeSASLServer(username: "user", password: "pencil", mechanism: .scramSHA256(options))
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil")
        )
        #expect(outcome.error?.saslError == .serverSignatureMismatch)
        #expect(outcome.error?.reply?.code == 501)
        #expect(outcome.commands.contains("*"))
    }

    @Test func wrongPasswordSurfacesTheServersReplyWithoutThePassword() async throws {
        let sasl = FakeSASLServer(
            username: "user",
            password: "pencil",
            mechanism: .scramSHA256(FakeSASLServer.ScramOptions())
        )
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "s3cret-Passw0rd")
        )
        let error = try #require(outcome.error)
        #expect(error.kind == .authenticationFailed)
        #expect(error.reply?.code == 535)
        #expect(error.reply?.enhancedStatusCode == SMTPEnhancedStatusCode(5, 7, 8))
        #expect(!"\(error)".contains("s3cret-Passw0rd"))
        #expect(!"\(SMTPAuthentication(username: "user", password: "s3cret-Passw0rd"))".contains("s3cret-Passw0rd"))
    }

    @Test func configuredMechanismNotOfferedIsAClearError() async throws {
        let sasl = FakeSASLServer(username: "user", password: "pencil", mechanism: .plain)
        let outcome = try await Self.authenticate(
            Self.script(sasl, offered: "PLAIN LOGIN"),
            SMTPAuthentication(username: "user", password: "pencil", mechanism: .scramSHA256, allowInsecureAuth: true)
        )
        #expect(outcome.error?.kind == .mechanismNotOffered)
        #expect(outcome.error?.saslError == .mechanismNotOffered(.scramSHA256, offered: ["PLAIN", "LOGIN"]))
        #expect("\(outcome.error.map { "\($0)" } ?? "")".contains("SCRAM-SHA-256"))
        #expect(!outcome.commands.contains { $0.hasPrefix("AUTH") })
    }

    @Test func plainOverPlaintextIsRefusedWithoutAllowInsecureAuth() async throws {
        let sasl = FakeSASLServer(username: "user", password: "pencil", mechanism: .plain)
        let outcome = try await Self.authenticate(
            Self.script(sasl),
            SMTPAuthentication(username: "user", password: "pencil")
        )
        #expect(outcome.error?.kind == .mechanismNotOffered)
        #expect(outcome.error?.saslError == .insecureMechanismRefused(.plain))
        #expect(!outcome.commands.contains { $0.hasPrefix("AUTH") })
    }

    @Test func strongestOfferedMechanismIsChosen() async throws {
        let sasl = FakeSASLServer(
            username: "user",
            password: "pencil",
            mechanism: .scramSHA256(FakeSASLServer.ScramOptions())
        )
        let outcome = try await Self.authenticate(
            Self.script(sasl, offered: "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"),
            SMTPAuthentication(username: "user", password: "pencil", allowInsecureAuth: true)
        )
        #expect(outcome.error == nil)
        #expect(outcome.mechanism == .scramSHA256)
    }

    /// Checks the fake server's SCRAM against RFC 7677 §3, so the client is tested against a
    /// correct peer.
    @Test func fakeScramServerMatchesRFC7677() throws {
        var options = FakeSASLServer.ScramOptions()
        options.salt = Array(try #require(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")))
        let authMessage =
            "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let keys = ScramKeys.compute(SHA256.self, password: "pencil", options: options, authMessage: authMessage)
        #expect(Data(keys.clientProof).base64EncodedString() == "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        #expect(Data(keys.serverSignature).base64EncodedString() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }
}
