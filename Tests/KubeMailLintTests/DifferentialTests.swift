import Foundation
import KubeMailAPI
import KubeMailCtl
import Testing

@testable import KubeMailLint

/// For every kube-mail document of the corpus, lint's schema verdict (valid or invalid) equals
/// check-jsonschema's on the JSON Schema generated from the same types, judged on the document's
/// own text. Documents whose meaning differs between YAML 1.1 (Kubernetes) and YAML 1.2
/// (check-jsonschema's parser) are left out: `yes`, duplicate keys.
struct DifferentialTests {
    struct Sample {
        var name: String
        var kind: String
        var text: String
        var lintSaysValid: Bool
    }

    static func samples() throws -> [Sample] {
        var samples: [Sample] = []
        var validator = SchemaValidator()
        for file in LintCorpusTests.files {
            let bytes = try [UInt8](Data(contentsOf: LintCorpusTests.corpus.appendingPathComponent(file)))
            guard let text = String(validating: bytes, as: UTF8.self) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for document in YAMLStreamReader.read(text).documents {
                let root = document.root
                guard root["apiVersion"]?.string == KubeMailGroup.apiVersion, let kind = root["kind"]?.string,
                    let known = KubeMailObject.Kind(rawValue: kind)
                else { continue }
                let object = Finding.Object(kind: kind, namespace: nil, name: "")
                let yamlLevel = Linter.yamlFindings(root, file: file, object: object)
                guard yamlLevel.isEmpty else { continue }
                let schema: JSONSchema
                switch known {
                case .smtpServer: schema = CustomResourceDefinitions.objectSchema(for: SMTPServer.self)
                case .emailPolicy: schema = CustomResourceDefinitions.objectSchema(for: EmailPolicy.self)
                case .mailRelay: schema = CustomResourceDefinitions.objectSchema(for: MailRelay.self)
                }
                let last = document.end.column > 1 ? document.end.line : document.end.line - 1
                let slice = lines[(document.start.line - 1)..<min(last, lines.count)].joined(separator: "\n") + "\n"
                samples.append(
                    Sample(
                        name: "\(file.dropLast(5))-\(document.index).yaml",
                        kind: kind,
                        text: slice,
                        lintSaysValid: validator.validate(root, against: schema).isEmpty
                    )
                )
            }
        }
        return samples
    }

    @Test func schemaVerdictsAgreeWithCheckJSONSchema() async throws {
        let tool = try TestTools.pythonTool("check-jsonschema")
        let samples = try Self.samples()
        #expect(samples.count >= 60, "the corpus should hold enough kube-mail documents")
        #expect(samples.contains { !$0.lintSaysValid } && samples.contains { $0.lintSaysValid })

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kubemail-diff-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try CRDCommand.write(format: .jsonSchema, to: directory.path)
        for sample in samples {
            try sample.text.write(to: directory.appendingPathComponent(sample.name), atomically: true, encoding: .utf8)
        }
        var rejectedByReferee: Set<String> = []
        for (kind, group) in Dictionary(grouping: samples, by: \.kind) {
            let schema = directory.appendingPathComponent("\(kind.lowercased())_v1alpha1.json").path
            let result = try await TestTools.run(
                tool,
                ["-o", "json", "--schemafile", schema] + group.map { directory.appendingPathComponent($0.name).path }
            )
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                "check-jsonschema: \(result.standardError)"
            )
            for error in (report["errors"] as? [[String: Any]] ?? [])
                + (report["parse_errors"] as? [[String: Any]] ?? [])
            {
                rejectedByReferee.insert(URL(fileURLWithPath: error["filename"] as? String ?? "").lastPathComponent)
            }
        }
        for sample in samples {
            let refereeSaysValid = !rejectedByReferee.contains(sample.name)
            #expect(
                sample.lintSaysValid == refereeSaysValid,
                "\(sample.name): lint says \(sample.lintSaysValid ? "valid" : "invalid"), check-jsonschema says \(refereeSaysValid ? "valid" : "invalid")\n\(sample.text)"
            )
        }
    }
}
