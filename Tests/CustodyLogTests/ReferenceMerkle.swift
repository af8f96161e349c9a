import Crypto

/// RFC 9162 §2.1 transcribed literally, with no stored nodes and no cleverness: the slow, obviously
/// correct implementation that the store's fast one is checked against.
enum ReferenceMerkle {
    static func hash(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// MTH(D[n]) over leaf *inputs*.
    static func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        let n = leaves.count
        if n == 0 { return hash([]) }
        if n == 1 { return hash([0x00] + leaves.first!) }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        return hash([0x01] + mth(leaves[start..<(start + k)]) + mth(leaves[(start + k)...]))
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        let n = leaves.count
        if n <= 1 { return [] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m < k {
            return path(m, leaves[start..<(start + k)]) + [mth(leaves[(start + k)...])]
        }
        return path(m - k, leaves[(start + k)...]) + [mth(leaves[start..<(start + k)])]
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    static func proof(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        subproof(m, leaves, true)
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        let n = leaves.count
        if m == n { return b ? [] : [mth(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let start = leaves.startIndex
        if m <= k {
            return subproof(m, leaves[start..<(start + k)], b) + [mth(leaves[(start + k)...])]
        }
        return subproof(m - k, leaves[(start + k)...], false) + [mth(leaves[start..<(start + k)])]
    }

    /// The largest power of two strictly smaller than n, by counting up.
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }
}
