import Foundation
import KubeMailAPI
import KubeMailPolicy

/// A manifest file to lint: its name as reports show it, and its bytes.
public struct LintInput: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

public struct LintOptions: Sendable {
    /// The namespace of objects that name none, as `kubectl apply -n` would give them.
    public var defaultNamespace = "default"
    /// kube-mail's own namespace, whose default policies serve every namespace.
    public var systemNamespace = "kube-mail"
    /// Rule ids not to report.
    public var disabledRules: Set<String> = []

    public init() {}
}

/// What a lint run found.
public struct LintReport: Sendable {
    /// Sorted by file, then position.
    public var findings: [Finding]
    public var files: [String]
    public var documentCount: Int

    public var errorCount: Int { findings.count { $0.severity == .error } }
    public var warningCount: Int { findings.count { $0.severity == .warning } }

    /// 0 clean; 1 an error (with `strict`: or a warning); 2 a file could not be read or parsed.
    public func exitCode(strict: Bool) -> Int32 {
        if findings.contains(where: \.rule.makesInputUnreadable) { return 2 }
        if errorCount > 0 || (strict && warningCount > 0) { return 1 }
        return 0
    }
}

/// Checks kube-mail manifests: YAML, schema, values, references between the files, and the
/// policy and server set-ups that work but will surprise.
public struct Linter: Sendable {
    public var options: LintOptions

    public init(options: LintOptions = LintOptions()) {
        self.options = options
    }

    /// A document of kube-mail's group, read and decoded.
    struct ParsedObject {
        var file: String
        var root: YAMLNode
        var identity: Finding.Object
        var resource: KubeMailObject?
    }

    /// Lints the files together (references are resolved across them). `inputProblems` are
    /// findings about paths that could not be read, reported with the rest.
    public func lint(_ inputs: [LintInput], inputProblems: [Finding] = []) -> LintReport {
        var findings = inputProblems
        var objects: [ParsedObject] = []
        var inventory = InMemoryInventory(defaultNamespace: options.defaultNamespace)
        var validator = SchemaValidator()
        var documentCount = 0

        for input in inputs {
            guard let text = String(validating: input.bytes, as: UTF8.self) else {
                findings.append(
                    Finding(
                        file: input.name,
                        position: Self.firstInvalidUTF8(input.bytes),
                        rule: .yamlEncoding,
                        message: "the file is not valid UTF-8",
                        object: nil
                    )
                )
                continue
            }
            let stream = YAMLStreamReader.read(text)
            if let error = stream.error {
                findings.append(
                    Finding(
                        file: input.name,
                        position: error.position,
                        rule: .yamlSyntax,
                        message: "YAML syntax error: \(error)",
                        object: nil
                    )
                )
            }
            documentCount += stream.documents.count
            for document in stream.documents {
                let result = lintDocument(document, file: input.name, validator: &validator, inventory: &inventory)
                findings += result.findings
                if let object = result.object { objects.append(object) }
            }
        }
        findings += crossDocumentFindings(objects, inventory: inventory)
        findings = findings.filter { !options.disabledRules.contains($0.rule.id) }
        findings.sort {
            ($0.file, $0.position, $0.rule.id, $0.message) < ($1.file, $1.position, $1.rule.id, $1.message)
        }
        return LintReport(
            findings: findings,
            files: inputs.map(\.name) + inputProblems.map(\.file),
            documentCount: documentCount
        )
    }

    // MARK: - One document

