/// An ISO 8601 duration as retention periods are declared (`P30D`, `P2Y6M`, `PT12H`, `P1W`).
public struct ISO8601Duration: Hashable, Sendable, CustomStringConvertible {
    public var years = 0, months = 0, weeks = 0, days = 0
    public var hours = 0, minutes = 0, seconds = 0
    public let text: String

    /// Parses `PnYnMnWnDTnHnMnS` with whole numbers; at least one component is required.
    public init?(_ text: String) {
        self.text = text
        var bytes = Substring(text)
        guard bytes.first == "P" else { return nil }
        bytes = bytes.dropFirst()
        var inTime = false
        var sawComponent = false
        var sawTimeComponent = false
        var value: Int? = nil
        var order = 0
        for character in bytes {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (product, overflow1) = (value ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(digit)
                guard !overflow1, !overflow2 else { return nil }
                value = sum
                continue
            }
            if character == "T" {
                guard !inTime, value == nil else { return nil }
                inTime = true
                order = 0
                continue
            }
            guard let amount = value else { return nil }
            value = nil
            let rank: Int
            switch (inTime, character) {
            case (false, "Y"): years = amount; rank = 1
            case (false, "M"): months = amount; rank = 2
            case (false, "W"): weeks = amount; rank = 3
            case (false, "D"): days = amount; rank = 4
            case (true, "H"): hours = amount; rank = 1
            case (true, "M"): minutes = amount; rank = 2
            case (true, "S"): seconds = amount; rank = 3
            default: return nil
            }
            guard rank > order else { return nil }
            order = rank
            sawComponent = true
            if inTime { sawTimeComponent = true }
        }
        guard value == nil, sawComponent, !inTime || sawTimeComponent else { return nil }
    }

    public var description: String { text }
}
