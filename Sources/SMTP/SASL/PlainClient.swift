/// PLAIN (RFC 4616): one message `authzid NUL authcid NUL passwd`, with an empty authzid.
struct PlainClient: Sendable {
    private let message: [UInt8]
    private var sent = false

    init(credentials: SASLCredentials) throws(SASLError) {
        guard !credentials.username.utf8.contains(0) else { throw .invalidUsername }
        guard !credentials.password.utf8.contains(0) else { throw .invalidPassword }
        message = [0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8)
    }

    mutating func initialResponse() -> [UInt8]? {
        sent = true
        return message
    }

    /// A server that did not get the initial response asks for it with an empty challenge (RFC 4954 §4).
    mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        guard !sent, challenge.isEmpty else { throw .unexpectedChallenge }
        sent = true
        return message
    }
}
