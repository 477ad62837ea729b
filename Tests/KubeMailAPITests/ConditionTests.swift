import Testing

@testable import KubeMailAPI

struct ConditionTests {
    let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)
    let t1 = Timestamp(secondsSinceEpoch: 1_700_000_600)

    @Test func addingAConditionIsAChange() {
        var conditions: [Condition] = []
        let changed = conditions.set(
            Condition(type: "Ready", status: .true, reason: "Ready", message: "ok", lastTransitionTime: t0)
        )
        #expect(changed)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t0)
    }

    @Test func sameStatusKeepsTransitionTimeButUpdatesReasonAndMessage() {
        var conditions = [
            Condition(
                type: "Ready",
                status: .false,
                reason: "SecretNotFound",
                message: "a",
                observedGeneration: 1,
                lastTransitionTime: t0
            )
        ]
        let changed = conditions.set(
            Condition(
                type: "Ready",
                status: .false,
                reason: "SecretKeyMissing",
                message: "b",
                observedGeneration: 2,
                lastTransitionTime: t1
            )
        )
        #expect(changed)
        let ready = try! #require(conditions[type: "Ready"])
        #expect(ready.lastTransitionTime == t0)
        #expect(ready.reason == "SecretKeyMissing")
        #expect(ready.message == "b")
        #expect(ready.observedGeneration == 2)
    }

    @Test func statusChangeMovesTransitionTime() {
        var conditions = [
            Condition(type: "Ready", status: .false, reason: "SecretNotFound", message: "a", lastTransitionTime: t0)
        ]
        let changed = conditions.set(
            Condition(type: "Ready", status: .true, reason: "Ready", message: "ok", lastTransitionTime: t1)
        )
        #expect(changed)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t1)
        #expect(conditions[type: "Ready"]?.status == .true)
    }

    @Test func identicalConditionIsNoChange() {
        var conditions = [
            Condition(
                type: "Ready",
                status: .true,
                reason: "Ready",
                message: "ok",
                observedGeneration: 3,
                lastTransitionTime: t0
            )
        ]
        let before = conditions
        let changed = conditions.set(
            Condition(
                type: "Ready",
                status: .true,
                reason: "Ready",
                message: "ok",
                observedGeneration: 3,
                lastTransitionTime: t1
            )
        )
        #expect(!changed)
        #expect(conditions == before)
    }

    @Test func otherTypesAreUntouched() {
        var conditions = [
            Condition(type: "Accepted", status: .true, reason: "Valid", message: "", lastTransitionTime: t0),
            Condition(type: "Ready", status: .false, reason: "Pending", message: "", lastTransitionTime: t0),
        ]
        conditions.set(Condition(type: "Ready", status: .true, reason: "Ready", message: "", lastTransitionTime: t1))
        #expect(conditions.map(\.type) == ["Accepted", "Ready"])
        #expect(conditions[type: "Accepted"]?.lastTransitionTime == t0)
        let removed = conditions.remove(type: "Accepted")
        let removedAgain = conditions.remove(type: "Accepted")
        #expect(removed && !removedAgain)
    }

    @Test(arguments: [
        ("Ready", true), ("SecretNotFound", true), ("A", true), ("a_b", true), ("Ref:Not,Permitted_", true),
        ("", false), ("1Ready", false), ("Ready-Now", false), ("Ready:", false), ("Ready.", false),
        ("with space", false),
    ])
    func reasonSyntax(reason: String, valid: Bool) {
        let condition = Condition(type: "Ready", status: .true, reason: reason, message: "")
        #expect(condition.validate(at: "c").isEmpty == valid)
    }

    @Test func messageLengthIsBounded() {
        let long = Condition(type: "Ready", status: .true, reason: "R", message: String(repeating: "x", count: 32769))
        #expect(
            long.validate(at: "c").map(\.description) == ["c.message: Too long: may not be more than 32768 characters"]
        )
        #expect(
            Condition(type: "Ready", status: .true, reason: "R", message: String(repeating: "x", count: 32768))
                .validate(at: "c").isEmpty
        )
    }

    @Test func encodesAsKubernetesDoes() throws {
        let condition = Condition(
            type: "Ready",
            status: .unknown,
            reason: "Probing",
            message: "m",
            observedGeneration: 4,
            lastTransitionTime: t0
        )
        let json = String(decoding: try ManifestCodec.encodeJSON(condition), as: UTF8.self)
        #expect(
            json
                == #"{"lastTransitionTime":"2023-11-14T22:13:20Z","message":"m","observedGeneration":4,"reason":"Probing","status":"Unknown","type":"Ready"}"#
        )
    }
}
