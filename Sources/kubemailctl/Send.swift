import ArgumentParser
import Foundation
import KubeMailCtl
import NIOSSL
import SMTP
import SMTPClientNIO

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a test mail through a relay or an upstream SMTP server.",
        discussion: """
            Prints the server's reply to MAIL, to each RCPT, to DATA and to the end of the message. The \
            password is read from --password-file or the environment variable KUBEMAIL_SMTP_PASSWORD, never \
            from the command line. With --count, sends that many copies over --concurrency connections and \
            prints the rate.

            Exit codes: 0 every recipient accepted the message; 1 a refusal or failure; 2 usage error.

            Examples:
              kubemailctl send --to me@example.com                          # through the local relay, 127.0.0.1:2525
              kubemailctl send --server smtp.example.com:587 --connect starttls \\
                  --user mailer --password-file /run/secrets/smtp --to me@example.com
              kubemailctl send --server 127.0.0.1:2526 --to x@example.com --count 10000 --concurrency 20
            """
    )

    @Option(help: "Recipient (repeatable).")
    var to: [String] = []

    @Option(help: "Sender (default kubemailctl@kubemailctl.local).")
    var from: String?

    @Option(help: "HOST:PORT of the SMTP server.")
    var server = "127.0.0.1:2525"

    @Option(help: "plain, ssl (implicit TLS) or starttls (required). Default: ssl on 465, starttls on 587, else plain.")
    var connect: String?

    @Option(
        help: "SASL mechanism (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256); default: the strongest offered."
    )
    var auth: String?

    @Option(help: "User name to authenticate as.")
    var user: String?

    @Option(help: "File holding the password (or set KUBEMAIL_SMTP_PASSWORD).")
    var passwordFile: String?

    @Flag(help: "Allow PLAIN and LOGIN without TLS.")
    var allowInsecureAuth = false

    @Option(help: "PEM file of a CA or certificate to trust besides the system store.")
    var caFile: String?

    @Flag(help: "Do not verify the server's certificate (test servers only).")
    var insecureSkipVerify = false

    @Option(help: "Subject of the generated message.")
    var subject = "kube-mail test"

    @Option(help: "Body of the generated message.")
    var body = "This is a test message sent by kubemailctl."

    @Option(help: "A complete message file (headers and body) to send as it is; - for standard input.")
    var data: String?

    @Option(help: "Local address to send from.")
    var localAddress: String?

    @Option(help: "Number of copies to send.")
    var count = 1

    @Option(help: "Connections to send over at once.")
    var concurrency = 1

    func validate() throws {
        if to.isEmpty { throw ValidationError("Name at least one recipient with --to.") }
        if count < 1 || concurrency < 1 { throw ValidationError("--count and --concurrency must be at least 1.") }
        if let auth, SASLMechanism(name: auth) == nil { throw ValidationError("Unknown mechanism \(auth).") }
    }

    func run() async throws {
        var options = SendCommand.Options()
        guard let separator = server.lastIndex(of: ":"), let port = Int(server[server.index(after: separator)...])
        else {
            throw ValidationError("--server takes HOST:PORT")
        }
        options.host = String(server[..<separator]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        options.port = port
        switch connect ?? (port == 465 ? "ssl" : port == 587 ? "starttls" : "plain") {
        case "plain": options.security = .plain
        case "ssl": options.security = .implicitTLS
        case "starttls": options.security = .startTLS
        default: throw ValidationError("--connect is plain, ssl or starttls")
        }
        options.sender = from
        options.recipients = to
        options.subject = subject
        options.body = body
        options.localAddress = localAddress
        options.count = count
        options.concurrency = concurrency
        if let data {
            let bytes =
                data == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: data)
            guard let bytes else { throw fatal("cannot read \(data)") }
            options.rawMessage = Array(bytes)
        }
        if let user {
            var password = ProcessInfo.processInfo.environment["KUBEMAIL_SMTP_PASSWORD"]
            if let passwordFile {
                guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                    throw fatal("cannot read \(passwordFile)")
                }
                password = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .newlines)
            }
            guard let password else { throw fatal("--user needs --password-file or KUBEMAIL_SMTP_PASSWORD") }
            options.authentication = SMTPAuthentication(
                username: user,
                password: password,
                mechanism: auth.flatMap { SASLMechanism(name: $0) },
                allowInsecureAuth: allowInsecureAuth
            )
        }
        options.tls = SMTPTLSConfiguration(
            additionalTrustRoots: caFile.map { [.file($0)] } ?? [],
            insecureSkipVerify: insecureSkipVerify
        )
        let report = await SendCommand.run(options)
        print(SendCommand.text(report, options: options), terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private func fatal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("kubemailctl send: \(message)\n".utf8))
        return ExitCode(2)
    }
}
