using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.CrossProcess
{
    /// <summary>
    /// The inbox across separate processes: two consuming readers of one inbox (exactly once), and senders whose
    /// real wall clock is shifted by an LD_PRELOAD shim (a sender off by minutes delays nobody else).
    /// </summary>
    public abstract class InboxCrossProcessTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private readonly TBackend _backend;

        protected InboxCrossProcessTests(TBackend backend) => _backend = backend;

        [Fact]
        public async Task Two_consuming_readers_of_one_inbox_get_each_of_180_messages_exactly_once()
        {
            const int senders = 6, perSender = 30;
            string project = TestS3Server.UniqueName("xinbox");
            string config = ConfigFile(project);
            string stop = Path.Combine(_backend.TempFolder, project + ".stop");
            string start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 2500).ToString();
            var readers = Enumerable.Range(0, 2).Select(_ => Start(null, "take", config, "sink", stop, start)).ToList();
            var writers = Enumerable.Range(0, senders).Select(i => Start(null, "send", config, "s" + i, "sink", perSender.ToString(), start)).ToList();
            var sent = (await Task.WhenAll(writers.Select(Finish))).SelectMany(Lines).Select(l => l.Substring(5)).ToList();
            File.WriteAllText(stop, "");
            var got = (await Task.WhenAll(readers.Select(Finish))).SelectMany(Lines).Select(l => l.Substring(4)).ToList();

            Assert.Equal(senders * perSender, sent.Count);
            var doubled = got.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(doubled.Count == 0, $"{doubled.Count} messages were given to both readers, e.g. {string.Join(", ", doubled.Take(5))}");
            Assert.Equal(sent.OrderBy(t => t), got.OrderBy(t => t));

            using var check = _backend.Session(project, "sink");
            Assert.Empty(await check.Messages.ReadAsync(new InboxQuery { Refresh = true }));
            using var store = _backend.NewStore();
            Assert.Empty(await store.ListAllAsync(project + "/receipts/sink/taken/"));
        }

        [Fact]
        public async Task Senders_10_minutes_ahead_and_15_minutes_behind_do_not_delay_a_normal_senders_message()
        {
            Assert.True(OperatingSystem.IsLinux(), "the clock shim is an LD_PRELOAD library (Linux)");
            string shim = await SkewShim.BuildAsync(_backend.TempFolder);
            string project = TestS3Server.UniqueName("xskew");
            string config = ConfigFile(project);
            using var reader = _backend.Session(project, "dev");
            using var lead = _backend.Session(project, "lead");
            Assert.Empty(await reader.Messages.ReadAsync());

            string aheadKey = (await Finish(Start((shim, 600), "send-one", config, "fast", "dev", "from 10 minutes ahead"))).Trim();
            await Finish(Start((shim, 600), "send-one", config, "fast", "_broadcast", "broadcast from 10 minutes ahead"));
            var first = await reader.Messages.ReadAsync(new InboxQuery { UnreadOnly = true });
            Assert.Equal(new[] { "broadcast from 10 minutes ahead", "from 10 minutes ahead" }.OrderBy(x => x), first.Select(m => m.Text).OrderBy(x => x));

            // S3 itself refuses a request signed 15 minutes off (RequestTimeTooSkewed: the store signs with the local
            // clock), so there the slow sender is 14 minutes behind; the folder store has no such limit.
            int behind = _backend is S3Backend ? -840 : -900;
            await Finish(Start((shim, behind), "send-one", config, "slow", "dev", "from 15 minutes behind"));
            await lead.Messages.SendAsync("dev", "on time");
            await lead.Messages.SendAsync("_broadcast", "broadcast on time");
            var next = (await reader.Messages.ReadAsync(new InboxQuery { UnreadOnly = true })).Select(m => m.Text).ToList();
            Assert.Contains("on time", next);
            Assert.Contains("broadcast on time", next);
            if (_backend is S3Backend)
            {
                // Our senders stamp the store's clock (S3's Date header), so even the skewed ones are on time there.
                Assert.Contains("from 15 minutes behind", next);
                string name = aheadKey.Substring(aheadKey.LastIndexOf('/') + 1);
                var stamped = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(name.Substring(0, name.IndexOf('_'))) / 1_000_000);
                Assert.InRange((stamped - DateTimeOffset.UtcNow).TotalSeconds, -60, 60);
            }
            // On a folder store the store's clock is the sender's own: its message is found by the full re-list.
            var all = (await reader.Messages.ReadAsync(new InboxQuery { Refresh = true })).Select(m => m.Text).ToList();
            Assert.Equal(5, all.Count);
            Assert.Contains("from 15 minutes behind", all);

            var wait = reader.Messages.WaitAsync(TimeSpan.FromSeconds(30));
            await lead.Messages.SendAsync("dev", "wake up");
            Assert.Equal(new[] { "wake up" }, (await wait).Select(m => m.Text));
        }

        private string ConfigFile(string project)
        {
            string file = Path.Combine(_backend.TempFolder, project + ".json");
            File.WriteAllBytes(file, _backend.ConfigFor(project, "setup").ToJson());
            return file;
        }

        private static Process Start((string Library, int Seconds)? skew, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TraceCraft.Worker.dll"));
            foreach (var a in args) start.ArgumentList.Add(a);
            if (skew is { } s)
            {
                start.Environment["LD_PRELOAD"] = s.Library;
                start.Environment["SKEW_SECONDS"] = s.Seconds.ToString();
            }
            return Process.Start(start)!;
        }

        private static async Task<string> Finish(Process p)
        {
            var output = p.StandardOutput.ReadToEndAsync();
            string errors = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"a worker failed ({p.ExitCode}): {errors}");
            return await output;
        }

        private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
    }

    public sealed class FolderInboxCrossProcessTests : InboxCrossProcessTests<FolderBackend> { public FolderInboxCrossProcessTests(FolderBackend b) : base(b) { } }
    public sealed class S3InboxCrossProcessTests : InboxCrossProcessTests<S3Backend> { public S3InboxCrossProcessTests(S3Backend b) : base(b) { } }
}
