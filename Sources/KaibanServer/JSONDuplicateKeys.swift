/// Finds a key that appears twice in one object of a JSON text. Foundation's decoder keeps one of
/// the two values without a word, so a portal (or a gateway in front of it that keeps the other)
/// could mean one application while the desk checks and stores another; a body with a repeated
/// key is refused instead, naming it.
///
/// One pass over the bytes with a stack of its own, no deeper than ``depthLimit`` (a body nested
/// deeper is left to the decoder, which refuses it: each level keeps its path, so an unbounded
/// depth would cost memory and time with its square). It only looks for repeated keys: any text
/// that is not JSON makes it stop and answer nil, and the decoder then says what is wrong.
enum JSONDuplicateKeys {
    /// The deepest nesting looked into: far beyond any form's, far below what costs anything.
    static let depthLimit = 256

    /// An object being read: the keys it has had, and the last one (whose value comes next).
    private struct ObjectFrame {
        var path: String
        var keys: Set<String> = []
        var key: String?
        var expectsKey = true
    }

    /// An array being read: the index of its current element.
    private struct ArrayFrame {
        var path: String
        var index = 0
    }

    private enum Container {
        case object(ObjectFrame)
        case array(ArrayFrame)
    }

    /// The path of the first repeated key (`enterpriseType`, `investors[1].name`, as the desk
    /// names fields, counting from 1), or nil.
    static func first(in bytes: some Collection<UInt8>) -> String? {
        let text = ContiguousArray(bytes)
        var stack: [Container] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "{") where stack.count < depthLimit:
                stack.append(.object(ObjectFrame(path: valuePath(stack))))
                index += 1
            case UInt8(ascii: "[") where stack.count < depthLimit:
                stack.append(.array(ArrayFrame(path: valuePath(stack))))
                index += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return nil
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard stack.popLast() != nil else { return nil }
                index += 1
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(var object):
                    object.expectsKey = true
                    stack[stack.count - 1] = .object(object)
                case .array(var array):
                    array.index += 1
                    stack[stack.count - 1] = .array(array)
                case nil:
                    return nil
                }
                index += 1
            case UInt8(ascii: "\""):
                guard let (bytes, escaped, end) = readString(text, from: index) else { return nil }
                if case .object(var object) = stack.last, object.expectsKey {
                    let string = String(validating: bytes, as: UTF8.self)
                    guard let key = escaped ? string.flatMap(decodingEscapes) : string else { return nil }
                    if object.keys.contains(key) { return join(object.path, key) }
                    object.keys.insert(key)
                    object.key = key
                    object.expectsKey = false
                    stack[stack.count - 1] = .object(object)
                }
                index = end
            default:
                // Whitespace, a colon, or part of a number, true, false or null.
                index += 1
            }
        }
        return nil
    }

    /// The path of the value that comes next in the innermost container.
    private static func valuePath(_ stack: [Container]) -> String {
        switch stack.last {
        case .object(let object): join(object.path, object.key ?? "")
        case .array(let array): "\(array.path)[\(array.index + 1)]"
        case nil: ""
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The bytes of the string starting at the quote at `start` (its escapes as written), whether
    /// it has any, and the index after its closing quote; nil when it does not end.
    private static func readString(_ text: ContiguousArray<UInt8>, from start: Int) -> ([UInt8], Bool, Int)? {
        var index = start + 1
        var bytes: [UInt8] = []
        var escaped = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") { return (bytes, escaped, index + 1) }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < text.count else { return nil }
                escaped = true
                bytes.append(byte)
                bytes.append(text[index + 1])
                index += 2
                continue
            }
            bytes.append(byte)
            index += 1
        }
        return nil
    }

    /// A string's escapes (`\"`, `\n`, `\u0061`, a surrogate pair…) as the characters they stand
    /// for, so that `"a"` and `"\u0061"` are one key; nil for an escape that is not JSON's.
    private static func decodingEscapes(_ string: String) -> String? {
        var scalars = String.UnicodeScalarView()
        var iterator = string.unicodeScalars.makeIterator()
        var pendingHigh: UInt32?
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                if pendingHigh != nil { return nil }
                scalars.append(scalar)
                continue
            }
            guard let kind = iterator.next() else { return nil }
            switch kind {
            case "\"", "\\", "/": scalars.append(kind)
            case "b": scalars.append("\u{08}")
            case "f": scalars.append("\u{0C}")
            case "n": scalars.append("\n")
            case "r": scalars.append("\r")
            case "t": scalars.append("\t")
            case "u":
                var hex = ""
                for _ in 0..<4 {
                    guard let digit = iterator.next() else { return nil }
                    hex.unicodeScalars.append(digit)
                }
                guard hex.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit), let value = UInt32(hex, radix: 16)
                else { return nil }
                if pendingHigh != nil && !(0xDC00..<0xE000).contains(value) { return nil }
                if (0xD800..<0xDC00).contains(value) {
                    pendingHigh = value
                    continue
                }
                if (0xDC00..<0xE000).contains(value), let high = pendingHigh {
                    pendingHigh = nil
                    guard let pair = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)) else {
                        return nil
                    }
                    scalars.append(pair)
                    continue
                }
                guard let single = Unicode.Scalar(value) else { return nil }
                scalars.append(single)
            default:
                return nil
            }
            if pendingHigh != nil { return nil }
        }
        return pendingHigh == nil ? String(scalars) : nil
    }
}
