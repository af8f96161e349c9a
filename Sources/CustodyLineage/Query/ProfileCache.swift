/// Dataset profiles kept from one part of a judgement to the next (`Lineage.neighbourhood(ofEvents:in:keeping:)`),
/// at most `capacity` of them, those used least recently let go first.
///
/// A profile describes a dataset at the view's horizon, so within one pinned view it is the same in every part
/// that needs it; a source that runs all over the log read is otherwise read back, with every run that read it,
/// in every part. Belongs to one view: never hand it to a view with another horizon.
package final class ProfileCache {
    package let capacity: Int
    private var profiles: [Int64: (profile: DatasetProfile, used: Int)] = [:]
    /// Counts the parts: when each profile was last used.
    private var clock = 0

    package init(capacity: Int) {
        precondition(capacity > 0, "a cache that keeps nothing")
        self.capacity = capacity
    }

    /// The profile of the dataset with row id `id`, if kept; marks it used by the current part.
    func profile(_ id: Int64) -> DatasetProfile? {
        guard let kept = profiles[id] else { return nil }
        profiles[id] = (kept.profile, clock)
        return kept.profile
    }

    /// Keeps the profiles a part made; past `capacity`, lets go of those used longest ago (to three quarters
    /// of it, so that letting go is not sorted for every part).
    func keep(_ made: [DatasetProfile]) {
        for profile in made { profiles[profile.storeID] = (profile, clock) }
        clock += 1
        guard profiles.count > capacity else { return }
        let byUse = profiles.sorted { $0.value.used < $1.value.used }
        for (id, _) in byUse.prefix(profiles.count - capacity * 3 / 4) { profiles[id] = nil }
    }
}
