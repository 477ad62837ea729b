import NIOCore
import SMTP
import SMTPClientNIO
import Testing

@Suite("SMTPClientConnection timeouts", .timeLimit(.minutes(1)))
struct SMTPClientTimeoutTests {
    @Test func slowGreeting() async throws {
        var script = FakeSMTPServer.Script()
        script.delays["GREETING"] = .seconds(5)
        var timeouts = SMTPClientTimeouts.uniform(.seconds(20))
        timeouts.greeting = .seconds(1)
        try await withFakeServer(script) { server in
            let error = await TestSupport.clientError {
                _ = try await TestSupport.connect(TestSupport.configuration(server, timeouts: timeouts))
            }
            #expect(error == .timedOut(.greeting))
            #expect(error?.stage == .greeting)
        }
    }

    @Test(arguments: ["MAIL", "RCPT", "DATA", "MESSAGE"])
    func slowTransactionReply(verb: String) async throws {
        var script = FakeSMTPServer.Script()
        script.delays[verb] = .seconds(5)
        try await withFakeServer(script) { server in
            let expected: SMTPClientStage =
                switch verb {
                case "MAIL": .mail
                case "RCPT": .recipient
                case "DATA": .dataInitiation
                default: .dataTermination
                }
            // Only the stage under test is short, so a loaded machine cannot trip another one.
            var timeouts = SMTPClientTimeouts.uniform(.seconds(20))
            switch expected {
            case .mail: timeouts.mail = .seconds(1)
            case .recipient: timeouts.recipient = .seconds(1)
            case .dataInitiation: timeouts.dataInitiation = .seconds(1)
            default: timeouts.dataTermination = .seconds(1)
            }
            let connection = try await TestSupport.connect(TestSupport.configuration(server, timeouts: timeouts))
            let error = await TestSupport.clientError {
                _ = try await connection.mail(from: TestSupport.sender)
                _ = try await connection.recipient(.mailbox(TestSupport.mailbox("one")))
                _ = try await connection.data()
                try await connection.sendBody(Array("Hi\r\n".utf8))
                _ = try await connection.finishBody()
            }
            #expect(error == .timedOut(expected))
            #expect(await connection.isUsable == false)
            await connection.close()
        }
    }

    @Test func stalledDataBlock() async throws {
        var script = FakeSMTPServer.Script()
        script.stopReadingAfterData = true
        try await withFakeServer(script) { server in
            var timeouts = SMTPClientTimeouts.uniform(.seconds(5))
            timeouts.dataBlock = .milliseconds(500)
            let connection = try await TestSupport.connect(TestSupport.configuration(server, timeouts: timeouts))
            _ = try await connection.mail(from: TestSupport.sender)
            _ = try await connection.recipient(.mailbox(TestSupport.mailbox("one")))
            #expect(try await connection.data().code == 354)
            // The server reads nothing more, so once the socket buffers are full a write stalls.
            let block = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
            let error = await TestSupport.clientError {
                for _ in 0..<256 {
                    try await connection.sendBody(block)
                }
            }
            #expect(error == .timedOut(.dataBlock))
            await connection.close()
        }
    }
}
