using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using SQLitePCL;
using TraceCraft.Errors;

namespace TraceCraft.Sessions
{
    /// <summary>
    /// Hermes keeps its sessions in SQLite (<c>~/.hermes/state.db</c>, WAL mode, written while we read). Each new row of
    /// <c>messages</c> of the session becomes one JSON line; the cursor is the highest message id mirrored. The database
    /// is opened read-only (never <c>immutable=1</c>, which would let SQLite ignore the writer's WAL), one snapshot per
    /// read, and closed again at once.
    /// </summary>
    public sealed class HermesSource : SessionSource
    {
        /// <summary>Hermes stores structured content as text that starts with this sentinel; the rest is JSON.</summary>
        private const string JsonSentinel = "\0json:";

        private static readonly JsonWriterOptions LineOptions = new JsonWriterOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        public HermesSource(string databasePath, string sessionId) : base(SessionHarness.Hermes, sessionId, databasePath, null)
        {
        }

        /// <summary>The session that owns the highest message id (the one Hermes wrote to last); null when there is no message.</summary>
        public static string? LatestSessionId(string databasePath)
        {
            using var db = HermesDatabase.Open(databasePath);
            using var statement = db.Prepare("SELECT session_id FROM messages ORDER BY id DESC LIMIT 1");
            return statement.Step() ? statement.Text(0) : null;
        }

        /// <summary>True when the database has at least one message of the session.</summary>
        public static bool HasSession(string databasePath, string sessionId)
        {
            using var db = HermesDatabase.Open(databasePath);
            using var statement = db.Prepare("SELECT 1 FROM messages WHERE session_id = ? LIMIT 1");
            statement.Bind(1, sessionId);
            return statement.Step();
        }

        public override SourceRead ReadFrom(long cursor)
        {
            using var db = HermesDatabase.Open(SourcePath);
            // One read transaction: the rows and the size come from the same snapshot of the WAL.
            db.Execute("BEGIN");
            try
            {
                long size;
                using (var max = db.Prepare("SELECT max(id) FROM messages WHERE session_id = ?"))
                {
                    max.Bind(1, SessionId);
                    size = max.Step() && !max.IsNull(0) ? max.Int64(0) : 0;
                }
                using var rows = db.Prepare("SELECT * FROM messages WHERE session_id = ? AND id > ? ORDER BY id");
                rows.Bind(1, SessionId);
                rows.Bind(2, cursor);
                int idColumn = -1;
                var lines = new MemoryStream();
                long last = cursor;
                while (rows.Step())
                {
                    if (idColumn < 0) idColumn = rows.ColumnIndex("id");
                    last = rows.Int64(idColumn);
                    WriteLine(rows, lines);
                }
                return new SourceRead(lines.ToArray(), cursor, last, Math.Max(size, last));
            }
            finally
            {
                db.Execute("COMMIT");
            }
        }

        /// <summary>A row as one compact JSON object, in the table's column order, whatever columns this Hermes version has.</summary>
        private static void WriteLine(HermesDatabase.Statement row, Stream output)
        {
            using (var writer = new Utf8JsonWriter(output, LineOptions))
            {
                writer.WriteStartObject();
                for (int i = 0; i < row.ColumnCount; i++)
                {
                    writer.WritePropertyName(row.ColumnName(i));
                    switch (row.ColumnType(i))
                    {
                        case raw.SQLITE_INTEGER: writer.WriteNumberValue(row.Int64(i)); break;
                        case raw.SQLITE_FLOAT: WriteDouble(writer, row.Double(i)); break;
                        case raw.SQLITE_TEXT: WriteText(writer, row.Text(i)); break;
                        case raw.SQLITE_BLOB: writer.WriteBase64StringValue(row.Blob(i)); break;
                        default: writer.WriteNullValue(); break;
                    }
                }
                writer.WriteEndObject();
            }
            output.WriteByte((byte)'\n');
        }

