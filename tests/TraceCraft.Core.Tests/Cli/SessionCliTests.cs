using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TraceCraft.CommandLine;
using TraceCraft.Testing;
using TraceCraft.Tests.Sessions;
using Xunit;

namespace TraceCraft.Tests.Cli
{
    /// <summary><c>tracecraft session …</c> in-process, with the original 0.2.2's lines, on both stores.</summary>
    public abstract class SessionCliTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private readonly string _project = TestS3Server.UniqueName("sess");
        private readonly AgentHome _home;

        protected SessionCliTests(TBackend backend)
        {
            Backend = backend;
            Root = Directory.CreateDirectory(Path.Combine(backend.TempFolder, _project)).FullName;
            _home = new AgentHome(Root);
        }

        protected TBackend Backend { get; }
        protected string Root { get; }
        protected abstract string InitArguments { get; }

        /// <summary>Runs a command line in the agent's working folder with HOME = the fake home and its own TRACECRAFT_HOME.</summary>
        private (int Code, string Out, string Err) Run(string tracecraftHome, params string[] args)
        {
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            var env = new Dictionary<string, string> { ["HOME"] = _home.Home, ["TRACECRAFT_HOME"] = Path.Combine(Root, tracecraftHome) };
            int code = TracecraftCli.Run(args, new CliContext
            {
                Out = stdout,
                Error = stderr,
                WorkingDirectory = _home.Work,
                Environment = name => env.TryGetValue(name, out var v) ? v : null,
            });
            return (code, stdout.ToString(), stderr.ToString());
        }

        [Fact]
        public void Mirror_list_show_and_stop_print_the_original_lines_and_survive_an_empty_local_state()
        {
            Assert.Equal(0, Run("h1", ("init --project " + _project + " --agent coder " + InitArguments).Split(' ', StringSplitOptions.RemoveEmptyEntries)).Code);
            File.Copy(Path.Combine(_home.Work, ".tracecraft.json"), Path.Combine(Root, "config.json"));
            const string id = "6f1d2c3b-aaaa-bbbb-cccc-1234567890ab";
            string file = _home.ClaudeTranscript(id);
            string body = string.Concat(Enumerable.Range(1, 40).Select(i => $"{{\"n\":{i},\"pad\":\"{new string('p', 20)}\"}}\n"));
            AgentHome.Append(file, body);

            var first = Run("h1", "session", "mirror", "--harness", "claude-code");
            Assert.Equal(0, first.Code);
            Assert.Matches(@"^uploaded part-00000-[a-f0-9]{8}  source=1,511B  upload=1,511B  redactions=none\n$", first.Out);
            Assert.Equal((0, $"nothing new: session={id} cursor=1511 size=1511\n", ""), Run("h1", "session", "mirror", "--harness", "claude-code"));
            AgentHome.Append(file, "{\"key\":\"ghp_" + new string('Z', 36) + "\"}\n{\"half\":");
            var second = Run("h1", "session", "mirror", "--harness", "claude-code", "--session-id", id);
            Assert.Matches(@"^uploaded part-00001-[a-f0-9]{8}  source=51B  upload=32B  redactions=\{'github_pat': 1\}\n$", second.Out);

            // A restart with an empty local state (another TRACECRAFT_HOME, the local cursor gone): same answers from the store.
            Directory.Delete(Path.Combine(Root, "h1", "mirror-state"), true);
            var list = Run("h2", "session", "list");
            Assert.Equal(0, list.Code);
            var lines = list.Out.Split('\n');
            Assert.Equal("HARNESS        SESSION                 BYTES  PARTS LAST UPLOAD              ", lines[0]);
            Assert.Equal(new string('-', 80), lines[1]);
            Assert.Matches(@"^claude-code    6f1d2c3b…               1,543      2 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d      $", lines[2]);
            Assert.Equal(4, lines.Length);
            Assert.Equal((0, "(no sessions)\n", ""), Run("h2", "session", "list", "--harness", "hermes"));

            var show = Run("h2", "session", "show", id, "--tail", "2");
            Assert.Equal(0, show.Code);
            Assert.StartsWith("{\n  \"schema_version\": 1,\n  \"harness\": \"claude-code\",\n  \"session_id\": \"" + id + "\",", show.Out);
            Assert.EndsWith("\n}\n\n--- tail ---\n{\"n\":40,\"pad\":\"" + new string('p', 20) + "\"}\n{\"key\":\"[REDACTED:github_pat]\"}\n", show.Out);
            Assert.Equal((1, "", "Error: session not found: nope\n"), Run("h2", "session", "show", "nope"));

            // Nothing new after the restart either: the cursor comes from meta.json.
            Assert.Equal((0, $"nothing new: session={id} cursor=1562 size=1570\n", ""), Run("h2", "session", "mirror", "--harness", "claude-code"));
            AgentHome.Append(file, "1}\n");
            Assert.Matches(@"^uploaded part-00002-[a-f0-9]{8}  source=11B  upload=11B  redactions=none\n$", Run("h2", "session", "mirror", "--harness", "claude-code").Out);
            Assert.Equal((0, $"stopped session={id}  state_cleared=True  meta_marked_ended=True\n", ""), Run("h2", "session", "stop", id));
            Assert.Equal((0, $"stopped session={id}  state_cleared=False  meta_marked_ended=False\n", ""), Run("h2", "session", "stop", id));
            Assert.Contains("\"ended_at\": \"", Run("h2", "session", "show", id).Out);
        }

        [Fact]
        public void Bad_session_command_lines_are_usage_errors()
        {
            Assert.Equal(2, Run("h", "session").Code);
            Assert.Equal(2, Run("h", "session", "mirror").Code);
            var bad = Run("h", "session", "mirror", "--harness", "vim");
            Assert.Equal(2, bad.Code);
            Assert.StartsWith("Error: argument --harness: invalid choice: 'vim' (choose from 'claude-code', 'codex', 'openclaw', 'hermes')", bad.Err);
            Assert.Equal(2, Run("h", "session", "list", "--sort-by", "name").Code);
            Assert.Equal(2, Run("h", "session", "mirror", "--harness", "codex", "--min-bytes", "0").Code);
            Assert.Equal(2, Run("h", "session", "show").Code);
            var help = Run("h", "session", "--help");
            Assert.Equal(0, help.Code);
            Assert.Contains("session mirror --harness claude-code|codex|openclaw|hermes", help.Out);
        }
    }

    public sealed class FolderSessionCliTests : SessionCliTests<FolderBackend>
    {
        public FolderSessionCliTests(FolderBackend b) : base(b) { }
        protected override string InitArguments => $"--backend folder --path {Path.Combine(Root, "bucket")}";
    }

    public sealed class S3SessionCliTests : SessionCliTests<S3Backend>
    {
        public S3SessionCliTests(S3Backend b) : base(b) { }
        protected override string InitArguments =>
            $"--endpoint {Backend.Server.Endpoint} --bucket {Backend.Server.Bucket} --access-key {Backend.Server.AccessKey} --secret-key {Backend.Server.SecretKey}";
    }
}
