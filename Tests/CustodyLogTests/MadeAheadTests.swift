@testable import CustodyLog
import Dispatch
import Synchronization
import Testing

/// `MadeAhead` carries an audit trail's findings from the thread that judges them to the one that writes them:
/// they must arrive all and in order, never more than a few waiting, and the judging must stop when the
/// writing does.
struct MadeAheadTests {
    @Test func valuesArriveInOrderWithNoMoreThanTheRoomWaiting() throws {
        let made = Atomic<Int>(0), mostWaiting = Atomic<Int>(0), taken = Atomic<Int>(0)
        let values = MadeAhead<Int>(ahead: 2) { hand in
            for value in 0..<50 {
                try hand(value)
                let waiting = made.add(1, ordering: .sequentiallyConsistent).newValue - taken.load(ordering: .sequentiallyConsistent)
                mostWaiting.max(waiting, ordering: .sequentiallyConsistent)
            }
        }
        var received: [Int] = []
        try values.forEach { value in
            received.append(value)
            taken.add(1, ordering: .sequentiallyConsistent)
        }
        #expect(received == Array(0..<50))
        // Counted after each hand-over: the two it may make ahead, and the one it handed while the last was taken.
        let most = mostWaiting.load(ordering: .sequentiallyConsistent)
        #expect(most <= 3)
    }

    @Test func whatTheMakerThrowsComesAfterWhatItMade() throws {
        struct Broken: Error {}
        let values = MadeAhead<Int>(ahead: 4) { hand in
            try hand(1)
            try hand(2)
            throw Broken()
        }
        var received: [Int] = []
        #expect(throws: Broken.self) { try values.forEach { received.append($0) } }
        #expect(received == [1, 2])
    }

    @Test func theMakerStopsWhenTheTakerFails() throws {
        struct WriteFailed: Error {}
        let made = Atomic<Int>(0), returned = Atomic<Bool>(false)
        let values = MadeAhead<Int>(ahead: 1) { hand in
            defer { returned.store(true, ordering: .sequentiallyConsistent) }
            for value in 0..<1_000 {
                try hand(value)
                made.add(1, ordering: .sequentiallyConsistent)
            }
        }
        #expect(throws: WriteFailed.self) { try values.forEach { if $0 == 3 { throw WriteFailed() } } }
        // Stopped before the error was passed on: it made at most the value it had room for past the failing one.
        let (hasReturned, madeCount) = (returned.load(ordering: .sequentiallyConsistent), made.load(ordering: .sequentiallyConsistent))
        #expect(hasReturned)
        #expect(madeCount <= 5)
    }

    @Test func droppedUntakenItStopsTheMaker() {
        let returned = Atomic<Bool>(false)
        do {
            _ = MadeAhead<Int>(ahead: 1) { hand in
                defer { returned.store(true, ordering: .sequentiallyConsistent) }
                for value in 0... { try hand(value) }
            }
        }
        let hasReturned = returned.load(ordering: .sequentiallyConsistent)
        #expect(hasReturned)
    }
}
