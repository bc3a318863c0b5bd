using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>
    /// The step and agent mirrors: a later call (a new session, as every `tracecraft` process is) reads only what changed
    /// since this agent last looked, and never shows anything the current listing does not vouch for.
    /// </summary>
    public abstract class MirrorTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected MirrorTests(TBackend backend) : base(backend) { }

        /// <summary>A new session of agent <paramref name="name"/> (its mirror on disk survives), counting its requests.</summary>
        private (TcSession Session, ConcurrentQueue<StoreRequest> Requests) Call(string name)
        {
            var requests = new ConcurrentQueue<StoreRequest>();
            return (Agent(name, observer: requests.Enqueue), requests);
        }

        private static int Count(ConcurrentQueue<StoreRequest> requests, string method) => requests.Count(r => r.Method == method);

        private async Task DeclareAsync(TcSession lead, int count)
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => lead.Steps.DefineAsync($"s{i:00}", Array.Empty<string>(), null)));
            await lead.Claims.ClaimAsync("s00");
            await lead.Steps.CompleteAsync("s00", new CompletionRequest { Note = "first" });
            await lead.Claims.ClaimAsync("s01");
            // The folder store lists sizes and times, which are trusted only once a copy was read well after them.
            await Task.Delay(ObjectMirror.RacyWindow + TimeSpan.FromMilliseconds(200));
        }

        [Fact]
        public async Task A_later_call_over_an_unchanged_project_costs_its_listing_and_a_change_costs_only_its_objects()
        {
            var lead = Agent("lead");
            await DeclareAsync(lead, 30);

            var (first, cold) = Call("reader");
            var listed = await first.Steps.ListAsync();
            Assert.Equal(30, listed.Count);
            Assert.Equal(30 + 3, Count(cold, "GET"));    // 30 specs, s00's claim and status, s01's claim

            var (second, warm) = Call("reader");
            var again = await second.Steps.ListAsync();
            Assert.Equal(0, Count(warm, "GET"));
            Assert.Equal(1, Count(warm, "LIST"));
            Assert.Equal(listed.Select(s => (s.Id, s.Status, s.ClaimedBy, s.Token)), again.Select(s => (s.Id, s.Status, s.ClaimedBy, s.Token)));

            await Agent("other").Claims.ClaimAsync("s05");
            await lead.Steps.CompleteAsync("s01", new CompletionRequest { Note = "second" });
            var (third, changed) = Call("reader");
            var ready = await third.Steps.GetReadyAsync();
            Assert.Equal(3, Count(changed, "GET"));      // s05's new claim, s01's sealed claim and its status
            Assert.DoesNotContain(ready, s => s.Id is "s00" or "s01" or "s05");
            Assert.Equal(27, ready.Count);
            var now = await third.Steps.ListAsync();
            Assert.Equal(StepStatus.Complete, now.Single(s => s.Id == "s01").Status);
            Assert.Equal("other", now.Single(s => s.Id == "s05").ClaimedBy);
        }

        [Fact]
        public async Task Agents_read_again_only_the_records_that_changed()
        {
            foreach (var name in new[] { "a1", "a2", "a3" }) await Agent(name).Agents.RegisterAsync();
            await Task.Delay(ObjectMirror.RacyWindow + TimeSpan.FromMilliseconds(200));
            var (first, cold) = Call("watcher");
            Assert.Equal(new[] { "a1", "a2", "a3" }, (await first.Agents.ListAsync()).Select(a => a.Id));
            Assert.Equal(3, Count(cold, "GET"));
            await Agent("a2").Agents.RegisterAsync("Working on it");
            var (second, warm) = Call("watcher");
            var agents = await second.Agents.ListAsync();
            Assert.Equal(1, Count(warm, "GET"));
            Assert.Equal("Working on it", agents.Single(a => a.Id == "a2").Summary);
        }

        [Fact]
        public async Task An_unreadable_local_mirror_is_rebuilt_from_the_store_with_a_warning()
        {
            var lead = Agent("lead");
            await DeclareAsync(lead, 5);
            var (first, _) = Call("reader");
            await first.Steps.ListAsync();
            string copy = Path.Combine(first.PrivateCacheFolder("mirror"), "steps.json");
            Assert.True(File.Exists(copy));
            File.WriteAllText(copy, "{\"prefix\": 42, garbage");

            var warnings = new ConcurrentQueue<string>();
            var second = Agent("reader", warning: warnings.Enqueue);
            var steps = await second.Steps.ListAsync();
            Assert.Equal(5, steps.Count);
            Assert.Equal(StepStatus.Complete, steps.Single(s => s.Id == "s00").Status);
            Assert.Contains(warnings, w => w.Contains("rebuilt from the store"));
        }

        [Fact]
        public async Task A_corrupt_step_object_is_skipped_with_a_warning_and_the_others_are_listed()
        {
            var lead = Agent("lead");
            await DeclareAsync(lead, 4);
            using var store = Backend.NewStore();
            await store.PutAsync(lead.Layout.ClaimKey("s02"), Encoding.UTF8.GetBytes("{not json"), WriteCondition.None);
            var warnings = new ConcurrentQueue<string>();
            var reader = Agent("reader", warning: warnings.Enqueue);
            var ready = await reader.Steps.GetReadyAsync();
            Assert.Equal(new[] { "s03" }, ready.Select(s => s.Id));
            Assert.Contains(warnings, w => w.Contains("s02"));
        }
        [Fact]
        public async Task A_temporary_file_a_killed_writer_left_beside_the_mirror_is_swept_once_stale()
        {
            var lead = Agent("lead");
            await DeclareAsync(lead, 2);
            var reader = Agent("reader");
            await reader.Steps.ListAsync();
            string folder = reader.PrivateCacheFolder("mirror");
            string stale = Path.Combine(folder, "steps.json.0badf00d.tmp"), fresh = Path.Combine(folder, "steps.json.1badf00d.tmp");
            File.WriteAllText(stale, "half");
            File.WriteAllText(fresh, "in use");
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - LocalFiles.StaleTemporaryAge - TimeSpan.FromMinutes(1));
            await lead.Steps.CompleteAsync("s01", new CompletionRequest());
            await Agent("reader").Steps.ListAsync();
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(fresh));
        }

        [Fact]
        public async Task A_wait_of_zero_seconds_looks_once()
        {
            var lead = Agent("lead");
            await lead.Claims.ClaimAsync("done");
            await lead.Steps.CompleteAsync("done", new CompletionRequest());
            await lead.Claims.ClaimAsync("open");
            var waiter = Agent("waiter");
            Assert.Equal("done", Assert.Single(await waiter.Barriers.WaitAsync(new[] { "done" }, TimeSpan.Zero)).Id);
            var e = await Assert.ThrowsAsync<Errors.TcException>(() => waiter.Barriers.WaitAsync(new[] { "done", "open" }, TimeSpan.Zero));
            Assert.Equal((Errors.TcErrorCode.WaitTimeout, "Timeout after 0s. Not all steps complete: open"), (e.Code, e.Message));
        }

        [Fact]
        public async Task In_a_barrier_a_corrupt_claim_holds_back_only_its_own_step()
        {
            var lead = Agent("lead");
            foreach (var id in new[] { "a", "b", "c" }) await lead.Steps.DefineAsync(id, Array.Empty<string>(), null);
            await lead.Claims.ClaimAsync("a");
            await lead.Steps.CompleteAsync("a", new CompletionRequest());
            using (var store = Backend.NewStore())
                await store.PutAsync(lead.Layout.ClaimKey("c"), Encoding.UTF8.GetBytes("{not json"), WriteCondition.None);
            await lead.Claims.ClaimAsync("b");
            await lead.Steps.CompleteAsync("b", new CompletionRequest { State = StepStatus.Blocked, Note = "red" });

            // The blocked step fails the wait at once, though another step of the same round cannot be read.
            var e = await Assert.ThrowsAsync<Errors.TcException>(() => Agent("waiter").Barriers.WaitAsync(new[] { "a", "b", "c" }, TimeSpan.FromSeconds(20)));
            Assert.Equal(Errors.TcErrorCode.StepBlocked, e.Code);
            Assert.Equal("b", e.Target);
        }
    }

    public sealed class FolderMirrorTests : MirrorTests<FolderBackend>
    {
        public FolderMirrorTests(FolderBackend b) : base(b) { }

        /// <summary>
        /// A file system with a coarse clock can rewrite a file with the same size inside one tick: the listing then says
        /// the same of both versions. A copy read that close to the file's time is not trusted, so the rewrite is seen.
        /// </summary>
        [Fact]
        public async Task A_same_size_rewrite_inside_one_clock_tick_is_not_missed()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync("s", Array.Empty<string>(), null);
            await Agent("aaaa").Claims.ClaimAsync("s");
            string file = Path.Combine(Backend.Root, "objects", lead.Layout.ClaimKey("s").Replace('/', Path.DirectorySeparatorChar));
            // A coarse clock's time: a whole second (here the next one, so that the first read is surely inside the tick).
            var now = DateTime.UtcNow;
            var tick = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(1);
            File.SetLastWriteTimeUtc(file, tick);
            Assert.Equal("aaaa", (await Agent("reader").Steps.ListAsync()).Single().ClaimedBy);

            File.WriteAllText(file, File.ReadAllText(file).Replace("\"aaaa\"", "\"bbbb\""));
            File.SetLastWriteTimeUtc(file, tick);
            await Task.Delay(ObjectMirror.RacyWindow + TimeSpan.FromSeconds(1.2));
            Assert.Equal("bbbb", (await Agent("reader").Steps.ListAsync()).Single().ClaimedBy);
        }
    }

    public sealed class S3MirrorTests : MirrorTests<S3Backend> { public S3MirrorTests(S3Backend b) : base(b) { } }
}
