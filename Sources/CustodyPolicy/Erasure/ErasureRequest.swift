import CustodyLineage
public import Foundation

/// An erasure request as the log records it (`custody erase`), with what later records said of it:
/// the recipients told, and when Custody forgot the person.
public struct ErasureRequest: Sendable {
    /// Art. 17(1) grounds, with the letter each is.
    public static let grounds: [String: String] = [
        "no_longer_necessary": "17(1)(a)", "consent_withdrawn": "17(1)(b)", "objection": "17(1)(c)",
        "unlawful_processing": "17(1)(d)", "legal_obligation": "17(1)(e)", "child": "17(1)(f)",
    ]

    public let id: String
    /// The event that recorded it.
    public let seq: Int
    public let receivedAt: Date
    /// One calendar month after it was received (Art. 12(3)).
    public let dueBy: Date
    public let ground: String?
    public let reason: String?
    /// base64 SHA-256 of the salt and the person's tokens (see `ErasureCommitment`).
    public let commitment: String
    /// How many identifiers the request named.
    public let identifiers: Int
    public let packDigest: String
    public let items: [Item]
    public internal(set) var notices: [Notice] = []
    public internal(set) var forgotten: Forgetting?

    /// One thing the request asks for.
    public struct Item: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// Erase the person from a dataset.
            case erase
            /// A dataset an Art. 17(3) hold keeps.
            case hold
            /// Tell a recipient (Art. 19).
            case notify
        }

        /// `erase:<dataset node id>`, `hold:<dataset node id>` or `notify:<recipient>`.
        public let id: String
        public let kind: Kind
        public let dataset: String?
        public let location: String?
        /// For a dataset, the recipient it was disclosed to; for a notice, the recipient to tell.
        public let recipient: String?
        public let role: String?
        public let country: String?
        /// For a notice: the datasets the recipient received, and when (RFC 3339).
        public let received: [Received]
        /// For a hold: its id, ground and reason.
        public let hold: String?
        public let holdGround: String?
        public let holdReason: String?

        public struct Received: Sendable, Equatable {
            public let dataset: String
            public let at: String
        }
    }

    /// A recipient told, or why that proved impossible (`erase --notified`).
    public struct Notice: Sendable {
        public let seq: Int
        public let at: Date
        public let recipient: String
        /// Why telling them proved impossible or disproportionate; `nil` when they were told.
        public let impossible: String?
    }

    /// When Custody forgot the person: the vault entry and the salt deleted, the tombstone kept.
    public struct Forgetting: Sendable {
        public let seq: Int
        public let at: Date
        /// `complete` (every item closed) or `shred` (at once, on request).
        public let why: String
        /// The items closed by then.
        public let closed: [String]
    }
}
