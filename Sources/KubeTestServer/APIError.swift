/// A failed API call, rendered as the `Status` object the real kube-apiserver writes.
///
/// The messages are copied from the API server's wording (`pods "x" not found`, the
/// "Operation cannot be fulfilled" conflict text, ...) because clients, kubectl included,
/// print them verbatim and tests compare them.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object (`kind: Status`, `status: Failure`) sent as the response body.
    public var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]),
            "status": "Failure", "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { status["details"] = details }
        return status
    }

    static func details(
        name: String,
        resource: ResourceType?,
        kind: String? = nil,
        causes: [JSONValue]? = nil
    ) -> JSONValue {
        var details: JSONValue = .object([:])
        if !name.isEmpty { details["name"] = .string(name) }
        if let resource, !resource.group.isEmpty { details["group"] = .string(resource.group) }
        if let kind = kind ?? resource?.plural { details["kind"] = .string(kind) }
        if let causes { details["causes"] = .array(causes) }
        return details
    }

    public static func notFound(_ resource: ResourceType, name: String) -> APIError {
        APIError(
            code: 404,
            reason: "NotFound",
            message: "\(resource.qualifiedName) \"\(name)\" not found",
            details: details(name: name, resource: resource)
        )
    }

    public static func alreadyExists(_ resource: ResourceType, name: String) -> APIError {
        APIError(
            code: 409,
            reason: "AlreadyExists",
            message: "\(resource.qualifiedName) \"\(name)\" already exists",
            details: details(name: name, resource: resource)
        )
    }

    public static func conflict(_ resource: ResourceType, name: String) -> APIError {
        APIError(
            code: 409,
            reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: details(name: name, resource: resource)
        )
    }

    /// 422 Invalid: `Kind.group "name" is invalid: field: body` (several causes in brackets).
    public static func invalid(_ resource: ResourceType, name: String, errors: [FieldError]) -> APIError {
        let kind = resource.group.isEmpty ? resource.kind : "\(resource.kind).\(resource.group)"
        let rendered = errors.map(\.description)
        let summary = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        return APIError(
            code: 422,
            reason: "Invalid",
            message: "\(kind) \"\(name)\" is invalid: \(summary)",
            details: details(name: name, resource: resource, kind: resource.kind, causes: errors.map(\.cause))
        )
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func methodNotAllowed(
        _ message: String = "the server does not allow this method on the requested resource"
    ) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func notFoundPath(_ path: String) -> APIError {
        APIError(
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource",
            details: .object([:])
        )
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// 410 for a watch or an exact list from a resourceVersion older than the retained history.
    public static func expired(requested: Int64, oldest: Int64) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }

    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(
            code: 415,
            reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \(contentType))"
        )
    }
}

/// One field-level validation failure, formatted as `k8s.io/apimachinery/pkg/util/validation/field.Error`.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case required, invalid, notSupported, tooLong, tooMany, typeInvalid, forbidden, duplicate, notFound

        /// The cause `reason` of the Status object.
        public var reason: String {
            switch self {
            case .required: "FieldValueRequired"
            case .invalid: "FieldValueInvalid"
            case .notSupported: "FieldValueNotSupported"
            case .tooLong: "FieldValueTooLong"
            case .tooMany: "FieldValueTooMany"
            case .typeInvalid: "FieldValueTypeInvalid"
            case .forbidden: "FieldValueForbidden"
            case .duplicate: "FieldValueDuplicate"
            case .notFound: "FieldValueNotFound"
            }
        }

        var phrase: String {
            switch self {
            case .required: "Required value"
            case .invalid, .typeInvalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .forbidden: "Forbidden"
            case .duplicate: "Duplicate value"
            case .notFound: "Not found"
            }
        }

        /// Kinds whose message never repeats the offending value.
        var omitsValue: Bool { [.required, .forbidden, .tooLong].contains(self) }
    }

    public var kind: Kind
    public var field: String
    public var value: JSONValue?
    public var detail: String

    public init(_ kind: Kind, field: String, value: JSONValue? = nil, detail: String = "") {
        self.kind = kind
        self.field = field
        self.value = value
        self.detail = detail
    }

    /// `Invalid value: 0: spec.port in body should be greater than or equal to 1`
    public var body: String {
        var text = kind.phrase
        if !kind.omitsValue, let value {
            text += ": " + Self.render(value)
        }
        if !detail.isEmpty { text += ": " + detail }
        return text
    }

    public var description: String { "\(field): \(body)" }

    var cause: JSONValue { ["reason": .string(kind.reason), "message": .string(body), "field": .string(field)] }

    /// Go's `%v` for numbers and booleans, `%q` for strings.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return JSONWriter.string(.string(text))
        case .null: return "null"
        default: return JSONWriter.string(value)
        }
    }
}
