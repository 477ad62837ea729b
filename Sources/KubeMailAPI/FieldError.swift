/// The path of a field inside an object, written as Kubernetes writes it in errors:
/// `spec.podSelector.matchExpressions[0].values`, `metadata.labels[app]`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public private(set) var description: String

    public init(_ root: String) { self.description = root }
    public init(stringLiteral value: String) { self.description = value }

    public func child(_ name: String) -> FieldPath {
        FieldPath(description.isEmpty ? name : "\(description).\(name)")
    }

    public func index(_ index: Int) -> FieldPath { FieldPath("\(description)[\(index)]") }

    public func key(_ key: String) -> FieldPath { FieldPath("\(description)[\(key)]") }
}

/// One problem found by validation, in the shape of Kubernetes' `field.Error`, so messages read the
/// same as the API server's: `spec.port: Invalid value: 70000: must be between 1 and 65535, inclusive`.
public struct FieldError: Hashable, Sendable, Error, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case required = "Required value"
        case invalid = "Invalid value"
        case notSupported = "Unsupported value"
        case forbidden = "Forbidden"
        case duplicate = "Duplicate value"
        case tooLong = "Too long"
        case decoding = "Invalid document"
    }

    public var path: FieldPath
    public var kind: Kind
    /// The offending value as text, when there is one worth showing.
    public var value: String?
    public var detail: String

    public init(_ kind: Kind, _ path: FieldPath, value: String? = nil, _ detail: String) {
        self.path = path
        self.kind = kind
        self.value = value
        self.detail = detail
    }

    public static func required(_ path: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(.required, path, detail)
    }

    public static func invalid(_ path: FieldPath, _ value: some CustomStringConvertible, _ detail: String) -> FieldError
    {
        FieldError(.invalid, path, value: Self.quoted(value), detail)
    }

    public static func notSupported(_ path: FieldPath, _ value: String, supported: [String]) -> FieldError {
        FieldError(
            .notSupported,
            path,
            value: Self.quoted(value),
            "supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", ")
        )
    }

    public static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(.forbidden, path, detail)
    }

    public var description: String {
        var text = "\(path): \(kind.rawValue)"
        if let value { text += ": \(value)" }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }

    private static func quoted(_ value: some CustomStringConvertible) -> String {
        value is String ? "\"\(value)\"" : value.description
    }
}
