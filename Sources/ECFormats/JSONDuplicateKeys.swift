import Foundation

/// The first key that appears twice in one object of a JSON text, at any depth. Foundation's
/// decoder keeps one of the values silently; the safetensors reference reader refuses such a
/// header, and so must we (a metadata activation given twice, a tensor listed twice).
/// Assumes the text is valid JSON (the decoder checks that); returns nil otherwise or when none.
func firstDuplicateKey(inJSON bytes: UnsafeRawBufferPointer) -> String? {
    var objects: [Set<String>?] = []   // one entry per open container; nil for arrays
    var expectingKey = false
    var position = 0
    while position < bytes.count {
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "{"):
            objects.append([])
            expectingKey = true
        case UInt8(ascii: "["):
            objects.append(nil)
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            _ = objects.popLast()
        case UInt8(ascii: ","):
            expectingKey = objects.last.map { $0 != nil } ?? false
        case UInt8(ascii: "\""):
            let start = position
            position += 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard position < bytes.count else { return nil }
            if expectingKey, let top = objects.indices.last, objects[top] != nil {
                expectingKey = false
                // Decoded, so that "a" and "\u0061" count as the same key.
                let literal = Data(UnsafeRawBufferPointer(rebasing: bytes[start...position]))
                guard let key = try? JSONDecoder().decode(String.self, from: literal) else { return nil }
                guard objects[top]!.insert(key).inserted else { return key }
            }
        default:
            break
        }
        position += 1
    }
    return nil
}
