import Foundation
import KubeMailAPI

extension LintReport {
    public enum Format: String, CaseIterable, Sendable {
        case text, json, sarif, junit, github
    }

    /// The report in a format; nothing else is printed to standard output.
    public func rendered(as format: Format, strict: Bool = false) -> String {
        switch format {
        case .text: textReport()
        case .json: jsonReport()
        case .sarif: sarifReport()
        case .junit: junitReport(strict: strict)
        case .github: githubReport()
        }
    }

    /// `file:line:column: severity[rule]: message (object)`, a hint below, and a summary line.
    func textReport() -> String {
        var lines: [String] = []
        for finding in findings {
            var line =
                "\(finding.file):\(finding.position): \(finding.severity.rawValue)[\(finding.rule.id)]: \(finding.message)"
            if let object = finding.object { line += " (\(object))" }
            lines.append(line)
            lines.append("    hint: \(finding.rule.help)")
        }
        lines.append(summary)
        return lines.joined(separator: "\n") + "\n"
    }

    public var summary: String {
        let scope =
            "\(files.count) file\(files.count == 1 ? "" : "s"), \(documentCount) document\(documentCount == 1 ? "" : "s")"
        if findings.isEmpty { return "no problems in \(scope)" }
        return
            "\(errorCount) error\(errorCount == 1 ? "" : "s"), \(warningCount) warning\(warningCount == 1 ? "" : "s") in \(scope)"
    }

    struct JSONFinding: Encodable {
        struct Object: Encodable {
            var kind: String
            var namespace: String?
            var name: String
        }

        var file: String
        var line: Int
        var column: Int
        var rule: String
        var severity: String
        var message: String
        var hint: String
        var object: Object?
    }

    struct JSONSummary: Encodable {
        var files: Int
        var documents: Int
        var errors: Int
        var warnings: Int
    }

    func jsonReport() -> String {
        struct Document: Encodable {
            var findings: [JSONFinding]
            var summary: JSONSummary
        }
        let document = Document(
            findings: findings.map { finding in
                JSONFinding(
                    file: finding.file,
                    line: finding.position.line,
                    column: finding.position.column,
                    rule: finding.rule.id,
                    severity: finding.severity.rawValue,
                    message: finding.message,
                    hint: finding.rule.help,
                    object: finding.object.map { .init(kind: $0.kind, namespace: $0.namespace, name: $0.name) }
                )
            },
            summary: JSONSummary(
                files: files.count,
                documents: documentCount,
                errors: errorCount,
                warnings: warningCount
            )
        )
        return Self.json(document)
    }

    /// SARIF 2.1.0: one run, the rule catalog as the driver's rules, a region per result.
    func sarifReport() -> String {
        let rules = LintRule.all
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let results: [JSONValue] = findings.map { finding in
            var result: [String: JSONValue] = [
                "ruleId": .string(finding.rule.id),
                "level": .string(finding.severity.rawValue),
                "message": ["text": .string(finding.message + (finding.object.map { " (\($0))" } ?? ""))],
                "locations": [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": .string(Self.uri(forPath: finding.file))],
                            "region": [
                                "startLine": .integer(finding.position.line),
                                "startColumn": .integer(finding.position.column),
                            ],
                        ]
                    ]
                ],
            ]
            if let index = ruleIndex[finding.rule.id] { result["ruleIndex"] = .integer(index) }
            return .object(result)
        }
        let driver: JSONValue = [
            "name": "kubemailctl",
            "fullName": "kubemailctl lint",
            "version": .string(KubeMailVersion.current),
            "informationUri": "https://github.com/martin-helmich/kube-mail",
            "rules": .array(
                rules.map { rule in
                    [
                        "id": .string(rule.id),
                        "shortDescription": ["text": .string(rule.summary)],
                        "help": ["text": .string(rule.help)],
                        "defaultConfiguration": ["level": .string(rule.severity.rawValue)],
                    ]
                }
            ),
        ]
        let log: JSONValue = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": ["driver": driver],
                    "columnKind": "unicodeCodePoints",
                    "results": .array(results),
                ]
            ],
        ]
        return Self.json(log)
    }

    /// JUnit XML: a test suite per file, a test case per object (or per file for problems of the
    /// file itself). Errors fail a case; warnings do too with `strict`, else they are written to
    /// the case's output.
    func junitReport(strict: Bool) -> String {
        var suites: [String] = []
        var totalTests = 0
        var totalFailures = 0
        let byFile = Dictionary(grouping: findings, by: \.file)
        for file in files {
            let fileFindings = byFile[file] ?? []
            let byCase = Dictionary(grouping: fileFindings) { $0.object?.description ?? file }
            var cases: [String] = []
            var failures = 0
            for name in byCase.keys.sorted() {
                let caseFindings = byCase[name]!
                let failing = caseFindings.filter { $0.severity == .error || strict }
                let text = caseFindings.map {
                    "\($0.file):\($0.position): \($0.severity.rawValue)[\($0.rule.id)]: \($0.message)"
                }
                .joined(separator: "\n")
                var body = ""
                if !failing.isEmpty {
                    failures += 1
                    body +=
                        "<failure message=\"\(Self.xml("\(failing.count) problem\(failing.count == 1 ? "" : "s")"))\" type=\"lint\">"
                        + Self.xml(text) + "</failure>"
                } else {
                    body += "<system-out>\(Self.xml(text))</system-out>"
                }
                cases.append(
                    "    <testcase name=\"\(Self.xml(name))\" classname=\"\(Self.xml(file))\">\(body)</testcase>"
                )
            }
            if cases.isEmpty {
                cases.append("    <testcase name=\"\(Self.xml(file))\" classname=\"\(Self.xml(file))\"/>")
            }
            totalTests += cases.count
            totalFailures += failures
            suites.append(
                "  <testsuite name=\"\(Self.xml(file))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">\n"
                    + cases.joined(separator: "\n") + "\n  </testsuite>"
            )
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"kubemailctl lint\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"0\">\n"
            + suites.joined(separator: "\n") + (suites.isEmpty ? "" : "\n") + "</testsuites>\n"
    }

    /// GitHub Actions workflow commands, which annotate the lines of a pull request.
    func githubReport() -> String {
        findings.map { finding in
            let properties = [
                "file=\(Self.githubProperty(finding.file))", "line=\(finding.position.line)",
                "col=\(finding.position.column)",
                "title=\(Self.githubProperty("kubemailctl \(finding.rule.id)"))",
            ].joined(separator: ",")
            let message = finding.message + (finding.object.map { " (\($0))" } ?? "") + "\nhint: \(finding.rule.help)"
            return "::\(finding.severity.rawValue) \(properties)::\(Self.githubData(message))\n"
        }.joined()
    }

    // MARK: - Escaping

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)).map { $0 + "\n" } ?? "{}\n"
    }

    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 cannot carry other control characters, even escaped.
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func githubData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func githubProperty(_ text: String) -> String {
        githubData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// A relative URI reference for a file path (SARIF artifact locations are URIs).
    static func uri(forPath path: String) -> String {
        if path == "-" { return "stdin" }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