        private static void WriteDouble(Utf8JsonWriter writer, double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value)) writer.WriteNullValue();
            // Python writes a whole float as 2.0, not 2: keep the reader's type (Hermes' timestamps are REAL).
            else if (Math.Floor(value) == value && Math.Abs(value) < 1e16) writer.WriteRawValue(value.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + ".0");
            else writer.WriteNumberValue(value);
        }

        /// <summary>Text, or the JSON it holds behind the sentinel (kept as text when it is not valid JSON after all).</summary>
        private static void WriteText(Utf8JsonWriter writer, string text)
        {
            if (text.StartsWith(JsonSentinel, StringComparison.Ordinal))
            {
                try
                {
                    using var document = JsonDocument.Parse(text.Substring(JsonSentinel.Length), Wire.WireLimits.ReadOptions);
                    document.RootElement.WriteTo(writer);
                    return;
                }
                catch (JsonException)
                {
                }
            }
            writer.WriteStringValue(text);
        }
    }

    /// <summary>The few SQLite calls Hermes' database needs, over the raw binding (no reflection: it runs under Native AOT).</summary>
    internal sealed class HermesDatabase : IDisposable
    {
        private static readonly object InitGate = new object();
        private static bool _initialized;
        private readonly sqlite3 _db;
        private readonly string _path;

        private HermesDatabase(sqlite3 db, string path)
        {
            _db = db;
            _path = path;
        }

        public static HermesDatabase Open(string path)
        {
            if (!File.Exists(path))
                throw new TcException(TcErrorCode.SessionSourceNotFound, $"No Hermes database at '{path}'.", path);
            Initialize();
            int rc = raw.sqlite3_open_v2(path, out sqlite3 db, raw.SQLITE_OPEN_READONLY, null);
            if (rc != raw.SQLITE_OK)
            {
                string message = db is null ? $"code {rc}" : raw.sqlite3_errmsg(db).utf8_to_string();
                db?.Dispose();
                throw new TcException(TcErrorCode.SessionSourceUnreadable, $"Cannot open the Hermes database '{path}' read-only: {message}", path);
            }
            // Hermes may hold the write lock for a moment (a checkpoint); wait for it rather than fail.
            raw.sqlite3_busy_timeout(db, 5000);
            return new HermesDatabase(db, path);
        }

        /// <summary>Loads the native e_sqlite3 once; its absence is a clear error, not a DllNotFoundException.</summary>
        private static void Initialize()
        {
            lock (InitGate)
            {
                if (_initialized) return;
                try
                {
                    Batteries_V2.Init();
                }
                catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
                {
                    throw new TcException(TcErrorCode.SessionSourceUnreadable,
                        "Reading Hermes sessions needs the SQLite library e_sqlite3 (libe_sqlite3.so, libe_sqlite3.dylib or e_sqlite3.dll), which ships beside the tracecraft executable and in the module's dependencies folder: reinstall it with that file, or mirror from the module. " + e.Message,
                        null, e);
                }
                _initialized = true;
            }
        }

        public void Execute(string sql)
        {
            int rc = raw.sqlite3_exec(_db, sql);
            if (rc != raw.SQLITE_OK) throw Failure($"'{sql}' failed");
        }

        public Statement Prepare(string sql)
        {
            int rc = raw.sqlite3_prepare_v2(_db, sql, out sqlite3_stmt statement);
            if (rc != raw.SQLITE_OK)
            {
                statement?.Dispose();
                throw Failure("cannot read its messages table");
            }
            return new Statement(this, statement);
        }

        private TcException Failure(string what) =>
            new TcException(TcErrorCode.SessionSourceUnreadable, $"The Hermes database '{_path}': {what} ({raw.sqlite3_errmsg(_db).utf8_to_string()}).", _path);

        public void Dispose() => _db.Dispose();

        internal sealed class Statement : IDisposable
        {
            private readonly HermesDatabase _db;
            private readonly sqlite3_stmt _statement;

            public Statement(HermesDatabase db, sqlite3_stmt statement)
            {
                _db = db;
                _statement = statement;
            }

            public void Bind(int index, string value) => raw.sqlite3_bind_text(_statement, index, value);
            public void Bind(int index, long value) => raw.sqlite3_bind_int64(_statement, index, value);

            /// <summary>True when a row is ready; false at the end.</summary>
            public bool Step()
            {
                int rc = raw.sqlite3_step(_statement);
                if (rc == raw.SQLITE_ROW) return true;
                if (rc == raw.SQLITE_DONE) return false;
                throw _db.Failure("a read failed");
            }

            public int ColumnCount => raw.sqlite3_column_count(_statement);
            public string ColumnName(int i) => raw.sqlite3_column_name(_statement, i).utf8_to_string();
            public int ColumnType(int i) => raw.sqlite3_column_type(_statement, i);
            public bool IsNull(int i) => ColumnType(i) == raw.SQLITE_NULL;
            public long Int64(int i) => raw.sqlite3_column_int64(_statement, i);
            public double Double(int i) => raw.sqlite3_column_double(_statement, i);
            public string Text(int i) => raw.sqlite3_column_text(_statement, i).utf8_to_string() ?? "";
            public byte[] Blob(int i) => raw.sqlite3_column_blob(_statement, i).ToArray();

            public int ColumnIndex(string name)
            {
                for (int i = 0; i < ColumnCount; i++)
                    if (string.Equals(ColumnName(i), name, StringComparison.OrdinalIgnoreCase)) return i;
                throw _db.Failure($"its messages table has no '{name}' column");
            }

            public void Dispose() => _statement.Dispose();
        }
    }
}