    private func lintDocument(
        _ document: YAMLStreamReader.Document,
        file: String,
        validator: inout SchemaValidator,
        inventory: inout InMemoryInventory
    ) -> (findings: [Finding], object: ParsedObject?) {
        let root = document.root
        func finding(
            _ rule: LintRule,
            _ position: SourcePosition,
            _ message: String,
            _ object: Finding.Object? = nil
        ) -> Finding {
            Finding(file: file, position: position, rule: rule, message: message, object: object)
        }
        guard root.pairs != nil else {
            return (
                [
                    finding(
                        .missingTypeMeta,
                        root.position,
                        "document \(document.index) is not an object with apiVersion and kind"
                    )
                ], nil
            )
        }
        guard let apiVersion = root["apiVersion"]?.string, let kind = root["kind"]?.string, !apiVersion.isEmpty,
            !kind.isEmpty
        else {
            let missing = [
                root["apiVersion"]?.string == nil ? "apiVersion" : nil, root["kind"]?.string == nil ? "kind" : nil,
            ]
            .compactMap { $0 }.joined(separator: " and ")
            return ([finding(.missingTypeMeta, root.position, "document \(document.index) has no \(missing)")], nil)
        }
        let group = apiVersion.split(separator: "/").first.map(String.init) ?? apiVersion
        guard group == KubeMailGroup.name else {
            recordForeignObject(apiVersion: apiVersion, kind: kind, root: root, into: &inventory)
            return ([], nil)
        }

        let name = root["metadata"]?["name"]?.string ?? ""
        let namespace = root["metadata"]?["namespace"]?.string ?? options.defaultNamespace
        let identity = Finding.Object(kind: kind, namespace: namespace, name: name)
        var findings = Self.yamlFindings(root, file: file, object: identity)

        guard apiVersion == KubeMailGroup.apiVersion else {
            let position = root["apiVersion"]?.position ?? root.position
            findings.append(
                finding(
                    .unknownVersion,
                    position,
                    "\(apiVersion) is not served; use \(KubeMailGroup.apiVersion)",
                    identity
                )
            )
            return (findings, nil)
        }
        guard let knownKind = KubeMailObject.Kind(rawValue: kind) else {
            let position = root["kind"]?.position ?? root.position
            let kinds = KubeMailObject.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            findings.append(
                finding(.unknownKind, position, "\(KubeMailGroup.name) has no kind \(kind); it has \(kinds)", identity)
            )
            return (findings, nil)
        }

        let schema: JSONSchema
        switch knownKind {
        case .smtpServer: schema = CustomResourceDefinitions.objectSchema(for: SMTPServer.self)
        case .emailPolicy: schema = CustomResourceDefinitions.objectSchema(for: EmailPolicy.self)
        case .mailRelay: schema = CustomResourceDefinitions.objectSchema(for: MailRelay.self)
        }
        let violations = validator.validate(root, against: schema)
        findings += violations.map { finding(.schema($0.kind), $0.position, $0.message, identity) }

        var resource: KubeMailObject?
        if violations.isEmpty {
            let decoded: KubeMailObject
            switch Self.decode(root, as: knownKind) {
            case .success(let object):
                decoded = object
            case .failure(let error):
                // The schema leaves metadata to the API server; its types are checked here.
                findings.append(
                    finding(Self.rule(for: error), Self.position(of: error, in: root), error.description, identity)
                )
                return (findings, ParsedObject(file: file, root: root, identity: identity, resource: nil))
            }
            resource = decoded
            let fieldErrors = decoded.validate().filter { error in
                !violations.contains { error.path.description.hasPrefix($0.path.description) }
            }
            findings += fieldErrors.map { error in
                let position = Self.position(of: error, in: root)
                return finding(Self.rule(for: error), position, error.description, identity)
            }
            switch decoded {
            case .smtpServer(var server):
                server.metadata.namespace = namespace
                inventory.add(server)
            case .emailPolicy(var policy):
                policy.metadata.namespace = namespace
                inventory.add(policy)
            case .mailRelay: break
            }
        }
        return (findings, ParsedObject(file: file, root: root, identity: identity, resource: resource))
    }

    /// Secrets and Namespaces are what kube-mail objects refer to; other kinds are ignored.
    private func recordForeignObject(
        apiVersion: String,
        kind: String,
        root: YAMLNode,
        into inventory: inout InMemoryInventory
    ) {
        guard apiVersion == "v1" else { return }
        switch kind {
        case "Secret":
            if let secret = Self.decodeJSON(CoreV1.Secret.self, from: root) { inventory.add(secret) }
        case "Namespace":
            if let namespace = Self.decodeJSON(CoreV1.Namespace.self, from: root) { inventory.add(namespace) }
        default:
            break
        }
    }

