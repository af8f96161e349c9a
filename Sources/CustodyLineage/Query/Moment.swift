public import Foundation

/// A point in the order in which things happened: the event time, then the sequence number (the order
/// Custody learnt of them), then the phase within one event. Within one event an OVERWRITE first ends
/// everyone's presence, then the run carries data in, then erasures, DROP and TRUNCATE end presence
/// again (an erasure beats a carry).
struct Moment: Comparable, Hashable, Sendable {
    enum Phase: Int8, Comparable, Sendable {
        case overwrite = 0, arrival = 1, removal = 2
        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    let time: Int64
    let seq: Int
    let phase: Phase

    init(time: Int64, seq: Int, phase: Phase = .arrival) {
        self.time = time
        self.seq = seq
        self.phase = phase
    }

    func with(_ phase: Phase) -> Moment { Moment(time: time, seq: seq, phase: phase) }

    static func < (lhs: Moment, rhs: Moment) -> Bool {
        (lhs.time, lhs.seq, lhs.phase) < (rhs.time, rhs.seq, rhs.phase)
    }

    var date: Date { Self.date(time) }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}

/// When something happened and which event says so.
public struct EventStamp: Sendable, Hashable, Comparable {
    /// The event time, as the producer sent it (UTC).
    public let time: Date
    /// The sequence number of the event in the log.
    public let seq: Int

    init(_ moment: Moment) {
        time = moment.date
        seq = moment.seq
    }

    public static func < (lhs: EventStamp, rhs: EventStamp) -> Bool { (lhs.time, lhs.seq) < (rhs.time, rhs.seq) }
}
