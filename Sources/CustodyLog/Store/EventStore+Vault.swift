public import CustodyModel
import Foundation
import GRDB

extension EventStore {
    /// The tokens the vault holds for `identifiers` (the same person under several identifiers), without
    /// creating any: an identifier the vault does not know contributes nothing.
    public func subjectTokens(for identifiers: [SubjectIdentifier], vaultKey: VaultKey) throws(LogError) -> [String] {
        try checkVaultKey(vaultKey)
        do {
            return try queue.read { db in
                var tokens: [String] = []
                for identifier in identifiers {
                    let lookup = Data(vaultKey.lookup(identifier.normalized))
                    if let token = try String.fetchOne(db, sql: "SELECT token FROM vault WHERE lookup = ?", arguments: [lookup]),
                        !tokens.contains(token)
                    {
                        tokens.append(token)
                    }
                }
                return tokens
            }
        } catch { throw Self.translate(error, path: path) }
    }
}