    /// Duplicate keys and YAML 1.1 booleans, anywhere in the document.
    static func yamlFindings(_ node: YAMLNode, file: String, object: Finding.Object) -> [Finding] {
        var findings: [Finding] = []
        func walk(_ node: YAMLNode) {
            switch node.content {
            case .scalar(let scalar):
                if scalar.isYAML11Boolean {
                    findings.append(
                        Finding(
                            file: file,
                            position: node.position,
                            rule: .yamlAmbiguousBoolean,
                            message:
                                "\(scalar.text) is the boolean \(scalar.value == .bool(true)) for Kubernetes but the string "
                                + "\"\(scalar.text)\" for YAML 1.2 tools",
                            object: object
                        )
                    )
                }
            case .mapping(let pairs):
                var seen: Set<String> = []
                for pair in pairs {
                    if let key = pair.key.scalar?.text, !seen.insert(key).inserted {
                        findings.append(
                            Finding(
                                file: file,
                                position: pair.key.position,
                                rule: .yamlDuplicateKey,
                                message: "the key \"\(key)\" appears more than once in this mapping",
                                object: object
                            )
                        )
                    }
                    walk(pair.value)
                }
            case .sequence(let items):
                items.forEach(walk)
            }
        }
        walk(node)
        return findings
    }

    // MARK: - Across documents

    private func crossDocumentFindings(_ objects: [ParsedObject], inventory: InMemoryInventory) -> [Finding] {
        var findings: [Finding] = []
        var seen: [String: ParsedObject] = [:]
        for object in objects {
            let key = object.identity.description
            if let first = seen[key] {
                let position = object.root["metadata"]?["name"]?.position ?? object.root.position
                findings.append(
                    Finding(
                        file: object.file,
                        position: position,
                        rule: .duplicateObject,
                        message: "\(key) is also defined in \(first.file)",
                        object: object.identity
                    )
                )
            } else {
                seen[key] = object
            }
        }
        let policies = objects.compactMap { object -> (ParsedObject, EmailPolicy)? in
            guard case .emailPolicy(var policy) = object.resource else { return nil }
            policy.metadata.namespace = object.identity.namespace
            return (object, policy)
        }
        for (object, policy) in policies {
            findings += referenceFindings(policy, object: object, inventory: inventory)
        }
        findings += policyFindings(policies)
        for object in objects {
            if case .smtpServer(let server) = object.resource {
                findings += serverFindings(server, object: object)
            }
        }
        return findings
    }

    private func referenceFindings(
        _ policy: EmailPolicy,
        object: ParsedObject,
        inventory: InMemoryInventory
    ) -> [Finding] {
        let smtp = object.root["spec"]?["sink"]?["smtp"]
        // A server that is itself invalid is reported on the server, not on every policy using it.
        let server = DeliveryPlan.resolveServer(of: policy, in: inventory).map { _ in () }
        let credentials = DeliveryPlan.resolveCredentials(of: policy, in: inventory).map { _ in () }
        return [(server, "server"), (credentials, "credentials")].compactMap { result, field -> Finding? in
            guard case .failure(let refusal) = result, refusal.reason != "ServerNotAccepted" else { return nil }
            return Finding(
                file: object.file,
                position: smtp?[field]?["name"]?.position ?? smtp?.position ?? object.root.position,
                rule: Self.rule(forRefusal: refusal),
                message: refusal.detail,
                object: object.identity
            )
        }
    }

