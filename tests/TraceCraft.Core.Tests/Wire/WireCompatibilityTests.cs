using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Tests.Protocol;
using Xunit;

namespace TraceCraft.Tests.Wire
{
    /// <summary>Objects exactly as the original Python CLI writes them (wire-format.md samples) are read correctly.</summary>
    public abstract class WireCompatibilityTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected WireCompatibilityTests(TBackend backend) : base(backend) { }

        private Task Put(TcSession s, string key, string json) =>
            s.Store.PutAsync($"{Project}/{key}", Encoding.UTF8.GetBytes(json), WriteCondition.None, "application/json");

        [Fact]
        public async Task Reads_everything_the_original_writes()
        {
            var me = Agent("developer");
            await Put(me, "agents/designer.json", "{\"id\": \"designer\", \"status\": \"active\", \"step\": null, \"started_at\": \"2026-11-25T12:50:08.727913+00:00\", \"heartbeat\": \"2026-11-25T12:50:08+00:00\", \"summary\": \"Initialized\"}");
            await Put(me, "messages/developer/1795611013605093493_designer_29c3ca9a.json", "{\"from\": \"designer\", \"to\": \"developer\", \"message\": \"Design is ready \\u00fc\", \"sent_at\": \"2026-11-25T12:50:13.605067+00:00\"}");
            await Put(me, "steps/design/claim.json", "{\n  \"agent\": \"designer\",\n  \"claimed_at\": \"2026-11-25T12:50:10.100000+00:00\"\n}");
            await Put(me, "steps/design/status.json", "{\"status\": \"complete\", \"agent\": \"designer\", \"started_at\": \"2026-11-25T12:50:10.100000+00:00\", \"completed_at\": \"2026-11-25T12:50:16.880415+00:00\"}");
            await Put(me, "steps/design/handoff.json", "{\"schema\": 2, \"from_agent\": \"designer\", \"from_step\": \"design\", \"next_agent\": \"developer\", \"state\": \"complete\", \"next_action\": null, \"note\": \"done, see mockup.html\", \"created_at\": \"2026-11-25T12:50:16.880415+00:00\"}");
            await Put(me, "steps/claim only/claim.json", "{\"agent\": \"designer\", \"claimed_at\": \"2026-11-25T12:50:10Z\"}");
            await Put(me, "memory/design/status.json", "{\"value\": \"complete\", \"set_by\": \"designer\", \"set_at\": \"2026-11-25T12:50:11.000001+00:00\"}");

            var agent = Assert.Single(await me.Agents.ListAsync());
            Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 50, 8, TimeSpan.Zero), agent.Heartbeat);
            Assert.Null(agent.Step);
            var message = Assert.Single(await me.Messages.ReadAsync());
            Assert.Equal("Design is ready \u00fc", message.Text);
            Assert.Equal("[2026-11-25T12:50:13.605067+00:00] (direct) designer: Design is ready \u00fc", message.ToString());
            Assert.Equal("1795611013605093493_designer_29c3ca9a", message.Id);
            var step = await me.Steps.GetAsync("design");
            Assert.Equal(StepStatus.Complete, step.Status);
            Assert.Equal(1, step.Token);
            var handoff = await me.Steps.GetHandoffAsync("design");
            Assert.Equal("done, see mockup.html", handoff!.Note);
            Assert.Null(handoff.ChangedFiles);
            Assert.Equal(StepStatus.InProgress, (await me.Steps.GetAsync("Claim Only")).Status);
            Assert.Equal("complete", (await me.Memory.GetAsync("design.status"))!.Value);
            // An original claim has no lease: it never expires, and a waiter sees the original's completion.
            Assert.Single(await me.Barriers.WaitAsync(new[] { "design" }, TimeSpan.FromSeconds(5)));
        }

        [Fact]
        public async Task Writes_the_originals_field_names_and_time_format()
        {
            var me = Agent("designer");
            await me.Claims.ClaimAsync("design");
            await me.Messages.SendAsync("developer", "hi");
            string claim = Encoding.UTF8.GetString((await me.Store.GetAsync($"{Project}/steps/design/claim.json")).Body!);
            Assert.Matches("^\\{\\n  \"agent\": \"designer\",\\n  \"claimed_at\": \"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00\",", claim);
            var key = (await me.Store.ListAllAsync($"{Project}/messages/developer/")).Single().Key;
            Assert.Matches($"^{Project}/messages/developer/\\d{{19}}_designer_[0-9a-f]{{8}}\\.json$", key);
            string message = Encoding.UTF8.GetString((await me.Store.GetAsync(key)).Body!);
            Assert.Matches("^\\{\\n  \"from\": \"designer\",\\n  \"to\": \"developer\",\\n  \"message\": \"hi\",\\n  \"sent_at\": \"[^\"]+\\+00:00\"\\n\\}$", message);
        }

        [Fact]
        public async Task A_greek_step_id_claims_the_key_the_original_uses_so_only_one_of_them_wins()
        {
            // Python's "ΣΤΕΠΣ".lower() is "στεπς": the last sigma is final. A claim by the original lands there.
            const string step = "\u03A3\u03A4\u0395\u03A0\u03A3";
            const string originalFolder = "\u03C3\u03C4\u03B5\u03C0\u03C2";
            var me = Agent("developer");
            await me.Claims.ClaimAsync(step);
            var keys = (await me.Store.ListAllAsync($"{Project}/steps/")).Select(o => o.Key).ToList();
            Assert.Contains($"{Project}/steps/{originalFolder}/claim.json", keys);
            Assert.All(keys, k => Assert.StartsWith($"{Project}/steps/{originalFolder}/", k, StringComparison.Ordinal));

            // The other way round: the original claimed "ΌΣΟΣ.Α" (folder "όσοσ-α"; '.' is case-ignorable, so
            // that sigma is not final); our claim of the same id must lose to it.
            await Put(me, "steps/\u03CC\u03C3\u03BF\u03C3-\u03B1/claim.json", "{\n  \"agent\": \"designer\",\n  \"claimed_at\": \"2026-11-25T12:50:10.100000+00:00\"\n}");
            var e = await Assert.ThrowsAsync<TraceCraft.Errors.TcException>(() => me.Claims.ClaimAsync("\u038C\u03A3\u039F\u03A3.\u0391"));
            Assert.Equal(TraceCraft.Errors.TcErrorCode.StepAlreadyClaimed, e.Code);
            Assert.Equal("Step \u038C\u03A3\u039F\u03A3.\u0391 already claimed by designer", e.Message);
        }
    }

    public sealed class FolderWireCompatibilityTests : WireCompatibilityTests<FolderBackend> { public FolderWireCompatibilityTests(FolderBackend b) : base(b) { } }
    public sealed class S3WireCompatibilityTests : WireCompatibilityTests<S3Backend> { public S3WireCompatibilityTests(S3Backend b) : base(b) { } }

    public sealed class WireTimeTests
    {
        [Theory]
        [InlineData("2026-03-24T14:00:00.123456+00:00", 1234560)]
        [InlineData("2026-03-24T14:00:00+00:00", 0)]
        [InlineData("2026-03-24T14:00:00Z", 0)]
        [InlineData("2026-03-24T14:00:00.1234567Z", 1234567)]
        [InlineData("2026-03-24T14:00:00.123456789+00:00", 1234567)]
        [InlineData("2026-03-24T16:00:00.5+02:00", 5000000)]
        public void Reads_every_form_seen(string text, long fractionTicks)
        {
            Assert.True(WireTime.TryParse(text, out var time));
            Assert.Equal(new DateTimeOffset(2026, 3, 24, 14, 0, 0, TimeSpan.Zero).AddTicks(fractionTicks), time);
        }

        [Fact]
        public void Writes_six_fraction_digits_and_plus_00_00()
        {
            var time = new DateTimeOffset(2026, 3, 24, 16, 0, 0, TimeSpan.FromHours(2)).AddTicks(1234567);
            Assert.Equal("2026-03-24T14:00:00.123456+00:00", WireTime.Format(time));
            Assert.False(WireTime.TryParse("yesterday", out _));
            Assert.False(WireTime.TryParse("", out _));
        }

        [Fact]
        public void Unix_nanoseconds_round_trip_to_the_tick()
        {
            var time = new DateTimeOffset(2026, 11, 25, 12, 50, 13, TimeSpan.Zero).AddTicks(6050934);
            Assert.Equal(time, WireTime.FromUnixNanoseconds(WireTime.ToUnixNanoseconds(time)));
            Assert.Equal(19, WireTime.ToUnixNanoseconds(time).ToString().Length);
        }
    }
}
