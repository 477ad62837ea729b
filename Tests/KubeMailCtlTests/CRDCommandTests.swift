import Foundation
import KubeMailAPI
import KubeMailCtl
import Testing

/// `kubemailctl crds` as a user runs it: the built executable.
struct CRDCommandTests {
    var kubemailctl: URL { TestSupport.productsDirectory.appendingPathComponent("kubemailctl") }

    @Test func printsEveryCRD() async throws {
        let result = try await TestSupport.run(kubemailctl, ["crds"])
        #expect(result.status == 0)
        #expect(result.standardOutput == (try CRDCommand.render(format: .crd)))
        #expect(result.standardOutput.components(separatedBy: "kind: CustomResourceDefinition").count - 1 == 3)
        #expect(result.standardError.isEmpty)
    }

    @Test func writesOneFilePerKind() async throws {
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("nested/crds")
        defer {
            try? FileManager.default.removeItem(at: directory.deletingLastPathComponent().deletingLastPathComponent())
        }
        let result = try await TestSupport.run(kubemailctl, ["crds", "-o", directory.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty, "nothing but the report on stdout")
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(
            written == [
                "kube-mail.helmich.me_emailpolicies.yaml", "kube-mail.helmich.me_mailrelays.yaml",
                "kube-mail.helmich.me_smtpservers.yaml",
            ]
        )
        for file in try CustomResourceDefinitions.crdFiles() {
            #expect(
                try String(contentsOf: directory.appendingPathComponent(file.name), encoding: .utf8) == file.contents
            )
        }
    }

    @Test func writesJSONSchemasAsKubeconformNamesThem() async throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await TestSupport.run(kubemailctl, ["crds", "--format", "json-schema", "-o", directory.path])
        #expect(result.status == 0)
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(written == ["emailpolicy_v1alpha1.json", "mailrelay_v1alpha1.json", "smtpserver_v1alpha1.json"])
        let schema = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("emailpolicy_v1alpha1.json"))
        )
        #expect((schema as? [String: Any])?["additionalProperties"] as? Bool == false)
    }

    @Test func usageErrorsExitWithTwo() async throws {
        let result = try await TestSupport.run(kubemailctl, ["crds", "--format", "helm"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--format"))
        let unknown = try await TestSupport.run(kubemailctl, ["no-such-command"])
        #expect(unknown.status == 2)
    }

    @Test func unwritableDirectoryExitsWithTwo() async throws {
        let file = try TestSupport.temporaryDirectory().appendingPathComponent("plain-file")
        try Data().write(to: file)
        let result = try await TestSupport.run(kubemailctl, ["crds", "-o", file.appendingPathComponent("sub").path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("kubemailctl crds:"))
    }

    @Test func helpShowsAnExample() async throws {
        let result = try await TestSupport.run(kubemailctl, ["crds", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("kubemailctl crds -o crds/"))
    }
}
