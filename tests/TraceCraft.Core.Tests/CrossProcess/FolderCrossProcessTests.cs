using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.CrossProcess
{
    /// <summary>The folder store's atomicity across separate processes (its locks are OS file locks, not in-process ones).</summary>
    public sealed class FolderCrossProcessTests : IClassFixture<FolderBackend>
    {
        private readonly FolderBackend _backend;

        public FolderCrossProcessTests(FolderBackend backend) => _backend = backend;

        private static Process StartWorker(params string[] args)
        {
            string worker = Path.Combine(AppContext.BaseDirectory, "TraceCraft.Worker.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(worker);
            foreach (var a in args) start.ArgumentList.Add(a);
            return Process.Start(start)!;
        }

        private static async Task<string> Finish(Process p)
        {
            string output = await p.StandardOutput.ReadToEndAsync();
            string errors = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"worker failed ({p.ExitCode}): {errors}");
            return output.Trim();
        }

        [Fact]
        public async Task Put_if_absent_across_8_processes_has_exactly_one_winner_per_key()
        {
            const int processes = 8, rounds = 200;
            string start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1500).ToString();
            var workers = Enumerable.Range(0, processes).Select(i => StartWorker("absent-race", _backend.Root, "xrace", rounds.ToString(), start, "p" + i)).ToList();
            var outputs = await Task.WhenAll(workers.Select(Finish));
            Assert.Equal(rounds, outputs.Sum(o => int.Parse(o.Split('=')[1])));
            using var store = _backend.NewStore();
            var keys = await store.ListAllAsync("xrace/");
            Assert.Equal(rounds, keys.Count);
        }

        [Fact]
        public async Task An_if_match_counter_bumped_by_8_processes_ends_exact()
        {
            const int processes = 8, increments = 50;
            string start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1500).ToString();
            var workers = Enumerable.Range(0, processes).Select(_ => StartWorker("counter", _backend.Root, "xcounter", increments.ToString(), start)).ToList();
            await Task.WhenAll(workers.Select(Finish));
            using var store = _backend.NewStore();
            Assert.Equal((processes * increments).ToString(), Encoding.UTF8.GetString((await store.GetAsync("xcounter")).Body!));
        }

        [Fact]
        public async Task A_writer_killed_mid_write_leaves_no_partial_object_and_no_lock_that_blocks_others()
        {
            // The worker hammers one key with 1 MiB writes; we kill it at a random moment, many times.
            using var store = _backend.NewStore();
            var body = new byte[1 << 20];
            for (int round = 0; round < 5; round++)
            {
                string start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString();
                var worker = StartWorker("counter", _backend.Root, "killed/counter", "100000", start);
                // A loaded machine may take longer than the delay to start the worker: kill it only once it writes.
                while (round == 0 && !(await store.GetAsync("killed/counter")).Found && !worker.HasExited) await Task.Delay(20);
                await Task.Delay(400 + round * 50);
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                var read = await store.GetAsync("killed/counter");
                Assert.True(read.Found);
                Assert.True(long.TryParse(Encoding.UTF8.GetString(read.Body!), out _), "the object is whole");
                var write = await store.PutAsync("killed/counter", Encoding.UTF8.GetBytes("0"), WriteCondition.IfMatch(read.ETag!));
                Assert.True(write.Written, "no stale lock blocks the next writer");
            }
        }
    }
}
