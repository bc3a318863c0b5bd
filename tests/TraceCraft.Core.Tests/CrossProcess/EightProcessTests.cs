using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.CrossProcess
{
    /// <summary>
    /// 8 separate processes claim, compare-and-set, message and complete on one project for a bounded time; then
    /// the durable state is checked: one winner per step, no lost update, no lost or doubled message, final state
    /// consistent. Runs twice per backend in CI; tests/soak.ps1 runs the same workload for as long as you like.
    /// </summary>
    public abstract class EightProcessTests<TBackend> : IClassFixture<TBackend> where TBackend : Backend
    {
        private const int Processes = 8, Steps = 12;
        private readonly TBackend _backend;

        protected EightProcessTests(TBackend backend) => _backend = backend;

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public async Task Eight_processes_keep_every_promise(int run)
        {
            string project = TestS3Server.UniqueName("x8r" + run);
            var agents = Enumerable.Range(0, Processes).Select(i => "p" + i).ToArray();
            string configFile = Path.Combine(_backend.TempFolder, project + ".json");
            File.WriteAllBytes(configFile, _backend.ConfigFor(project, "setup").ToJson());
            string start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 2000).ToString();
            string seconds = Environment.GetEnvironmentVariable("TRACECRAFT_SOAK_SECONDS") is { Length: > 0 } soak ? soak : "6";
            var workers = agents.Select(a => Start("agent", configFile, a, seconds, start, Steps.ToString(), string.Join(",", agents))).ToList();
            var outputs = await Task.WhenAll(workers.Select(Finish));
            var lines = agents.Zip(outputs, (a, o) => o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (Agent: a, Line: l.Trim()))).SelectMany(x => x).ToList();

            using var checker = _backend.Session(project, "checker");
            var wins = lines.Where(l => l.Line.StartsWith("won ")).Select(l => (l.Agent, Step: l.Line.Substring(4))).ToList();
            Assert.NotEmpty(wins);
            foreach (var group in wins.GroupBy(w => w.Step))
            {
                var winner = Assert.Single(group);
                Assert.Equal(winner.Agent, (await checker.Claims.ReadAsync(group.Key))!.Agent);
            }
            foreach (var done in lines.Where(l => l.Line.StartsWith("completed ")))
            {
                var status = await checker.Steps.ReadStatusAsync(done.Line.Substring(10));
                Assert.Equal((StepStatus.Complete, done.Agent), (status!.Status, status.Agent));
            }
            long increments = lines.Count(l => l.Line == "inc");
            Assert.True(increments > 0);
            Assert.Equal(increments, (long)(await checker.Memory.GetAsync("counter"))!.Value!);
            foreach (var recipient in agents)
            {
                using var reader = _backend.Session(project, recipient);
                var received = (await reader.Messages.ReadAsync(new InboxQuery { Refresh = true })).Select(m => m.Text).ToList();
                var sent = lines.Where(l => l.Line.StartsWith($"sent {recipient} ")).Select(l => l.Line.Substring(6 + recipient.Length)).ToList();
                Assert.Equal(sent.OrderBy(x => x), received.OrderBy(x => x));
            }
        }

        private static Process Start(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TraceCraft.Worker.dll"));
            foreach (var a in args) start.ArgumentList.Add(a);
            return Process.Start(start)!;
        }

        private static async Task<string> Finish(Process p)
        {
            var output = p.StandardOutput.ReadToEndAsync();
            string errors = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"an agent process failed ({p.ExitCode}): {errors}");
            return await output;
        }
    }

    public sealed class FolderEightProcessTests : EightProcessTests<FolderBackend> { public FolderEightProcessTests(FolderBackend b) : base(b) { } }
    public sealed class S3EightProcessTests : EightProcessTests<S3Backend> { public S3EightProcessTests(S3Backend b) : base(b) { } }
}
