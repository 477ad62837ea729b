import Yams

/// Turns YAML text (apply patches, manifests) into ``JSONValue`` documents.
///
/// Scalars are typed by the YAML 1.1 core schema, as the Go YAML library Kubernetes uses types them,
/// so `port: 25` is an integer and `"25"` a string.
public enum YAMLDocuments {
    public struct ConversionError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every document of a (possibly multi-document) YAML stream; empty documents are skipped.
    public static func parse(_ text: String) throws -> [JSONValue] {
        var documents: [JSONValue] = []
        for node in try Yams.compose_all(yaml: text) {
            let value = try convert(node)
            if !value.isNull { documents.append(value) }
        }
        return documents
    }

    /// Exactly one document; JSON is YAML, so this also reads JSON bodies.
    public static func parseSingle(_ text: String) throws -> JSONValue {
        let documents = try parse(text)
        guard documents.count == 1 else {
            throw ConversionError(description: "expected exactly one YAML document, found \(documents.count)")
        }
        return documents[0]
    }

    static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag {
            case Tag(.null): return .null
            case Tag(.bool): return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag(.int):
                if let value = Int64(scalar.string) { return .int(value) }
                return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag(.float): return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let keyText = key.string else {
                    throw ConversionError(description: "mapping keys must be scalars")
                }
                members[keyText] = try convert(value)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .alias:
            throw ConversionError(description: "YAML aliases are not supported")
        }
    }

    /// Renders a value as YAML, for kubeconfig files and human-readable output.
    public static func render(_ value: JSONValue) throws -> String {
        try Yams.serialize(node: node(for: value), sortKeys: true)
    }

    static func node(for value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
        case .int(let number): return Node(String(number), Tag(.int))
        case .double(let number): return Node("\(number)", Tag(.float))
        case .string(let text): return Node(text, Tag(.str), .doubleQuoted)
        case .array(let elements): return Node(elements.map(node(for:)))
        case .object(let members):
            return Node(members.keys.sorted().map { (Node($0), node(for: members[$0]!)) })
        }
    }
}
