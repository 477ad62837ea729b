import NIOCore
import SMTP
import SMTPClientNIO
import Testing

@Suite("SMTPConnectionPool", .timeLimit(.minutes(1)))
struct SMTPConnectionPoolTests {
    static let envelope = SMTPEnvelope(sender: TestSupport.sender, recipients: [.init(TestSupport.mailbox("one"))])

    static func pool(
        maximum: Int = 2,
        checkoutTimeout: Duration = .seconds(5),
        idleTimeout: Duration = .seconds(30)
    ) -> SMTPConnectionPool {
        SMTPConnectionPool(
            configuration: SMTPConnectionPool.Configuration(
                maximumConnectionsPerServer: maximum,
                checkoutTimeout: checkoutTimeout,
                idleTimeout: idleTimeout
            ),
            eventLoopGroup: TestSupport.group,
            logger: TestSupport.logger
        )
    }

    /// Polls `condition` every 20 ms for at most `limit`.
    static func eventually(within limit: Duration = .seconds(20), _ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test func reusesTheConnectionAfterReset() async throws {
        try await withFakeServer { server in
            let pool = Self.pool()
            let configuration = TestSupport.configuration(server)
            let first = try await pool.checkout(configuration)
            #expect(try await first.send(envelope: Self.envelope, message: Array("1\r\n".utf8)).isDelivered)
            _ = try await first.mail(from: TestSupport.sender)  // left mid-transaction on purpose
            await pool.checkin(first)
            #expect(await pool.statistics(for: configuration) == .init(idle: 1, inUse: 0, waiting: 0))

            let second = try await pool.checkout(configuration)
            #expect(second === first)
            #expect(try await second.send(envelope: Self.envelope, message: Array("2\r\n".utf8)).isDelivered)
            await pool.checkin(second)
            await pool.shutdown()

            #expect(server.sessions.count == 1)
            let commands = try #require(server.sessions.first).commands
            // The abandoned MAIL was reset at checkin, and the checkout checked health with NOOP.
            let resetIndex = try #require(commands.firstIndex(of: "RSET"))
            #expect(commands[resetIndex + 1] == "NOOP")
            #expect(commands.last == "QUIT")
        }
    }

    @Test func healthCheckDiscardsAConnectionTheServerClosed() async throws {
        try await withFakeServer { server in
            let pool = Self.pool()
            let configuration = TestSupport.configuration(server)
            let first = try await pool.checkout(configuration)
            await pool.checkin(first)
            await server.closeConnections()
            #expect(try await Self.eventually { await first.isOpen == false })

            let second = try await pool.checkout(configuration)
            #expect(second !== first)
            #expect(try await second.send(envelope: Self.envelope, message: Array("x\r\n".utf8)).isDelivered)
            await pool.checkin(second)
            #expect(await pool.statistics(for: configuration) == .init(idle: 1, inUse: 0, waiting: 0))
            await pool.shutdown()
            #expect(server.sessions.count == 2)
        }
    }

    @Test func brokenConnectionsAreNotKept() async throws {
        var script = FakeSMTPServer.Script()
        script.closeAfterMessageBytes = 1
        try await withFakeServer(script) { server in
            let pool = Self.pool()
            let configuration = TestSupport.configuration(server)
            let error = await TestSupport.clientError {
                try await pool.withConnection(configuration) { connection in
                    _ = try await connection.send(envelope: Self.envelope, message: Array("x\r\n".utf8))
                }
            }
            #expect(error == .serverClosedConnection)
            #expect(await pool.statistics(for: configuration) == .init(idle: 0, inUse: 0, waiting: 0))
            await pool.shutdown()
        }
    }

    @Test func closesIdleConnections() async throws {
        try await withFakeServer { server in
            let pool = Self.pool(idleTimeout: .milliseconds(200))
            let configuration = TestSupport.configuration(server)
            let connection = try await pool.checkout(configuration)
            await pool.checkin(connection)
            #expect(await pool.statistics(for: configuration).idle == 1)
            #expect(try await Self.eventually { await pool.statistics(for: configuration).idle == 0 })
            #expect(try await Self.eventually { server.sessions.first?.closed == true })
            #expect(server.sessions.first?.commands.last == "QUIT")
            await pool.shutdown()
        }
    }

    @Test func checkoutFailsWhenTheBoundIsReachedAndTheWaitLimitPasses() async throws {
        try await withFakeServer { server in
            let pool = Self.pool(maximum: 1, checkoutTimeout: .milliseconds(500))
            let configuration = TestSupport.configuration(server)
            let first = try await pool.checkout(configuration)
            let error = await TestSupport.clientError { _ = try await pool.checkout(configuration) }
            #expect(error?.kind == .poolCheckoutTimedOut)
            #expect(await pool.statistics(for: configuration) == .init(idle: 0, inUse: 1, waiting: 0))
            await pool.checkin(first)
            await pool.shutdown()
            #expect(server.sessions.count == 1)
        }
    }

    @Test func waitingCheckoutGetsTheReturnedConnection() async throws {
        try await withFakeServer { server in
            // A generous wait limit: this test is about the hand-over, not the timeout.
            let pool = Self.pool(maximum: 1, checkoutTimeout: .seconds(30))
            let configuration = TestSupport.configuration(server)
            let first = try await pool.checkout(configuration)
            let waiting = Task { try await pool.checkout(configuration) }
            #expect(try await Self.eventually { await pool.statistics(for: configuration).waiting == 1 })
            await pool.checkin(first)
            let handedOver = try await waiting.value
            #expect(handedOver === first)
            #expect(server.sessions.count == 1)

            // Another identity is another group, not bound by the first one's limit.
            var other = configuration
            other.authentication = SMTPAuthentication(username: "someone", password: "else")
            other.clientHostname = "other.test"
            var plainOther = configuration
            plainOther.clientHostname = "other.test"
            let third = try await pool.checkout(plainOther)
            #expect(await pool.statistics(for: plainOther).inUse == 1)
            #expect(await pool.statistics(for: other).inUse == 0)
            await pool.checkin(third)
            await pool.checkin(handedOver)
            await pool.shutdown()
            #expect(server.sessions.count == 2)
        }
    }

    @Test func shutdownClosesIdleConnectionsAndRefusesCheckouts() async throws {
        try await withFakeServer { server in
            let pool = Self.pool(maximum: 1, checkoutTimeout: .seconds(10))
            let configuration = TestSupport.configuration(server)
            let first = try await pool.checkout(configuration)
            let waiting = Task { try await pool.checkout(configuration) }
            #expect(try await Self.eventually { await pool.statistics(for: configuration).waiting == 1 })
            await pool.shutdown()
            let waiterError = await TestSupport.clientError { _ = try await waiting.value }
            #expect(waiterError == .poolShutDown)
            await pool.checkin(first)
            #expect(await first.isOpen == false)
            let error = await TestSupport.clientError { _ = try await pool.checkout(configuration) }
            #expect(error == .poolShutDown)
            #expect(try await Self.eventually { server.sessions.first?.closed == true })
        }
    }
}
