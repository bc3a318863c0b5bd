using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;
using TraceCraft.Errors;
using TraceCraft.Wire;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 6. Lease takeover. A holder claims a step with a lease and then goes silent (a crash: it never renews). Ten
    /// contenders retry ClaimAsync every poll interval (with ±20 % jitter) until they win or see a newer holder. The
    /// takeover time runs from the lease's expiry (expires_at of the claim) to the winner's ClaimAsync returning.
    /// claim.json is read back after each trial: exactly one contender must hold it, with token 2.
    /// </summary>
    public sealed class LeaseTakeoverScenario : IScenario
    {
        public string Name => "lease";

        public async Task RunAsync(BenchContext context)
        {
            var profile = context.Profile;
            var result = context.Run.Lease ??= new LeaseTakeoverResult();
            var random = new Random(6);
            foreach (var backend in context.Backends)
            {
                string project = context.Project("lease-" + backend.Name);
                var layout = new ProjectLayout(project);
                using var verifier = backend.NewVerifierStore();
                using var holder = backend.Session(project, "holder");
                var counters = Enumerable.Range(0, profile.LeaseContenders).Select(_ => new RequestCounter()).ToArray();
                var contenders = Enumerable.Range(0, profile.LeaseContenders).Select(i => backend.Session(project, $"contender{i:00}", counters[i].Observe)).ToArray();
                try
                {
                    // Warm every client and measure its clock offset once, as any agent's first leased claim does.
                    await holder.Claims.ClaimAsync("warm-holder", profile.LeaseSeconds).ConfigureAwait(false);
                    await Task.WhenAll(contenders.Select((c, i) => c.Claims.ClaimAsync($"warm-{i}", profile.LeaseSeconds))).ConfigureAwait(false);

                    for (int t = 0; t < profile.LeaseTrials; t++)
                    {
                        var trial = await TrialAsync(holder, contenders, counters, verifier, layout, $"lease-t{t}", profile, random).ConfigureAwait(false);
                        trial.Backend = backend.Name;
                        trial.Trial = t;
                        result.Trials.Add(trial);
                        if (!trial.Ok)
                            context.Fail($"lease {backend.Name} trial {t}: {trial.Winners} contender(s) believe they won, claim.json names {trial.DurableAgent ?? "nobody"} with token {trial.DurableToken}");
                    }
                    context.Log($"lease {backend.Name}: {profile.LeaseTrials} takeovers");
                }
                finally
                {
                    foreach (var c in contenders) c.Dispose();
                }
            }
        }

        private static async Task<LeaseTrial> TrialAsync(TcSession holder, TcSession[] contenders, RequestCounter[] counters, Storage.IObjectStore verifier,
            ProjectLayout layout, string stepId, BenchProfile profile, Random random)
        {
            var claim = await holder.Claims.ClaimAsync(stepId, profile.LeaseSeconds).ConfigureAwait(false);
            // expires_at is on the holder's clock (local + measured offset); bring it to the local Stopwatch.
            var expiresLocal = claim.ExpiresAt!.Value - holder.Clock.Offset;
            long expiryTicks = Time.Now + (long)((expiresLocal - DateTimeOffset.UtcNow).TotalSeconds * Stopwatch.Frequency);
            foreach (var c in counters) c.TakeAndReset();

            int n = contenders.Length;
            var won = new bool[n];
            var firstAttempt = new long[n];
            var settled = new long[n];
            var jitter = Enumerable.Range(0, n).Select(_ => new Random(random.Next())).ToArray();
            long giveUp = expiryTicks + 30 * Stopwatch.Frequency;
            var contending = contenders.Select(async (contender, i) =>
            {
                firstAttempt[i] = Time.Now;
                while (Time.Now < giveUp)
                {
                    try
                    {
                        await contender.Claims.ClaimAsync(stepId, profile.LeaseSeconds).ConfigureAwait(false);
                        won[i] = true;
                        break;
                    }
                    catch (TcException e) when (e.Code == TcErrorCode.StepAlreadyClaimed)
                    {
                        if (e.Detail is StepClaim current && current.Token > claim.Token) break; // a newer holder: stop
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(profile.LeasePollMs * (0.8 + 0.4 * jitter[i].NextDouble()))).ConfigureAwait(false);
                }
                settled[i] = Time.Now;
            }).ToArray();
            await Task.WhenAll(contending).ConfigureAwait(false);

            var durable = await DurableClaim.ReadAsync(verifier, layout, stepId).ConfigureAwait(false);
            int winner = Array.IndexOf(won, true);
            int winners = won.Count(w => w);
            return new LeaseTrial
            {
                Contenders = n,
                LeaseSeconds = profile.LeaseSeconds,
                PollMs = profile.LeasePollMs,
                TakeoverMs = winner >= 0 ? Time.Ms(expiryTicks, settled[winner]) : double.NaN,
                SettledMs = Time.Ms(expiryTicks, settled.Max()),
                Winner = winner,
                Winners = winners,
                DurableAgent = durable?.Agent,
                DurableToken = durable?.Token ?? 0,
                ContenderRequests = Enumerable.Range(0, n).Select(i => counters[i].TakeAndReset().Total).ToArray(),
                ContenderActiveMs = Enumerable.Range(0, n).Select(i => Time.Ms(firstAttempt[i], settled[i])).ToArray(),
                Ok = winners == 1 && durable?.Agent == contenders[winner].AgentId && durable.Token == claim.Token + 1 && durable.TakenOverFrom == holder.AgentId,
            };
        }
    }
}
