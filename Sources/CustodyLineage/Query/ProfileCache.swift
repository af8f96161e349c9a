/// Dataset profiles kept from one part of a judgement to the next (`Lineage.neighbourhood(ofEvents:in:keeping:)`):
/// those the last part used, and others up to `capacity`, those used least recently let go first.
///
/// A profile describes a dataset at the view's horizon, so within one pinned view it is the same in every part
/// that needs it; a source that runs all over the log read is otherwise read back, with every run that read it,
/// in every part. Belongs to one view: never hand it to a view with another horizon.
package final class ProfileCache {
    private let capacity: Int
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

    /// Keeps the profiles a part made; past `capacity`, lets go of those last used by the earliest parts, until
    /// at most half of it are kept (so that the next parts have room before letting go again), but never of
    /// those this part used: a source read all over the log is used by nearly every part.
    func keep(_ made: [DatasetProfile]) {
        for profile in made { profiles[profile.storeID] = (profile, clock) }
        clock += 1
        guard profiles.count > capacity else { return }
        // How many were last used by each part: the parts to forget are found without sorting the profiles.
        var perPart = [Int](repeating: 0, count: clock)
        for kept in profiles.values { perPart[kept.used] += 1 }
        var remaining = profiles.count, forgetBefore = 0
        while remaining > capacity / 2 && forgetBefore < clock - 1 {
            remaining -= perPart[forgetBefore]
            forgetBefore += 1
        }
        profiles = profiles.filter { $0.value.used >= forgetBefore }
    }
}
