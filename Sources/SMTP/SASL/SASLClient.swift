import Crypto

/// The client side of one SASL exchange, independent of I/O.
///
/// Feed it the decoded data of each `334` challenge (see ``SASLWire``) and send back what it
/// returns. When the server answers `235`, call ``complete()``: for SCRAM it fails unless the
/// server proved its identity with a verified `v=`.
///
/// ```swift
/// var client = try SASLClient(mechanism: .scramSHA256, credentials: credentials)
/// let initial = client.initialResponse()          // send with AUTH, if non-nil
/// let response = try client.respond(to: challenge) // for every 334
/// try client.complete()                            // on 235
/// ```
public struct SASLClient: Sendable {
    private enum State: Sendable {
        case plain(PlainClient)
        case login(LoginClient)
        case cramMD5(CRAMMD5Client)
        case scramSHA1(SCRAMClient<Insecure.SHA1>)
        case scramSHA256(SCRAMClient<SHA256>)
    }

    public let mechanism: SASLMechanism
    private var state: State

    /// - Parameter scramNonce: the SCRAM client nonce; leave `nil` outside tests to get 24 random
    ///   bytes in base64. Ignored by other mechanisms.
    /// - Throws: ``SASLError/invalidUsername``, ``SASLError/invalidPassword`` or
    ///   ``SASLError/invalidNonce`` when the mechanism cannot carry the inputs.
    public init(mechanism: SASLMechanism, credentials: SASLCredentials, scramNonce: String? = nil) throws(SASLError) {
        self.mechanism = mechanism
        switch mechanism {
        case .plain: state = .plain(try PlainClient(credentials: credentials))
        case .login: state = .login(LoginClient(credentials: credentials))
        case .cramMD5: state = .cramMD5(CRAMMD5Client(credentials: credentials))
        case .scramSHA1: state = .scramSHA1(try SCRAMClient(credentials: credentials, nonce: scramNonce))
        case .scramSHA256: state = .scramSHA256(try SCRAMClient(credentials: credentials, nonce: scramNonce))
        }
    }

    /// The initial response to send with the `AUTH` command (RFC 4954 §4), or `nil` for
    /// mechanisms where the server speaks first (LOGIN, CRAM-MD5).
    ///
    /// Calling this records the response as sent. A caller that does not send it (say, because
    /// the line would be too long) skips the call; the client then answers the server's empty
    /// `334` challenge with the same data.
    public mutating func initialResponse() -> [UInt8]? {
        switch state {
        case .plain(var client):
            defer { state = .plain(client) }
            return client.initialResponse()
        case .scramSHA1(var client):
            defer { state = .scramSHA1(client) }
            return client.initialResponse()
        case .scramSHA256(var client):
            defer { state = .scramSHA256(client) }
            return client.initialResponse()
        case .login, .cramMD5:
            return nil
        }
    }

    /// Answers a decoded server challenge.
    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        switch state {
        case .plain(var client):
            defer { state = .plain(client) }
            return try client.respond(to: challenge)
        case .login(var client):
            defer { state = .login(client) }
            return try client.respond(to: challenge)
        case .cramMD5(var client):
            defer { state = .cramMD5(client) }
            return try client.respond(to: challenge)
        case .scramSHA1(var client):
            defer { state = .scramSHA1(client) }
            return try client.respond(to: challenge)
        case .scramSHA256(var client):
            defer { state = .scramSHA256(client) }
            return try client.respond(to: challenge)
        }
    }

    /// Whether the server has proven it knows the credentials. Only SCRAM can do this
    /// (RFC 5802 §3), and only after its `v=` was verified.
    public var isServerVerified: Bool {
        switch state {
        case .scramSHA1(let client): client.isServerVerified
        case .scramSHA256(let client): client.isServerVerified
        case .plain, .login, .cramMD5: false
        }
    }

    /// Accepts the server's `235` reply.
    ///
    /// - Throws: ``SASLError/serverNotVerified`` for SCRAM when no valid `v=` was received, so an
    ///   impostor cannot skip the server-final message and simply claim success.
    public func complete() throws(SASLError) {
        if mechanism.authenticatesServer, !isServerVerified {
            throw .serverNotVerified
        }
    }
}
