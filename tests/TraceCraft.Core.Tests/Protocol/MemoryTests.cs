using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    public abstract class MemoryTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected MemoryTests(TBackend backend) : base(backend) { }

        [Fact]
        public async Task Strings_are_stored_as_the_original_stores_them()
        {
            var a = Agent("designer");
            var entry = await a.Memory.SetStringAsync("design.status", "complete");
            Assert.Equal("complete", entry.Value);
            var raw = await a.Store.GetAsync(Project + "/memory/design/status.json");
            string json = Encoding.UTF8.GetString(raw.Body!);
            Assert.StartsWith("{\n  \"value\": \"complete\",\n  \"set_by\": \"designer\",\n  \"set_at\": \"", json);
            var read = await Agent("developer").Memory.GetAsync("design.status");
            Assert.Equal("complete", read!.Value);
            Assert.Equal("designer", read.SetBy);
            Assert.Equal(entry.Version, read.Version);
        }

        [Fact]
        public async Task Values_may_be_any_json()
        {
            var a = Agent("a");
            await a.Memory.SetAsync("config.limits", "{\"max\": 3, \"tags\": [\"x\", \"y\"], \"on\": true}");
            var read = await a.Memory.GetAsync("config.limits");
            var map = Assert.IsType<Dictionary<string, object?>>(read!.Value);
            Assert.Equal(3L, map["max"]);
            Assert.Equal(new object?[] { "x", "y" }, (object?[])map["tags"]!);
            Assert.Equal(true, map["on"]);
            Assert.Equal(TcErrorCode.InvalidArgument, (await Assert.ThrowsAsync<TcException>(() => a.Memory.SetAsync("k", "{not json"))).Code);
        }

        [Fact]
        public async Task Missing_keys_read_as_null_and_listing_is_a_raw_prefix_match()
        {
            var a = Agent("a");
            Assert.Null(await a.Memory.GetAsync("nothing.here"));
            await a.Memory.SetStringAsync("design.status", "x");
            await a.Memory.SetStringAsync("design.owner", "y");
            await a.Memory.SetStringAsync("deploy", "z");
            await a.Memory.SetStringAsync("other.key", "w");
            Assert.Equal(new[] { "deploy", "design.owner", "design.status" }, (await a.Memory.ListKeysAsync("de")).OrderBy(k => k));
            Assert.Equal(new[] { "design.owner", "design.status" }, (await a.Memory.ListKeysAsync("design.")).OrderBy(k => k));
            Assert.Equal(4, (await a.Memory.ListAsync()).Count);
            Assert.True(await a.Memory.RemoveAsync("deploy"));
            Assert.False(await a.Memory.RemoveAsync("deploy"));
        }

        [Fact]
        public async Task If_absent_and_if_version_are_atomic_and_a_lost_race_carries_the_current_entry()
        {
            var a = Agent("a");
            var b = Agent("b");
            var first = await a.Memory.SetStringAsync("lock", "a", WriteCondition.IfAbsent);
            var absent = await Assert.ThrowsAsync<TcException>(() => b.Memory.SetStringAsync("lock", "b", WriteCondition.IfAbsent));
            Assert.Equal(TcErrorCode.MemoryVersionMismatch, absent.Code);
            var second = await a.Memory.SetStringAsync("lock", "a2", WriteCondition.IfMatch(first.Version!));
            var stale = await Assert.ThrowsAsync<TcException>(() => b.Memory.SetStringAsync("lock", "b2", WriteCondition.IfMatch(first.Version!)));
            Assert.Equal(TcErrorCode.MemoryVersionMismatch, stale.Code);
            var current = Assert.IsType<MemoryEntry>(stale.Detail);
            Assert.Equal("a2", current.Value);
            Assert.Equal(second.Version, current.Version);
        }

        [Fact]
        public async Task A_counter_incremented_by_20_agents_with_a_retry_loop_ends_exact()
        {
            var agents = Enumerable.Range(0, 20).Select(i => Agent("agent" + i)).ToArray();
            await agents[0].Memory.SetAsync("counter", "0");
            await Task.WhenAll(agents.Select(agent => Task.Run(async () =>
            {
                for (int i = 0; i < 5; i++)
                {
                    while (true)
                    {
                        var entry = await agent.Memory.GetAsync("counter");
                        try
                        {
                            await agent.Memory.SetAsync("counter", ((long)entry!.Value! + 1).ToString(), WriteCondition.IfMatch(entry.Version!));
                            break;
                        }
                        catch (TcException e) when (e.Code == TcErrorCode.MemoryVersionMismatch) { }
                    }
                }
            })));
            Assert.Equal(100L, (await agents[0].Memory.GetAsync("counter"))!.Value);
        }

        [Theory]
        [InlineData("")]
        [InlineData("a/b")]
        [InlineData("a\\b")]
        [InlineData("..")]
        [InlineData("a..b")]
        [InlineData(".lead")]
        [InlineData("nul\0x")]
        [InlineData("tab\tx")]
        public async Task Unsafe_keys_are_refused_and_nothing_is_written(string key)
        {
            var a = Agent("a");
            var e = await Assert.ThrowsAsync<TcException>(() => a.Memory.SetStringAsync(key, "v"));
            Assert.Equal(TcErrorCode.InvalidIdentifier, e.Code);
            Assert.Empty(await a.Memory.ListKeysAsync());
        }

        [Fact]
        public async Task A_ten_thousand_character_key_is_refused()
        {
            var e = await Assert.ThrowsAsync<TcException>(() => Agent("a").Memory.SetStringAsync(new string('k', 10000), "v"));
            Assert.Equal(TcErrorCode.InvalidIdentifier, e.Code);
            Assert.True(e.Message.Length < 300);
        }
    }

    public sealed class FolderMemoryTests : MemoryTests<FolderBackend> { public FolderMemoryTests(FolderBackend b) : base(b) { } }
    public sealed class S3MemoryTests : MemoryTests<S3Backend> { public S3MemoryTests(S3Backend b) : base(b) { } }
}
