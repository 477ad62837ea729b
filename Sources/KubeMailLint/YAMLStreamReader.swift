import CYaml
import Foundation

/// Reads a multi-document YAML stream through libyaml's event API into positioned nodes.
///
/// Unlike a general YAML loader it keeps duplicate keys (so the linter can report the second one
/// and go on), resolves aliases and `<<` merge keys as Kubernetes does, and stops at the first
/// syntax error with its position, keeping the documents read before it.
public struct YAMLStreamReader {
    public struct Document: Sendable {
        /// 1-based index of the document in its file.
        public var index: Int
        public var root: YAMLNode
        /// Where the document starts (its `---`, or its first node).
        public var start: SourcePosition
        /// Where it ends (after its `...`, or where the next document or the stream begins).
        public var end: SourcePosition
    }

    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var position: SourcePosition
        public var problem: String
        public var context: String?

        public var description: String {
            context.map { "\(problem) (\($0))" } ?? problem
        }
    }

    public struct Result: Sendable {
        public var documents: [Document]
        public var error: SyntaxError?
    }

    /// Reads every document of `text`. An empty document (only comments, or nothing between two
    /// `---`) yields no document.
    public static func read(_ text: String) -> Result {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return Result(documents: [], error: nil) }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let reader = EventReader(buffer: buffer)
            defer { reader.close() }
            var documents: [Document] = []
            do {
                _ = try reader.next()  // STREAM-START
                var index = 0
                while true {
                    let event = try reader.next()
                    defer { event.delete() }
                    if event.type == YAML_STREAM_END_EVENT { break }
                    guard event.type == YAML_DOCUMENT_START_EVENT else { continue }
                    index += 1
                    let start = event.startPosition
                    var anchors: [String: YAMLNode] = [:]
                    let rootEvent = try reader.next()
                    let root = try reader.node(from: rootEvent, anchors: &anchors)
                    let endEvent = try reader.next()  // DOCUMENT-END
                    let end = endEvent.endPosition
                    endEvent.delete()
                    if case .scalar(let scalar) = root.content, scalar.value == .null, scalar.text.isEmpty { continue }
                    documents.append(Document(index: index, root: root, start: start, end: end))
                }
                return Result(documents: documents, error: nil)
            } catch let error as SyntaxError {
                return Result(documents: documents, error: error)
            } catch {
                return Result(documents: documents, error: SyntaxError(position: .start, problem: "\(error)"))
            }
        }
    }
}

/// A libyaml parser over a borrowed buffer. A class: libyaml's state must not move in memory.
private final class EventReader {
    var parser = yaml_parser_t()

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        yaml_parser_initialize(&parser)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
    }

    func close() {
        yaml_parser_delete(&parser)
    }

    final class Event {
        var event = yaml_event_t()
        var type: yaml_event_type_t { event.type }
        var startPosition: SourcePosition {
            SourcePosition(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        }
        var endPosition: SourcePosition {
            SourcePosition(line: Int(event.end_mark.line) + 1, column: Int(event.end_mark.column) + 1)
        }
        private var deleted = false

        func delete() {
            guard !deleted else { return }
            deleted = true
            yaml_event_delete(&event)
        }

        deinit { delete() }
    }

    func next() throws(YAMLStreamReader.SyntaxError) -> Event {
        let event = Event()
        guard yaml_parser_parse(&parser, &event.event) == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
            let context = parser.context.map { String(cString: $0) }
            let mark = parser.problem_mark
            throw YAMLStreamReader.SyntaxError(
                position: SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1),
                problem: problem,
                context: context
            )
        }
        return event
    }

    func node(
        from event: Event,
        anchors: inout [String: YAMLNode]
    ) throws(YAMLStreamReader.SyntaxError) -> YAMLNode {
        defer { event.delete() }
        let position = event.startPosition
        switch event.type {
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.event.data.alias.anchor) ?? ""
            guard var node = anchors[name] else {
                throw YAMLStreamReader.SyntaxError(position: position, problem: "found undefined alias *\(name)")
            }
            node.position = position
            return node
        case YAML_SCALAR_EVENT:
            let scalar = event.event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            let node = YAMLNode(
                .scalar(YAMLScalar(text: text, plain: plain, tag: Self.string(scalar.tag))),
                at: position
            )
            if let anchor = Self.string(scalar.anchor) { anchors[anchor] = node }
            return node
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Self.string(event.event.data.sequence_start.anchor)
            var items: [YAMLNode] = []
            while true {
                let child = try next()
                if child.type == YAML_SEQUENCE_END_EVENT {
                    child.delete()
                    break
                }
                items.append(try node(from: child, anchors: &anchors))
            }
            let node = YAMLNode(.sequence(items), at: position)
            if let anchor { anchors[anchor] = node }
            return node
        case YAML_MAPPING_START_EVENT:
            let anchor = Self.string(event.event.data.mapping_start.anchor)
            var pairs: [YAMLPair] = []
            var merged: [YAMLPair] = []
            while true {
                let keyEvent = try next()
                if keyEvent.type == YAML_MAPPING_END_EVENT {
                    keyEvent.delete()
                    break
                }
                let key = try node(from: keyEvent, anchors: &anchors)
                let value = try node(from: try next(), anchors: &anchors)
                if key.scalar?.text == "<<", key.scalar?.value == .string {
                    // A merge key (YAML 1.1): the merged mappings' pairs count unless set here.
                    let sources: [YAMLNode]
                    if case .sequence(let items) = value.content { sources = items } else { sources = [value] }
                    for source in sources { merged += source.pairs ?? [] }
                } else {
                    pairs.append(YAMLPair(key: key, value: value))
                }
            }
            let explicitKeys = Set(pairs.compactMap { $0.key.scalar?.text })
            var seenMerged: Set<String> = []
            for pair in merged {
                guard let key = pair.key.scalar?.text, !explicitKeys.contains(key), seenMerged.insert(key).inserted
                else { continue }
                pairs.append(pair)
            }
            let node = YAMLNode(.mapping(pairs), at: position)
            if let anchor { anchors[anchor] = node }
            return node
        default:
            throw YAMLStreamReader.SyntaxError(
                position: position,
                problem: "unexpected YAML event \(event.type.rawValue)"
            )
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
