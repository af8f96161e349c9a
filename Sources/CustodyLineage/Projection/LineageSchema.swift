/// The lineage projections: what the events said, table by table, never what the policy pack makes of
/// it (locations stay as sent, categories as keys), so a changed pack needs no re-ingest.
///
/// Times are microseconds since 1970 (UTC), so they compare as integers whatever offset a producer used.
enum LineageSchema {
    /// The layout of the tables below; a store whose projections were built with another is rebuilt.
    static let layout = 9

    static let tables = [
        "lineage_meta", "lineage_dataset", "lineage_job", "lineage_processing", "lineage_run", "lineage_run_event", "lineage_job_event",
        "lineage_io", "lineage_dataset_fact", "lineage_subject", "lineage_column", "lineage_held",
    ]

    /// The tables. The keys the writer looks datasets, jobs and runs up by are indexes of their own
    /// (`keyColumns`), so that a fill from empty can leave them out until its end.
    static let createTables = """
        CREATE TABLE IF NOT EXISTS lineage_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS lineage_dataset (
            id INTEGER PRIMARY KEY NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            first_seq INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE IF NOT EXISTS lineage_job (
            id INTEGER PRIMARY KEY NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            first_seq INTEGER NOT NULL
        ) STRICT;
        -- Each distinct custody_processing facet (RFC 8785 JSON), stored once: runs of a job mostly send the same.
        CREATE TABLE IF NOT EXISTS lineage_processing (
            id INTEGER PRIMARY KEY NOT NULL,
            facet TEXT NOT NULL UNIQUE,
            first_seq INTEGER NOT NULL
        ) STRICT;
        -- A run, with the two things most questions need kept current so a graph walk reads one row per
        -- run: its latest terminal event (by event time, then sequence) and its latest processing facet.
        -- lineage_run_event keeps every event, for questions asked as of an earlier time.
        CREATE TABLE IF NOT EXISTS lineage_run (
            id INTEGER PRIMARY KEY NOT NULL,
            run_uuid TEXT NOT NULL,
            job_id INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            terminal_type TEXT,
            terminal_time INTEGER,
            terminal_seq INTEGER,
            facet_time INTEGER,
            facet_seq INTEGER,
            processing_id INTEGER
        ) STRICT;
        -- Every RunEvent: the state it reports and the custody_processing facet it carried. Keyed by run first,
        -- so a run's events sit together and need no second index.
        CREATE TABLE IF NOT EXISTS lineage_run_event (
            run_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            event_type TEXT NOT NULL,
            event_time INTEGER NOT NULL,
            processing_id INTEGER,
            PRIMARY KEY (run_id, seq)
        ) STRICT, WITHOUT ROWID;
        -- Job-level custody_processing facets (JobEvents, and job facets on RunEvents): run defaults.
        CREATE TABLE IF NOT EXISTS lineage_job_event (
            seq INTEGER PRIMARY KEY NOT NULL,
            job_id INTEGER NOT NULL,
            event_time INTEGER NOT NULL,
            processing_id INTEGER NOT NULL
        ) STRICT;
        -- A dataset a run read ('in') or wrote ('out'), with the first event that said so.
        CREATE TABLE IF NOT EXISTS lineage_io (
            run_id INTEGER NOT NULL,
            direction TEXT NOT NULL,
            dataset_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (run_id, direction, dataset_id)
        ) STRICT, WITHOUT ROWID;
        -- What one event said about one dataset it listed: role 'in' or 'out' of a run, or 'inventory'
        -- (a DatasetEvent). Lists are JSON arrays, fields a JSON object of column -> categories;
        -- classifications are 'column<U+001F>value' ('' for the whole dataset), judged by the pack at query time.
        -- Keyed by dataset first: every question reads the facts of one dataset at a time.
        CREATE TABLE IF NOT EXISTS lineage_dataset_fact (
            dataset_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            run_id INTEGER,
            event_time INTEGER NOT NULL,
            categories TEXT,
            fields TEXT,
            classifications TEXT,
            subject_types TEXT,
            location TEXT,
            retention TEXT,
            anonymous INTEGER,
            lifecycle TEXT,
            PRIMARY KEY (dataset_id, seq, role, position)
        ) STRICT, WITHOUT ROWID;
        -- A subject token named on a dataset: written ('w', an output or a DatasetEvent), read ('r', an
        -- input) or erased ('e').
        CREATE TABLE IF NOT EXISTS lineage_subject (
            token TEXT NOT NULL,
            seq INTEGER NOT NULL,
            dataset_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            run_id INTEGER,
            event_time INTEGER NOT NULL,
            PRIMARY KEY (token, seq, dataset_id, kind)
        ) STRICT, WITHOUT ROWID;
        -- Column lineage: an output column fed by an input column, masked or not.
        CREATE TABLE IF NOT EXISTS lineage_column (
            seq INTEGER NOT NULL,
            out_dataset INTEGER NOT NULL,
            out_field TEXT NOT NULL,
            in_dataset INTEGER NOT NULL,
            in_field TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            masking INTEGER NOT NULL,
            PRIMARY KEY (seq, out_dataset, out_field, in_dataset, in_field)
        ) STRICT, WITHOUT ROWID;
        -- The categories each dataset holds, declared or carried in from upstream, as the events make them:
        -- the pack is applied when a question is asked (CarriedCategories); with them, the purposes the data
        -- was collected for and its first write (when, and in which dataset). A row per dataset that has
        -- any of these; kept current by the writer at the end of each transaction.
        CREATE TABLE IF NOT EXISTS lineage_held (
            dataset_id INTEGER PRIMARY KEY NOT NULL,
            pseudonymised INTEGER NOT NULL,
            entries TEXT NOT NULL,
            collection_purposes TEXT NOT NULL,
            first_time INTEGER,
            first_seq INTEGER,
            first_origin INTEGER
        ) STRICT;
        """

