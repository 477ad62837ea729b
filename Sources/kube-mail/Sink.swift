import ArgumentParser
import Foundation
import Logging
import SMTPServerNIO
import ServiceLifecycle

/// `kube-mail sink`: an SMTP server that accepts everything and keeps nothing.
struct Sink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an SMTP server that accepts and discards every message (for load tests and benchmarks).",
        discussion: """
            The same SMTP engine as the relay, with nothing behind it: every sender, recipient and message is \
            accepted and counted. SIGTERM or SIGINT drains it and prints the counts.

            Examples:
              kube-mail sink --listen 127.0.0.1:2526
              smtp-source -s 20 -m 10000 -l 1024 -f a@x.test -t b@y.test 127.0.0.1:2526
            """
    )

    @Option(help: "Address and port to listen on.")
    var listen = "127.0.0.1:2526"

    @Option(help: "Host name in the greeting and EHLO reply.")
    var hostname = "kube-mail-sink"

    @Option(help: "Most connections at once.")
    var maxConnections = 1000

    func run() async throws {
        guard let separator = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: separator)...])
        else {
            throw ValidationError("--listen takes HOST:PORT, such as 127.0.0.1:2526")
        }
        var configuration = SMTPServerConfiguration(
            host: String(listen[..<separator]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
            port: port,
            hostname: hostname
        )
        configuration.maximumConnections = maxConnections
        configuration.drainGracePeriod = .seconds(5)
        var logger = Logger(label: "kube-mail.sink")
        logger.logLevel = .info
        let delegate = DiscardingDelegate()
        let server = try SMTPServer(configuration: configuration, delegate: delegate, logger: logger)
        let group = ServiceGroup(
            services: [server],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        try await group.run()
        let totals = delegate.totals
        print(
            "connections=\(totals.connections) messages=\(totals.messages) recipients=\(totals.recipients) bytes=\(totals.bytes)"
        )
    }
}
