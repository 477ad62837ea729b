import Foundation
import KubeMailAPI
import KubeMailCtl
import Testing

/// The committed CRDs must be exactly what the Swift types generate.
struct GeneratedFilesTests {
    @Test(arguments: ["crds", "deploy/helm/kube-mail/crds"])
    func committedCRDsAreCurrent(directory: String) throws {
        let generated = try CustomResourceDefinitions.crdFiles()
        let folder = TestSupport.path(directory)
        let committed = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".yaml")
        }
        #expect(
            Set(committed) == Set(generated.map(\.name)),
            "\(directory) holds other files than the generated CRDs: run `swift run kubemailctl crds -o \(directory)`"
        )
        for file in generated {
            let text = try? String(contentsOf: folder.appendingPathComponent(file.name), encoding: .utf8)
            #expect(
                text == file.contents,
                "\(directory)/\(file.name) is stale: run `swift run kubemailctl crds -o \(directory)`"
            )
        }
    }
}
