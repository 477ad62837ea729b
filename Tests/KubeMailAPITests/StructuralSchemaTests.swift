import Testing

@testable import KubeMailAPI

/// The rules the API server applies to a CRD's schema (structural schemas, KEP-1002), checked on
/// the generated schemas, and the promise that every field is typed and described.
struct StructuralSchemaTests {
    static let kinds: [(String, JSONSchema)] = [
        ("SMTPServer", CustomResourceDefinitions.objectSchema(for: SMTPServer.self)),
        ("EmailPolicy", CustomResourceDefinitions.objectSchema(for: EmailPolicy.self)),
        ("MailRelay", CustomResourceDefinitions.objectSchema(for: MailRelay.self)),
    ]

    /// Every node of a schema with its path, skipping the `oneOf`/`anyOf` alternatives.
    static func nodes(_ schema: JSONSchema, path: String = "") -> [(String, JSONSchema)] {
        var result = [(path, schema)]
        for (name, child) in schema.properties.sorted(by: { $0.key < $1.key }) {
            result += nodes(child, path: path + "." + name)
        }
        if let items = schema.items { result += nodes(items, path: path + "[]") }
        if let values = schema.additionalProperties { result += nodes(values, path: path + "{}") }
        return result
    }

    @Test(arguments: kinds.map(\.0))
    func everyFieldIsTypedAndDescribed(kind: String) throws {
        let schema = try #require(Self.kinds.first { $0.0 == kind }?.1)
        for (path, node) in Self.nodes(schema) {
            #expect(node.type != nil || node.intOrString, "\(kind)\(path) has no type")
            let isAnonymousValue = path.hasSuffix("{}") || (path.hasSuffix("[]") && node.type != .object)
            if !isAnonymousValue {
                #expect(!(node.description ?? "").isEmpty, "\(kind)\(path) has no description")
            }
            for name in node.required {
                #expect(node.properties[name] != nil, "\(kind)\(path) requires unknown \(name)")
            }
            if let enumValues = node.enumValues {
                #expect(node.type == .string && enumValues.allSatisfy { $0.stringValue != nil })
            }
            for alternative in (node.oneOf ?? []) + (node.anyOf ?? []) where !node.intOrString {
                #expect(alternative.type == nil && alternative.description == nil && alternative.defaultValue == nil)
                #expect(alternative.properties.isEmpty, "\(kind)\(path): oneOf may only require fields")
            }
            if let keys = node.listMapKeys {
                #expect(node.listType == "map")
                for key in keys {
                    #expect(
                        node.items?.required.contains(key) == true,
                        "\(kind)\(path) map key \(key) must be required"
                    )
                }
            }
        }
    }

    @Test(arguments: kinds.map(\.0))
    func defaultsSatisfyTheirOwnSchema(kind: String) throws {
        let schema = try #require(Self.kinds.first { $0.0 == kind }?.1)
        for (path, node) in Self.nodes(schema) {
            guard let value = node.defaultValue else { continue }
            switch (node.type, value) {
            case (.integer, .integer(let number)):
                #expect(node.minimum.map { number >= $0 } ?? true, "\(kind)\(path) default below minimum")
                #expect(node.maximum.map { number <= $0 } ?? true, "\(kind)\(path) default above maximum")
            case (.string, .string(let text)):
                #expect(
                    node.enumValues.map { $0.contains(.string(text)) } ?? true,
                    "\(kind)\(path) default not in enum"
                )
            case (.boolean, .bool), (.object, .object):
                break
            default:
                Issue.record("\(kind)\(path): default \(value) does not have type \(String(describing: node.type))")
            }
        }
    }

    /// Metadata may only be `type: object` in a CRD; the API server owns its schema.
    @Test(arguments: kinds.map(\.0))
    func metadataIsLeftToTheAPIServer(kind: String) throws {
        let schema = try #require(Self.kinds.first { $0.0 == kind }?.1)
        let metadata = try #require(schema.properties["metadata"])
        #expect(metadata.type == .object && metadata.properties.isEmpty && metadata.defaultValue == nil)
    }

    @Test func sinkRequiresExactlyOneMember() throws {
        let sink = EmailPolicy.Sink.schema
        #expect(sink.oneOf?.map(\.required) == [["smtp"], ["catch"], ["discard"]])
        #expect(
            sink.validations.map(\.rule) == [
                "[has(self.smtp), has(self.catch), has(self.discard)].filter(x, x).size() == 1"
            ]
        )
    }

    @Test func crdNamesAndSubresources() throws {
        let crd = CustomResourceDefinitions.definition(for: EmailPolicy.self)
        #expect(crd["metadata"]?["name"] == "emailpolicies.kube-mail.helmich.me")
        let names = try #require(crd["spec"]?["names"])
        #expect(names["shortNames"] == ["emailpolicy", "epol"])
        #expect(names["categories"] == ["kube-mail"])
        guard case .array(let versions) = crd["spec"]?["versions"], let version = versions.first else {
            Issue.record("no versions")
            return
        }
        #expect(version["subresources"] == ["status": [:]])
        guard case .array(let columns) = version["additionalPrinterColumns"] else {
            Issue.record("no printer columns")
            return
        }
        #expect(columns.compactMap { $0["name"]?.stringValue } == ["Ready", "Server", "Rate limit", "Pods", "Age"])
    }
}
