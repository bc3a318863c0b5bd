using System;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Wire;
using TraceCraft.Protocol;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 5. Barrier latency. 1, 10 or 50 waiters (separate sessions) wait for a step in Barriers.WaitAsync; after a random
    /// delay one agent completes it. The completing write is the PUT of status.json (what the waiters poll), seen by an
    /// observer on the completer's session; each waiter's latency runs from that PUT returning to its WaitAsync
    /// returning. Every waiter's store requests are counted to give its request rate while waiting.
    /// </summary>
    public sealed class BarrierLatencyScenario : IScenario
    {
        public string Name => "barrier";

        public async Task RunAsync(BenchContext context)
        {
            var profile = context.Profile;
            var result = context.Run.Barrier ??= new BarrierResult();
            var random = new Random(5);
            foreach (var backend in context.Backends)
            {
                string project = context.Project("barrier-" + backend.Name);
                var layout = new ProjectLayout(project);
                int most = profile.BarrierWaiters.Max();
                var counters = Enumerable.Range(0, most).Select(_ => new RequestCounter()).ToArray();
                var waiters = Enumerable.Range(0, most).Select(i => backend.Session(project, $"waiter{i:00}", counters[i].Observe)).ToArray();
                var probe = new WriteProbe();
                using var completer = backend.Session(project, "completer", probe.Observe);
                try
                {
                    // Warm every client: a step already complete returns at once.
                    await completer.Claims.ClaimAsync("warm").ConfigureAwait(false);
                    await completer.Steps.CompleteAsync("warm", new CompletionRequest()).ConfigureAwait(false);
                    await Task.WhenAll(waiters.Select(w => w.Barriers.WaitAsync(new[] { "warm" }))).ConfigureAwait(false);

                    foreach (int count in profile.BarrierWaiters)
                    {
                        int trials = count >= 50 ? profile.BarrierTrialsAt50 : profile.BarrierTrials;
                        for (int t = 0; t < trials; t++)
                        {
                            var trial = await TrialAsync(waiters.Take(count).ToArray(), counters, completer, probe, layout, $"barrier-w{count}-t{t}", random, profile).ConfigureAwait(false);
                            trial.Backend = backend.Name;
                            trial.Waiters = count;
                            trial.Trial = t;
                            result.Trials.Add(trial);
                            if (!trial.Ok) context.Fail($"barrier {backend.Name} W={count} trial {t}: not every waiter returned after the step completed");
                        }
                        context.Log($"barrier {backend.Name} W={count}: {trials} trials");
                    }
                }
                finally
                {
                    foreach (var w in waiters) w.Dispose();
                }
            }
        }

        private static async Task<BarrierTrial> TrialAsync(TcSession[] waiters, RequestCounter[] counters, TcSession completer, WriteProbe probe,
            ProjectLayout layout, string stepId, Random random, BenchProfile profile)
        {
            await completer.Claims.ClaimAsync(stepId).ConfigureAwait(false);
            foreach (var c in counters) c.TakeAndReset();
            int n = waiters.Length;
            var returned = new long[n];
            var failed = new bool[n];
            long start = Time.Now;
            var waiting = waiters.Select(async (w, i) =>
            {
                try
                {
                    await w.Barriers.WaitAsync(new[] { stepId }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                }
                catch (Errors.TcException)
                {
                    failed[i] = true;
                }
                returned[i] = Time.Now;
            }).ToArray();

            double delayMs = 1000 * (profile.BarrierMinDelaySeconds + random.NextDouble() * (profile.BarrierMaxDelaySeconds - profile.BarrierMinDelaySeconds));
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs)).ConfigureAwait(false);
            probe.Watch(layout.StatusKey(stepId));
            double completingAt = Time.Since(start);
            await completer.Steps.CompleteAsync(stepId, new CompletionRequest()).ConfigureAwait(false);
            await Task.WhenAll(waiting).ConfigureAwait(false);
            var (writtenAt, writeMs) = probe.Result();

            return new BarrierTrial
            {
                DelayMs = Time.Round(completingAt),
                WriteMs = Time.Round(writeMs),
                LatencyMs = returned.Select(r => Time.Ms(writtenAt, r)).ToArray(),
                WaitMs = returned.Select(r => Time.Ms(start, r)).ToArray(),
                Requests = Enumerable.Range(0, n).Select(i => counters[i].TakeAndReset().Total).ToArray(),
                Ok = !failed.Any(f => f) && writtenAt != 0,
            };
        }
    }
}
