using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>What a write accepts, a read accepts (WireLimits): nothing is written that can never be read.</summary>
    public abstract class WireLimitTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected WireLimitTests(TBackend backend) : base(backend) { }

        private static string Nested(int depth, string inner = "1") => new string('[', depth) + inner + new string(']', depth);

        [Fact]
        public async Task A_memory_value_over_the_object_limit_is_refused_at_write_and_nothing_is_written()
        {
            var a = Agent("a");
            var e = await Assert.ThrowsAsync<TcException>(() => a.Memory.SetStringAsync("big", new string('x', 9 << 20)));
            Assert.Equal(TcErrorCode.ValueTooLarge, e.Code);
            Assert.Contains("8.0 MiB", e.Message);
            Assert.Null(await a.Memory.GetAsync("big"));
        }

        [Fact]
        public async Task The_largest_memory_value_a_write_accepts_is_read_back_and_one_byte_more_is_refused()
        {
            var a = Agent("a");
            // The stored object is the value plus its envelope; find the size where the object is exactly at the limit.
            await a.Memory.SetStringAsync("probe", "");
            var probe = await a.Store.GetAsync(Project + "/memory/probe.json");
            int overhead = probe.Body!.Length;
            int largest = WireLimits.MaxObjectBytes - overhead;
            var written = await a.Memory.SetStringAsync("edge", new string('y', largest));
            var read = await Agent("b").Memory.GetAsync("edge");
            Assert.Equal(largest, ((string)read!.Value!).Length);
            Assert.Equal(WireLimits.MaxObjectBytes, (await a.Store.GetAsync(Project + "/memory/edge.json")).Body!.Length);
            Assert.Equal(TcErrorCode.ValueTooLarge, (await Assert.ThrowsAsync<TcException>(() => a.Memory.SetStringAsync("edge", new string('y', largest + 1)))).Code);
            Assert.Equal(written.Version, (await a.Memory.GetAsync("edge"))!.Version);
        }

        [Theory]
        [InlineData(64)]
        [InlineData(70)]
        [InlineData(WireLimits.MaxValueDepth)]
        public async Task A_nested_value_that_a_write_accepts_is_read_back(int depth)
        {
            var a = Agent("a");
            await a.Memory.SetAsync("deep", Nested(depth));
            var read = await Agent("b").Memory.GetAsync("deep");
            Assert.Equal(Nested(depth), read!.ValueJson);
            Assert.Single(await Agent("c").Memory.ListAsync("deep"));
        }

        [Fact]
        public async Task A_value_nested_deeper_than_the_write_limit_is_refused_with_the_limit_in_the_message()
        {
            var a = Agent("a");
            var e = await Assert.ThrowsAsync<TcException>(() => a.Memory.SetAsync("deep", Nested(WireLimits.MaxValueDepth + 1)));
            Assert.Equal(TcErrorCode.ValueTooDeep, e.Code);
            Assert.Contains(WireLimits.MaxValueDepth.ToString(), e.Message);
            Assert.Equal(TcErrorCode.ValueTooDeep, (await Assert.ThrowsAsync<TcException>(() => a.Memory.SetAsync("deep", Nested(100_000)))).Code);
            Assert.Null(await a.Memory.GetAsync("deep"));
        }

        [Theory]
        [InlineData(70)]
        [InlineData(990)]
        [InlineData(2000)]
        public async Task A_deep_value_written_by_another_client_is_read(int depth)
        {
            var a = Agent("a");
            // As the original writes it (json.dumps(indent=2) is not needed for the parser; compact is also valid JSON).
            string body = "{\"value\": " + Nested(depth) + ", \"set_by\": \"py\", \"set_at\": \"2026-03-24T14:00:00.123456+00:00\"}";
            await a.Store.PutAsync(Project + "/memory/py/deep.json", Encoding.UTF8.GetBytes(body), WriteCondition.None);
            var read = await a.Memory.GetAsync("py.deep");
            Assert.Equal(Nested(depth), read!.ValueJson);
            Assert.Single(await a.Memory.ListAsync("py"));
        }

        [Fact]
        public async Task A_message_over_the_object_limit_is_refused_at_send()
        {
            var lead = Agent("lead");
            var e = await Assert.ThrowsAsync<TcException>(() => lead.Messages.SendAsync("dev", new string('m', 9 << 20)));
            Assert.Equal(TcErrorCode.ValueTooLarge, e.Code);
            Assert.Contains("8.0 MiB", e.Message);
            Assert.Empty(await lead.Store.ListAllAsync(Project + "/messages/"));
        }

        [Fact]
        public async Task An_oversized_message_from_another_client_is_shown_with_a_warning_and_deleted_by_a_consuming_read()
        {
            var lead = Agent("lead");
            var warnings = new ConcurrentQueue<string>();
            var requests = new ConcurrentQueue<StoreRequest>();
            var dev = Agent("dev", warning: warnings.Enqueue, observer: requests.Enqueue);
            await lead.Messages.SendAsync("dev", "before");
            long ns = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1) * 1_000_000;
            string key = $"{Project}/messages/dev/{ns}_py_agent_0badf00d.json";
            string body = "{\"from\": \"py_agent\", \"to\": \"dev\", \"message\": \"" + new string('z', 9 << 20) + "\", \"sent_at\": \"2026-03-24T14:00:00.123456+00:00\"}";
            await lead.Store.PutAsync(key, Encoding.UTF8.GetBytes(body), WriteCondition.None);

            var inbox = await dev.Messages.ReadAsync(new InboxQuery { Take = true });
            Assert.Equal(2, inbox.Count);
            var big = Assert.Single(inbox, m => m.Key == key);
            Assert.Equal("py_agent", big.From);
            Assert.Contains("9.0 MiB", big.Text);
            Assert.Contains(warnings, w => w.Contains(key) && w.Contains("8.0 MiB"));
            Assert.DoesNotContain(requests, r => r.Method == "GET" && r.Key == key);

            Assert.Equal(2, await dev.Messages.DeleteAsync(inbox));
            Assert.Equal(ReadStatus.NotFound, (await lead.Store.GetAsync(key)).Status);
            Assert.Empty(await dev.Messages.ReadAsync(new InboxQuery { Refresh = true }));
        }
    }

    public sealed class FolderWireLimitTests : WireLimitTests<FolderBackend> { public FolderWireLimitTests(FolderBackend b) : base(b) { } }
    public sealed class S3WireLimitTests : WireLimitTests<S3Backend> { public S3WireLimitTests(S3Backend b) : base(b) { } }
}
