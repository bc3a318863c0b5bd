using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Conformance
{
    /// <summary>The store contract, written once; each backend runs it through a derived class.</summary>
    public abstract class ObjectStoreConformance<TBackend> : IClassFixture<TBackend>, IDisposable where TBackend : Backend
    {
        protected ObjectStoreConformance(TBackend backend)
        {
            Backend = backend;
            Store = backend.NewStore();
            Prefix = TestS3Server.UniqueName("conf") + "/";
        }

        protected TBackend Backend { get; }
        protected IObjectStore Store { get; }
        protected string Prefix { get; }

        private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

        [Fact]
        public async Task Bytes_round_trip_with_an_etag()
        {
            var body = new byte[] { 0, 1, 2, 255, 10, 13 };
            var put = await Store.PutAsync(Prefix + "bin", body, WriteCondition.None);
            Assert.True(put.Written);
            var read = await Store.GetAsync(Prefix + "bin");
            Assert.Equal(ReadStatus.Found, read.Status);
            Assert.Equal(body, read.Body);
            Assert.Equal(put.ETag, read.ETag);
            Assert.False(string.IsNullOrEmpty(read.ETag));
            Assert.DoesNotContain("\"", read.ETag);
        }

        [Fact]
        public async Task Json_round_trips_exactly()
        {
            var json = Bytes("{\n  \"value\": \"caf\\u00e9\",\n  \"set_by\": \"a\"\n}");
            await Store.PutAsync(Prefix + "j.json", json, WriteCondition.None, "application/json");
            Assert.Equal(json, (await Store.GetAsync(Prefix + "j.json")).Body);
        }

        [Fact]
        public async Task Missing_key_is_not_found_not_an_error()
        {
            Assert.Equal(ReadStatus.NotFound, (await Store.GetAsync(Prefix + "nothing-here")).Status);
            Assert.Null(await Store.DownloadAsync(Prefix + "nothing-here", new MemoryStream()));
        }

        [Fact]
        public async Task Etag_changes_when_the_content_changes_and_unchanged_reads_are_not_modified()
        {
            var first = await Store.PutAsync(Prefix + "e", Bytes("one"), WriteCondition.None);
            var second = await Store.PutAsync(Prefix + "e", Bytes("two"), WriteCondition.None);
            Assert.NotEqual(first.ETag, second.ETag);
            var unchanged = await Store.GetAsync(Prefix + "e", second.ETag);
            Assert.Equal(ReadStatus.NotModified, unchanged.Status);
            Assert.Null(unchanged.Body);
            var changed = await Store.GetAsync(Prefix + "e", first.ETag);
            Assert.Equal(ReadStatus.Found, changed.Status);
            Assert.Equal("two", Encoding.UTF8.GetString(changed.Body!));
        }

        [Fact]
        public async Task Put_if_absent_refuses_an_existing_key_and_changes_nothing()
        {
            Assert.True((await Store.PutAsync(Prefix + "a", Bytes("first"), WriteCondition.IfAbsent)).Written);
            Assert.False((await Store.PutAsync(Prefix + "a", Bytes("second"), WriteCondition.IfAbsent)).Written);
            Assert.Equal("first", Encoding.UTF8.GetString((await Store.GetAsync(Prefix + "a")).Body!));
        }

        [Fact]
        public async Task Put_if_match_needs_the_current_etag()
        {
            var v1 = await Store.PutAsync(Prefix + "m", Bytes("1"), WriteCondition.None);
            var v2 = await Store.PutAsync(Prefix + "m", Bytes("2"), WriteCondition.IfMatch(v1.ETag!));
            Assert.True(v2.Written);
            Assert.False((await Store.PutAsync(Prefix + "m", Bytes("3"), WriteCondition.IfMatch(v1.ETag!))).Written);
            Assert.Equal("2", Encoding.UTF8.GetString((await Store.GetAsync(Prefix + "m")).Body!));
            Assert.False((await Store.PutAsync(Prefix + "never-written", Bytes("x"), WriteCondition.IfMatch(v1.ETag!))).Written);
            Assert.Equal(ReadStatus.NotFound, (await Store.GetAsync(Prefix + "never-written")).Status);
        }

        [Fact]
        public async Task Delete_removes_the_object()
        {
            await Store.PutAsync(Prefix + "d", Bytes("x"), WriteCondition.None);
            await Store.DeleteAsync(Prefix + "d");
            Assert.Equal(ReadStatus.NotFound, (await Store.GetAsync(Prefix + "d")).Status);
        }

        /// <summary>20 writers race to create each key, 200 rounds: exactly one wins every round, and the object is the winner's.</summary>
        [Fact]
        public async Task Put_if_absent_raced_by_20_writers_has_exactly_one_winner_in_each_of_200_rounds()
        {
            var stores = Enumerable.Range(0, 20).Select(_ => Backend.NewStore()).ToArray();
            try
            {
                for (int round = 0; round < 200; round++)
                {
                    string key = $"{Prefix}race/{round}";
                    using var gate = new ManualResetEventSlim(false);
                    var tasks = stores.Select((store, writer) => Task.Run(async () =>
                    {
                        gate.Wait();
                        return (writer, (await store.PutAsync(key, Bytes("writer-" + writer), WriteCondition.IfAbsent)).Written);
                    })).ToArray();
                    gate.Set();
                    var results = await Task.WhenAll(tasks);
                    var winners = results.Where(r => r.Written).ToList();
                    Assert.Single(winners);
                    Assert.Equal("writer-" + winners[0].writer, Encoding.UTF8.GetString((await Store.GetAsync(key)).Body!));
                }
            }
            finally
            {
                foreach (var s in stores) s.Dispose();
            }
        }

        /// <summary>20 workers increment one counter with If-Match and retry on a lost race: the final count is exact.</summary>
        [Fact]
        public async Task If_match_counter_bumped_by_20_workers_ends_exact()
        {
            const int workers = 20, increments = 10;
            string key = Prefix + "counter";
            await Store.PutAsync(key, Bytes("0"), WriteCondition.None);
            var stores = Enumerable.Range(0, workers).Select(_ => Backend.NewStore()).ToArray();
            try
            {
                await Task.WhenAll(stores.Select(store => Task.Run(async () =>
                {
                    for (int i = 0; i < increments; i++)
                    {
                        while (true)
                        {
                            var read = await store.GetAsync(key);
                            int value = int.Parse(Encoding.UTF8.GetString(read.Body!));
                            if ((await store.PutAsync(key, Bytes((value + 1).ToString()), WriteCondition.IfMatch(read.ETag!))).Written) break;
                        }
                    }
                })));
            }
            finally
            {
                foreach (var s in stores) s.Dispose();
            }
            Assert.Equal((workers * increments).ToString(), Encoding.UTF8.GetString((await Store.GetAsync(key)).Body!));
        }

        [Fact]
        public async Task Lists_2500_keys_in_pages_in_order_with_start_after()
        {
            string prefix = Prefix + "many/";
            var keys = Enumerable.Range(0, 2500).Select(i => $"{prefix}{i:D5}").ToList();
            using (var gate = new SemaphoreSlim(16))
                await Task.WhenAll(keys.Select(async k =>
                {
                    await gate.WaitAsync();
                    try { await Store.PutAsync(k, Bytes("x"), WriteCondition.None); } finally { gate.Release(); }
                }));

            var first = await Store.ListAsync(prefix, null, 1000);
            Assert.Equal(1000, first.Objects.Count);
            Assert.True(first.IsTruncated);
            var all = await Store.ListAllAsync(prefix);
            Assert.Equal(keys, all.Select(o => o.Key).ToList());
            var after = await Store.ListAllAsync(prefix, keys[2399]);
            Assert.Equal(keys.Skip(2400), after.Select(o => o.Key));
            Assert.All(after, o => Assert.Equal(1, o.Size));
        }

        [Fact]
        public async Task Keys_with_spaces_and_non_ascii_round_trip_and_list()
        {
            string[] names = { "claim only/status.json", "caf\u00e9/\u00fcber.json", "\u65e5\u672c/\u30c6\u30b9\u30c8.json", "percent%20sign", "colon:star*" };
            foreach (var n in names) await Store.PutAsync(Prefix + "odd/" + n, Bytes(n), WriteCondition.None);
            foreach (var n in names) Assert.Equal(n, Encoding.UTF8.GetString((await Store.GetAsync(Prefix + "odd/" + n)).Body!));
            var listed = (await Store.ListAllAsync(Prefix + "odd/")).Select(o => o.Key.Substring((Prefix + "odd/").Length)).OrderBy(k => k, StringComparer.Ordinal);
            Assert.Equal(names.OrderBy(k => k, StringComparer.Ordinal), listed);
        }

        [Fact]
        public async Task A_40_MiB_object_streams_both_ways_intact()
        {
            var data = new byte[40 << 20];
            new Random(7).NextBytes(data);
            string file = Path.Combine(Backend.TempFolder, Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(file, data);
            var uploaded = new List<long>();
            using (var source = File.OpenRead(file))
                Assert.True((await Store.UploadAsync(Prefix + "big.bin", source, WriteCondition.None, new SyncProgress(uploaded.Add))).Written);
            using var target = new MemoryStream();
            var info = await Store.DownloadAsync(Prefix + "big.bin", target);
            Assert.NotNull(info);
            Assert.Equal(data.Length, info!.Size);
            Assert.Equal(SHA256.HashData(data), SHA256.HashData(target.ToArray()));
            File.Delete(file);
        }

        [Fact]
        public async Task Upload_if_absent_refuses_an_existing_object()
        {
            using (var one = new MemoryStream(Bytes("one")))
                Assert.True((await Store.UploadAsync(Prefix + "u", one, WriteCondition.IfAbsent)).Written);
            using (var two = new MemoryStream(Bytes("two")))
                Assert.False((await Store.UploadAsync(Prefix + "u", two, WriteCondition.IfAbsent)).Written);
            Assert.Equal("one", Encoding.UTF8.GetString((await Store.GetAsync(Prefix + "u")).Body!));
        }

        public void Dispose() => Store.Dispose();

        private sealed class SyncProgress : IProgress<long>
        {
            private readonly Action<long> _report;
            public SyncProgress(Action<long> report) => _report = report;
            public void Report(long value) => _report(value);
        }
    }

    public sealed class FolderStoreConformanceTests : ObjectStoreConformance<FolderBackend>
    {
        public FolderStoreConformanceTests(FolderBackend backend) : base(backend) { }
    }

    public sealed class S3StoreConformanceTests : ObjectStoreConformance<S3Backend>
    {
        public S3StoreConformanceTests(S3Backend backend) : base(backend) { }
    }
}
