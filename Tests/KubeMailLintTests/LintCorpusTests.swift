import Foundation
import KubeMailLint
import Testing

/// Every file of the corpus names the findings it must produce, exactly, in comment lines:
/// `# expect: rule line:column` (or `# expect: nothing`) and optionally `# exit: N`.
struct LintCorpusTests {
    static let corpus = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/corpus")

    static let files: [String] =
        (try? FileManager.default.contentsOfDirectory(atPath: corpus.path))?
        .filter { $0.hasSuffix(".yaml") }.sorted() ?? []

    struct Expectation {
        var findings: [String]
        var exitCode: Int32?

        init(_ bytes: [UInt8]) {
            let text = String(decoding: bytes, as: UTF8.self)
            var findings: [String] = []
            var exitCode: Int32?
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# expect: ") {
                    let value = line.dropFirst("# expect: ".count)
                    if value != "nothing" { findings.append(String(value)) }
                } else if line.hasPrefix("# exit: ") {
                    exitCode = Int32(line.dropFirst("# exit: ".count))
                }
            }
            self.findings = findings.sorted()
            self.exitCode = exitCode
        }
    }

    @Test func corpusIsLargeEnough() {
        #expect(Self.files.count >= 60)
    }

    @Test(arguments: files)
    func findingsMatchExactly(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(file)))
        let expectation = Expectation(bytes)
        let report = Linter().lint([LintInput(name: file, bytes: bytes)])
        let found = report.findings.map { "\($0.rule.id) \($0.position)" }.sorted()
        #expect(found == expectation.findings, "\(file):\n\(report.rendered(as: .text))")
        let errors = report.findings.contains { $0.severity == .error }
        #expect(report.exitCode(strict: false) == expectation.exitCode ?? (errors ? 1 : 0))
    }

    /// A long file: positions stay exact thousands of lines in.
    @Test func veryLongFile() {
        var text = ""
        for index in 0..<3000 {
            text +=
                "---\napiVersion: kube-mail.helmich.me/v1alpha1\nkind: SMTPServer\nmetadata:\n  name: s\(index)\n  namespace: mail\n"
            text += "spec:\n  server: smtp\(index).example.com\n  port: \(index == 2999 ? 70000 : 587)\n"
        }
        let report = Linter().lint([LintInput(name: "long.yaml", bytes: Array(text.utf8))])
        #expect(report.documentCount == 3000)
        #expect(report.findings.map { "\($0.rule.id) \($0.position)" } == ["schema-range 27000:9"])
    }

    @Test func strictTurnsWarningsIntoFailure() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent("smtpserver-deprecated-tls.yaml")))
        let report = Linter().lint([LintInput(name: "x.yaml", bytes: bytes)])
        #expect(report.exitCode(strict: false) == 0)
        #expect(report.exitCode(strict: true) == 1)
    }

    @Test func disabledRulesAreNotReported() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent("policy-overlap.yaml")))
        var options = LintOptions()
        options.disabledRules = ["policy-overlap"]
        #expect(Linter(options: options).lint([LintInput(name: "x.yaml", bytes: bytes)]).findings.isEmpty)
    }

    /// References resolve across files, as a directory of manifests is linted together.
    @Test func referencesResolveAcrossFiles() {
        let policy = """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: EmailPolicy
            metadata: {name: p, namespace: shop}
            spec:
              podSelector: {}
              sink: {smtp: {server: {name: relay}, credentials: {name: creds}}}
            """
        let server =
            "apiVersion: kube-mail.helmich.me/v1alpha1\nkind: SMTPServer\nmetadata: {name: relay, namespace: shop}\nspec: {server: a.example}\n"
        let secret =
            "apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: shop}\nstringData: {username: u, password: p}\n"
        let inputs = [policy, server, secret].enumerated().map {
            LintInput(name: "f\($0.offset).yaml", bytes: Array($0.element.utf8))
        }
        #expect(Linter().lint(inputs).findings.isEmpty)
        #expect(Linter().lint(Array(inputs.prefix(2))).findings.map(\.rule.id) == ["ref-secret-not-found"])
    }

    /// Objects without a namespace land in the namespace given with -n, as with kubectl apply -n.
    @Test func defaultNamespaceOption() {
        let text = """
            apiVersion: kube-mail.helmich.me/v1alpha1
            kind: EmailPolicy
            metadata: {name: p}
            spec: {podSelector: {}, sink: {discard: {}}}
            """
        var options = LintOptions()
        options.defaultNamespace = "team-a"
        let report = Linter(options: options).lint([LintInput(name: "p.yaml", bytes: Array(text.utf8))])
        #expect(report.findings.isEmpty)
        #expect(LintReport.Format.allCases.count == 5)
    }
}
