/// Where datasets and jobs come in name order, by their row ids in the store: how findings are ordered by
/// dataset and job with integers, and how rules find a run's datasets without hashing names. Ranks count
/// from 0; the ids are those of the lineage view the facts were read from.
struct NodeRanks: Sendable {
    let datasets: [Int64: Int]
    let jobs: [Int64: Int]
}
