import Foundation
import Testing

/// `kubemailctl lint` and `simulate` as a user runs them: exit codes, stdout, stdin.
struct LintAndSimulateCommandTests {
    var kubemailctl: URL { TestSupport.productsDirectory.appendingPathComponent("kubemailctl") }

    func write(_ files: [String: String]) throws -> URL {
        let directory = try TestSupport.temporaryDirectory()
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let server = """
        apiVersion: kube-mail.helmich.me/v1alpha1
        kind: SMTPServer
        metadata: {name: relay, namespace: shop}
        spec: {server: smtp.example.com}
        """

    @Test func samplesHaveNoErrors() async throws {
        let result = try await TestSupport.run(kubemailctl, ["lint", TestSupport.path("config/samples").path])
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.hasSuffix("0 errors, 6 warnings in 25 files, 25 documents\n"))
        let strict = try await TestSupport.run(
            kubemailctl,
            ["lint", "--strict", TestSupport.path("config/samples").path]
        )
        #expect(strict.status == 1)
    }

    @Test func exitCodes() async throws {
        let directory = try write([
            "ok/server.yaml": Self.server,
            "bad/server.yaml": Self.server.replacingOccurrences(
                of: "smtp.example.com}",
                with: "smtp.example.com, port: 0}"
            ),
            "broken/server.yaml": "spec: [unclosed\n",
            "nested/.hidden/ignored.yaml": "spec: [unclosed\n",
            "nested/deeper/server.yml": Self.server,
            "nested/readme.txt": "not yaml",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let ok = try await TestSupport.run(kubemailctl, ["lint", directory.appendingPathComponent("ok").path])
        #expect(ok.status == 0)
        #expect(ok.standardOutput == "no problems in 1 file, 1 document\n")
        let bad = try await TestSupport.run(kubemailctl, ["lint", directory.appendingPathComponent("bad").path])
        #expect(bad.status == 1)
        #expect(bad.standardOutput.contains("server.yaml:4:40: error[schema-range]"))
        let broken = try await TestSupport.run(kubemailctl, ["lint", directory.appendingPathComponent("broken").path])
        #expect(broken.status == 2)
        let missing = try await TestSupport.run(
            kubemailctl,
            ["lint", "--format", "json", directory.appendingPathComponent("nope.yaml").path]
        )
        #expect(missing.status == 2, "never 0 on a file it could not read")
        #expect(missing.standardOutput.contains("\"rule\" : \"io-error\""))
        let nested = try await TestSupport.run(kubemailctl, ["lint", directory.appendingPathComponent("nested").path])
        #expect(nested.status == 0, "hidden folders and other extensions are skipped: \(nested.standardOutput)")
        #expect(nested.standardOutput.contains("1 file"))
        let usage = try await TestSupport.run(kubemailctl, ["lint"])
        #expect(usage.status == 2)
        let unknownRule = try await TestSupport.run(kubemailctl, ["lint", "--disable", "no-such-rule", directory.path])
        #expect(unknownRule.status == 2)
        #expect(unknownRule.standardError.contains("no-such-rule"))
    }

    @Test func readsStandardInput() async throws {
        let result = try await TestSupport.run(
            kubemailctl,
            ["lint", "--format", "github", "-"],
            input: Data(Self.server.replacingOccurrences(of: "spec:", with: "spec:\n  tls: true\n  x:").utf8)
        )
        #expect(result.status == 1)
        #expect(result.standardOutput.hasPrefix("::error file=-,"))
    }

    @Test func simulateExitCodes() async throws {
        let cluster = TestSupport.path("Tests/KubeMailPolicyTests/Fixtures/cluster.yaml").path
        let deliver = try await TestSupport.run(
            kubemailctl,
            ["simulate", "-n", "shop", "-l", "app=web", "-f", cluster]
        )
        #expect(deliver.status == 0)
        #expect(deliver.standardOutput.contains("Policy:       shop/web"))
        #expect(deliver.standardOutput.contains("Server:       smtp.example.com:587, connect starttls"))
        #expect(!deliver.standardOutput.contains("secret-shop"))
        let refuse = try await TestSupport.run(
            kubemailctl,
            ["simulate", "-n", "shop", "-l", "app=ghost", "-f", cluster, "-o", "json"]
        )
        #expect(refuse.status == 1)
        #expect(refuse.standardOutput.contains("\"reply\" : \"554 5.7.1 EmailPolicy shop/missing-server is not ready"))
        let usage = try await TestSupport.run(kubemailctl, ["simulate", "-n", "shop"])
        #expect(usage.status == 2)
        let missingPod = try await TestSupport.run(kubemailctl, ["simulate", "--pod", "shop/none", "-f", cluster])
        #expect(missingPod.status == 2)
        #expect(missingPod.standardError.contains("Pod shop/none is not in the given manifests"))
    }

    @Test func simulateAPodFromTheManifests() async throws {
        let directory = try write([
            "pod.yaml": """
            apiVersion: v1
            kind: Pod
            metadata: {name: web-1, namespace: shop, labels: {app: web}}
            spec: {hostNetwork: true}
            status: {phase: Running, podIP: 10.0.0.7}
            """
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = TestSupport.path("Tests/KubeMailPolicyTests/Fixtures/cluster.yaml").path
        let result = try await TestSupport.run(
            kubemailctl,
            ["simulate", "--pod", "shop/web-1", "-f", cluster, "-f", directory.path]
        )
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("refuse (HostNetworkPod)"))
    }

    @Test(arguments: ["lint", "simulate", "crds", "send"])
    func helpShowsExamples(command: String) async throws {
        let result = try await TestSupport.run(kubemailctl, [command, "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("Examples:"))
    }
}
