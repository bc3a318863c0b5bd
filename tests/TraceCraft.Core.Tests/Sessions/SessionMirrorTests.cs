using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Sessions;
using TraceCraft.Storage;
using TraceCraft.Tests.Protocol;
using Xunit;

namespace TraceCraft.Tests.Sessions
{
    /// <summary>Session mirroring (the original 0.2.2's sessions/ layout) on both stores, from transcripts the tests write.</summary>
    public abstract class SessionMirrorTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        private readonly AgentHome _home;
        private readonly List<StoreRequest> _requests = new List<StoreRequest>();

        protected SessionMirrorTests(TBackend backend) : base(backend) => _home = new AgentHome(backend.TempFolder);

        private TcSession Mirrorer(string agent = "coder") => Agent(agent, observer: r => { lock (_requests) _requests.Add(r); });

        private Task<MirrorResult> Mirror(TcSession session, string harness, string? id = null, bool redact = true, long minBytes = 1) =>
            session.Transcripts.MirrorAsync(new MirrorRequest { Harness = harness, SessionId = id, Redact = redact, MinBytes = minBytes, Sources = _home.Sources }, _home.StateDirectory);

        private int Writes()
        {
            lock (_requests) return _requests.Count(r => r.Method.StartsWith("PUT", StringComparison.Ordinal) || r.Method.StartsWith("DELETE", StringComparison.Ordinal));
        }

