using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Bench.Fleet;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.CommandLine;
using TraceCraft.Wire;
using TraceCraft.Config;
using TraceCraft.Keys;
using TraceCraft.Protocol;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 8. Flat costs (issue 14, item 5): what an operation costs as the project grows, in requests and time.
    /// <list type="bullet">
    /// <item>A barrier (<c>Barriers.WaitAsync</c>) over N pending steps: the waiter's request rate while all are pending;
    /// then all but one are completed, and the detection time runs from the last one's completing PUT of status.json
    /// returning to WaitAsync returning.</item>
    /// <item><c>step new</c> (the command's own code, a new session per call, as the native command runs) with 0, 1,000 and
    /// 10,000 steps declared.</item>
    /// <item><c>GetReadyAsync</c> (what <c>ready</c> and <c>claim --next</c> do) and <c>ListAsync</c> (<c>Get-TcStep</c>)
    /// over the same projects.</item>
    /// </list>
    /// </summary>
    public sealed class FlatCostScenario : IScenario
    {
        public string Name => "flat";

        public async Task RunAsync(BenchContext context)
        {
            var profile = context.Profile;
            var result = context.Run.Flat ??= new FlatCostResult();
            foreach (var backend in context.Backends)
            {
                for (int t = 0; t < (backend.IsS3 ? profile.FlatS3BarrierTrials : profile.FlatBarrierTrials); t++)
                {
                    var trial = await BarrierTrialAsync(context, backend, t).ConfigureAwait(false);
                    result.Barrier.Add(trial);
                    context.Log($"flat {backend.Name} barrier over {trial.Steps}: {trial.PendingRequestsPerSecond:0} req/s while pending, detection {trial.DetectionMs:0} ms");
                    if (!trial.Ok) context.Fail($"flat {backend.Name} barrier trial {t}: the waiter did not return after every step completed");
                }
                foreach (int declared in backend.IsS3 ? profile.FlatS3DeclaredCounts : profile.FlatDeclaredCounts)
                    await GrowthAsync(context, backend, declared, result).ConfigureAwait(false);
            }
        }

        private static async Task<FlatBarrierTrial> BarrierTrialAsync(BenchContext context, BenchBackend backend, int trial)
        {
            var profile = context.Profile;
            int n = profile.FlatBarrierSteps;
            string project = context.Project($"flat-barrier-{backend.Name}-{trial}");
            var layout = new ProjectLayout(project);
            var ids = Enumerable.Range(0, n).Select(i => string.Format(CultureInfo.InvariantCulture, "b-{0:0000}", i)).ToList();
            var probe = new WriteProbe();
            var counter = new RequestCounter();
            using var completer = backend.Session(project, "completer", probe.Observe);
            using var waiter = backend.Session(project, "waiter", counter.Observe);
            await ForEachAsync(ids, id => completer.Claims.ClaimAsync(id)).ConfigureAwait(false);

            long start = Time.Now;
            bool failed = false;
            long returned = 0;
            // The first round reads every object the waiter has not read before (a new agent: all of them); the steady cost
            // is what each later round costs, measured from the end of the first round.
            var firstRound = new FirstReport(() => (counter.Total, Time.Now));
            var waiting = Task.Run(async () =>
            {
                try { await waiter.Barriers.WaitAsync(ids, TimeSpan.FromMinutes(15), firstRound).ConfigureAwait(false); }
                catch (Errors.TcException) { failed = true; }
                returned = Time.Now;
            });
            while (firstRound.Seen is null && !waiting.IsCompleted) await Task.Delay(20).ConfigureAwait(false);
            var (firstRoundRequests, firstRoundEnd) = firstRound.Seen ?? (counter.Total, Time.Now);
            await Task.Delay(TimeSpan.FromSeconds(profile.FlatBarrierRateSeconds)).ConfigureAwait(false);
            long pendingRequests = counter.Total - firstRoundRequests;
            double pendingMs = Time.Since(firstRoundEnd);
            await ForEachAsync(ids.Take(n - 1), id => completer.Steps.CompleteAsync(id, new CompletionRequest())).ConfigureAwait(false);
            // Let the waiter see the others complete (a few polling rounds) before the last one completes.
            await Task.Delay(TimeSpan.FromSeconds(profile.FlatBarrierRateSeconds)).ConfigureAwait(false);
            probe.Watch(layout.StatusKey(ids[n - 1]));
            await completer.Steps.CompleteAsync(ids[n - 1], new CompletionRequest()).ConfigureAwait(false);
            await waiting.ConfigureAwait(false);
            var (writtenAt, _) = probe.Result();
            return new FlatBarrierTrial
            {
                Backend = backend.Name,
                Steps = n,
                Trial = trial,
                PendingRequestsPerSecond = Math.Round(pendingRequests / (pendingMs / 1000), 2),
                PendingWindowMs = Time.Round(pendingMs),
                FirstRoundRequests = firstRoundRequests,
                FirstRoundMs = Time.Ms(start, firstRoundEnd),
                DetectionMs = writtenAt == 0 ? double.NaN : Time.Ms(writtenAt, returned),
                Requests = counter.Total,
                WaitMs = Time.Ms(start, returned),
                Ok = !failed && writtenAt != 0,
            };
        }

        /// <summary>A project with <paramref name="declared"/> steps: step new, then (when there are steps) ready and list.</summary>
        private static async Task GrowthAsync(BenchContext context, BenchBackend backend, int declared, FlatCostResult result)
        {
            var profile = context.Profile;
            string project = context.Project($"flat-{backend.Name}-{declared}");
            long start = Time.Now;
            using (var declarer = backend.Session(project, "declarer"))
                await FleetDag.DeclareFlatAsync(declarer, "s", declared, parallel: 8).ConfigureAwait(false);
            context.Log($"flat {backend.Name}: {declared} steps declared in {Time.Since(start) / 1000:0.0} s");

            string folder = Directory.CreateDirectory(Path.Combine(backend.Scratch, "flat", project)).FullName;
            string config = new ConfigLoader(folder).Save(backend.ConfigFor(project, "operator"));
            var environment = new Dictionary<string, string> { ["TRACECRAFT_CONFIG"] = config, ["TRACECRAFT_HOME"] = Path.Combine(folder, "home") };
            for (int i = 0; i < profile.FlatStepNewSamples; i++)
            {
                var counter = new RequestCounter();
                long t0 = Time.Now;
                int rc = await TracecraftCli.RunAsync(new[] { "step", "new", $"extra-{i}" }, new CliContext
                {
                    WorkingDirectory = folder,
                    Environment = n => environment.TryGetValue(n, out var v) ? v : null,
                    SessionOptions = new TcSessionOptions { RequestObserver = counter.Observe },
                }).ConfigureAwait(false);
                double ms = Time.Since(t0);
                if (rc != 0) context.Fail($"flat {backend.Name}: step new with {declared} declared exited {rc}");
                var (total, byMethod) = counter.TakeAndReset();
                result.StepNew.Add(new FlatSample { Backend = backend.Name, Operation = "step new", Declared = declared, Requests = total, ByMethod = byMethod, Ms = Time.Round(ms) });
            }
            context.Log($"flat {backend.Name}: step new with {declared} declared: {result.StepNew.Last().Requests} requests, {result.StepNew.Last().Ms:0} ms");
            if (declared == 0) return;

            // Each read runs in a new session, as every `tracecraft` call is a new process: the first call of an agent
            // reads every object; a later one starts from the agent's mirror and reads only what changed in between.
            async Task MeasureAsync(string operation, string agentName, Func<TcSession, Task<int>> read)
            {
                var reads = new RequestCounter();
                using var reader = backend.Session(project, agentName, reads.Observe);
                long t0 = Time.Now;
                int count = await read(reader).ConfigureAwait(false);
                double ms = Time.Since(t0);
                var (total, byMethod) = reads.TakeAndReset();
                result.Reads.Add(new FlatSample { Backend = backend.Name, Operation = operation, Declared = declared, Requests = total, ByMethod = byMethod, Ms = Time.Round(ms), Returned = count });
                context.Log($"flat {backend.Name}: {operation} over {declared} steps: {total} requests, {ms / 1000:0.0} s");
            }
            Func<TcSession, Task<int>> ready = async r => (await r.Steps.GetReadyAsync().ConfigureAwait(false)).Count;
            Func<TcSession, Task<int>> list = async r => (await r.Steps.ListAsync().ConfigureAwait(false)).Count;
            Func<TcSession, Task<int>> agents = async r => (await r.Agents.ListAsync().ConfigureAwait(false)).Count;
            int agentCount = Math.Min(declared, profile.FlatAgents);
            using (var registrar = backend.Session(project, "registrar"))
                await ForEachAsync(Enumerable.Range(0, agentCount).Select(i => $"agent-{i:0000}"), async id =>
                {
                    using var agent = backend.Session(project, id);
                    await agent.Agents.RegisterAsync().ConfigureAwait(false);
                }).ConfigureAwait(false);

            // The folder store's listing gives sizes and times, trusted once a copy was read well after them (ObjectMirror.RacyWindow,
            // 2 s): a fleet's objects are mostly older than that, so the calls here come 2.5 s after the last write.
            var racyWindow = TimeSpan.FromSeconds(2.5);
            await Task.Delay(racyWindow).ConfigureAwait(false);
            await MeasureAsync("ready (first call)", "reader", ready).ConfigureAwait(false);
            await MeasureAsync("list (first call)", "lister", list).ConfigureAwait(false);
            await MeasureAsync($"agents over {agentCount} (first call)", "watcher", agents).ConfigureAwait(false);
            using (var worker = backend.Session(project, "agent-0000"))
            {
                // Between the calls, the fleet moves: one step completed, one claimed, one heartbeat.
                await worker.Claims.ClaimAsync("s-00000").ConfigureAwait(false);
                await worker.Steps.CompleteAsync("s-00000", new CompletionRequest()).ConfigureAwait(false);
                if (declared > 1) await worker.Claims.ClaimAsync("s-00001").ConfigureAwait(false);
                await worker.Agents.HeartbeatAsync().ConfigureAwait(false);
            }
            await Task.Delay(racyWindow).ConfigureAwait(false);
            await MeasureAsync("ready (later call)", "reader", ready).ConfigureAwait(false);
            await MeasureAsync("list (later call)", "lister", list).ConfigureAwait(false);
            await MeasureAsync($"agents over {agentCount} (later call)", "watcher", agents).ConfigureAwait(false);
        }

        /// <summary>Keeps what a function says at the first progress report (reports come on the waiter's own thread).</summary>
        private sealed class FirstReport : IProgress<WaitProgress>
        {
            private readonly Func<(long, long)> _take;
            public FirstReport(Func<(long, long)> take) => _take = take;
            public (long Requests, long At)? Seen { get; private set; }
            public void Report(WaitProgress value) => Seen ??= _take();
        }

        private static async Task ForEachAsync(IEnumerable<string> ids, Func<string, Task> action)
        {
            using var gate = new SemaphoreSlim(8);
            await Task.WhenAll(ids.Select(async id =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                try { await action(id).ConfigureAwait(false); }
                finally { gate.Release(); }
            })).ConfigureAwait(false);
        }
    }
}
