/// Where a report's tree goes, piece by piece: XML through libxml2 or JSON. A report is written as it is
/// made (`open`, `write`, `close`), so an audit trail of millions of events never sits in memory whole.
///
/// Inside a list the name given to `open` and `write` is ignored: XML names a list's items by the list's
/// singular (`ReportNode.itemName(ofList:)`), JSON does not name them.
protocol ReportWriter: AnyObject {
    /// Starts an object (the report itself when nothing is open).
    func open(_ name: String) throws(ReportError)
    /// Starts a list.
    func openList(_ name: String) throws(ReportError)
    /// Writes a whole subtree.
    func write(_ name: String, _ node: ReportNode) throws(ReportError)
    /// Writes the tree of an encodable value (by default, made as a `ReportNode` first).
    func write(_ name: String, encoding value: some Encodable) throws(ReportError)
    /// Ends the object or list opened last.
    func close() throws(ReportError)
    /// Ends the document and flushes it to its file.
    func finish() throws(ReportError)
}

extension ReportWriter {
    /// Writes a value's tree as the report itself, or as one member of what is open.
    func write(_ name: String, encoding value: some Encodable) throws(ReportError) {
        let node: ReportNode
        do { node = try ReportNode(encoding: value) } catch { throw ReportError(.output, "cannot encode \(name): \(error)") }
        try write(name, node)
    }
}
