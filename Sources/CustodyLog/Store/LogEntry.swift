public import CustodyModel
import Foundation

/// One recorded event as the log holds it: the leaf preimage and what was read back from it.
///
/// The leaf preimage is RFC 8785 canonical JSON of
/// `{"batch", "event", "notes"?, "recordedAt", "seq"}`, so the sequence number, the recorded time, the
/// batch and the (tokenised) event are all covered by the leaf hash.
public struct LogEntry: Sendable {
    public let seq: Int
    public let batchID: String
    public let recordedAt: String
    public let event: JSONValue
    public let notes: [String]
    /// The exact bytes hashed into the leaf.
    public let leaf: [UInt8]

    /// Decodes a stored leaf preimage.
    public init(leaf: [UInt8]) throws(LogError) {
        guard case .object(let object)? = try? JSONParser.parse(leaf),
            case .string(let batch)? = object["batch"], case .string(let recorded)? = object["recordedAt"],
            case .number(let seqNumber)? = object["seq"], let seq = Int(seqNumber.literal), let event = object["event"]
        else { throw LogError(.integrity, "a stored leaf is not a Custody log record") }
        var notes: [String] = []
        if case .array(let values)? = object["notes"] { notes = values.compactMap(\.stringValue) }
        self.seq = seq
        self.batchID = batch
        self.recordedAt = recorded
        self.event = event
        self.notes = notes
        self.leaf = leaf
    }

    /// The event of a stored leaf preimage, read in place (`JSONTape`), for replays, which take nothing else
    /// from it; the leaf is checked as `init(leaf:)` checks it.
    public static func event(inLeaf leaf: [UInt8]) throws(LogError) -> JSONTape.Value {
        guard let record = try? JSONTape(leaf).root, record["batch"]?.isString == true, record["recordedAt"]?.isString == true,
            let seq = record["seq"]?.numberLiteral, Int(seq) != nil, let event = record["event"]
        else { throw LogError(.integrity, "a stored leaf is not a Custody log record") }
        return event
    }

    /// Builds the canonical leaf preimage. The members are written in RFC 8785 order (batch, event,
    /// notes, recordedAt, seq), which is the same bytes as canonicalising the whole record.
    static func preimage(seq: Int, batchID: String, recordedAt: String, event: JSONValue, notes: [String]) throws(CanonicalJSONError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        out.append(contentsOf: "{\"batch\":".utf8)
        CanonicalJSON.writeString(batchID, to: &out)
        out.append(contentsOf: ",\"event\":".utf8)
        try CanonicalJSON.write(event, to: &out)
        if !notes.isEmpty {
            out.append(contentsOf: ",\"notes\":[".utf8)
            for (index, note) in notes.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                CanonicalJSON.writeString(note, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: ",\"recordedAt\":".utf8)
        CanonicalJSON.writeString(recordedAt, to: &out)
        out.append(contentsOf: ",\"seq\":\(seq)}".utf8)
        return out
    }

    /// The sequence number a leaf preimage claims, read from its canonical tail `,"seq":N}` without
    /// parsing the whole record (verification reads every leaf).
    static func claimedSeq<Bytes: RandomAccessCollection<UInt8>>(_ leaf: Bytes) -> Int? where Bytes.Index == Int {
        guard leaf.last == UInt8(ascii: "}") else { return nil }
        var value = 0
        var scale = 1
        let start = leaf.startIndex
        var index = leaf.endIndex - 2
        while index >= start, leaf[index] >= 0x30, leaf[index] <= 0x39 {
            value += Int(leaf[index] - 0x30) * scale
            scale *= 10
            index -= 1
            if scale > 1_000_000_000_000_000 { return nil }
        }
        let marker = Array(",\"seq\":".utf8)
        guard scale > 1, index - marker.count + 1 >= start, leaf[(index - marker.count + 1)...index].elementsEqual(marker) else { return nil }
        return value
    }
}