    /// The unique keys of datasets and jobs (names are unique by name first, so a bare name a user types is
    /// found through the same index) and of runs: the key's columns, by table. A fill from empty inserts into
    /// an empty table without its key index: the writer remembers every key it inserted (`KnownIDs`,
    /// `MetRuns`), so it needs no lookups, and a random UUID or name inserted into a B-tree lands on a random
    /// page. The index is built at the end of the fill, or as soon as the writer stops remembering
    /// (`LineageWriter.ensureKeyIndex`).
    static let keyColumns = ["lineage_dataset": "name, namespace", "lineage_job": "name, namespace", "lineage_run": "run_uuid"]

    /// Index statements name `main`: while `verify` replays into a scratch database, the store is attached
    /// beside it, and an unqualified DROP INDEX would find the store's index when the scratch has none.
    static func createKeyIndex(of table: String) -> String {
        "CREATE UNIQUE INDEX IF NOT EXISTS main.\(table)_key ON \(table) (\(keyColumns[table]!));"
    }

    static func dropKeyIndex(of table: String) -> String {
        "DROP INDEX IF EXISTS main.\(table)_key;"
    }

    /// Every key index, for the end of a fill.
    static var createKeyIndexes: String {
        keyColumns.keys.sorted().map(createKeyIndex).joined(separator: "\n")
    }

    /// The indexes only queries use. A projection filled from empty builds them once at the end
    /// (`LineageWriter.finish`): sorting each index once is much cheaper than keeping it in order row by row.
    static let createIndexes = """
        CREATE INDEX IF NOT EXISTS lineage_run_job ON lineage_run (job_id);
        CREATE INDEX IF NOT EXISTS lineage_job_event_job ON lineage_job_event (job_id);
        CREATE INDEX IF NOT EXISTS lineage_io_dataset ON lineage_io (dataset_id, direction, run_id, seq);
        CREATE INDEX IF NOT EXISTS lineage_subject_dataset ON lineage_subject (dataset_id, kind);
        CREATE INDEX IF NOT EXISTS lineage_column_out ON lineage_column (out_dataset, run_id);
        -- Erasures are few; finding them (ErasureReturnQuery) must not scan everyone's presence.
        CREATE INDEX IF NOT EXISTS lineage_subject_erasure ON lineage_subject (token, dataset_id) WHERE kind = 'e';
        """

    /// Indexes a fill from empty keeps while it runs, for the category upkeep's passes (each reads the
    /// runs that wrote the datasets it works out, and the column lineage into them). Without them every
    /// pass scans both tables whole, so a fill's cost grows with the square of its length: about 0.1 s of
    /// scans on the benchmark's 105,000 events (no column lineage), but a hundred times as many rows visited
    /// for ten times the events, more with column lineage. Both grow at their end, since a run's outputs are mostly new datasets, so keeping
    /// them costs little. The first carries each edge's sequence number, so the upkeep's read of a region's
    /// writers finds all it selects in the index. `lineage_io_dataset`, which also orders the inputs, is built once at the end
    /// instead (`createIndexes`), where `dropFillingIndexes` removes the first.
    static let createFillingIndexes = """
        CREATE INDEX lineage_io_filling ON lineage_io (dataset_id, seq) WHERE direction = 'out';
        CREATE INDEX IF NOT EXISTS lineage_column_out ON lineage_column (out_dataset, run_id);
        """

    static let dropFillingIndexes = "DROP INDEX IF EXISTS main.lineage_io_filling;"
}
