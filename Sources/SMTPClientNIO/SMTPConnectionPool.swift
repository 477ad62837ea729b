import Logging
import NIOCore

/// Keeps SMTP sessions open between messages, per upstream server and identity.
///
/// Connections are grouped by ``SMTPConnectionPoolKey`` (server, protection, TLS settings,
/// credentials). Each group holds at most ``Configuration/maximumConnectionsPerServer``
/// connections, idle or in use; a checkout beyond that waits for one to come back, up to
/// ``Configuration/checkoutTimeout``, then fails with ``SMTPClientError/Kind/poolCheckoutTimedOut``.
///
/// - A checkout reuses the most recently returned connection after a NOOP health check; a
///   connection the server closed meanwhile is discarded and a new one opened.
/// - ``checkin(_:)`` resets the transaction (RSET) and keeps the connection if that worked;
///   a broken connection is closed instead.
/// - Connections idle for ``Configuration/idleTimeout`` are closed (QUIT) by a background task
///   that exists only while there are idle connections, and on every checkout.
/// - ``shutdown()`` fails waiting checkouts, closes idle connections and the janitor task;
///   connections in use are closed when they are checked in.
public actor SMTPConnectionPool {
    public struct Configuration: Hashable, Sendable {
        /// The most connections, idle or in use, to one server with one identity.
        public var maximumConnectionsPerServer: Int
        /// How long a checkout waits for a connection when the bound is reached.
        public var checkoutTimeout: Duration
        /// How long a connection may stay unused in the pool.
        public var idleTimeout: Duration

        public init(
            maximumConnectionsPerServer: Int = 4,
            checkoutTimeout: Duration = .seconds(30),
            idleTimeout: Duration = .seconds(60)
        ) {
            precondition(maximumConnectionsPerServer > 0, "a pool needs room for at least one connection")
            self.maximumConnectionsPerServer = maximumConnectionsPerServer
            self.checkoutTimeout = checkoutTimeout
            self.idleTimeout = idleTimeout
        }
    }

    /// How many connections a server's group holds.
    public struct Statistics: Hashable, Sendable {
        public var idle: Int
        /// Checked out, or being opened for a checkout.
        public var inUse: Int
        public var waiting: Int

        public init(idle: Int, inUse: Int, waiting: Int) {
            self.idle = idle
            self.inUse = inUse
            self.waiting = waiting
        }
    }

    private struct IdleConnection {
        var connection: SMTPClientConnection
        var since: ContinuousClock.Instant
    }

    private struct Waiter {
        var id: Int
        /// Resumed with a connection handed over by a checkin, or `nil` when a slot became free
        /// and the waiter opens a connection itself.
        var continuation: CheckedContinuation<SMTPClientConnection?, any Error>
    }

    private struct Group {
        var idle: [IdleConnection] = []
        var inUse = 0
        var waiters: [Waiter] = []

        var isEmpty: Bool { idle.isEmpty && inUse == 0 && waiters.isEmpty }
    }

    public nonisolated let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let clock = ContinuousClock()
    private var groups: [SMTPConnectionPoolKey: Group] = [:]
    private var checkedOut: [ObjectIdentifier: SMTPConnectionPoolKey] = [:]
    private var nextWaiterID = 0
    private var janitor: Task<Void, Never>?
    private var isShutDown = false

    public init(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup,
        logger: Logger = Logger(label: "kube-mail.smtp-pool")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Returns a healthy connection for `clientConfiguration`, reusing an idle one when possible.
    ///
    /// - Throws: ``SMTPClientError``: whatever opening a connection throws,
    ///   ``SMTPClientError/poolCheckoutTimedOut(limit:)`` or ``SMTPClientError/poolShutDown``.
    public func checkout(_ clientConfiguration: SMTPClientConfiguration) async throws -> SMTPClientConnection {
        guard !isShutDown else { throw SMTPClientError.poolShutDown }
        let key = SMTPConnectionPoolKey(clientConfiguration)
        await closeExpiredConnections()

        // Take a slot: an idle connection, room for a new one, or a turn after waiting.
        var candidate: SMTPClientConnection?
        if let idle = groups[key]?.idle.popLast() {
            candidate = idle.connection
            groups[key, default: Group()].inUse += 1
        } else if total(key) < configuration.maximumConnectionsPerServer {
            groups[key, default: Group()].inUse += 1
        } else {
            candidate = try await waitForTurn(key)
        }

        do {
            if let candidate {
                if await isHealthy(candidate) {
                    return checkedOut(candidate, key)
                }
                logger.debug("discarding a pooled SMTP connection that failed its health check")
                await candidate.close()
            }
            let connection = try await SMTPClientConnection.connect(
                to: clientConfiguration,
                on: eventLoopGroup,
                logger: logger
            )
            guard !isShutDown else {
                await connection.close()
                throw SMTPClientError.poolShutDown
            }
            return checkedOut(connection, key)
        } catch {
            releaseSlot(key)
            throw error
        }
    }

    /// Returns a connection after a transaction. It is reset (RSET) and kept for reuse, or
    /// closed when it is broken, the reset fails or the pool is shut down.
    public func checkin(_ connection: SMTPClientConnection) async {
        guard let key = checkedOut.removeValue(forKey: ObjectIdentifier(connection)) else {
            await connection.close()
            return
        }
        var reusable = await connection.isOpen
        if reusable, !isShutDown {
            let reply = try? await connection.reset()
            reusable = reply?.code == 250
        }
        guard reusable, !isShutDown, await connection.isUsable else {
            await connection.close()
            releaseSlot(key)
            return
        }
        if let waiter = groups[key]?.waiters.first {
            // The slot passes to the waiter with the connection.
            groups[key]?.waiters.removeFirst()
            waiter.continuation.resume(returning: connection)
            return
        }
        groups[key, default: Group()].inUse -= 1
        groups[key, default: Group()].idle.append(IdleConnection(connection: connection, since: clock.now))
        startJanitorIfNeeded()
    }

    /// Closes a checked-out connection instead of returning it, e.g. after an error.
    public func discard(_ connection: SMTPClientConnection) async {
        let key = checkedOut.removeValue(forKey: ObjectIdentifier(connection))
        await connection.close()
        if let key {
            releaseSlot(key)
        }
    }

    /// Checks out a connection, runs `body` with it and checks it in again (or closes it when
    /// `body` left it broken).
    public func withConnection<Result: Sendable>(
        _ clientConfiguration: SMTPClientConfiguration,
        _ body: (SMTPClientConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await checkout(clientConfiguration)
        do {
            let result = try await body(connection)
            await checkin(connection)
            return result
        } catch {
            await checkin(connection)
            throw error
        }
    }

    /// The connections held for `clientConfiguration`'s server and identity.
    public func statistics(for clientConfiguration: SMTPClientConfiguration) -> Statistics {
        let group = groups[SMTPConnectionPoolKey(clientConfiguration)] ?? Group()
        return Statistics(idle: group.idle.count, inUse: group.inUse, waiting: group.waiters.count)
    }

    /// Closes idle connections that outlived ``Configuration/idleTimeout``.
    public func closeExpiredConnections() async {
        let deadline = clock.now - configuration.idleTimeout
        var expired: [SMTPClientConnection] = []
        for key in Array(groups.keys) {
            guard var group = groups[key] else { continue }
            let (old, fresh) = (group.idle.filter { $0.since <= deadline }, group.idle.filter { $0.since > deadline })
            guard !old.isEmpty else { continue }
            expired += old.map(\.connection)
            group.idle = fresh
            groups[key] = group.isEmpty ? nil : group
        }
        for connection in expired {
            await connection.close()
        }
        if !expired.isEmpty {
            logger.debug("closed idle SMTP connections", metadata: ["count": "\(expired.count)"])
        }
    }

    /// Fails waiting checkouts, closes idle connections and stops the janitor. Connections in use
    /// are closed when they are checked in. Idempotent.
    public func shutdown() async {
        isShutDown = true
        janitor?.cancel()
        janitor = nil
        var idle: [SMTPClientConnection] = []
        for (key, group) in groups {
            for waiter in group.waiters {
                waiter.continuation.resume(throwing: SMTPClientError.poolShutDown)
            }
            idle += group.idle.map(\.connection)
            groups[key]?.waiters = []
            groups[key]?.idle = []
        }
        for connection in idle {
            await connection.close()
        }
    }

    // MARK: - Internals

    private func total(_ key: SMTPConnectionPoolKey) -> Int {
        guard let group = groups[key] else { return 0 }
        return group.idle.count + group.inUse
    }

    private func checkedOut(_ connection: SMTPClientConnection, _ key: SMTPConnectionPoolKey) -> SMTPClientConnection {
        checkedOut[ObjectIdentifier(connection)] = key
        return connection
    }

    /// A connection is reused only if it is open and answers NOOP with 250.
    private func isHealthy(_ connection: SMTPClientConnection) async -> Bool {
        guard await connection.isUsable else { return false }
        return (try? await connection.noop())?.code == 250
    }

    /// Frees a slot: the first waiter, if any, takes it over and opens a new connection.
    private func releaseSlot(_ key: SMTPConnectionPoolKey) {
        if let waiter = groups[key]?.waiters.first {
            groups[key]?.waiters.removeFirst()
            waiter.continuation.resume(returning: nil)
            return
        }
        groups[key]?.inUse -= 1
        if groups[key]?.isEmpty == true {
            groups[key] = nil
        }
    }

    /// Waits until a checkin hands over a connection or a slot, within the checkout timeout.
    private func waitForTurn(_ key: SMTPConnectionPoolKey) async throws -> SMTPClientConnection? {
        let id = nextWaiterID
        nextWaiterID += 1
        let limit = configuration.maximumConnectionsPerServer
        let timeout = configuration.checkoutTimeout
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self.removeWaiter(id, key, error: SMTPClientError.poolCheckoutTimedOut(limit: limit))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                groups[key, default: Group()].waiters.append(Waiter(id: id, continuation: continuation))
            }
        } onCancel: {
            Task { await self.removeWaiter(id, key, error: CancellationError()) }
        }
    }

    private func removeWaiter(_ id: Int, _ key: SMTPConnectionPoolKey, error: any Error) {
        guard let index = groups[key]?.waiters.firstIndex(where: { $0.id == id }),
            let waiter = groups[key]?.waiters.remove(at: index)
        else { return }
        waiter.continuation.resume(throwing: error)
        if groups[key]?.isEmpty == true {
            groups[key] = nil
        }
    }

    /// Starts the background task that closes expired idle connections; it ends by itself when
    /// no idle connection is left, so an unused pool holds no task.
    private func startJanitorIfNeeded() {
        guard janitor == nil, !isShutDown else { return }
        let interval = max(configuration.idleTimeout / 4, .milliseconds(10))
        janitor = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, await self.sweep() else { return }
            }
        }
    }

    /// One janitor round; returns whether the janitor should go on.
    private func sweep() async -> Bool {
        await closeExpiredConnections()
        let hasIdle = groups.values.contains { !$0.idle.isEmpty }
        if !hasIdle || isShutDown {
            janitor = nil
        }
        return hasIdle && !isShutDown
    }
}
