import Foundation
import PropertyBased
import Testing

@testable import KubeMailAPI

/// Generators of resource values, biased towards strings that YAML could misread.
enum Generators {
    /// Strings a YAML emitter must quote or escape to keep them strings.
    static let tricky = [
        "", "true", "False", "yes", "no", "on", "null", "~", "123", "-7", "0x1F", "0o17", "1e3", ".5", ".inf", "-",
        "- a",
        "a: b", "#comment", " leading", "trailing ", "two\nlines", "tab\there", "quote'\"", "ünïcödé ✉️",
        "2024-01-01T00:00:00Z",
        "@at", "*star", "&anchor", "!tag", "%percent", "{x}", "[y]", "`tick`", "|", ">", "---", "...", "? key", "=",
    ]

    static let text: Generator<String, AnySequence<Any>> = zip(
        Gen.bool(0.4),
        Gen.element(of: tricky),
        Gen.letterOrNumber.string(of: 0...12)
    )
    .map { useTricky, trickyText, plain in useTricky ? trickyText! : plain }
    .eraseToAny()

    static let labels: Generator<[String: String], AnySequence<Any>> = zip(text, text).array(of: 0...3).map { pairs in
        Dictionary(pairs.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
    }
    .eraseToAny()

    static let requirement: Generator<LabelSelectorRequirement, AnySequence<Any>> = zip(
        text,
        Gen.element(of: LabelSelectorRequirement.Operator.allCases),
        text.array(of: 0...3).optional
    ).map { key, op, values in LabelSelectorRequirement(key: key, operator: op!, values: values) }
        .eraseToAny()

    static let selector: Generator<LabelSelector, AnySequence<Any>> = zip(
        labels.optional,
        requirement.array(of: 0...3).optional
    )
    .map { LabelSelector(matchLabels: $0, matchExpressions: $1) }
    .eraseToAny()

    static let timestamp: Generator<Timestamp, AnySequence<Any>> = Gen.int64(in: 0...4_102_444_800).map {
        Timestamp(secondsSinceEpoch: $0)
    }
    .eraseToAny()

    static let condition: Generator<Condition, AnySequence<Any>> = zip(
        Gen.letter.string(of: 1...10),
        Gen<Condition.Status>.case,
        Gen.int64(in: 0...1000).optional,
        timestamp,
        text,
        text
    ).map { type, status, generation, time, reason, message in
        Condition(
            type: type,
            status: status,
            reason: reason,
            message: message,
            observedGeneration: generation,
            lastTransitionTime: time
        )
    }
    .eraseToAny()

    static let metadata: Generator<ObjectMeta, AnySequence<Any>> = zip(
        text.optional,
        text.optional,
        labels.optional,
        labels.optional,
        Gen.int64(in: 0...99).optional
    )
    .map { name, namespace, labels, annotations, generation in
        var metadata = ObjectMeta(name: name, namespace: namespace, labels: labels, annotations: annotations)
        metadata.generation = generation
        return metadata
    }
    .eraseToAny()

    static let reference: Generator<ResourceReference, AnySequence<Any>> = zip(text, text.optional).map {
        ResourceReference(name: $0, namespace: $1)
    }
    .eraseToAny()

    static let smtpServer: Generator<SMTPServer, AnySequence<Any>> = zip(
        metadata,
        text,
        Gen.int(in: -10...70_000).optional,
        Gen<SMTPServer.ConnectMode>.case.optional,
        Gen.bool.optional,
        Gen<SMTPServer.AuthType>.case.optional,
        Gen.bool.optional,
        Gen.bool.optional,
        selector.optional,
        condition.array(of: 0...2).optional
    ).map { metadata, server, port, connect, tls, authType, insecure, allowInsecureAuth, allowed, conditions in
        SMTPServer(
            metadata: metadata,
            spec: .init(
                server: server,
                port: port,
                connect: connect,
                tls: tls,
                authType: authType,
                tlsConfig: insecure.map { SMTPServer.TLSConfig(insecureSkipVerify: $0) },
                allowInsecureAuth: allowInsecureAuth,
                allowedNamespaces: allowed
            ),
            status: conditions.map { SMTPServer.Status(observedGeneration: 1, conditions: $0, connect: connect) }
        )
    }
    .eraseToAny()

    static let sink: Generator<EmailPolicy.Sink, AnySequence<Any>> = zip(
        zip(reference, reference.optional).map { EmailPolicy.SMTPSink(server: $0, credentials: $1) }.optional,
        text.optional.map { EmailPolicy.CatchSink(retention: $0) }.optional,
        Gen.bool
    ).map { smtp, catchStore, discard in
        EmailPolicy.Sink(smtp: smtp, catchStore: catchStore, discard: discard ? .init() : nil)
    }
    .eraseToAny()

    static let emailPolicy: Generator<EmailPolicy, AnySequence<Any>> = zip(
        metadata,
        selector.optional,
        Gen.bool.optional,
        zip(
            Gen.int(in: -5...1_000_000),
            Gen<EmailPolicy.RateLimiting.Period>.case.optional,
            Gen<EmailPolicy.RateLimiting.Unit>.case.optional
        )
        .map { EmailPolicy.RateLimiting(maximum: $0, period: $1, unit: $2) }.optional,
        sink,
        Gen.int(in: 0...50).optional,
        condition.array(of: 0...3).optional
    ).map { metadata, selector, isDefault, rateLimiting, sink, matchedPods, conditions in
        EmailPolicy(
            metadata: metadata,
            spec: .init(podSelector: selector, isDefault: isDefault, rateLimiting: rateLimiting, sink: sink),
            status: conditions.map {
                .init(observedGeneration: 2, conditions: $0, matchedPods: matchedPods, rateLimit: "1/x")
            }
        )
    }
    .eraseToAny()

    static let jsonLeaf: Generator<JSONValue, AnySequence<Any>> = zip(
        Gen.int(in: 0...3),
        text,
        Gen.int(in: -1000...1000),
        Gen.bool
    )
    .map { (choice: Int, text: String, number: Int, flag: Bool) -> JSONValue in
        switch choice {
        case 0: return .string(text)
        case 1: return .integer(number)
        case 2: return .bool(flag)
        default: return .null
        }
    }
    .eraseToAny()

    static let affinity: Generator<JSONValue, AnySequence<Any>> = zip(text, jsonLeaf, jsonLeaf.array(of: 0...3)).array(
        of: 1...3
    )
    .map { (members: [(String, JSONValue, [JSONValue])]) -> JSONValue in
        let pairs = members.map { ($0.0, JSONValue.object(["leaf": $0.1, "list": .array($0.2)])) }
        return .object(Dictionary(pairs, uniquingKeysWith: { first, _ in first }))
    }
    .eraseToAny()

    static let toleration: Generator<MailRelay.Toleration, AnySequence<Any>> = zip(
        text.optional,
        Gen<MailRelay.Toleration.Operator>.case.optional,
        text.optional,
        Gen<MailRelay.Toleration.Effect>.case.optional,
        Gen.int64(in: 0...3600).optional
    ).map { MailRelay.Toleration(key: $0, operator: $1, value: $2, effect: $3, tolerationSeconds: $4) }
        .eraseToAny()

    static let resources: Generator<MailRelay.ResourceRequirements, AnySequence<Any>> = zip(
        labels.optional,
        labels.optional
    )
    .map { (limits: [String: String]?, requests: [String: String]?) in
        MailRelay.ResourceRequirements(
            limits: limits?.mapValues { Quantity($0) },
            requests: requests?.mapValues { Quantity($0) }
        )
    }
    .eraseToAny()

    static let podTemplate: Generator<MailRelay.PodTemplateOverrides, AnySequence<Any>> = zip(
        labels.optional,
        labels.optional,
        labels.optional,
        toleration.array(of: 0...2).optional,
        affinity.optional
    ).map {
        MailRelay.PodTemplateOverrides(labels: $0, annotations: $1, nodeSelector: $2, tolerations: $3, affinity: $4)
    }
    .eraseToAny()

    static let service: Generator<MailRelay.RelayService, AnySequence<Any>> = zip(
        Gen<MailRelay.ServiceType>.case.optional,
        Gen.int(in: 1...65535).optional
    )
    .map { MailRelay.RelayService(type: $0, port: $1) }
    .eraseToAny()

    static let networkPolicy: Generator<MailRelay.RelayNetworkPolicy, AnySequence<Any>> = zip(
        Gen.bool.optional,
        selector.optional
    )
    .map { MailRelay.RelayNetworkPolicy(enabled: $0, allowedNamespaceSelector: $1) }
    .eraseToAny()

    static let relaySpec: Generator<MailRelay.Spec, AnySequence<Any>> = zip(
        Gen.int(in: -1...10).optional,
        text.optional,
        resources.optional,
        podTemplate.optional,
        service.optional,
        text.map { MailRelay.RelayTLS(secretName: $0) }.optional,
        Gen<MailRelay.LogLevel>.case.optional,
        networkPolicy.optional
    ).map {
        MailRelay.Spec(
            replicas: $0,
            image: $1,
            resources: $2,
            podTemplate: $3,
            service: $4,
            tls: $5,
            logLevel: $6,
            networkPolicy: $7
        )
    }
    .eraseToAny()

    static let mailRelay: Generator<MailRelay, AnySequence<Any>> = zip(metadata, relaySpec).map {
        (metadata: ObjectMeta, spec: MailRelay.Spec) in
        MailRelay(
            metadata: metadata,
            spec: spec,
            status: spec.replicas.map {
                MailRelay.Status(
                    observedGeneration: 1,
                    replicas: $0,
                    readyReplicas: $0,
                    updatedReplicas: $0,
                    endpoint: "kube-mail.ns.svc"
                )
            }
        )
    }
    .eraseToAny()
}

struct RoundTripTests {
    /// value → YAML → value is the identity, and YAML → value → YAML reproduces the text.
    func roundTrip<T: Codable & Equatable>(_ value: T) throws {
        let yaml = try ManifestCodec.encodeYAML(value)
        let decoded = try ManifestCodec.decode(T.self, yaml: yaml)
        #expect(decoded == value, "YAML round trip changed the value:\n\(yaml)")
        #expect(try ManifestCodec.encodeYAML(decoded) == yaml)

        let json = try ManifestCodec.encodeJSON(value)
        #expect(try ManifestCodec.decode(T.self, json: json) == value, "JSON round trip changed the value")
    }

    @Test func smtpServer() async {
        await propertyCheck(count: 300, input: Generators.smtpServer) { try roundTrip($0) }
    }

    @Test func emailPolicy() async {
        await propertyCheck(count: 300, input: Generators.emailPolicy) { try roundTrip($0) }
    }

    @Test func mailRelay() async {
        await propertyCheck(count: 300, input: Generators.mailRelay) { try roundTrip($0) }
    }

    @Test func labelSelectorTextIsStable() async {
        await propertyCheck(count: 300, input: Generators.selector) { selector in
            #expect(selector.requirements.count == selector.requirementCount)
        }
    }

    /// Every sample decodes, validates and survives YAML → types → YAML → types.
    @Test func samples() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/samples").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 20)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let objects = try KubeMailObject.decodeAll(yaml: text)
            #expect(objects.count == 1, "\(file)")
            for object in objects {
                #expect(object.validate().isEmpty, "\(file): \(object.validate())")
                switch object {
                case .smtpServer(let value): try roundTrip(value)
                case .emailPolicy(let value): try roundTrip(value)
                case .mailRelay(let value): try roundTrip(value)
                }
            }
        }
    }
}
