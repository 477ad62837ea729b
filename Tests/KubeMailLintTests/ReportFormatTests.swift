import Foundation
import Testing

@testable import KubeMailLint

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Each report format read back by something that is not kubemailctl.
struct ReportFormatTests {
    /// Three files: one clean, one with an error and a warning, one that is not YAML.
    static let report: LintReport = {
        let clean = """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: MailRelay
            metadata: {name: r, namespace: kube-mail}
            """
        let broken = """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: SMTPServer
            metadata: {name: s, namespace: mail}
            spec:
              server: smtp.example.com
              port: 465
              tls: true
              connect: starttls
            ---
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: EmailPolicy
            metadata: {name: "p<&>", namespace: shop}
            spec: {podSelector: {}, sink: {discard: {}}}
            """
        return Linter().lint([
            LintInput(name: "clean.yaml", bytes: Array(clean.utf8)),
            LintInput(name: "dir with space/broken.yaml", bytes: Array(broken.utf8)),
            LintInput(name: "bad.yaml", bytes: Array("key: [unclosed\n".utf8)),
        ])
    }()

    @Test func reportHasTheFindingsTheFormatsCarry() {
        #expect(
            Self.report.findings.map { "\($0.file) \($0.rule.id) \($0.position)" } == [
                "bad.yaml yaml-syntax 2:1",
                "dir with space/broken.yaml deprecated-tls 7:3",
                "dir with space/broken.yaml port-connect-mismatch 8:12",
                "dir with space/broken.yaml invalid-metadata 12:18",
            ]
        )
        #expect(Self.report.exitCode(strict: false) == 2)
    }

    /// sarif-tools (an independent SARIF implementation) reads every result with its rule, file and line.
    @Test func sarifLoadsInSarifTools() async throws {
        let tool = try TestTools.pythonTool("sarif")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kubemail-sarif-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sarif = directory.appendingPathComponent("lint.sarif")
        try Self.report.rendered(as: .sarif).write(to: sarif, atomically: true, encoding: .utf8)
        let csv = directory.appendingPathComponent("lint.csv")
        let result = try await TestTools.run(tool, ["csv", sarif.path, "--output", csv.path])
        #expect(result.status == 0, "sarif csv failed: \(result.standardError)")
        let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
        let read = Set(
            rows.map { row -> String in
                let fields = row.split(separator: ",")
                // Tool,Severity,Code,Description,Location,Line (Description may hold commas; Location and Line are last).
                return "\(fields[2]) \(fields[fields.count - 2]) \(fields[fields.count - 1])"
            }
        )
        let expected = Set(
            Self.report.findings.map { "\($0.rule.id) \(LintReport.uri(forPath: $0.file)) \($0.position.line)" }
        )
        #expect(read == expected)

        let summary = try await TestTools.run(tool, ["summary", sarif.path])
        #expect(summary.standardOutput.contains("error: 2"))
        #expect(summary.standardOutput.contains("warning: 2"))
    }

    @Test func sarifStructure() throws {
        let object =
            try JSONSerialization.jsonObject(with: Data(Self.report.rendered(as: .sarif).utf8)) as? [String: Any]
        #expect(object?["version"] as? String == "2.1.0")
        let run = try #require((object?["runs"] as? [[String: Any]])?.first)
        let rules = try #require(
            ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]]
        )
        let results = try #require(run["results"] as? [[String: Any]])
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
            let location = (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
            let region = location?["region"] as? [String: Any]
            #expect(region?["startLine"] as? Int != nil && region?["startColumn"] as? Int != nil)
        }
        #expect(run["columnKind"] as? String == "unicodeCodePoints")
        #expect(Self.report.rendered(as: .sarif).contains("dir%20with%20space/broken.yaml"))
    }

    @Test func junitIsWellFormedXML() throws {
        let xml = Self.report.rendered(as: .junit)
        let document = try XMLDocument(data: Data(xml.utf8))
        let suites = try document.nodes(forXPath: "/testsuites/testsuite")
        #expect(suites.count == 3)
        let failures = try document.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == 2, "the invalid policy and the unparseable file; the server has warnings only")
        #expect(xml.contains("p&lt;&amp;&gt;"))
        let strict = try XMLDocument(data: Data(Self.report.rendered(as: .junit, strict: true).utf8))
        #expect(try strict.nodes(forXPath: "//testcase/failure").count == 3)
    }

    @Test func jsonReport() throws {
        let object =
            try JSONSerialization.jsonObject(with: Data(Self.report.rendered(as: .json).utf8)) as? [String: Any]
        let findings = try #require(object?["findings"] as? [[String: Any]])
        #expect(findings.count == 4)
        #expect(
            findings.allSatisfy {
                $0["line"] is Int && $0["column"] is Int && $0["rule"] is String && $0["hint"] is String
            }
        )
        let summary = object?["summary"] as? [String: Int]
        #expect(summary == ["files": 3, "documents": 3, "errors": 2, "warnings": 2])
    }

    @Test func githubAnnotations() {
        let lines = Self.report.rendered(as: .github).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.contains { $0.hasPrefix("::error file=bad.yaml,line=2,col=1,title=kubemailctl yaml-syntax::") })
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "::warning file=dir with space/broken.yaml,line=7,col=3,title=kubemailctl deprecated-tls::"
                )
            }
        )
        #expect(lines.allSatisfy { !$0.dropFirst(2).contains("\n") })
    }

    @Test func textReport() {
        let text = Self.report.rendered(as: .text)
        #expect(text.contains("dir with space/broken.yaml:7:3: warning[deprecated-tls]: "))
        #expect(text.hasSuffix("2 errors, 2 warnings in 3 files, 3 documents\n"))
    }
}
