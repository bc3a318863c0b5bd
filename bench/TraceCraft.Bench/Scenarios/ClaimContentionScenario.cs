using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 1. Claim contention. N agents (separate sessions, each with its own store client) claim one fresh step at the
    /// same instant: a gate releases them together, in a random order each trial. After each trial claim.json is read
    /// back from the store (not from what the agents believe): exactly one ClaimAsync may return, and claim.json must
    /// name that agent. A staggered control starts agent i at i × 25 ms after the gate.
    /// </summary>
    public sealed class ClaimContentionScenario : IScenario
    {
        public string Name => "contention";

        public async Task RunAsync(BenchContext context)
        {
            var profile = context.Profile;
            var result = context.Run.Contention ??= new ContentionResult { StaggerMs = profile.StaggerMs };
            var random = new Random(1);
            foreach (var backend in context.Backends)
            {
                int trials = backend.IsS3 ? profile.ContentionTrials : profile.FolderContentionTrials;
                int staggered = profile.StaggeredTrials;
                string project = context.Project("contention-" + backend.Name);
                var layout = new ProjectLayout(project);
                using var verifier = backend.NewVerifierStore();
                foreach (int n in profile.ContentionAgents)
                {
                    var sessions = Enumerable.Range(0, n).Select(i => backend.Session(project, $"agent{i:00}")).ToArray();
                    try
                    {
                        // Warm every client (connection, signing, JIT) on a step of its own, then a few unrecorded races.
                        await Task.WhenAll(sessions.Select((s, i) => s.Claims.ClaimAsync($"warm-n{n}-a{i}"))).ConfigureAwait(false);
                        for (int w = 0; w < profile.ContentionWarmupTrials; w++)
                            await TrialAsync(sessions, verifier, layout, $"warm-n{n}-t{w}", 0, random).ConfigureAwait(false);

                        var watch = Stopwatch.StartNew();
                        for (int t = 0; t < trials; t++)
                            Record(context, result, backend, "simultaneous", t, n,
                                await TrialAsync(sessions, verifier, layout, $"race-n{n}-t{t}", 0, random).ConfigureAwait(false));
                        context.Log($"contention {backend.Name} N={n}: {trials} simultaneous trials in {watch.Elapsed.TotalSeconds:0.0} s");

                        watch.Restart();
                        for (int t = 0; t < staggered; t++)
                            Record(context, result, backend, "staggered", t, n,
                                await TrialAsync(sessions, verifier, layout, $"stagger-n{n}-t{t}", profile.StaggerMs, random).ConfigureAwait(false));
                        context.Log($"contention {backend.Name} N={n}: {staggered} staggered trials in {watch.Elapsed.TotalSeconds:0.0} s");
                    }
                    finally
                    {
                        foreach (var s in sessions) s.Dispose();
                    }
                }
            }
        }

        private static void Record(BenchContext context, ContentionResult result, BenchBackend backend, string mode, int trial, int n, ContentionTrial outcome)
        {
            outcome.Backend = backend.Name;
            outcome.Mode = mode;
            outcome.Trial = trial;
            outcome.Agents = n;
            result.Trials.Add(outcome);
            if (!outcome.Ok)
                context.Fail($"contention {backend.Name} N={n} {mode} trial {trial}: {outcome.Winners} agent(s) believe they won (winner index {outcome.Winner}), claim.json names {outcome.DurableAgent ?? "nobody"}; outcomes {string.Join(",", outcome.Outcomes.Distinct())}");
        }

        /// <summary>One race on a fresh step; staggerMs 0 releases everyone at once.</summary>
        private static async Task<ContentionTrial> TrialAsync(TcSession[] sessions, IObjectStore verifier, ProjectLayout layout, string stepId, int staggerMs, Random random)
        {
            int n = sessions.Length;
            var start = new long[n];
            var end = new long[n];
            var outcomes = new string[n];
            var gate = new StartGate();
            // A random order of release each trial, so no agent is always dispatched first.
            var order = Enumerable.Range(0, n).OrderBy(_ => random.Next()).ToArray();
            var tasks = order.Select(i => AgentAsync(i)).ToArray();
            gate.Open();
            await Task.WhenAll(tasks).ConfigureAwait(false);

            async Task AgentAsync(int i)
            {
                await gate.Opened.ConfigureAwait(false);
                if (staggerMs > 0 && i > 0)
                {
                    long due = gate.OpenedAt + (long)(i * staggerMs * (Stopwatch.Frequency / 1000.0));
                    long wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency)).ConfigureAwait(false);
                }
                start[i] = Time.Now;
                try
                {
                    await sessions[i].Claims.ClaimAsync(stepId).ConfigureAwait(false);
                    outcomes[i] = "won";
                }
                catch (TcException e) when (e.Code == TcErrorCode.StepAlreadyClaimed)
                {
                    outcomes[i] = "lost";
                }
                catch (TcException e)
                {
                    outcomes[i] = e.Code.ToString();
                }
                catch (Exception e)
                {
                    outcomes[i] = "exception:" + e.GetType().Name;
                }
                end[i] = Time.Now;
            }

            var durable = await DurableClaim.ReadAsync(verifier, layout, stepId).ConfigureAwait(false);
            int winners = outcomes.Count(o => o == "won");
            int winner = Array.IndexOf(outcomes, "won");
            return new ContentionTrial
            {
                Winner = winner,
                Winners = winners,
                DurableAgent = durable?.Agent,
                StartMs = start.Select(s => Time.Ms(gate.OpenedAt, s)).ToArray(),
                LatencyMs = Enumerable.Range(0, n).Select(i => Time.Ms(start[i], end[i])).ToArray(),
                Outcomes = outcomes,
                Ok = winners == 1 && durable?.Agent == sessions[winner].AgentId && outcomes.All(o => o is "won" or "lost"),
            };
        }
    }
}
