using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Faults
{
    /// <summary>
    /// A user command (complete, claim takeover, memory set, send, artifact upload) runs in its own process and is killed
    /// with SIGKILL just before each of its store writes in turn. After every kill, every reader sees one consistent state
    /// (the step listing, the barrier and a new claimer agree), and the next normal command repairs or proceeds.
    /// </summary>
    public abstract class KillAtEveryWriteTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private readonly TBackend _backend;

        protected KillAtEveryWriteTests(TBackend backend) => _backend = backend;

        [Fact]
        public async Task Complete_killed_at_every_write_reads_and_waits_one_way_and_the_next_complete_repairs()
        {
            string project = TestS3Server.UniqueName("kcomplete");
            using (var holder = _backend.Session(project, "holder")) await holder.Claims.ClaimAsync("count");
            int writes = CountWrites(project, "holder", "complete", "count");
            Assert.True(writes >= 3, $"complete makes the seal, handoff and status writes (counted {writes})");
            for (int k = 1; k <= writes; k++)
            {
                string step = "c" + k;
                using (var holder = _backend.Session(project, "holder")) await holder.Claims.ClaimAsync(step);
                await Killed(project, "holder", k, "complete", step);

                using var reader = _backend.Session(project, "reader", warning: _ => { });
                string listed = (await reader.Steps.GetAsync(step)).Status;
                Assert.Contains(listed, new[] { StepStatus.InProgress, StepStatus.Complete });
                bool waited = await Waits(reader, step);
                Assert.True(waited == (listed == StepStatus.Complete), $"killed before write {k}: listed {listed}, the barrier {(waited ? "passed" : "waited")}");
                var refused = await Assert.ThrowsAsync<TcException>(() => reader.Claims.ClaimAsync(step));
                Assert.Equal(listed == StepStatus.Complete ? TcErrorCode.StepFinished : TcErrorCode.StepAlreadyClaimed, refused.Code);

                // The next normal command: the holder (a new process, so fenced by its name) completes again.
                using (var again = _backend.Session(project, "holder")) await again.Steps.CompleteAsync(step, new CompletionRequest { Note = "again" });
                var status = await reader.Steps.ReadStatusAsync(step);
                Assert.Equal((StepStatus.Complete, "holder"), (status!.Status, status.Agent));
                var handoff = await reader.Store.GetAsync(reader.Layout.HandoffKey(step));
                Assert.True(handoff.Found, $"killed before write {k}: the original's readers find the handoff");
                Assert.Equal(StepStatus.Complete, (await reader.Claims.ReadAsync(step))!.State);
                Assert.True(await Waits(reader, step));
            }
        }

        [Fact]
        public async Task Takeover_killed_at_every_write_leaves_one_holder_and_the_next_claim_proceeds()
        {
            string project = TestS3Server.UniqueName("ktakeover");
            // The old holder's clock is an hour behind, so its 60 s lease is long expired for everyone else.
            var past = new TcClock(fixedOffset: TimeSpan.FromHours(-1));
            using (var old = _backend.Session(project, "old", past)) await old.Claims.ClaimAsync("count", 60);
            int writes = CountWrites(project, "new", "takeover", "count");
            for (int k = 1; k <= writes; k++)
            {
                string step = "t" + k;
                using (var old = _backend.Session(project, "old", past)) await old.Claims.ClaimAsync(step, 60);
                await Killed(project, "new", k, "takeover", step);

                using var reader = _backend.Session(project, "reader");
                var claim = (await reader.Claims.ReadAsync(step))!;
                Assert.Contains((claim.Agent, claim.Token), new[] { ("old", 1L), ("new", 2L) });
                Assert.Equal(StepStatus.InProgress, (await reader.Steps.GetAsync(step)).Status);
                Assert.False(await Waits(reader, step));

                using var next = _backend.Session(project, "new");
                if (claim.Agent == "old") await next.Claims.ClaimAsync(step, 600);
                else Assert.Equal(TcErrorCode.StepAlreadyClaimed, (await Assert.ThrowsAsync<TcException>(() => next.Claims.ClaimAsync(step, 600))).Code);
                using (var old = _backend.Session(project, "old", past))
                    Assert.Equal(TcErrorCode.ClaimLost, (await Assert.ThrowsAsync<TcException>(() => old.Steps.CompleteAsync(step, new CompletionRequest()))).Code);
                await next.Steps.CompleteAsync(step, new CompletionRequest());
                Assert.True(await Waits(reader, step));
            }
        }

        [Fact]
        public async Task A_holder_killed_mid_step_is_replaced_once_the_lease_its_step_was_declared_with_runs_out()
        {
            string project = TestS3Server.UniqueName("kdead");
            using var lead = _backend.Session(project, "lead");
            await lead.Steps.DefineAsync(new StepDefinition { Id = "job", LeaseSeconds = 2 });
            await lead.Steps.DefineAsync("plain", Array.Empty<string>(), null);
            // The holder claims with no lease of its own and is killed (SIGKILL) right after its claim landed.
            await Killed(project, "dead", 2, "claim", "job");
            await Killed(project, "dead", 2, "claim", "plain");
            var held = (await lead.Claims.ReadAsync("job"))!;
            Assert.Equal(("dead", (double?)2), (held.Agent, held.LeaseSeconds));
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            using var next = _backend.Session(project, "next");
            var claim = (await next.Claims.ClaimNextAsync())!;
            Assert.Equal(("job", "dead", 2L), (claim.StepId, claim.TakenOverFrom, claim.Token));
            // A step declared without a lease keeps the original's rule: its dead holder blocks it until an operator reopens it.
            Assert.Null(await next.Claims.ClaimNextAsync());
            await lead.Claims.ReopenAsync("plain", force: true);
            Assert.Equal("plain", (await next.Claims.ClaimNextAsync())!.StepId);
        }

        [Fact]
        public async Task Memory_set_killed_at_every_write_reads_the_old_or_the_new_value_whole()
        {
            string project = TestS3Server.UniqueName("kmemory");
            int writes = CountWrites(project, "writer", "memory-set", "count.key", "\"x\"");
            for (int k = 1; k <= writes; k++)
            {
                string key = "m.k" + k;
                using (var setup = _backend.Session(project, "setup")) await setup.Memory.SetAsync(key, "\"old\"");
                await Killed(project, "writer", k, "memory-set", key, "\"new\"");
                using var reader = _backend.Session(project, "reader");
                Assert.Contains((string?)(await reader.Memory.GetAsync(key))!.Value, new[] { "old", "new" });
                Assert.Contains(key, await reader.Memory.ListKeysAsync("m."));
                await reader.Memory.SetAsync(key, "\"next\"");
                Assert.Equal("next", (string?)(await reader.Memory.GetAsync(key))!.Value);
            }
        }

        [Fact]
        public async Task Send_killed_at_every_write_delivers_nothing_or_one_whole_message()
        {
            string project = TestS3Server.UniqueName("ksend");
            int writes = CountWrites(project, "sender", "send", "nobody", "count");
            for (int k = 1; k <= writes; k++)
            {
                string to = "r" + k;
                await Killed(project, "sender", k, "send", to, "hello " + k);
                using var reader = _backend.Session(project, to);
                var before = (await reader.Messages.ReadAsync(new InboxQuery { Refresh = true })).Select(m => m.Text).ToList();
                Assert.True(before.Count == 0 || before.SequenceEqual(new[] { "hello " + k }), string.Join("|", before));
                using (var sender = _backend.Session(project, "sender")) await sender.Messages.SendAsync(to, "again");
                var after = (await reader.Messages.ReadAsync()).Select(m => m.Text).ToList();
                Assert.Equal(before.Append("again"), after);
            }
        }

        [Fact]
        public async Task Upload_killed_at_every_write_leaves_the_old_or_the_new_artifact_whole()
        {
            string project = TestS3Server.UniqueName("kupload");
            string file = Path.Combine(_backend.TempFolder, project + "-report.bin");
            var fresh = new byte[3 << 20];
            new Random(7).NextBytes(fresh);
            File.WriteAllBytes(file, fresh);
            string old = Path.Combine(_backend.TempFolder, project + "-old", "report.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(old)!);
            File.WriteAllText(old, "old");
            int writes = CountWrites(project, "uploader", "upload", file, "count");
            for (int k = 1; k <= writes; k++)
            {
                string step = "u" + k;
                using (var setup = _backend.Session(project, "setup")) await setup.Artifacts.UploadAsync(old, step, "report.bin");
                await Killed(project, "uploader", k, "upload", file, step);
                using var reader = _backend.Session(project, "reader");
                var listed = Assert.Single(await reader.Artifacts.ListAsync(step));
                string target = Directory.CreateDirectory(Path.Combine(_backend.TempFolder, project + "-down" + k)).FullName;
                await reader.Artifacts.DownloadAsync(listed.Name, step, target, _backend.TempFolder);
                var bytes = File.ReadAllBytes(Path.Combine(target, "report.bin"));
                Assert.True(bytes.SequenceEqual(Encoding.UTF8.GetBytes("old")) || bytes.SequenceEqual(fresh), $"killed before write {k}: {bytes.Length} bytes");
                await reader.Artifacts.UploadAsync(file, step);
            }
        }

        private static async Task<bool> Waits(TcSession reader, string step)
        {
            try
            {
                await reader.Barriers.WaitAsync(new[] { step }, TimeSpan.FromSeconds(1));
                return true;
            }
            catch (TcException e) when (e.Code == TcErrorCode.WaitTimeout)
            {
                return false;
            }
        }

        private string Config(string project, string agent)
        {
            string file = Path.Combine(_backend.TempFolder, $"{project}-{agent}.json");
            File.WriteAllBytes(file, _backend.ConfigFor(project, agent).ToJson());
            return file;
        }

        /// <summary>Runs the command to its end once and returns how many writes it made.</summary>
        private int CountWrites(string project, string agent, params string[] command)
        {
            var (code, output, errors) = RunWorker(Config(project, agent), agent, 0, command);
            Assert.True(code == 0, $"the counting run failed ({code}): {errors}");
            return int.Parse(output.Trim().Split('=')[1]);
        }

        private Task Killed(string project, string agent, int killAt, params string[] command)
        {
            var (code, output, errors) = RunWorker(Config(project, agent), agent, killAt, command);
            Assert.True(code != 0 && !output.Contains("writes="), $"the command was not killed before write {killAt} (exit {code}): {output} {errors}");
            return Task.CompletedTask;
        }

        private static (int Code, string Output, string Errors) RunWorker(string config, string agent, int killAt, string[] command)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TraceCraft.Worker.dll"));
            foreach (var a in new[] { "crash", config, agent, killAt.ToString() }.Concat(command)) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            var output = p.StandardOutput.ReadToEndAsync();
            string errors = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output.Result, errors);
        }
    }

    public sealed class FolderKillAtEveryWriteTests : KillAtEveryWriteTests<FolderBackend> { public FolderKillAtEveryWriteTests(FolderBackend b) : base(b) { } }
    public sealed class S3KillAtEveryWriteTests : KillAtEveryWriteTests<S3Backend> { public S3KillAtEveryWriteTests(S3Backend b) : base(b) { } }
}
