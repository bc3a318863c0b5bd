using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using SQLitePCL;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// <c>tracecraft session mirror|list|show</c> through the native executable: a Claude Code transcript, and Hermes'
    /// WAL database held open by a writer (which proves the executable finds its e_sqlite3 library).
    /// </summary>
    public abstract class SessionMirrorTests : IDisposable
    {
        protected SessionMirrorTests() => Workspace = new TestWorkspace();

        protected TestWorkspace Workspace { get; }
        protected abstract StoreBackend Backend { get; }

        public void Dispose() => Workspace.Dispose();

        private Task<CliResult> Coder(params string[] args) => Workspace.RunAsync("coder", args);

        [Fact]
        public async Task Mirror_list_and_show_print_the_originals_lines()
        {
            (await Coder(new[] { "init", "--project", Workspace.Project, "--agent", "coder" }.Concat(Backend.InitArguments(Workspace)).ToArray())).AssertExitCode(0);
            string work = Workspace.AgentDirectory("coder");
            string transcript = Path.Combine(Workspace.UserHome, ".claude", "projects", work.Replace('/', '-'), "abcdef12-3456.jsonl");
            Directory.CreateDirectory(Path.GetDirectoryName(transcript)!);
            File.WriteAllText(transcript, "{\"type\":\"user\",\"text\":\"token AKIAABCDEFGHIJKLMNOP\"}\n{\"type\":\"assistant\"}\n{\"partial\":");

            var first = (await Coder("session", "mirror", "--harness", "claude-code")).AssertExitCode(0);
            first.AssertOutMatches(@"^uploaded part-00000-[a-f0-9]{8}  source=73B  upload=78B  redactions=\{'aws_access_key': 1\}$");
            (await Coder("session", "mirror", "--harness", "claude-code")).AssertSucceeded("nothing new: session=abcdef12-3456 cursor=73 size=84");

            string hermesDb = Path.Combine(Workspace.UserHome, ".hermes", "state.db");
            using (var hermes = HermesDatabase(hermesDb))
            {
                (await Coder("session", "mirror", "--harness", "hermes")).AssertOutMatches(@"^uploaded part-00000-[a-f0-9]{8}  source=\d+B  upload=\d+B  redactions=none$");
                Exec(hermes, "INSERT INTO messages (session_id, role, content, timestamp) VALUES ('h-1', 'assistant', 'second', 2.0)");
                (await Coder("session", "mirror", "--harness", "hermes", "--session-id", "h-1")).AssertOutMatches(@"uploaded part-00001-[a-f0-9]{8}  .*");
                (await Coder("session", "mirror", "--harness", "hermes")).AssertSucceeded("nothing new: session=h-1 cursor=2 size=2");
            }

            var list = (await Coder("session", "list", "--sort-by", "size")).AssertExitCode(0);
            Assert.Equal("HARNESS        SESSION                 BYTES  PARTS LAST UPLOAD              ", list.OutLines[0]);
            Assert.Equal(new string('-', 80), list.OutLines[1]);
            Assert.StartsWith("hermes         h-1              ", list.OutLines[2]);
            Assert.StartsWith("claude-code    abcdef12…                  78      1 ", list.OutLines[3]);
            Assert.Equal(4, list.OutLines.Length);

            var show = (await Coder("session", "show", "h-1", "--tail", "1")).AssertExitCode(0);
            Assert.StartsWith("{\n  \"schema_version\": 1,\n  \"harness\": \"hermes\",", show.StandardOutput);
            Assert.EndsWith("\n\n--- tail ---\n{\"id\":2,\"session_id\":\"h-1\",\"role\":\"assistant\",\"content\":\"second\",\"timestamp\":2.0}\n", show.StandardOutput);
            (await Coder("session", "show", "missing")).AssertFailed("session not found: missing");
        }

        private static sqlite3 HermesDatabase(string path)
        {
            Batteries_V2.Init();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Assert.Equal(raw.SQLITE_OK, raw.sqlite3_open(path, out sqlite3 db));
            Exec(db, "PRAGMA journal_mode=WAL");
            Exec(db, "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT, role TEXT, content TEXT, timestamp REAL)");
            Exec(db, "INSERT INTO messages (session_id, role, content, timestamp) VALUES ('h-1', 'user', 'first', 1.5)");
            return db;
        }

        private static void Exec(sqlite3 db, string sql) => Assert.Equal(raw.SQLITE_OK, raw.sqlite3_exec(db, sql));
    }

    public sealed class FolderSessionMirrorTests : SessionMirrorTests
    {
        protected override StoreBackend Backend { get; } = new FolderBackend();
    }

    public sealed class S3SessionMirrorTests : SessionMirrorTests
    {
        protected override StoreBackend Backend { get; } = new S3Backend(TestS3Server.Current);
    }
}
