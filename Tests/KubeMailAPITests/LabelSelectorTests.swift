import Testing

@testable import KubeMailAPI

struct LabelSelectorTests {
    struct MatchCase: CustomTestStringConvertible, Sendable {
        var name: String
        var selector: LabelSelector
        var labels: [String: String]
        var matches: Bool

        var testDescription: String { name }
    }

    typealias Requirement = LabelSelectorRequirement

    static let web = ["app": "web", "tier": "frontend", "env": "prod"]

    static let matchCases: [MatchCase] = [
        // The empty selector selects everything, even objects without labels.
        MatchCase(name: "empty selector, labelled object", selector: LabelSelector(), labels: web, matches: true),
        MatchCase(name: "empty selector, unlabelled object", selector: LabelSelector(), labels: [:], matches: true),
        MatchCase(
            name: "empty matchLabels and matchExpressions",
            selector: LabelSelector(matchLabels: [:], matchExpressions: []),
            labels: [:],
            matches: true
        ),
        // matchLabels
        MatchCase(
            name: "matchLabels equal",
            selector: LabelSelector(matchLabels: ["app": "web"]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "matchLabels other value",
            selector: LabelSelector(matchLabels: ["app": "api"]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "matchLabels missing key",
            selector: LabelSelector(matchLabels: ["team": "a"]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "matchLabels all of two",
            selector: LabelSelector(matchLabels: ["app": "web", "env": "prod"]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "matchLabels one of two fails",
            selector: LabelSelector(matchLabels: ["app": "web", "env": "dev"]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "matchLabels empty value",
            selector: LabelSelector(matchLabels: ["flag": ""]),
            labels: ["flag": ""],
            matches: true
        ),
        MatchCase(
            name: "matchLabels empty value vs absent",
            selector: LabelSelector(matchLabels: ["flag": ""]),
            labels: [:],
            matches: false
        ),
        MatchCase(
            name: "matchLabels case sensitive",
            selector: LabelSelector(matchLabels: ["app": "Web"]),
            labels: web,
            matches: false
        ),
        // In
        MatchCase(
            name: "In contains",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "env", operator: .in, values: ["prod", "staging"])
            ]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "In does not contain",
            selector: LabelSelector(matchExpressions: [Requirement(key: "env", operator: .in, values: ["dev"])]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "In on absent key",
            selector: LabelSelector(matchExpressions: [Requirement(key: "team", operator: .in, values: ["a"])]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "In with empty values matches nothing",
            selector: LabelSelector(matchExpressions: [Requirement(key: "env", operator: .in, values: [])]),
            labels: web,
            matches: false
        ),
        // NotIn
        MatchCase(
            name: "NotIn other value",
            selector: LabelSelector(matchExpressions: [Requirement(key: "env", operator: .notIn, values: ["dev"])]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "NotIn listed value",
            selector: LabelSelector(matchExpressions: [Requirement(key: "env", operator: .notIn, values: ["prod"])]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "NotIn on absent key matches",
            selector: LabelSelector(matchExpressions: [Requirement(key: "team", operator: .notIn, values: ["a"])]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "NotIn on unlabelled object",
            selector: LabelSelector(matchExpressions: [Requirement(key: "env", operator: .notIn, values: ["prod"])]),
            labels: [:],
            matches: true
        ),
        // Exists / DoesNotExist
        MatchCase(
            name: "Exists present",
            selector: LabelSelector(matchExpressions: [Requirement(key: "tier", operator: .exists)]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "Exists absent",
            selector: LabelSelector(matchExpressions: [Requirement(key: "team", operator: .exists)]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "Exists with empty value",
            selector: LabelSelector(matchExpressions: [Requirement(key: "flag", operator: .exists)]),
            labels: ["flag": ""],
            matches: true
        ),
        MatchCase(
            name: "DoesNotExist absent",
            selector: LabelSelector(matchExpressions: [Requirement(key: "team", operator: .doesNotExist)]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "DoesNotExist present",
            selector: LabelSelector(matchExpressions: [Requirement(key: "tier", operator: .doesNotExist)]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "DoesNotExist on unlabelled object",
            selector: LabelSelector(matchExpressions: [Requirement(key: "x", operator: .doesNotExist)]),
            labels: [:],
            matches: true
        ),
        // Combinations: everything is ANDed.
        MatchCase(
            name: "matchLabels and expression both hold",
            selector: LabelSelector(
                matchLabels: ["app": "web"],
                matchExpressions: [Requirement(key: "env", operator: .in, values: ["prod"])]
            ),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "matchLabels holds, expression fails",
            selector: LabelSelector(
                matchLabels: ["app": "web"],
                matchExpressions: [Requirement(key: "env", operator: .in, values: ["dev"])]
            ),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "expression holds, matchLabels fails",
            selector: LabelSelector(
                matchLabels: ["app": "api"],
                matchExpressions: [Requirement(key: "env", operator: .exists)]
            ),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "four operators together",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "app", operator: .in, values: ["web"]),
                Requirement(key: "env", operator: .notIn, values: ["dev"]),
                Requirement(key: "tier", operator: .exists), Requirement(key: "legacy", operator: .doesNotExist),
            ]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "contradictory Exists and DoesNotExist",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "app", operator: .exists), Requirement(key: "app", operator: .doesNotExist),
            ]),
            labels: web,
            matches: false
        ),
        MatchCase(
            name: "In and NotIn on one key",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "env", operator: .in, values: ["prod", "dev"]),
                Requirement(key: "env", operator: .notIn, values: ["dev"]),
            ]),
            labels: web,
            matches: true
        ),
        MatchCase(
            name: "prefixed key",
            selector: LabelSelector(matchLabels: ["app.kubernetes.io/name": "web"]),
            labels: ["app.kubernetes.io/name": "web"],
            matches: true
        ),
        MatchCase(
            name: "prefix is part of the key",
            selector: LabelSelector(matchLabels: ["app.kubernetes.io/name": "web"]),
            labels: ["name": "web"],
            matches: false
        ),
        // An operator the API does not know fails closed.
        MatchCase(
            name: "unknown operator matches nothing",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "app", operator: .init(rawValue: "Equals"), values: ["web"])
            ]),
            labels: web,
            matches: false
        ),
    ]

    @Test(arguments: matchCases)
    func matching(_ testCase: MatchCase) {
        #expect(testCase.selector.matches(testCase.labels) == testCase.matches)
    }

    @Test func tableCoversEveryOperator() {
        let used = Set(Self.matchCases.flatMap { $0.selector.matchExpressions ?? [] }.map(\.operator))
        #expect(used.isSuperset(of: Requirement.Operator.allCases))
        #expect(Self.matchCases.count >= 30)
    }

    @Test func absentSelectorSelectsNothingWhileEmptySelectsAll() throws {
        let absent = try ManifestCodec.decode(EmailPolicy.Spec.self, yaml: "sink: {discard: {}}")
        let empty = try ManifestCodec.decode(EmailPolicy.Spec.self, yaml: "podSelector: {}\nsink: {discard: {}}")
        #expect(absent.podSelector == nil)
        #expect(empty.podSelector == LabelSelector())
        #expect(empty.podSelector?.selectsEverything == true)
    }

    @Test func requirementCountIsSpecificity() {
        let selector = LabelSelector(
            matchLabels: ["a": "1", "b": "2"],
            matchExpressions: [Requirement(key: "c", operator: .exists)]
        )
        #expect(selector.requirementCount == 3)
        #expect(LabelSelector().requirementCount == 0)
    }

    @Test func textForm() {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [
                Requirement(key: "env", operator: .in, values: ["a", "b"]),
                Requirement(key: "x", operator: .notIn, values: ["y"]),
                Requirement(key: "team", operator: .exists), Requirement(key: "legacy", operator: .doesNotExist),
            ]
        )
        #expect(selector.labelSelectorString == "app=web,env in (a,b),x notin (y),team,!legacy")
    }

