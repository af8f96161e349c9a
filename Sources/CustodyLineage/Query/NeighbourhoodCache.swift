/// What one part of a judgement works out that later parts need again (`Lineage.neighbourhood(ofEvents:in:keeping:)`):
/// dataset profiles, and in a view of an earlier time the categories carried into datasets. Those the last part
/// used are kept, and others up to `capacity` of each, those used least recently let go first.
///
/// Both describe a dataset at the view's horizon, so within one pinned view they are the same in every part that
/// needs them: a source that runs all over the log read is otherwise read back, with every run that read it, in
/// every part, and a view of an earlier time would work out again everything upstream of each part. Belongs to
/// one view: never hand it to a view with another horizon.
package final class NeighbourhoodCache {
    private let capacity: Int
    private var profiles: [Int64: (value: DatasetProfile, used: Int)] = [:]
    private var carried: [Int64: (value: CarriedCategories, used: Int)] = [:]
    /// Counts the parts: when each value was last used.
    private var clock = 0

    package init(capacity: Int) {
        precondition(capacity > 0, "a cache that keeps nothing")
        self.capacity = capacity
    }

    /// The profile of the dataset with row id `id`, if kept; marks it used by the current part.
    func profile(_ id: Int64) -> DatasetProfile? {
        guard let kept = profiles[id] else { return nil }
        profiles[id] = (kept.value, clock)
        return kept.value
    }

    /// The categories carried into the dataset with row id `id`, before the pack, if kept; marks them used.
    func carried(_ id: Int64) -> CarriedCategories? {
        guard let kept = carried[id] else { return nil }
        carried[id] = (kept.value, clock)
        return kept.value
    }

    /// Keeps what a part made, and ends the part.
    func keep(_ made: [DatasetProfile], carried worked: [Int64: CarriedCategories]) {
        for profile in made { profiles[profile.storeID] = (profile, clock) }
        for (id, value) in worked { carried[id] = (value, clock) }
        clock += 1
        Self.letGo(of: &profiles, capacity: capacity, clock: clock)
        Self.letGo(of: &carried, capacity: capacity, clock: clock)
    }

    /// Past `capacity`, lets go of the values last used by the earliest parts, until at most half of it are kept
    /// (so that the next parts have room before letting go again), but never of those the last part used: a source
    /// read all over the log is used by nearly every part.
    private static func letGo<Value>(of table: inout [Int64: (value: Value, used: Int)], capacity: Int, clock: Int) {
        guard table.count > capacity else { return }
        // How many were last used by each part: the parts to forget are found without sorting the table.
        var perPart = [Int](repeating: 0, count: clock)
        for kept in table.values { perPart[kept.used] += 1 }
        var remaining = table.count, forgetBefore = 0
        while remaining > capacity / 2 && forgetBefore < clock - 1 {
            remaining -= perPart[forgetBefore]
            forgetBefore += 1
        }
        table = table.filter { $0.value.used >= forgetBefore }
    }
}
