import ServiceCircleDomain

extension OutletGrid {
    /// The outlet held under `id`, if any.
    public func item(id: Int64) -> IndexedOutlet? {
        guard let slot = slotOf[id] else { return nil }
        return items[Int(slot)]?.item
    }
}