    struct ValidationCase: CustomTestStringConvertible, Sendable {
        var name: String
        var selector: LabelSelector
        var errors: [String]
        var testDescription: String { name }
    }

    static let validationCases: [ValidationCase] = [
        ValidationCase(
            name: "valid",
            selector: LabelSelector(matchLabels: ["app.kubernetes.io/name": "my-name"]),
            errors: []
        ),
        ValidationCase(
            name: "In without values",
            selector: LabelSelector(matchExpressions: [Requirement(key: "a", operator: .in)]),
            errors: [
                "sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            ]
        ),
        ValidationCase(
            name: "NotIn with empty values",
            selector: LabelSelector(matchExpressions: [Requirement(key: "a", operator: .notIn, values: [])]),
            errors: [
                "sel.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
            ]
        ),
        ValidationCase(
            name: "Exists with values",
            selector: LabelSelector(matchExpressions: [Requirement(key: "a", operator: .exists, values: ["x"])]),
            errors: [
                "sel.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            ]
        ),
        ValidationCase(
            name: "unknown operator",
            selector: LabelSelector(matchExpressions: [
                Requirement(key: "a", operator: .init(rawValue: "Equals"), values: ["x"])
            ]),
            errors: [
                #"sel.matchExpressions[0].operator: Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist""#
            ]
        ),
        ValidationCase(
            name: "key with spaces",
            selector: LabelSelector(matchLabels: ["my app": "x"]),
            errors: [
                #"sel.matchLabels: Invalid value: "my app": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', or '123-abc')"#
            ]
        ),
        ValidationCase(
            name: "value too long",
            selector: LabelSelector(matchLabels: ["a": String(repeating: "v", count: 64)]),
            errors: [
                "sel.matchLabels[a]: Invalid value: \"\(String(repeating: "v", count: 64))\": must be no more than 63 characters"
            ]
        ),
        ValidationCase(
            name: "value with slash",
            selector: LabelSelector(matchExpressions: [Requirement(key: "a", operator: .in, values: ["x/y"])]),
            errors: [
                #"sel.matchExpressions[0].values[0]: Invalid value: "x/y": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"#
            ]
        ),
        ValidationCase(
            name: "upper-case prefix",
            selector: LabelSelector(matchLabels: ["Example.com/app": "x"]),
            errors: [
                #"sel.matchLabels: Invalid value: "Example.com/app": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"#
            ]
        ),
    ]

    @Test(arguments: validationCases)
    func validation(_ testCase: ValidationCase) {
        #expect(testCase.selector.validate(at: "sel").map(\.description) == testCase.errors)
    }
}
