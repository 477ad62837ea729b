import Foundation
import Logging
import NIOCore
import NIOPosix
import SMTP
import SMTPClientNIO

/// `kubemailctl send`: the SMTP client as a tool, to test a relay or an upstream by hand, and
/// (with `count` and `concurrency`) to load one.
public enum SendCommand {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        public var port = 2525
        public var security: SMTPClientConfiguration.Security = .plain
        public var sender: String?
        public var recipients: [String] = []
        public var subject = "kube-mail test"
        public var body = "This is a test message sent by kubemailctl."
        /// A complete message (headers and body) to send as it is, instead of subject and body.
        public var rawMessage: [UInt8]?
        public var authentication: SMTPAuthentication?
        public var tls = SMTPTLSConfiguration()
        public var localAddress: String?
        public var clientHostname = "kubemailctl.local"
        /// How many copies to send, over how many connections at once.
        public var count = 1
        public var concurrency = 1

        public init() {}
    }

    public struct Report: Sendable {
        public var results: [SMTPDeliveryResult] = []
        public var failures: [String] = []
        public var seconds: Double = 0

        public var delivered: Int { results.count { $0.isDelivered } }
        /// 0 when every message reached every recipient; 1 otherwise.
        public var exitCode: Int32 {
            failures.isEmpty
                && results.allSatisfy { $0.isDelivered && $0.recipients.allSatisfy { $0.reply.isPositive } } ? 0 : 1
        }
    }

    /// A message with the headers a receiving server expects (Date, From, To, Subject,
    /// Message-ID) and a UTF-8 body, lines ending in CRLF.
    public static func message(options: Options, date: Date = Date()) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let sender = options.sender ?? "kubemailctl@\(options.clientHostname)"
        let domain = sender.split(separator: "@").last.map(String.init) ?? options.clientHostname
        let headers = [
            "Date: \(formatter.string(from: date))", "From: <\(sender)>",
            "To: " + options.recipients.map { "<\($0)>" }.joined(separator: ", "), "Subject: \(options.subject)",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
        ]
        let body = options.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
            of: "\n",
            with: "\r\n"
        )
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n").utf8)
    }

    public static func run(_ options: Options, logger: Logger = Logger(label: "kubemailctl.send")) async -> Report {
        let configuration = SMTPClientConfiguration(
            host: options.host,
            port: options.port,
            security: options.security,
            tls: options.tls,
            localAddress: options.localAddress,
            clientHostname: options.clientHostname,
            authentication: options.authentication
        )
        let sender = options.sender.flatMap(SMTPMailbox.init)
        let recipients = options.recipients.compactMap(SMTPMailbox.init).map { SMTPEnvelope.Recipient($0) }
        let message = options.rawMessage ?? Self.message(options: options)
        let utf8 = !(sender?.isASCII ?? true) || recipients.contains { !$0.address.description.allSatisfy(\.isASCII) }
        let envelope = SMTPEnvelope(
            sender: sender,
            mailParameters: SMTPMailParameters(body: .eightBitMIME, smtpUTF8: utf8),
            recipients: recipients
        )
        let start = ContinuousClock.now
        let workers = max(1, min(options.concurrency, options.count))
        var report = Report()
        await withTaskGroup(of: Report.self) { group in
            for worker in 0..<workers {
                let share = options.count / workers + (worker < options.count % workers ? 1 : 0)
                group.addTask {
                    var part = Report()
                    var connection: SMTPClientConnection?
                    for _ in 0..<share {
                        do {
                            if connection == nil {
                                connection = try await SMTPClientConnection.connect(
                                    to: configuration,
                                    on: MultiThreadedEventLoopGroup.singleton,
                                    logger: logger
                                )
                            }
                            part.results.append(try await connection!.send(envelope: envelope, message: message))
                        } catch {
                            part.failures.append("\(error)")
                            await connection?.close()
                            connection = nil
                        }
                    }
                    await connection?.close()
                    return part
                }
            }
            for await part in group {
                report.results += part.results
                report.failures += part.failures
            }
        }
        let elapsed = ContinuousClock.now - start
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }

    /// One line per reply of a single message, or a summary for many.
    public static func text(_ report: Report, options: Options) -> String {
        var lines: [String] = []
        if options.count == 1, let result = report.results.first {
            lines.append("MAIL FROM:  \(result.mail)")
            for recipient in result.recipients {
                lines.append("RCPT TO:    <\(recipient.recipient.address)>  \(recipient.reply)")
            }
            if let data = result.data { lines.append("DATA:       \(data)") }
            if let final = result.message { lines.append("end of data: \(final)") }
        } else {
            let rate = report.seconds > 0 ? Double(report.delivered) / report.seconds : 0
            lines.append(
                "\(report.delivered) of \(options.count) messages delivered in \(String(format: "%.2f", report.seconds)) s "
                    + "(\(String(format: "%.0f", rate)) msg/s over \(options.concurrency) connections)"
            )
        }
        for failure in Set(report.failures).sorted() { lines.append("error: \(failure)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
