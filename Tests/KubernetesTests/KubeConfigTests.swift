import Foundation
import Kubernetes
import Testing

struct KubeConfigTests {
    func write(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let first = """
        apiVersion: v1
        kind: Config
        current-context: dev
        clusters:
          - name: dev
            cluster:
              server: https://127.0.0.1:6443
              certificate-authority: certs/ca.pem
              tls-server-name: kubernetes
        users:
          - name: dev-admin
            user:
              client-certificate-data: Q0VSVA==
              client-key-data: S0VZ
          - name: token-user
            user:
              tokenFile: token
        contexts:
          - name: dev
            context: {cluster: dev, user: dev-admin, namespace: mail}
          - name: tokens
            context: {cluster: dev, user: token-user}
        """

    static let second = """
        current-context: prod
        clusters:
          - name: dev
            cluster: {server: https://shadowed.example}
          - name: prod
            cluster: {server: https://prod.example, certificate-authority-data: Q0E=}
        users:
          - name: exec-user
            user:
              exec:
                apiVersion: client.authentication.k8s.io/v1
                command: ./get-token.sh
                args: [--cluster, prod]
                env: [{name: REGION, value: eu}]
        contexts:
          - name: prod
            context: {cluster: prod, user: exec-user}
        """

    @Test func resolvesTheCurrentContext() throws {
        let directory = try write(["config": Self.first])
        let config = try KubeConfig.load(paths: [directory.appendingPathComponent("config").path])
        let context = try config.resolve()
        #expect(context.name == "dev")
        #expect(context.namespace == "mail")
        #expect(context.cluster.server == "https://127.0.0.1:6443")
        #expect(context.cluster.certificateAuthority == directory.appendingPathComponent("certs/ca.pem").path)
        #expect(context.cluster.tlsServerName == "kubernetes")
        #expect(context.user?.clientCertificateData == "Q0VSVA==")
        let tokens = try config.resolve(context: "tokens")
        #expect(tokens.namespace == "default")
        #expect(tokens.user?.tokenFile == directory.appendingPathComponent("token").path)
    }

    /// KUBECONFIG lists merge as kubectl merges them: the first file to name a thing wins.
    @Test func mergesAKubeconfigList() throws {
        let directory = try write(["a": Self.first, "b": Self.second])
        let environment = [
            "KUBECONFIG": [
                directory.appendingPathComponent("a").path, "/nonexistent", directory.appendingPathComponent("b").path,
            ]
            .joined(separator: ":")
        ]
        let config = try KubeConfig.loadDefault(environment: environment)
        #expect(config.currentContext == "dev")
        #expect(try config.resolve(context: "dev").cluster.server == "https://127.0.0.1:6443")
        let prod = try config.resolve(context: "prod")
        #expect(prod.cluster.certificateAuthorityData == "Q0E=")
        #expect(prod.user?.exec?.command == "./get-token.sh")
        #expect(prod.user?.exec?.args == ["--cluster", "prod"])
        #expect(prod.user?.exec?.env?.first?.value == "eu")
    }

    @Test func errorsSayWhatToFix() throws {
        let directory = try write(["config": Self.first, "broken": "clusters: [not, a, mapping"])
        let config = try KubeConfig.load(paths: [directory.appendingPathComponent("config").path])
        #expect(throws: KubeConfigError.self) { try config.resolve(context: "missing") }
        do {
            _ = try config.resolve(context: "missing")
        } catch {
            #expect(error.description == "context \"missing\" is not in the kubeconfig")
        }
        #expect(throws: KubeConfigError.self) { try KubeConfig.load(paths: ["/nonexistent/config"]) }
        #expect(throws: KubeConfigError.self) {
            try KubeConfig.load(paths: [directory.appendingPathComponent("broken").path])
        }
        let noContext = try write(["config": "clusters: []\n"])
        let empty = try KubeConfig.load(paths: [noContext.appendingPathComponent("config").path])
        do {
            _ = try empty.resolve()
            Issue.record("resolved a kubeconfig without contexts")
        } catch {
            #expect(error.description.contains("current-context"))
        }
    }
}
