/// Why a command line was rejected, with the reply the server should send.
public struct SMTPCommandError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unrecognizedCommand
        case invalidArguments
        case invalidReversePath
        case invalidForwardPath
        case nonASCIIAddress
        case invalidParameter(String)
        case duplicateParameter(String)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The verb is unknown: `500 5.5.2`.
    public static let unrecognizedCommand = SMTPCommandError(.unrecognizedCommand)
    /// The verb is known but its arguments break the RFC 5321 §4.1.1 grammar: `501 5.5.4`.
    public static let invalidArguments = SMTPCommandError(.invalidArguments)
    /// The MAIL reverse-path is not a valid path: `501 5.1.7`.
    public static let invalidReversePath = SMTPCommandError(.invalidReversePath)
    /// The RCPT forward-path is not a valid path: `501 5.1.3`.
    public static let invalidForwardPath = SMTPCommandError(.invalidForwardPath)
    /// A UTF-8 address without SMTPUTF8 in effect (RFC 6531 §3.5): `553 5.6.7`.
    public static let nonASCIIAddress = SMTPCommandError(.nonASCIIAddress)
    /// A MAIL or RCPT parameter is malformed or has an unsupported value: `501 5.5.4`.
    public static func invalidParameter(_ keyword: String) -> SMTPCommandError {
        SMTPCommandError(.invalidParameter(keyword.uppercased()))
    }
    /// A MAIL or RCPT parameter appears twice: `501 5.5.4`.
    public static func duplicateParameter(_ keyword: String) -> SMTPCommandError {
        SMTPCommandError(.duplicateParameter(keyword.uppercased()))
    }

    /// The reply a server sends for this error (RFC 5321 §4.2.3, RFC 3463 §3).
    public var reply: SMTPReply {
        switch code {
        case .unrecognizedCommand:
            SMTPReply(code: 500, SMTPEnhancedStatusCode(5, 5, 2), "Syntax error, command unrecognized")
        case .invalidArguments:
            SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 5, 4), "Syntax error in parameters or arguments")
        case .invalidReversePath:
            SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 1, 7), "Bad sender address syntax")
        case .invalidForwardPath:
            SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 1, 3), "Bad recipient address syntax")
        case .nonASCIIAddress:
            SMTPReply(code: 553, SMTPEnhancedStatusCode(5, 6, 7), "Non-ASCII address requires SMTPUTF8")
        case .invalidParameter(let keyword):
            SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 5, 4), "Invalid \(keyword) parameter")
        case .duplicateParameter(let keyword):
            SMTPReply(code: 501, SMTPEnhancedStatusCode(5, 5, 4), "Duplicate \(keyword) parameter")
        }
    }

    public var description: String {
        reply.lines.first ?? ""
    }
}
