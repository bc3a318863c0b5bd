using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using SQLitePCL;
using TraceCraft.Sessions;

namespace TraceCraft.Tests.Sessions
{
    /// <summary>
    /// A fake home folder with transcripts written the way each harness writes them: Claude Code and Codex and OpenClaw
    /// append JSONL lines (possibly half a line at a time), Hermes inserts rows into a WAL-mode SQLite database.
    /// </summary>
    public sealed class AgentHome
    {
        public AgentHome(string root)
        {
            Home = Directory.CreateDirectory(Path.Combine(root, "home-" + Guid.NewGuid().ToString("N").Substring(0, 8))).FullName;
            Work = Directory.CreateDirectory(Path.Combine(Home, "src", "proj")).FullName;
            StateDirectory = Path.Combine(Home, ".tracecraft", "mirror-state");
        }

        public string Home { get; }
        /// <summary>The agent's working folder (its Claude Code project).</summary>
        public string Work { get; }
        public string StateDirectory { get; }
        public Dictionary<string, string> Environment { get; } = new Dictionary<string, string>();

        public SessionSourceOptions Sources => new SessionSourceOptions
        {
            HomeDirectory = Home,
            WorkingDirectory = Work,
            Environment = name => Environment.TryGetValue(name, out var v) ? v : null,
        };

        public string ClaudeTranscript(string sessionId) =>
            Path.Combine(Home, ".claude", "projects", Work.Replace('/', '-'), sessionId + ".jsonl");

        public string CodexRollout(string sessionId, DateTime when) =>
            Path.Combine(Home, ".codex", "sessions", when.ToString("yyyy"), when.ToString("MM"), when.ToString("dd"),
                "rollout-" + when.ToString("yyyy-MM-dd'T'HH-mm-ss") + "-" + sessionId + ".jsonl");

        public static string OpenClawTranscript(string stateDirectory, string agent, string sessionId) =>
            Path.Combine(stateDirectory, "agents", agent, "sessions", sessionId + ".jsonl");

        public string HermesDatabasePath => Path.Combine(Home, ".hermes", "state.db");

        /// <summary>Appends text (UTF-8) to a transcript, creating its folders; text need not end a line.</summary>
        public static void Append(string file, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        }
    }

    /// <summary>Hermes' side of its database: a writer connection in WAL mode, as Hermes holds it while it runs.</summary>
    public sealed class HermesWriter : IDisposable
    {
        private readonly sqlite3 _db;

        public HermesWriter(string path)
        {
            Batteries_V2.Init();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Check(raw.sqlite3_open_v2(path, out _db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE, null));
            Exec("PRAGMA journal_mode=WAL");
            // Checkpoints would move rows into the main file; off, so the test sees rows that live only in the WAL.
            Exec("PRAGMA wal_autocheckpoint=0");
            Exec("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, source TEXT)");
            Exec("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL, " +
                 "content TEXT, tool_calls TEXT, tool_name TEXT, timestamp REAL NOT NULL, token_count INTEGER)");
        }

        public string JournalMode
        {
            get
            {
                Check(raw.sqlite3_prepare_v2(_db, "PRAGMA journal_mode", out sqlite3_stmt statement));
                using (statement)
                {
                    raw.sqlite3_step(statement);
                    return raw.sqlite3_column_text(statement, 0).utf8_to_string();
                }
            }
        }

        public void Exec(string sql) => Check(raw.sqlite3_exec(_db, sql));

        public void Insert(string sessionId, string role, string? content, string? toolName = null, double timestamp = 1754550000.25)
        {
            Check(raw.sqlite3_prepare_v2(_db, "INSERT INTO messages (session_id, role, content, tool_name, timestamp) VALUES (?, ?, ?, ?, ?)", out sqlite3_stmt statement));
            using (statement)
            {
                raw.sqlite3_bind_text(statement, 1, sessionId);
                raw.sqlite3_bind_text(statement, 2, role);
                if (content is null) raw.sqlite3_bind_null(statement, 3); else raw.sqlite3_bind_text(statement, 3, content);
                if (toolName is null) raw.sqlite3_bind_null(statement, 4); else raw.sqlite3_bind_text(statement, 4, toolName);
                raw.sqlite3_bind_double(statement, 5, timestamp);
                if (raw.sqlite3_step(statement) != raw.SQLITE_DONE) throw new InvalidOperationException(raw.sqlite3_errmsg(_db).utf8_to_string());
            }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new InvalidOperationException($"SQLite {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}");
        }

        public void Dispose() => _db.Dispose();
    }
}