    private func policyFindings(_ policies: [(ParsedObject, EmailPolicy)]) -> [Finding] {
        var findings: [Finding] = []
        for (namespace, members) in Dictionary(
            grouping: policies,
            by: { $0.1.metadata.namespace ?? options.defaultNamespace }
        ) {
            let sorted = members.sorted { PolicyResolver.precedes($0.1, $1.1) }
            let defaults = sorted.filter { $0.1.spec.effectiveIsDefault }.sorted {
                ($0.1.metadata.name ?? "") < ($1.1.metadata.name ?? "")
            }
            if defaults.count > 1, let winner = defaults.first {
                for (object, policy) in defaults {
                    let others = defaults.filter { $0.1.metadata.name != policy.metadata.name }.map {
                        $0.1.metadata.name ?? ""
                    }
                    findings.append(
                        Finding(
                            file: object.file,
                            position: object.root["spec"]?.pair("default")?.key.position ?? object.root.position,
                            rule: .policyMultipleDefaults,
                            message:
                                "namespace \(namespace) has several default policies (also \(others.joined(separator: ", "))); "
                                + "\(winner.1.metadata.name ?? "") is used",
                            object: object.identity
                        )
                    )
                }
            }
            for (object, policy) in sorted where policy.spec.podSelector == nil && !policy.spec.effectiveIsDefault {
                findings.append(
                    Finding(
                        file: object.file,
                        position: object.root.pair("spec")?.key.position ?? object.root.position,
                        rule: .policySelectsNothing,
                        message: "EmailPolicy \(namespace)/\(policy.metadata.name ?? "") never applies",
                        object: object.identity
                    )
                )
            }
            for (index, (winnerObject, winner)) in sorted.enumerated() {
                guard let winnerSelector = winner.spec.podSelector else { continue }
                for (loserObject, loser) in sorted[(index + 1)...] {
                    guard let loserSelector = loser.spec.podSelector,
                        let example = winnerSelector.overlapExample(with: loserSelector)
                    else { continue }
                    let labels =
                        example.isEmpty
                        ? "any labels"
                        : "labels "
                            + example.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    let winnerName = winner.metadata.name ?? ""
                    let loserName = loser.metadata.name ?? ""
                    let why =
                        (winnerSelector.requirementCount > loserSelector.requirementCount)
                        ? "its selector has more requirements (\(winnerSelector.requirementCount) to \(loserSelector.requirementCount))"
                        : "both selectors have \(Self.requirements(winnerSelector.requirementCount)) and its name is smaller"
                    let message =
                        "EmailPolicy \(winnerName) and \(loserName) both select a Pod with \(labels); \(winnerName) wins: \(why)"
                    for object in [winnerObject, loserObject] {
                        findings.append(
                            Finding(
                                file: object.file,
                                position: object.root["spec"]?.pair("podSelector")?.key.position
                                    ?? object.root.position,
                                rule: .policyOverlap,
                                message: message,
                                object: object.identity
                            )
                        )
                    }
                }
            }
        }
        return findings
    }

    private func serverFindings(_ server: SMTPServer, object: ParsedObject) -> [Finding] {
        var findings: [Finding] = []
        let spec = object.root["spec"]
        func add(_ rule: LintRule, _ node: YAMLNode?, _ message: String) {
            findings.append(
                Finding(
                    file: object.file,
                    position: node?.position ?? object.root.position,
                    rule: rule,
                    message: message,
                    object: object.identity
                )
            )
        }
        let connect = server.spec.effectiveConnect
        let port = server.spec.effectivePort
        if let tls = server.spec.tls {
            let replacement = tls ? "ssl" : "plain"
            add(
                .deprecatedTLS,
                spec?.pair("tls")?.key,
                server.spec.connect == nil
                    ? "tls: \(tls) is deprecated; write connect: \(replacement)"
                    : "tls: \(tls) is deprecated and ignored because connect: \(connect.rawValue) is set; remove it"
            )
        }
        if port == SMTPServer.Spec.implicitTLSPort && connect != .ssl {
            add(
                .portConnectMismatch,
                spec?["connect"] ?? spec?["port"],
                "port 465 speaks implicit TLS (ssl), but connect is \(connect.rawValue)"
            )
        } else if (port == 25 || port == 587) && connect == .ssl {
            add(
                .portConnectMismatch,
                spec?["connect"] ?? spec?["tls"] ?? spec?["port"],
                "port \(port) speaks STARTTLS, but connect is ssl (implicit TLS)"
            )
        }
        if let authType = server.spec.authType, authType.sendsCleartextPassword, connect == .plain {
            if server.spec.effectiveAllowInsecureAuth {
                add(
                    .insecureAuthAllowed,
                    spec?["authType"],
                    "\(authType.rawValue) over connect: plain sends the password in clear"
                )
            } else {
                add(
                    .insecureAuth,
                    spec?["authType"],
                    "\(authType.rawValue) over connect: plain: the relay will refuse to send the password, so every delivery fails"
                )
            }
        }
        if server.spec.effectiveInsecureSkipVerify {
            add(
                .insecureSkipVerify,
                spec?["tlsConfig"]?["insecureSkipVerify"],
                "the certificate of \(server.spec.server) is not verified"
            )
        }
        return findings
    }

