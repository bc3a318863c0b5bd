using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.CrossProcess
{
    /// <summary>
    /// Reads of the folder store that race deletes: a file that vanishes between listing and reading is simply
    /// not there (list skips it, get answers not found), never a raw FileNotFoundException.
    /// </summary>
    public sealed class FolderRaceTests : IClassFixture<FolderBackend>
    {
        private readonly FolderBackend _backend;

        public FolderRaceTests(FolderBackend backend) => _backend = backend;

        /// <summary>Lists, gets (plain and conditional), downloads and deletes everything under the prefix until told to stop.</summary>
        private static Task ReadUntil(IObjectStore store, string prefix, Func<bool> stop, ConcurrentQueue<Exception> failures, int[] seen) => Task.Run(async () =>
        {
            while (!stop())
            {
                try
                {
                    var page = await store.ListAsync(prefix);
                    foreach (var o in page.Objects)
                    {
                        Interlocked.Increment(ref seen[0]);
                        var read = await store.GetAsync(o.Key);
                        if (read.Found) await store.GetAsync(o.Key, read.ETag);
                        using var sink = new MemoryStream();
                        await store.DownloadAsync(o.Key, sink);
                    }
                    await store.DeleteAsync(prefix + "never-there");
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        });

        [Fact]
        public async Task Lists_and_gets_racing_deletes_in_many_threads_never_throw()
        {
            string prefix = "race-threads/";
            using var store = _backend.NewStore();
            var failures = new ConcurrentQueue<Exception>();
            var seen = new int[1];
            int writersLeft = 4;
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                using var own = _backend.NewStore();
                try
                {
                    for (int round = 0; round < 60; round++)
                    {
                        for (int i = 0; i < 10; i++) await own.PutAsync($"{prefix}w{w}/{i}", Encoding.UTF8.GetBytes("x" + round), WriteCondition.None);
                        for (int i = 0; i < 10; i++) await own.DeleteAsync($"{prefix}w{w}/{i}");
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref writersLeft);
                }
            })).ToList();
            var readers = Enumerable.Range(0, 4).Select(_ => ReadUntil(store, prefix, () => Volatile.Read(ref writersLeft) == 0, failures, seen)).ToList();
            await Task.WhenAll(writers);
            await Task.WhenAll(readers);
            Assert.True(failures.IsEmpty, string.Join("\n", failures.Select(f => f.ToString())));
            Assert.True(seen[0] > 0, "the readers saw objects while they were churned");
        }

        [Fact]
        public async Task Lists_racing_the_removal_of_whole_folders_skip_them()
        {
            // Another process (a user's cleanup, say) removes folders of objects while we list above them.
            string prefix = "race-folders/";
            using var store = _backend.NewStore();
            string objects = Path.Combine(_backend.Root, "objects", "race-folders");
            var failures = new ConcurrentQueue<Exception>();
            var seen = new int[1];
            bool done = false;
            var janitor = Task.Run(() =>
            {
                try
                {
                    for (int round = 0; round < 150; round++)
                    {
                        string folder = Path.Combine(objects, "f" + (round % 3), "deep", "deeper");
                        Directory.CreateDirectory(folder);
                        for (int i = 0; i < 5; i++) File.WriteAllText(Path.Combine(folder, i.ToString()), "x");
                        try { Directory.Delete(Path.Combine(objects, "f" + (round % 3)), true); } catch (IOException) { }
                    }
                }
                finally
                {
                    Volatile.Write(ref done, true);
                }
            });
            var readers = Enumerable.Range(0, 3).Select(_ => ReadUntil(store, prefix, () => Volatile.Read(ref done), failures, seen)).ToList();
            await janitor;
            await Task.WhenAll(readers);
            Assert.True(failures.IsEmpty, string.Join("\n", failures.Select(f => f.ToString())));
        }

        [Fact]
        public async Task Lists_and_gets_racing_deletes_of_4_other_processes_never_throw()
        {
            const int processes = 4;
            string prefix = "race-procs/";
            string start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1500).ToString();
            var workers = Enumerable.Range(0, processes).Select(i => StartWorker("churn", _backend.Root, "race-procs", "60", start, "p" + i)).ToList();
            int running = processes;
            var finishing = workers.Select(async w =>
            {
                try { return await Finish(w); }
                finally { Interlocked.Decrement(ref running); }
            }).ToList();
            using var store = _backend.NewStore();
            var failures = new ConcurrentQueue<Exception>();
            var seen = new int[1];
            var readers = Enumerable.Range(0, 3).Select(_ => ReadUntil(store, prefix, () => Volatile.Read(ref running) == 0, failures, seen)).ToList();
            var outputs = await Task.WhenAll(finishing);
            await Task.WhenAll(readers);
            Assert.True(failures.IsEmpty, string.Join("\n", failures.Select(f => f.ToString())));
            Assert.Equal(processes * 60 * 10, outputs.Sum(o => int.Parse(o.Split('=')[1])));
            Assert.True(seen[0] > 0, "the readers saw objects while other processes churned them");
        }

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
    }
}
