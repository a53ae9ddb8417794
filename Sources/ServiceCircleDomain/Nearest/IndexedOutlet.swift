/// An outlet ready for the nearest-outlet search: the outlet and its hours compiled against the calendar.
/// One shared instance per outlet, so grid cells copy a reference, not the outlet.
public final class IndexedOutlet: Sendable {
    public let outlet: Outlet
    public let hours: CompiledHours
    public let businesses: BusinessSet
    /// The hours as Chinese text when already rendered (the read model renders each distinct hours once).
    public let hoursTextZh: String?
    /// Outlets with the same hours and businesses share a class (≥ 0), so a search tests "could it be open?"
    /// once per class instead of once per outlet; -1 puts the outlet in a class of its own. Ids are dense
    /// (0, 1, 2, ... as the read model numbers them): searches index arrays by them.
    public let hoursClass: Int
    /// The row version the outlet was read or written at (0 when unknown): the change feed skips what is held.
    public let version: Int
    public init(outlet: Outlet, hours: CompiledHours, hoursTextZh: String? = nil, hoursClass: Int = -1, version: Int = 0) {
        self.version = version
        self.outlet = outlet
        self.hours = hours
        self.businesses = BusinessSet(outlet.businesses)
        self.hoursTextZh = hoursTextZh
        self.hoursClass = hoursClass
    }
}
