/// LOGIN (draft-murchison-sasl-login): the username, then the password, each answering a prompt.
///
/// The prompt text ("Username:", "Password:") varies between servers, so only the order counts.
struct LoginClient: Sendable {
    private let credentials: SASLCredentials
    private var answered = 0

    init(credentials: SASLCredentials) {
        self.credentials = credentials
    }

    mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        defer { answered += 1 }
        switch answered {
        case 0: return Array(credentials.username.utf8)
        case 1: return Array(credentials.password.utf8)
        default: throw .unexpectedChallenge
        }
    }
}
