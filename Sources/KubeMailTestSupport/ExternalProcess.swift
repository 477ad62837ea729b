import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs the programs tests use as referees and peers (check-jsonschema, sarif-tools, swaks,
/// smtp-source, kubemailctl itself), and finds them. Only test targets depend on this module.
public enum ExternalProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// A tool is missing. Tests never skip for that: they fail with how to install it.
    public struct MissingTool: Error, CustomStringConvertible {
        public var name: String
        public var lookedAt: [String]
        public var description: String {
            "\(name) is not installed (looked at \(lookedAt.joined(separator: ", "))). Run hack/install-test-deps.sh, "
                + "or the README's test command hack/test.sh, which installs every tool the tests need."
        }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var command: String
        public var description: String { "\(command) did not finish in time" }
    }

    /// The repository root (this file is Sources/KubeMailTestSupport/ExternalProcess.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A tool of the test venv (`$KUBEMAIL_TOOLS_DIR/venv/bin`, by default `.tools/venv/bin`).
    public static func pythonTool(_ name: String) throws -> URL {
        let directory =
            ProcessInfo.processInfo.environment["KUBEMAIL_TOOLS_DIR"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".tools")
        let tool = directory.appendingPathComponent("venv/bin/\(name)")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw MissingTool(name: name, lookedAt: [tool.path])
        }
        return tool
    }

    /// A Debian package's program (`/usr/bin`, `/usr/sbin`).
    public static func systemTool(_ name: String) throws -> URL {
        let candidates = ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/usr/local/bin/\(name)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MissingTool(name: name, lookedAt: candidates)
        }
        return URL(fileURLWithPath: path)
    }

    /// Runs a program to completion, killing it after `timeout`. Output goes through files, so
    /// that a chatty program cannot block on a full pipe.
    ///
    /// Spawned with posix_spawn and awaited with waitpid on its own PID: Foundation's Process
    /// misses the exit of a program that leaves background processes behind (postfix.sh start),
    /// and a timeout must always end the wait.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        input: Data? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kubemail-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())

        let pid = try spawn(executable.path, arguments, stdin: inURL.path, stdout: outURL.path, stderr: errURL.path)
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let timedOut = TimeoutFlag()
        let status: Int32 = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await waitForExit(pid) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return nil }
                timedOut.set()
                kill(pid, SIGKILL)
                return nil
            }
            var status: Int32 = -1
            for await result in group {
                if let result {
                    status = result
                    group.cancelAll()
                }
            }
            return status
        }
        if timedOut.isSet { throw TimedOut(command: command) }
        return Result(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
    }

    private final class TimeoutFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    private static func spawn(
        _ path: String,
        _ arguments: [String],
        stdin: String,
        stdout: String,
        stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw MissingTool(name: "\(path) (posix_spawn failed: \(result))", lookedAt: [path]) }
        return pid
    }

    /// Blocks a thread of its own in waitpid, so the cooperative pool is never held.
    private static func waitForExit(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
            thread.start()
        }
    }
}