    // MARK: - Helpers

    static func requirements(_ count: Int) -> String { count == 1 ? "1 requirement" : "\(count) requirements" }

    static func decode(_ root: YAMLNode, as kind: KubeMailObject.Kind) -> Result<KubeMailObject, FieldError> {
        switch kind {
        case .smtpServer: decodeJSONResult(SMTPServer.self, from: root).map(KubeMailObject.smtpServer)
        case .emailPolicy: decodeJSONResult(EmailPolicy.self, from: root).map(KubeMailObject.emailPolicy)
        case .mailRelay: decodeJSONResult(MailRelay.self, from: root).map(KubeMailObject.mailRelay)
        }
    }

    static func decodeJSONResult<T: Decodable>(_ type: T.Type, from node: YAMLNode) -> Result<T, FieldError> {
        do {
            let data = try JSONEncoder().encode(node.jsonValue)
            return .success(try ManifestCodec.decode(type, json: data))
        } catch {
            return .failure(ManifestCodec.fieldError(from: error))
        }
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, from node: YAMLNode) -> T? {
        try? decodeJSONResult(type, from: node).get()
    }

    /// Where a validation error points: the offending key of a map when the value names a key,
    /// the value otherwise, the nearest existing parent when the field is missing.
    static func position(of error: FieldError, in root: YAMLNode) -> SourcePosition {
        var path = error.path
        while true {
            if let located = root.locate(path) {
                if let value = error.value, let pairs = located.node.pairs,
                    let key = pairs.first(where: { "\"\($0.key.scalar?.text ?? "")\"" == value })
                {
                    return key.key.position
                }
                if error.kind == .required { return located.pair?.key.position ?? located.node.position }
                return located.node.position
            }
            let steps = YAMLNode.steps(of: path.description)
            guard steps.count > 1 else { return root.position }
            path = FieldPath(steps.dropLast().joined(separator: "."))
        }
    }

    static func rule(for error: FieldError) -> LintRule {
        let path = error.path.description
        if path.hasPrefix("metadata") { return .invalidMetadata }
        if path.contains("Selector") || path.contains("allowedNamespaces") { return .selectorInvalid }
        return .invalidValue
    }

    static func rule(forRefusal refusal: PolicyRefusal) -> LintRule {
        switch refusal.reason {
        case "ServerNotFound": .refServerNotFound
        case "SecretNotFound": .refSecretNotFound
        case "SecretKeyMissing": .refSecretKeyMissing
        default: .refNotPermitted
        }
    }

    /// The line and column of the first byte that breaks UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> SourcePosition {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            let valid =
                length > 0 && index + length <= bytes.count
                && String(validating: bytes[index..<index + length], as: UTF8.self) != nil
            guard valid else {
                let column =
                    (String(validating: bytes[lineStart..<index], as: UTF8.self)?.unicodeScalars.count ?? 0) + 1
                return SourcePosition(line: line, column: column)
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += length
        }
        return .start
    }
}
