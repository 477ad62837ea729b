import Foundation
import Yams

/// Reads and writes manifests as YAML (through libyaml, by Yams) and JSON (through Foundation).
///
/// Decoding failures become `FieldError`s with the path of the offending field, so that a broken
/// manifest is reported the way the API server would report it.
public enum ManifestCodec {
    public static func decode<T: Decodable>(_ type: T.Type, yaml: String) throws(FieldError) -> T {
        do {
            return try YAMLDecoder().decode(type, from: yaml)
        } catch {
            throw fieldError(from: error)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, yamlNode node: Node) throws(FieldError) -> T {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch {
            throw fieldError(from: error)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, json: Data) throws(FieldError) -> T {
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch {
            throw fieldError(from: error)
        }
    }

    /// YAML with sorted keys, as `kubectl get -o yaml` writes it: deterministic, whatever the
    /// order of a dictionary.
    public static func encodeYAML<T: Encodable>(_ value: T) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        encoder.options.width = -1
        return try encoder.encode(value)
    }

    /// Compact JSON with sorted keys, deterministic for hashing and comparing.
    public static func encodeJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The documents of a multi-document YAML stream, as libyaml composes them. Empty documents
    /// (between two `---`) are skipped.
    public static func documents(yaml: String) throws(FieldError) -> [Node] {
        do {
            return try Array(Yams.compose_all(yaml: yaml))
        } catch {
            throw fieldError(from: error)
        }
    }

    /// Turns a decoding error into the field error a person editing the manifest needs.
    public static func fieldError(from error: any Error) -> FieldError {
        switch error {
        case let error as FieldError:
            return error
        case DecodingError.keyNotFound(let key, let context):
            return .required(path(context.codingPath + [key]))
        case DecodingError.valueNotFound(_, let context):
            return .required(path(context.codingPath))
        case DecodingError.typeMismatch(let type, let context):
            return FieldError(.invalid, path(context.codingPath), "must be \(jsonTypeName(type))")
        case DecodingError.dataCorrupted(let context):
            return FieldError(.invalid, path(context.codingPath), context.debugDescription)
        case let error as YamlError:
            return FieldError(.decoding, "", "YAML syntax error: \(error)")
        default:
            return FieldError(.decoding, "", "\(error)")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> FieldPath {
        codingPath.reduce(FieldPath("")) { path, key in
            if let index = key.intValue { return path.index(index) }
            return path.child(key.stringValue)
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean (true or false)"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") || name.contains("Keyed") { return "an object" }
            return "an object"
        }
    }
}
