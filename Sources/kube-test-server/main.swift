import ArgumentParser
import Foundation
import KubeTestServer

/// Runs a fake kube-apiserver until SIGTERM or SIGINT, printing its URL.
@main
struct KubeTestServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-test-server",
        abstract: "An in-process fake Kubernetes API server for tests."
    )

    @Option(help: "Port to listen on (0: any free port).") var port = 0
    @Option(help: "Host to listen on.") var host = "127.0.0.1"
    @Option(help: "Events kept in the watch history.") var historySize = 1000
    @Option(help: "PEM server certificate (enables HTTPS).") var tlsCertificate: String?
    @Option(help: "PEM server private key.") var tlsKey: String?
    @Option(help: "PEM CA whose client certificates authenticate.") var clientCA: String?
    @Option(help: "Accepted bearer token as TOKEN=USER (repeatable).") var token: [String] = []

    func run() async throws {
        var configuration = KubeTestServer.Configuration(port: port, historySize: historySize)
        configuration.host = host
        if let tlsCertificate, let tlsKey {
            configuration.tls = KubeTestServer.TLS(
                certificateChainPath: tlsCertificate,
                privateKeyPath: tlsKey,
                clientCAPath: clientCA
            )
        } else if tlsCertificate != nil || tlsKey != nil {
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
        for entry in token {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--token expects TOKEN=USER, got \(entry)") }
            configuration.tokens[String(parts[0])] = String(parts[1])
        }
        let server = try await KubeTestServer.start(configuration)
        FileHandle.standardOutput.write(Data((server.url + "\n").utf8))
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        for await _ in signals { break }
        for source in sources { source.cancel() }
        await server.shutdown()
    }
}
