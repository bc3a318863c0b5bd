using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Config;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Tests.Protocol;
using Xunit;

namespace TraceCraft.Tests.Wire
{
    /// <summary>
    /// The exact bytes of every object we write (docs/wire-format.md), at fixed times: a codec change that changes what
    /// another client (or an older version of ours) reads fails here. Written through the services, so the whole path
    /// from model to stored object is pinned, not only the codec. Bytes do not depend on the store: the folder store only.
    /// </summary>
    public sealed class WireFixtureTests : ProtocolTestBase<FolderBackend>
    {
        private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 11, 25, 12, 50, 8, TimeSpan.Zero).AddTicks(7279130);
        private DateTimeOffset _now = T0;

        public WireFixtureTests(FolderBackend backend) : base(backend) { }

        /// <summary>A session whose clock reads <see cref="_now"/> and is never corrected by the store's.</summary>
        private TcSession At(string agent) => Agent(agent, new TcClock(() => _now, TimeSpan.Zero));

        private static string Body(TcSession s, string relativeKey)
        {
            var read = s.Store.GetAsync(s.Layout.Root + relativeKey).GetAwaiter().GetResult();
            Assert.True(read.Found, relativeKey + " exists");
            return Encoding.UTF8.GetString(read.Body!);
        }

        private static string LocalFile(TcSession s, string purpose, string name) =>
            File.ReadAllText(Path.Combine(s.PrivateCacheFolder(purpose), name), Encoding.UTF8);

        /// <summary>Lines joined as the writer joins them: '\n', no trailing newline.</summary>
        private static string Json(params string[] lines) => string.Join("\n", lines);

        [Fact]
        public async Task Agent_record_and_heartbeat_marker()
        {
            var a = At("designer");
            await a.Agents.RegisterAsync();
            Assert.Equal(Json(
                "{",
                "  \"id\": \"designer\",",
                "  \"status\": \"active\",",
                "  \"step\": null,",
                "  \"started_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"heartbeat\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"summary\": \"Initialized\"",
                "}"), Body(a, "agents/designer.json"));

            _now = T0.AddSeconds(90);
            await a.Claims.ClaimAsync("design");
            Assert.Equal(Json(
                "{",
                "  \"id\": \"designer\",",
                "  \"status\": \"active\",",
                "  \"step\": \"design\",",
                "  \"started_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"heartbeat\": \"2026-11-25T12:51:38.727913+00:00\",",
                "  \"summary\": \"Initialized\"",
                "}"), Body(a, "agents/designer.json"));
            Assert.Equal(Json(
                "{",
                "  \"started_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"step\": \"design\",",
                "  \"summary\": \"Initialized\",",
                "  \"written_at\": \"2026-11-25T12:51:38.727913+00:00\"",
                "}"), LocalFile(a, "presence", "heartbeat.json"));
        }

