import Testing

@testable import KubeMailAPI

struct DefaultingTests {
    struct ConnectCase: CustomTestStringConvertible, Sendable {
        var port: Int?
        var connect: SMTPServer.ConnectMode?
        var tls: Bool?
        var expected: SMTPServer.ConnectMode
        var testDescription: String {
            "port \(port.map(String.init) ?? "-") connect \(connect?.rawValue ?? "-") tls \(tls.map { "\($0)" } ?? "-")"
        }
    }

    @Test(arguments: [
        ConnectCase(port: nil, connect: nil, tls: nil, expected: .starttls),
        ConnectCase(port: 587, connect: nil, tls: nil, expected: .starttls),
        ConnectCase(port: 465, connect: nil, tls: nil, expected: .ssl),
        ConnectCase(port: 25, connect: nil, tls: nil, expected: .starttls),
        ConnectCase(port: 465, connect: nil, tls: true, expected: .ssl),
        ConnectCase(port: 1025, connect: nil, tls: false, expected: .plain),
        ConnectCase(port: 465, connect: nil, tls: false, expected: .plain),
        ConnectCase(port: 587, connect: nil, tls: true, expected: .ssl),
        ConnectCase(port: 465, connect: .starttls, tls: true, expected: .starttls),
        ConnectCase(port: 587, connect: .plain, tls: true, expected: .plain),
        ConnectCase(port: nil, connect: .ssl, tls: false, expected: .ssl),
    ])
    func connectModeIsDerived(_ testCase: ConnectCase) {
        let spec = SMTPServer.Spec(
            server: "smtp.example.com",
            port: testCase.port,
            connect: testCase.connect,
            tls: testCase.tls
        )
        #expect(spec.effectiveConnect == testCase.expected)
        #expect(spec.defaulted().connect == testCase.expected)
        #expect(spec.defaulted().tls == nil)
    }

    @Test func smtpServerDefaults() {
        let spec = SMTPServer.Spec(server: "smtp.example.com").defaulted()
        #expect(spec.port == 587)
        #expect(spec.connect == .starttls)
        #expect(spec.tlsConfig?.insecureSkipVerify == false)
        #expect(spec.allowInsecureAuth == false)
        #expect(spec.authType == nil, "no mechanism is assumed: the strongest offered is chosen at connect")
    }

    @Test func emailPolicyDefaults() {
        let spec = EmailPolicy.Spec(
            rateLimiting: .init(maximum: 10),
            sink: .init(catchStore: .init())
        ).defaulted()
        #expect(spec.isDefault == false)
        #expect(spec.rateLimiting == .init(maximum: 10, period: .minute, unit: .recipients))
        #expect(spec.sink.catchStore?.retention == "168h")
        #expect(spec.rateLimiting?.summary == "10 recipients/minute")
    }

    @Test func emailPolicyWithoutRateLimitStaysUnlimited() {
        #expect(EmailPolicy.Spec(sink: .init(discard: .init())).defaulted().rateLimiting == nil)
    }

    @Test func mailRelayDefaults() {
        let spec = MailRelay.Spec().defaulted()
        #expect(spec.replicas == 2)
        #expect(spec.service == .init(type: .clusterIP, port: 25))
        #expect(spec.logLevel == .info)
        #expect(spec.networkPolicy?.enabled == false)
        #expect(spec.image == nil, "the operator's own image")
    }

    @Test func defaultingIsIdempotentAndKeepsSetValues() {
        let spec = MailRelay.Spec(replicas: 5, service: .init(type: .loadBalancer, port: 2525), logLevel: .debug)
        #expect(spec.defaulted() == spec.defaulted().defaulted())
        #expect(spec.defaulted().replicas == 5)
        #expect(spec.defaulted().service == .init(type: .loadBalancer, port: 2525))
    }

    /// The CRD carries the static defaults, so the API server fills in the same values.
    @Test func schemaDefaultsAgreeWithSwiftDefaults() {
        let server = SMTPServer.Spec.schema
        #expect(server.properties["port"]?.defaultValue == .integer(SMTPServer.Spec.defaultPort))
        let limit = EmailPolicy.RateLimiting.schema
        #expect(limit.properties["period"]?.defaultValue == "minute")
        #expect(limit.properties["unit"]?.defaultValue == "recipients")
        #expect(EmailPolicy.CatchSink.schema.properties["retention"]?.defaultValue == "168h")
        #expect(MailRelay.Spec.schema.properties["replicas"]?.defaultValue == 2)
        #expect(MailRelay.RelayService.schema.properties["port"]?.defaultValue == 25)
    }
}
