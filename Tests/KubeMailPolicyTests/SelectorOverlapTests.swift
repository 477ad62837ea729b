import KubeMailAPI
import KubeMailPolicy
import PropertyBased
import Testing

struct SelectorOverlapTests {
    typealias Requirement = LabelSelectorRequirement

    /// Small alphabets, so that random selectors and label sets collide often.
    static let key = Gen.element(of: ["app", "tier", "env"]).map { $0! }
    static let value = Gen.element(of: ["a", "b", "c"]).map { $0! }
    static let requirement = zip(key, Gen.element(of: Requirement.Operator.allCases), value.array(of: 1...2))
        .map { key, op, values in
            Requirement(key: key, operator: op!, values: op == .exists || op == .doesNotExist ? nil : values)
        }
    static let selector = zip(zip(key, value).array(of: 0...2), requirement.array(of: 0...2))
        .map { labels, requirements in
            LabelSelector(
                matchLabels: Dictionary(labels, uniquingKeysWith: { first, _ in first }),
                matchExpressions: requirements
            )
        }
    static let labels = zip(key, value).array(of: 0...3).map { Dictionary($0, uniquingKeysWith: { first, _ in first }) }

    @Test func anExampleIsSelectedByBoth() async {
        await propertyCheck(count: 2000, input: Self.selector, Self.selector) { first, second in
            if let example = first.overlapExample(with: second) {
                #expect(first.matches(example) && second.matches(example), "\(example)")
            }
        }
    }

    @Test func selectorsThatShareAnObjectAreNeverCalledDisjoint() async {
        await propertyCheck(count: 3000, input: Self.selector, Self.selector, Self.labels) { first, second, labels in
            if first.matches(labels) && second.matches(labels) {
                #expect(first.overlapExample(with: second) != nil, "both select \(labels)")
            }
        }
    }

    @Test(arguments: [
        (LabelSelector(matchLabels: ["app": "web"]), LabelSelector(matchLabels: ["app": "api"]), false),
        (LabelSelector(matchLabels: ["app": "web"]), LabelSelector(matchLabels: ["tier": "x"]), true),
        (LabelSelector(), LabelSelector(matchLabels: ["app": "web"]), true),
        (
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .exists)]),
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .doesNotExist)]), false
        ),
        (
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .in, values: ["x", "y"])]),
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .notIn, values: ["x", "y"])]), false
        ),
        (
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .notIn, values: ["x"])]),
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .doesNotExist)]), true
        ),
        (
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .exists)]),
            LabelSelector(matchExpressions: [Requirement(key: "a", operator: .notIn, values: ["x", "xx"])]), true
        ),
    ])
    func overlap(first: LabelSelector, second: LabelSelector, overlaps: Bool) {
        #expect((first.overlapExample(with: second) != nil) == overlaps)
        #expect((second.overlapExample(with: first) != nil) == overlaps)
    }
}