        [Fact]
        public async Task Memory_entries_keep_strings_plain_and_json_values_indented()
        {
            var a = At("designer");
            await a.Memory.SetStringAsync("design.status", "complete \u00fc");
            await a.Memory.SetAsync("plan", "{\"steps\": [1, 2.5, true, null], \"note\": \"a+b\"}");
            Assert.Equal(Json(
                "{",
                "  \"value\": \"complete \u00fc\",",
                "  \"set_by\": \"designer\",",
                "  \"set_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(a, "memory/design/status.json"));
            Assert.Equal(Json(
                "{",
                "  \"value\": {",
                "    \"steps\": [",
                "      1,",
                "      2.5,",
                "      true,",
                "      null",
                "    ],",
                "    \"note\": \"a+b\"",
                "  },",
                "  \"set_by\": \"designer\",",
                "  \"set_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(a, "memory/plan.json"));
        }

        [Fact]
        public async Task Message_taken_receipt_inbox_cache_and_hidden_broadcasts()
        {
            var a = At("designer");
            var b = At("developer");
            var direct = await a.Messages.SendAsync("developer", "Design is ready \u00fc");
            var broadcast = await a.Messages.SendAsync("_broadcast", "all");
            Assert.Matches($"^{Project}/messages/developer/1795611008727913000_designer_[0-9a-f]{{8}}\\.json$", direct.Key);
            Assert.Matches($"^{Project}/messages/_broadcast/1795611008727913000_designer_[0-9a-f]{{8}}\\.json$", broadcast.Key);
            Assert.Equal(Json(
                "{",
                "  \"from\": \"designer\",",
                "  \"to\": \"developer\",",
                "  \"message\": \"Design is ready \u00fc\",",
                "  \"sent_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(a, direct.Key.Substring(a.Layout.Root.Length)));

            var taken = await b.Messages.ReadAsync(new InboxQuery { Take = true });
            Assert.Equal(2, taken.Count);
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"developer\",",
                $"  \"message\": \"{direct.Key}\",",
                "  \"taken_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(b, $"receipts/developer/taken/developer/{direct.Id}.json"));
            Assert.Equal(Json(
                "{",
                "  \"cursors\": {",
                $"    \"{Project}/messages/developer/\": {{",
                "      \"listed_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "      \"full_list_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "    },",
                $"    \"{Project}/messages/_broadcast/\": {{",
                "      \"listed_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "      \"full_list_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "    }",
                "  },",
                "  \"messages\": [",
                "    {",
                $"      \"key\": \"{direct.Key}\",",
                $"      \"id\": \"{direct.Id}\",",
                "      \"from\": \"designer\",",
                "      \"to\": \"developer\",",
                "      \"broadcast\": false,",
                "      \"text\": \"Design is ready \u00fc\",",
                "      \"sent_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "      \"seen\": true",
                "    },",
                "    {",
                $"      \"key\": \"{broadcast.Key}\",",
                $"      \"id\": \"{broadcast.Id}\",",
                "      \"from\": \"designer\",",
                "      \"to\": \"_broadcast\",",
                "      \"broadcast\": true,",
                "      \"text\": \"all\",",
                "      \"sent_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "      \"seen\": true",
                "    }",
                "  ],",
                "  \"hidden_broadcasts\": [],",
                "  \"receipts_etag\": null,",
                "  \"contested\": []",
                "}"), LocalFile(b, "inbox", "inbox.json"));

            await b.Messages.DeleteAsync(taken);
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"developer\",",
                "  \"hidden_broadcasts\": [",
                $"    \"{broadcast.Id}\"",
                "  ]",
                "}"), Body(b, "receipts/developer.json"));
            Assert.Empty(await b.Store.ListAllAsync(b.Layout.TakenReceiptsPrefix("developer")));
        }

        [Fact]
        public async Task Spec_claim_seal_copies_history_takeover_and_release()
        {
            var a = At("designer");
            await a.Steps.DefineAsync(new StepDefinition { Id = "Build", DependsOn = new[] { "design" }, Description = "compile", Priority = 5, MaxAttempts = 3 });
            await a.Steps.DefineAsync(new StepDefinition { Id = "design" });
            Assert.Equal(Json(
                "{",
                "  \"id\": \"Build\",",
                "  \"depends_on\": [",
                "    \"design\"",
                "  ],",
                "  \"description\": \"compile\",",
                "  \"priority\": 5,",
                "  \"max_attempts\": 3,",
                "  \"created_by\": \"designer\",",
                "  \"created_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(a, "steps/build/spec.json"));
            Assert.Equal(Json(
                "{",
                "  \"id\": \"design\",",
                "  \"depends_on\": [],",
                "  \"description\": null,",
                "  \"created_by\": \"designer\",",
                "  \"created_at\": \"2026-11-25T12:50:08.727913+00:00\"",
                "}"), Body(a, "steps/design/spec.json"));

            await a.Claims.ClaimAsync("design", 300);
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"designer\",",
                "  \"claimed_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"token\": 1,",
                "  \"lease_seconds\": 300,",
                "  \"expires_at\": \"2026-11-25T12:55:08.727913+00:00\"",
                "}"), Body(a, "steps/design/claim.json"));

            _now = T0.AddSeconds(60);
            await a.Steps.CompleteAsync("design", new CompletionRequest { Note = "done", To = "developer", ChangedFiles = new[] { "a.txt", "b/c.txt" } });
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"designer\",",
                "  \"claimed_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"token\": 1,",
                "  \"lease_seconds\": 300,",
                "  \"expires_at\": \"2026-11-25T12:55:08.727913+00:00\",",
                "  \"state\": \"complete\",",
                "  \"finished_by\": \"designer\",",
                "  \"finished_at\": \"2026-11-25T12:51:08.727913+00:00\",",
                "  \"handoff\": {",
                "    \"schema\": 2,",
                "    \"from_agent\": \"designer\",",
                "    \"from_step\": \"design\",",
                "    \"next_agent\": \"developer\",",
                "    \"state\": \"complete\",",
                "    \"next_action\": null,",
                "    \"note\": \"done\",",
                "    \"created_at\": \"2026-11-25T12:51:08.727913+00:00\",",
                "    \"changed_files\": [",
                "      \"a.txt\",",
                "      \"b/c.txt\"",
                "    ]",
                "  },",
                "  \"updated_at\": \"2026-11-25T12:51:08.727913+00:00\"",
                "}"), Body(a, "steps/design/claim.json"));
            Assert.Equal(Json(
                "{",
                "  \"status\": \"complete\",",
                "  \"agent\": \"designer\",",
                "  \"started_at\": \"2026-11-25T12:50:08.727913+00:00\",",
                "  \"completed_at\": \"2026-11-25T12:51:08.727913+00:00\"",
                "}"), Body(a, "steps/design/status.json"));
            string handoff = Json(
                "{",
                "  \"schema\": 2,",
                "  \"from_agent\": \"designer\",",
                "  \"from_step\": \"design\",",
                "  \"next_agent\": \"developer\",",
                "  \"state\": \"complete\",",
                "  \"next_action\": null,",
                "  \"note\": \"done\",",
                "  \"created_at\": \"2026-11-25T12:51:08.727913+00:00\",",
                "  \"changed_files\": [",
                "    \"a.txt\",",
                "    \"b/c.txt\"",
                "  ]",
                "}");
            Assert.Equal(handoff, Body(a, "steps/design/handoff.json"));

            _now = T0.AddSeconds(120);
            await a.Claims.ReopenAsync("design");
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"designer\",",
                "  \"claimed_at\": \"2026-11-25T12:52:08.727913+00:00\",",
                "  \"token\": 2,",
                "  \"state\": \"released\",",
                "  \"finished_by\": \"designer\",",
                "  \"finished_at\": \"2026-11-25T12:52:08.727913+00:00\",",
                "  \"updated_at\": \"2026-11-25T12:52:08.727913+00:00\"",
                "}"), Body(a, "steps/design/claim.json"));
            // The archived handoff is named by its created_at in Unix nanoseconds, 20 digits, so names sort by time.
            Assert.Equal(handoff, Body(a, "steps/design/handoffs/01795611068727913000.json"));

            var b = At("developer");
            _now = T0.AddSeconds(180);
            await b.Claims.ClaimAsync("build", new ClaimOptions { LeaseSeconds = 10, IgnoreDependencies = true });
            var c = At("tester");
            _now = T0.AddSeconds(200);
            await c.Claims.ClaimAsync("build", new ClaimOptions { LeaseSeconds = 10, IgnoreDependencies = true });
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"tester\",",
                "  \"claimed_at\": \"2026-11-25T12:53:28.727913+00:00\",",
                "  \"token\": 2,",
                "  \"lease_seconds\": 10,",
                "  \"expires_at\": \"2026-11-25T12:53:38.727913+00:00\",",
                "  \"taken_over_from\": \"developer\",",
                "  \"failures\": 1",
                "}"), Body(c, "steps/build/claim.json"));
            await c.Claims.ReleaseAsync("build", failed: true);
            Assert.Equal(Json(
                "{",
                "  \"agent\": \"tester\",",
                "  \"claimed_at\": \"2026-11-25T12:53:28.727913+00:00\",",
                "  \"token\": 2,",
                "  \"lease_seconds\": 10,",
                "  \"expires_at\": \"2026-11-25T12:53:38.727913+00:00\",",
                "  \"taken_over_from\": \"developer\",",
                "  \"failures\": 2,",
                "  \"state\": \"released\",",
                "  \"finished_by\": \"tester\",",
                "  \"finished_at\": \"2026-11-25T12:53:28.727913+00:00\",",
                "  \"updated_at\": \"2026-11-25T12:53:28.727913+00:00\"",
                "}"), Body(c, "steps/build/claim.json"));
        }

        [Fact]
        public void Config_file_writes_the_originals_keys_and_only_the_optional_ones_set()
        {
            var s3 = new TcConfig
            {
                Backend = Backends.S3, Endpoint = "http://localhost:7480", Bucket = "coord", Project = "demo", AgentId = "designer",
                AccessKey = "AK", SecretKey = "SK", Region = "eu-west-1", QuoteIfMatch = true, TimeoutSeconds = 2.5,
            };
            string s3Json = Json(
                "{",
                "  \"backend\": \"s3\",",
                "  \"endpoint\": \"http://localhost:7480\",",
                "  \"bucket\": \"coord\",",
                "  \"project\": \"demo\",",
                "  \"agent_id\": \"designer\",",
                "  \"access_key\": \"AK\",",
                "  \"secret_key\": \"SK\",",
                "  \"region\": \"eu-west-1\",",
                "  \"quote_if_match\": true,",
                "  \"timeout_seconds\": 2.5",
                "}");
            Assert.Equal(s3Json, Encoding.UTF8.GetString(s3.ToJson()));
            var folder = new TcConfig { Backend = Backends.Folder, Path = "bucket", Project = "demo", AgentId = "designer" };
            Assert.Equal(Json(
                "{",
                "  \"backend\": \"folder\",",
                "  \"path\": \"bucket\",",
                "  \"project\": \"demo\",",
                "  \"agent_id\": \"designer\"",
                "}"), Encoding.UTF8.GetString(folder.ToJson()));

            // Read back field for field; written again, the same bytes.
            var read = TcConfig.Parse("test.json", Encoding.UTF8.GetBytes(s3Json));
            Assert.Equal("test.json", read.Source);
            Assert.Equal(s3Json, Encoding.UTF8.GetString(read.ToJson()));
        }
    }
}