        /// <summary>The session's parts in sequence order, as (name, content).</summary>
        private async Task<List<(string Name, string Content)>> Parts(TcSession session, string harness, string id)
        {
            var objects = await session.Store.ListAllAsync(session.Layout.SessionPrefix(harness, id));
            var parts = new List<(string, string)>();
            foreach (var o in objects.Where(o => o.Key.EndsWith(".jsonl", StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                var read = await session.Store.GetAsync(o.Key);
                parts.Add((o.Key.Substring(o.Key.LastIndexOf('/') + 1), Encoding.UTF8.GetString(read.Body!)));
            }
            return parts;
        }

        private async Task<JsonElement> Meta(TcSession session, string harness, string id)
        {
            var read = await session.Store.GetAsync(session.Layout.SessionMetaKey(harness, id));
            Assert.True(read.Found, "meta.json is missing");
            return JsonDocument.Parse(read.Body!).RootElement.Clone();
        }

        [Fact]
        public async Task A_transcript_growing_while_it_is_mirrored_is_uploaded_in_whole_lines_exactly_once()
        {
            const string id = "0b5c7a1e-3f4d-4e2a-9c1b-2d8e6f7a9b0c";
            string file = _home.ClaudeTranscript(id);
            string line1 = "{\"type\":\"user\",\"cwd\":\"" + _home.Work + "\",\"message\":{\"content\":\"héllo\"}}\n";
            string line2 = "{\"type\":\"assistant\",\"message\":{\"content\":\"hi\"}}\n";
            string line3 = "{\"type\":\"user\",\"message\":{\"content\":\"a longer line that arrives in two writes\"}}\n";
            AgentHome.Append(file, line1 + line2);
            var session = Mirrorer();

            var first = await Mirror(session, SessionHarness.ClaudeCode);
            Assert.Equal(id, first.SessionId);
            Assert.Equal(0, first.Part!.Seq);
            Assert.Equal(Encoding.UTF8.GetByteCount(line1 + line2), first.Part.SourceBytes);

            AgentHome.Append(file, line3.Substring(0, 30));
            int writesBefore = Writes();
            var half = await Mirror(session, SessionHarness.ClaudeCode);
            Assert.Null(half.Part);
            Assert.Equal(first.Cursor, half.Cursor);
            Assert.Equal(new FileInfo(file).Length, half.SourceSize);
            Assert.Equal(writesBefore, Writes());

            AgentHome.Append(file, line3.Substring(30));
            var third = await Mirror(session, SessionHarness.ClaudeCode);
            Assert.Equal(1, third.Part!.Seq);

            var parts = await Parts(session, SessionHarness.ClaudeCode, id);
            Assert.Equal(2, parts.Count);
            Assert.Matches(@"^part-00000-[a-f0-9]{8}\.jsonl$", parts[0].Name);
            Assert.Matches(@"^part-00001-[a-f0-9]{8}\.jsonl$", parts[1].Name);
            Assert.Equal(line1 + line2, parts[0].Content);
            Assert.Equal(line3, parts[1].Content);
            Assert.Equal(File.ReadAllText(file), string.Concat(parts.Select(p => p.Content)));

            var meta = await Meta(session, SessionHarness.ClaudeCode, id);
            Assert.Equal(1, meta.GetProperty("schema_version").GetInt32());
            Assert.Equal("claude-code", meta.GetProperty("harness").GetString());
            Assert.Equal(file, meta.GetProperty("source_path").GetString());
            Assert.Equal(_home.Work, meta.GetProperty("cwd").GetString());
            Assert.Equal(JsonValueKind.Null, meta.GetProperty("ended_at").ValueKind);
            long size = new FileInfo(file).Length;
            Assert.Equal(size, meta.GetProperty("total_source_bytes").GetInt64());
            Assert.Equal(size, meta.GetProperty("total_uploaded_bytes").GetInt64());
            var ranges = meta.GetProperty("parts").EnumerateArray().Select(p => (p.GetProperty("cursor_range")[0].GetInt64(), p.GetProperty("cursor_range")[1].GetInt64())).ToList();
            Assert.Equal(new[] { (0L, first.Cursor), (first.Cursor, size) }, ranges);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$", meta.GetProperty("started_at").GetString());
        }

        [Fact]
        public async Task Meta_json_is_written_as_the_original_writes_it()
        {
            string file = _home.ClaudeTranscript("s1");
            AgentHome.Append(file, "{\"a\":1}\n");
            var session = Mirrorer();
            await Mirror(session, SessionHarness.ClaudeCode, "s1");
            var read = await session.Store.GetAsync(session.Layout.SessionMetaKey("claude-code", "s1"));
            string text = Encoding.UTF8.GetString(read.Body!);
            var keys = JsonDocument.Parse(text).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(new[] { "schema_version", "harness", "session_id", "source_path", "cwd", "agent_id", "started_at", "last_uploaded_at", "ended_at",
                "total_source_bytes", "total_uploaded_bytes", "redaction_counts", "parts" }, keys);
            var part = JsonDocument.Parse(text).RootElement.GetProperty("parts")[0].EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(new[] { "seq", "uuid", "cursor_range", "source_bytes", "uploaded_bytes", "redactions", "uploaded_at" }, part);
            Assert.StartsWith("{\n  \"schema_version\": 1,\n  \"harness\": \"claude-code\",\n  \"session_id\": \"s1\",\n", text);
            Assert.Contains("\"cursor_range\": [\n        0,\n        8\n      ],", text);
            Assert.Contains("\"redaction_counts\": {},", text);
        }

        [Fact]
        public async Task Secrets_are_redacted_and_counted_per_pattern_and_the_source_is_never_changed()
        {
            string file = _home.ClaudeTranscript("sec");
            string aws = "AKIA" + new string('A', 16), asia = "ASIA" + new string('B', 16);
            string anthropic = "sk-ant-api03-" + new string('x', 24), openai = "sk-proj-" + new string('y', 24);
            string hf = "hf_" + new string('h', 34), gh = "ghp_" + new string('g', 36), slack = "xoxb-1234567890-abcdef";
            string bearer = "Bearer " + new string('t', 30);
            AgentHome.Append(file, $"{{\"text\":\"{aws} {asia} {anthropic} {openai} {openai}\"}}\n{{\"text\":\"{hf} {gh} {slack} Authorization: {bearer} ünïcode\"}}\n");
            byte[] before = File.ReadAllBytes(file);
            var session = Mirrorer();
            var result = await Mirror(session, SessionHarness.ClaudeCode, "sec");

            var expected = new Dictionary<string, long>
            {
                ["aws_access_key"] = 1, ["aws_session_token"] = 1, ["anthropic_key"] = 1, ["openai_key"] = 2,
                ["hf_token"] = 1, ["github_pat"] = 1, ["slack_token"] = 1, ["bearer_token"] = 1,
            };
            Assert.Equal(expected, result.Part!.Redactions.ToDictionary(p => p.Key, p => p.Value));
            Assert.Equal("{'aws_access_key': 1, 'aws_session_token': 1, 'anthropic_key': 1, 'openai_key': 2, 'hf_token': 1, 'github_pat': 1, 'slack_token': 1, 'bearer_token': 1}",
                result.Part.Redactions.ToPythonText());
            string uploaded = (await Parts(session, "claude-code", "sec"))[0].Content;
            foreach (var secret in new[] { aws, asia, anthropic, openai, hf, gh, slack, bearer }) Assert.DoesNotContain(secret, uploaded);
            Assert.Contains("[REDACTED:anthropic_key] [REDACTED:openai_key] [REDACTED:openai_key]", uploaded);
            Assert.Contains("Authorization: [REDACTED:bearer_token] ünïcode", uploaded);
            Assert.Equal(before, File.ReadAllBytes(file));

            var meta = await Meta(session, "claude-code", "sec");
            Assert.Equal(2, meta.GetProperty("redaction_counts").GetProperty("openai_key").GetInt64());
            Assert.Equal(before.Length, meta.GetProperty("total_source_bytes").GetInt64());
            Assert.Equal(Encoding.UTF8.GetByteCount(uploaded), meta.GetProperty("total_uploaded_bytes").GetInt64());

            // A second part adds its counts to the totals; --no-redact uploads the bytes as they are.
            AgentHome.Append(file, $"{{\"text\":\"{gh}\"}}\n");
            await Mirror(session, SessionHarness.ClaudeCode, "sec");
            AgentHome.Append(file, $"{{\"text\":\"{hf}\"}}\n");
            var plain = await Mirror(session, SessionHarness.ClaudeCode, "sec", redact: false);
            Assert.Empty(plain.Part!.Redactions);
            Assert.Contains(hf, (await Parts(session, "claude-code", "sec"))[2].Content);
            meta = await Meta(session, "claude-code", "sec");
            Assert.Equal(2, meta.GetProperty("redaction_counts").GetProperty("github_pat").GetInt64());
            Assert.Equal(1, meta.GetProperty("redaction_counts").GetProperty("hf_token").GetInt64());
        }

        [Fact]
        public async Task A_run_with_nothing_new_writes_nothing()
        {
            AgentHome.Append(_home.ClaudeTranscript("quiet"), "{\"a\":1}\n");
            var session = Mirrorer();
            await Mirror(session, SessionHarness.ClaudeCode, "quiet");
            lock (_requests) _requests.Clear();
            var again = await Mirror(session, SessionHarness.ClaudeCode, "quiet");
            Assert.Null(again.Part);
            lock (_requests)
            {
                Assert.Equal(0, Writes());
                Assert.Equal(new[] { "GET" }, _requests.Select(r => r.Method).ToArray());
            }
            // Fewer new bytes than --min-bytes: nothing either.
            AgentHome.Append(_home.ClaudeTranscript("quiet"), "{\"b\":2}\n");
            Assert.Null((await Mirror(session, SessionHarness.ClaudeCode, "quiet", minBytes: 100)).Part);
            Assert.Equal(0, Writes());
        }

        [Fact]
        public async Task A_lost_local_cursor_neither_duplicates_nor_skips()
        {
            string file = _home.ClaudeTranscript("lost");
            AgentHome.Append(file, "{\"n\":1}\n{\"n\":2}\n");
            var session = Mirrorer();
            await Mirror(session, SessionHarness.ClaudeCode, "lost");
            string cursorFile = Path.Combine(_home.StateDirectory, "lost.json");
            var local = JsonDocument.Parse(File.ReadAllText(cursorFile)).RootElement;
            Assert.Equal(new[] { "harness", "session_id", "source_path", "cursor", "last_uploaded_seq", "last_flush_at" }, local.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(16, local.GetProperty("cursor").GetInt64());

            Directory.Delete(_home.StateDirectory, true);
            Assert.Null((await Mirror(session, SessionHarness.ClaudeCode, "lost")).Part);
            AgentHome.Append(file, "{\"n\":3}\n");
            var next = await Mirror(session, SessionHarness.ClaudeCode, "lost");
            Assert.Equal(1, next.Part!.Seq);
            var parts = await Parts(session, "claude-code", "lost");
            Assert.Equal(new[] { "{\"n\":1}\n{\"n\":2}\n", "{\"n\":3}\n" }, parts.Select(p => p.Content).ToArray());

            // A corrupt cursor file is as good as none.
            File.WriteAllText(cursorFile, "{not json");
            AgentHome.Append(file, "{\"n\":4}\n");
            Assert.Equal(2, (await Mirror(session, SessionHarness.ClaudeCode, "lost")).Part!.Seq);
            Assert.Equal(File.ReadAllText(file), string.Concat((await Parts(session, "claude-code", "lost")).Select(p => p.Content)));
        }

        [Fact]
        public async Task A_session_mirrored_here_is_listed_and_shown_after_a_restart_with_an_empty_local_state()
        {
            string file = _home.ClaudeTranscript("restart-1234567890");
            AgentHome.Append(file, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
            using (var first = new TcSession(Backend.ConfigFor(Project, "coder"), new TcSessionOptions { CacheDirectory = Path.Combine(Backend.TempFolder, "c1-" + Project) }))
                await first.Transcripts.MirrorAsync(new MirrorRequest { Harness = "claude-code", Sources = _home.Sources }, _home.StateDirectory);
            Directory.Delete(_home.StateDirectory, true);

            // Another process, another agent, nothing local: everything comes from the store.
            var fresh = Agent("reviewer");
            var listed = Assert.Single(await fresh.Transcripts.ListAsync());
            Assert.Equal(("claude-code", "restart-1234567890", 1, 24L), (listed.Harness, listed.SessionId, listed.PartCount, listed.TotalUploadedBytes));
            Assert.Equal("coder", listed.AgentId);
            var shown = await fresh.Transcripts.GetAsync("restart-1234567890", tail: 2);
            Assert.Equal(new[] { "{\"n\":2}", "{\"n\":3}" }, shown!.Tail);
            Assert.StartsWith("{\n  \"schema_version\": 1,", shown.MetaJson);
            // The list shows ids cut to 8 characters: the start of an id finds the session when only one starts so.
            Assert.Equal("restart-1234567890", (await fresh.Transcripts.GetAsync("restart-"))!.SessionId);
            Assert.Null(await fresh.Transcripts.GetAsync("no-such-session"));
            Assert.Empty(await fresh.Transcripts.ListAsync(SessionHarness.Hermes));
        }

        [Fact]
        public async Task Listing_sorts_by_recent_upload_or_size_and_limits()
        {
            var session = Mirrorer();
            AgentHome.Append(_home.ClaudeTranscript("big"), new string('x', 500) + "\n");
            await Mirror(session, "claude-code", "big");
            await Task.Delay(5);
            AgentHome.Append(_home.ClaudeTranscript("small"), "{}\n");
            await Mirror(session, "claude-code", "small");
            Assert.Equal(new[] { "small", "big" }, (await session.Transcripts.ListAsync()).Select(s => s.SessionId).ToArray());
            Assert.Equal(new[] { "big", "small" }, (await session.Transcripts.ListAsync(sortBy: SessionSort.Size)).Select(s => s.SessionId).ToArray());
            Assert.Equal(new[] { "big" }, (await session.Transcripts.ListAsync(sortBy: SessionSort.Size, limit: 1)).Select(s => s.SessionId).ToArray());
        }

        [Fact]
        public async Task Stop_clears_the_local_cursor_and_marks_the_session_ended_once()
        {
            AgentHome.Append(_home.ClaudeTranscript("done"), "{}\n");
            var session = Mirrorer();
            await Mirror(session, "claude-code", "done");
            var stop = await session.Transcripts.StopAsync("done", _home.StateDirectory);
            Assert.True(stop.StateCleared);
            Assert.True(stop.MetaMarkedEnded);
            Assert.False(File.Exists(Path.Combine(_home.StateDirectory, "done.json")));
            var meta = await Meta(session, "claude-code", "done");
            Assert.Matches(@"\+00:00$", meta.GetProperty("ended_at").GetString());
            Assert.Single(meta.GetProperty("parts").EnumerateArray().ToArray());
            var again = await session.Transcripts.StopAsync("done", _home.StateDirectory);
            Assert.False(again.StateCleared);
            Assert.False(again.MetaMarkedEnded);
            var unknown = await session.Transcripts.StopAsync("never-mirrored", _home.StateDirectory);
            Assert.False(unknown.StateCleared || unknown.MetaMarkedEnded);
        }

        [Fact]
        public async Task Codex_rollouts_are_found_by_the_id_after_their_timestamp()
        {
            const string id = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
            string older = _home.CodexRollout("0199a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b", new DateTime(2025, 9, 1, 8, 0, 0));
            string rollout = _home.CodexRollout(id, new DateTime(2025, 10, 2, 14, 30, 5));
            AgentHome.Append(older, "{\"type\":\"session_meta\",\"payload\":{\"cwd\":\"/elsewhere\"}}\n");
            File.SetLastWriteTimeUtc(older, DateTime.UtcNow.AddHours(-1));
            AgentHome.Append(rollout, "{\"timestamp\":\"2025-10-02T14:30:05.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"" + id + "\",\"cwd\":\"/work/app\"}}\n" +
                                      "{\"type\":\"response_item\",\"payload\":{\"type\":\"message\",\"role\":\"user\"}}\n");
            var session = Mirrorer();
            var latest = await Mirror(session, SessionHarness.Codex);
            Assert.Equal(id, latest.SessionId);
            Assert.Equal(rollout, latest.SourcePath);
            Assert.Equal("/work/app", (await Meta(session, "codex", id)).GetProperty("cwd").GetString());
            var byId = await Mirror(session, SessionHarness.Codex, "0199a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b");
            Assert.Equal(older, byId.SourcePath);
            Assert.Equal(File.ReadAllText(rollout), (await Parts(session, "codex", id)).Single().Content);
        }

        [Fact]
        public async Task OpenClaw_sessions_are_mirrored_as_agent__session_from_the_state_folder_the_environment_names()
        {
            string state = Path.Combine(_home.Home, "claw-state");
            string home = Path.Combine(_home.Home, "claw-home");
            _home.Environment["OPENCLAW_HOME"] = home;
            _home.Environment["OPENCLAW_STATE_DIR"] = state;
            string transcript = AgentHome.OpenClawTranscript(state, "main", "sess-42");
            AgentHome.Append(transcript, "{\"type\":\"session\",\"id\":\"sess-42\"}\n{\"type\":\"message\",\"role\":\"user\"}\n");
            // Neither the index nor a half-written file is a transcript, even when newer.
            AgentHome.Append(Path.Combine(state, "agents", "main", "sessions", "sessions.json"), "{}");
            AgentHome.Append(Path.Combine(state, "agents", "main", "sessions", "other.jsonl.tmp"), "{}\n");
            AgentHome.Append(AgentHome.OpenClawTranscript(home, "main", "wrong"), "{}\n");
            var session = Mirrorer();
            var result = await Mirror(session, SessionHarness.OpenClaw);
            Assert.Equal("main__sess-42", result.SessionId);
            Assert.Equal(transcript, result.SourcePath);
            Assert.Equal(File.ReadAllText(transcript), (await Parts(session, "openclaw", "main__sess-42")).Single().Content);
            Assert.Equal("main__sess-42", (await Mirror(session, SessionHarness.OpenClaw, "sess-42")).SessionId);

            // Without OPENCLAW_STATE_DIR, OPENCLAW_HOME is the state folder.
            _home.Environment.Remove("OPENCLAW_STATE_DIR");
            Assert.Equal("main__wrong", (await Mirror(session, SessionHarness.OpenClaw)).SessionId);
        }

        [Fact]
        public async Task Hermes_rows_are_mirrored_by_id_while_Hermes_writes_its_WAL_database()
        {
            using var hermes = new HermesWriter(_home.HermesDatabasePath);
            Assert.Equal("wal", hermes.JournalMode);
            hermes.Insert("20250807_101500_a1b2c3", "user", "fix the build");
            hermes.Insert("other-session", "user", "not this one");
            hermes.Insert("20250807_101500_a1b2c3", "assistant", "\0json:{\"parts\":[{\"type\":\"text\",\"text\":\"on it\"}]}", timestamp: 1754550001.5);
            Assert.True(File.Exists(_home.HermesDatabasePath + "-wal"));
            byte[] mainFile = File.ReadAllBytes(_home.HermesDatabasePath);

            // A transaction Hermes has not committed yet is not read.
            hermes.Exec("BEGIN");
            hermes.Insert("20250807_101500_a1b2c3", "tool", "uncommitted", toolName: "shell");
            var session = Mirrorer();
            var first = await Mirror(session, SessionHarness.Hermes, "20250807_101500_a1b2c3");
            Assert.Equal(3, first.Cursor);
            var lines = (await Parts(session, "hermes", "20250807_101500_a1b2c3")).Single().Content.Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.Equal("", lines[2]);
            Assert.Equal("{\"id\":1,\"session_id\":\"20250807_101500_a1b2c3\",\"role\":\"user\",\"content\":\"fix the build\",\"tool_calls\":null,\"tool_name\":null,\"timestamp\":1754550000.25,\"token_count\":null}", lines[0]);
            Assert.Equal("{\"id\":3,\"session_id\":\"20250807_101500_a1b2c3\",\"role\":\"assistant\",\"content\":{\"parts\":[{\"type\":\"text\",\"text\":\"on it\"}]},\"tool_calls\":null,\"tool_name\":null,\"timestamp\":1754550001.5,\"token_count\":null}", lines[1]);

            hermes.Exec("COMMIT");
            hermes.Insert("20250807_101500_a1b2c3", "assistant", "done");
            int writes = Writes();
            Assert.Null((await Mirror(session, SessionHarness.Hermes, "other-session", minBytes: 10_000)).Part);
            Assert.Equal(writes, Writes());
            // Without --session-id: the session that owns the highest message id.
            var second = await Mirror(session, SessionHarness.Hermes);
            Assert.Equal("20250807_101500_a1b2c3", second.SessionId);
            Assert.Equal((3L, 5L), (second.Part!.CursorFrom, second.Part.CursorTo));
            var parts = await Parts(session, "hermes", "20250807_101500_a1b2c3");
            Assert.Equal(2, parts.Count);
            Assert.StartsWith("{\"id\":4,", parts[1].Content);
            Assert.Contains("\"tool_name\":\"shell\"", parts[1].Content);
            Assert.StartsWith("{\"id\":5,", parts[1].Content.Split('\n')[1]);
            var again = await Mirror(session, SessionHarness.Hermes);
            Assert.Null(again.Part);
            Assert.Equal((5L, 5L), (again.Cursor, again.SourceSize));
            // The reader never wrote into Hermes' database file (its rows are still only in the WAL).
            Assert.Equal(mainFile, File.ReadAllBytes(_home.HermesDatabasePath));
        }

        [Fact]
        public async Task Missing_sources_and_bad_ids_are_clear_errors()
        {
            var session = Mirrorer();
            var none = await Assert.ThrowsAsync<TcException>(() => Mirror(session, SessionHarness.ClaudeCode));
            Assert.Equal(TcErrorCode.SessionSourceNotFound, none.Code);
            Assert.Contains("--cwd", none.Message);
            Assert.Equal(TcErrorCode.SessionSourceNotFound, (await Assert.ThrowsAsync<TcException>(() => Mirror(session, SessionHarness.Hermes))).Code);
            Assert.Equal(TcErrorCode.InvalidIdentifier, (await Assert.ThrowsAsync<TcException>(() => Mirror(session, SessionHarness.Codex, "../x"))).Code);
            Assert.Equal(TcErrorCode.InvalidArgument, (await Assert.ThrowsAsync<TcException>(() => Mirror(session, "vim"))).Code);
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(_home.Home, ".hermes")).FullName, "state.db"), "not a database at all, not at all");
            Assert.Equal(TcErrorCode.SessionSourceUnreadable, (await Assert.ThrowsAsync<TcException>(() => Mirror(session, SessionHarness.Hermes))).Code);
            Assert.Equal(0, Writes());
        }
    }

    public sealed class FolderSessionMirrorTests : SessionMirrorTests<FolderBackend> { public FolderSessionMirrorTests(FolderBackend b) : base(b) { } }
    public sealed class S3SessionMirrorTests : SessionMirrorTests<S3Backend> { public S3SessionMirrorTests(S3Backend b) : base(b) { } }
}
