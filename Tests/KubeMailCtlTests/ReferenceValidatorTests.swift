import Foundation
import KubeMailAPI
import KubeMailCtl
import Testing
import Yams

/// Independent validators judge what kube-mail generates: kubernetes-validate the CRDs as
/// Kubernetes objects, check-jsonschema the samples and the broken fixtures against the schemas.
struct ReferenceValidatorTests {
    /// A manifest file with one kube-mail object, and the kind it declares.
    struct Manifest: Sendable {
        var url: URL
        var kind: String
        var why: String?
        /// Where a validator must find the problem (`$.spec.port`), for the invalid fixtures.
        var path: String?
        var schemaOnly: Bool

        init(url: URL) throws {
            let text = try String(contentsOf: url, encoding: .utf8)
            self.url = url
            let node = try #require(try Yams.compose(yaml: text), "\(url.lastPathComponent) is empty")
            self.kind = try #require(node["kind"]?.string, "\(url.lastPathComponent) has no kind")
            let comments = text.split(separator: "\n").filter { $0.hasPrefix("#") }
            self.why = comments.first { $0.hasPrefix("# why: ") }.map { String($0.dropFirst("# why: ".count)) }
            self.path = comments.first { $0.hasPrefix("# path: ") }.map { String($0.dropFirst("# path: ".count)) }
            self.schemaOnly = comments.contains("# swift: schema-only")
        }
    }

    static func manifests(in directory: URL) throws -> [Manifest] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map(Manifest.init)
    }

    static let samples = TestSupport.path("config/samples")
    static let invalid = TestSupport.fixtures.appendingPathComponent("invalid")

    /// Writes the strict JSON Schemas and runs check-jsonschema once per kind. Returns the files it
    /// rejected, with its messages.
    func checkJSONSchema(_ manifests: [Manifest]) async throws -> [String: [String]] {
        let tool = try TestSupport.pythonTool("check-jsonschema")
        let schemas = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: schemas) }
        try CRDCommand.write(format: .jsonSchema, to: schemas.path)
        var rejected: [String: [String]] = [:]
        for (kind, group) in Dictionary(grouping: manifests, by: \.kind) {
            let schema = schemas.appendingPathComponent("\(kind.lowercased())_v1alpha1.json")
            let result = try await TestSupport.run(
                tool,
                ["-o", "json", "--schemafile", schema.path] + group.map(\.url.path)
            )
            let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
            let errors =
                (report?["errors"] as? [[String: Any]] ?? []) + (report?["parse_errors"] as? [[String: Any]] ?? [])
            #expect(result.status == (errors.isEmpty ? 0 : 1), "check-jsonschema: \(result.standardError)")
            for error in errors {
                let file = URL(fileURLWithPath: error["filename"] as? String ?? "?").lastPathComponent
                rejected[file, default: []].append("\(error["path"] ?? "")\t\(error["message"] ?? "")")
            }
        }
        return rejected
    }

    @Test func samplesPassCheckJSONSchema() async throws {
        let samples = try Self.manifests(in: Self.samples)
        #expect(samples.count >= 20)
        #expect(Set(samples.map(\.kind)) == ["SMTPServer", "EmailPolicy", "MailRelay"])
        let rejected = try await checkJSONSchema(samples)
        #expect(rejected.isEmpty, "samples rejected by check-jsonschema: \(rejected)")
    }

    @Test func invalidFixturesAreRejectedByCheckJSONSchema() async throws {
        let fixtures = try Self.manifests(in: Self.invalid)
        #expect(fixtures.count >= 15)
        let rejected = try await checkJSONSchema(fixtures)
        for fixture in fixtures {
            let name = fixture.url.lastPathComponent
            #expect(fixture.why != nil, "\(name) does not say why it is invalid")
            let paths = (rejected[name] ?? []).map { $0.split(separator: "\t").first.map(String.init) ?? "" }
            #expect(
                fixture.path.map { paths.contains($0) } ?? false,
                "check-jsonschema should reject \(name) at \(fixture.path ?? "(no # path: line)") (\(fixture.why ?? "")); it said \(rejected[name] ?? ["nothing"])"
            )
        }
    }

    /// The Swift types reach the same verdict (unknown fields are a schema matter: the types ignore
    /// them, as the API server prunes them; `kubemailctl lint` reports them).
    @Test func invalidFixturesAreRejectedByTheTypes() throws {
        for fixture in try Self.manifests(in: Self.invalid) where !fixture.schemaOnly {
            let text = try String(contentsOf: fixture.url, encoding: .utf8)
            let problems: [FieldError]
            do {
                problems = try KubeMailObject.decodeAll(yaml: text).flatMap { $0.validate() }
            } catch {
                problems = [error]
            }
            #expect(!problems.isEmpty, "the types accept \(fixture.url.lastPathComponent): \(fixture.why ?? "")")
        }
    }

    @Test func crdsPassKubernetesValidateStrict() async throws {
        let tool = try TestSupport.pythonTool("kubernetes-validate")
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try CRDCommand.write(format: .crd, to: directory.path)
        let result = try await TestSupport.run(tool, ["--strict"] + paths)
        #expect(
            result.status == 0,
            "kubernetes-validate rejected the CRDs:\n\(result.standardOutput)\(result.standardError)"
        )
        #expect(
            result.standardOutput.components(separatedBy: " passed for resource customresourcedefinition/").count - 1
                == 3
        )
    }

    /// The referee must be able to say no: a CRD with a field the v1 API does not have fails.
    @Test func kubernetesValidateRejectsABrokenCRD() async throws {
        let tool = try TestSupport.pythonTool("kubernetes-validate")
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let crd = try #require(try CustomResourceDefinitions.crdFiles().first).contents
            .replacingOccurrences(of: "scope: Namespaced", with: "scope: Namespaced\n  scopes: wrong")
        let file = directory.appendingPathComponent("broken.yaml")
        try crd.write(to: file, atomically: true, encoding: .utf8)
        let result = try await TestSupport.run(tool, ["--strict", file.path])
        #expect(result.status != 0)
    }
}
