import Foundation
import SMTPFuzzing
import Testing

/// The fuzz driver is a faithful session: its seeds do what a real server would do with them.
struct SMTPSessionSimulatorTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../hack/fuzz/corpus").standardized

    func outcome(_ seed: String) throws -> SMTPSessionSimulator.Outcome {
        SMTPSessionSimulator.run(Array(try Data(contentsOf: Self.corpus.appendingPathComponent(seed))))
    }

    @Test func transactionDeliversOneMessage() throws {
        let result = try outcome("transaction")
        #expect(result.messages == 1)
        #expect(result.replies.map(\.code) == [220, 250, 250, 250, 550, 354, 250, 221])
        #expect(result.closed)
    }

    @Test func bareLineFeedsEndTheSession() throws {
        let data = try outcome("bare-lf-in-data")
        #expect(data.messages == 0 && data.closed)
        #expect(data.replies.last?.enhancedStatusCode?.description == "5.6.11")
        let command = try outcome("bare-lf-command")
        #expect(command.closed && command.replies.map(\.code) == [220, 500])
    }

    @Test func plaintextBehindStartTLSIsNotExecuted() throws {
        let result = try outcome("starttls-injection")
        #expect(result.closed)
        #expect(result.replies.map(\.code) == [220, 250, 220])
    }

    /// Every seed gets the same replies however it is cut into reads (1 to 64 bytes). Seeds with
    /// STARTTLS are left out: whether bytes behind it are injected plaintext or TLS records depends
    /// on whether they arrive before the 220, for the real server as for the simulator.
    @Test func everySeedInEveryChunking() throws {
        let seeds = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
        #expect(seeds.count >= 6)
        for seed in seeds {
            let bytes = Array(try Data(contentsOf: Self.corpus.appendingPathComponent(seed)))
            if String(decoding: bytes, as: UTF8.self).contains("STARTTLS") { continue }
            let reference = SMTPSessionSimulator.run([0] + bytes.dropFirst()).replies.map(\.code)
            for chunk in UInt8(0)..<64 {
                #expect(
                    SMTPSessionSimulator.run([chunk] + bytes.dropFirst()).replies.map(\.code) == reference,
                    "\(seed), chunk \(chunk + 1)"
                )
            }
        }
    }
}
