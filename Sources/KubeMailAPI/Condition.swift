/// `metav1.Condition`, exactly: the status vocabulary every kube-mail resource reports in.
public struct Condition: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Hashable, Sendable, CaseIterable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    public var type: String
    public var status: Status
    public var observedGeneration: Int64?
    /// Moves only when `status` changes, so it says how long the current state has held.
    public var lastTransitionTime: Timestamp
    /// A CamelCase word for machines (`SecretNotFound`); see `reasonPattern`.
    public var reason: String
    /// A sentence for humans, at most `maximumMessageLength` characters.
    public var message: String

    public static let reasonPattern = #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#
    public static let maximumReasonLength = 1024
    public static let maximumMessageLength = 32768
    public static let maximumTypeLength = 316

    public init(
        type: String,
        status: Status,
        reason: String,
        message: String,
        observedGeneration: Int64? = nil,
        lastTransitionTime: Timestamp = .now()
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }

    public func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        errors += NameValidation.qualifiedName(type).map { .invalid(path.child("type"), type, $0) }
        if type.utf8.count > Self.maximumTypeLength {
            errors.append(
                FieldError(.tooLong, path.child("type"), "may not be more than \(Self.maximumTypeLength) bytes")
            )
        }
        if !Self.isValidReason(reason) {
            errors.append(
                .invalid(
                    path.child("reason"),
                    reason,
                    "a condition reason must start with alphabetic character, optionally followed by a string of "
                        + "alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'"
                )
            )
        }
        if message.count > Self.maximumMessageLength {
            errors.append(
                FieldError(
                    .tooLong,
                    path.child("message"),
                    "may not be more than \(Self.maximumMessageLength) characters"
                )
            )
        }
        if let observedGeneration, observedGeneration < 0 {
            errors.append(
                .invalid(path.child("observedGeneration"), observedGeneration, "must be greater than or equal to 0")
            )
        }
        return errors
    }

    static func isValidReason(_ reason: String) -> Bool {
        let bytes = Array(reason.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= maximumReasonLength else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        func isWordCharacter(_ byte: UInt8) -> Bool {
            isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
        return isLetter(first) && isWordCharacter(last)
            && bytes.allSatisfy { isWordCharacter($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ":") }
    }
}

extension Array where Element == Condition {
    /// The condition of the given type, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Adds or updates the condition of `condition.type`, as apimachinery's `SetStatusCondition`:
    /// `lastTransitionTime` moves only when `status` changes; reason, message and observed
    /// generation are updated in place.
    ///
    /// - Returns: whether anything changed, so a controller writes status only when it must.
    @discardableResult
    public mutating func set(_ condition: Condition) -> Bool {
        guard let index = firstIndex(where: { $0.type == condition.type }) else {
            append(condition)
            return true
        }
        var updated = self[index]
        if updated.status != condition.status {
            updated.status = condition.status
            updated.lastTransitionTime = condition.lastTransitionTime
        }
        updated.reason = condition.reason
        updated.message = condition.message
        updated.observedGeneration = condition.observedGeneration
        guard updated != self[index] else { return false }
        self[index] = updated
        return true
    }

    /// Removes the condition of the given type; returns whether one was removed.
    @discardableResult
    public mutating func remove(type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
