using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
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
using TraceCraft.Storage;

namespace TraceCraft.Bench.Scenarios
{
    /// <summary>
    /// 7. Fleet. A DAG (<see cref="FleetDag"/>: stages of parallel steps joined by barrier steps) is declared through the
    /// engine; worker processes (fleet-worker.sh: a bash loop running the native tracecraft, one process per command)
    /// drain it with <c>claim --next --lease L</c> → work → <c>complete STEP --token N</c>. At evenly spaced points of
    /// progress one worker that is mid-work (holding a claim, sleeping its work) is killed with -9 together with its
    /// children and restarted at once with the same agent name; the restarted worker takes its step back with
    /// <c>claim STEP --lease L</c>, which succeeds once the dead claim's lease has expired (the engine's takeover; claim
    /// --next does not offer a step whose lease expired: it lists only pending steps). Afterwards every step's claim.json is
    /// read back: complete, sealed by the one worker whose complete succeeded, with the token of that worker's claim.
    /// <para>The native processes cannot be observed from here, so the requests are counted in a second drain of the same
    /// DAG by workers that run the same command code (<see cref="TracecraftCli"/>, a new session per command, exactly as the
    /// native host does) in this process with a request observer; claim-next collisions are the claim.json writes refused
    /// (412) inside claim --next. Then the same queue with 1, 2, 4 … native workers (no kills) for a fixed window: steps/s.</para>
    /// </summary>
    public sealed class FleetScenario : IScenario
    {
        public string Name => "fleet";

        public async Task RunAsync(BenchContext context)
        {
            var profile = context.Profile;
            var result = context.Run.Fleet ??= new FleetResult();
            string exe = NativeTracecraft.Locate(context.RepositoryRoot, context.Log);
            string script = Path.Combine(AppContext.BaseDirectory, "Fleet", "fleet-worker.sh");
            foreach (var backend in context.Backends)
            {
                var dag = backend.IsS3
                    ? FleetDag.Build(profile.FleetS3Stages, profile.FleetS3Width, profile.FleetWorkMinMs, profile.FleetWorkMaxMs, seed: 7)
                    : FleetDag.Build(profile.FleetStages, profile.FleetWidth, profile.FleetWorkMinMs, profile.FleetWorkMaxMs, seed: 7);
                context.Log($"fleet {backend.Name}: {dag.Steps.Count} steps ({dag.Stages} stages of {dag.Width} + 1 barrier), total work {dag.TotalWorkMs / 1000:0.0} s, native {exe}");
                var run = await NativeDrainAsync(context, backend, exe, script, dag, profile.FleetWorkers, profile.FleetKills, "kill").ConfigureAwait(false);
                result.Runs.Add(run);
                Report(context, run);
                if (profile.FleetCountRun)
                {
                    var counted = await InProcessDrainAsync(context, backend, dag, profile.FleetWorkers).ConfigureAwait(false);
                    result.Runs.Add(counted);
                    Report(context, counted);
                }
                foreach (int workers in profile.FleetSweepWorkers)
                {
                    var point = await SweepAsync(context, backend, exe, script, dag, workers).ConfigureAwait(false);
                    result.Sweep.Add(point);
                    context.Log($"fleet {backend.Name} sweep {workers} worker(s): {point.Completed} steps in {point.ElapsedMs / 1000:0.0} s = {point.Completed / (point.ElapsedMs / 1000):0.00} steps/s");
                }
            }
        }

        private static void Report(BenchContext context, FleetRun run)
        {
            context.Log($"fleet {run.Backend} {run.Variant}: {run.CompletedSteps}/{run.Steps} complete, makespan {run.MakespanMs / 1000:0.0} s vs ideal {run.IdealMs / 1000:0.0} s " +
                        $"({run.MakespanMs / run.IdealMs:0.00}×), {run.Kills.Count} kill(s), {run.Violations.Count} violation(s)" +
                        (run.Requests > 0 ? $", {(double)run.Requests / run.Steps:0} requests/step, {(double)run.Collisions / run.Steps:0.00} collisions/step" : ""));
            foreach (var v in run.Violations) context.Fail($"fleet {run.Backend} {run.Variant}: {v}");
        }

        /// <summary>A fresh project with the DAG declared, and a config file for the workers.</summary>
        private static async Task<(string Project, string Config, double DeclareMs)> PrepareAsync(BenchContext context, BenchBackend backend, FleetDag dag, string label)
        {
            string project = context.Project($"fleet-{backend.Name}-{label}");
            long start = Time.Now;
            using (var declarer = backend.Session(project, "declarer"))
                await dag.DeclareAsync(declarer, parallel: 8).ConfigureAwait(false);
            double declareMs = Time.Since(start);
            string folder = Directory.CreateDirectory(Path.Combine(backend.Scratch, "fleet", project)).FullName;
            string config = new ConfigLoader(folder).Save(backend.ConfigFor(project, "worker"));
            return (project, config, declareMs);
        }

        private static FleetRun NewRun(BenchContext context, BenchBackend backend, FleetDag dag, string variant, int workers, double declareMs) => new FleetRun
        {
            Backend = backend.Name,
            Variant = variant,
            Steps = dag.Steps.Count,
            Stages = dag.Stages,
            Width = dag.Width,
            Workers = workers,
            LeaseSeconds = context.Profile.FleetLeaseSeconds,
            CapSeconds = context.Profile.FleetCapSeconds,
            DeclareMs = Time.Round(declareMs),
            TotalWorkMs = dag.TotalWorkMs,
            IdealMs = Time.Round(dag.IdealMs(workers)),
            DagBoundMs = Time.Round(dag.DagBoundMs(workers)),
        };

        private static async Task<FleetRun> NativeDrainAsync(BenchContext context, BenchBackend backend, string exe, string script, FleetDag dag, int workers, int kills, string label)
        {
            var profile = context.Profile;
            var (project, config, declareMs) = await PrepareAsync(context, backend, dag, label).ConfigureAwait(false);
            var run = NewRun(context, backend, dag, "native-kill", workers, declareMs);
            context.Log($"fleet {backend.Name}: {dag.Steps.Count} steps declared in {declareMs / 1000:0.0} s; {workers} native workers, {kills} kill(s), lease {profile.FleetLeaseSeconds} s");
            var work = dag.Steps.ToDictionary(s => s.Id, s => s.WorkMs);
            var random = new Random(11);
            using var pool = new NativeWorkerPool(exe, script, config, Path.Combine(Path.GetDirectoryName(config)!, "workers"), workers, profile.FleetLeaseSeconds, profile.FleetIdleSeconds);
            var clock = Stopwatch.StartNew();
            double startUnix = FleetEvent.UnixNow;
            pool.StartAll();
            var killed = new List<(int Slot, FleetKill Kill)>();
            double nextLoad = 0;
            int completed = 0;
            while (true)
            {
                await Task.Delay(100).ConfigureAwait(false);
                if (clock.Elapsed.TotalSeconds >= nextLoad)
                {
                    run.Load.Add(new[] { Math.Round(clock.Elapsed.TotalSeconds, 1), MachineProbe.LoadAverage1() });
                    nextLoad += 5;
                }
                var events = pool.ReadAllEvents();
                completed = events.Where(e => e.Kind == "complete" && e.Ok).Select(e => e.Step).Distinct().Count();
                if (completed >= dag.Steps.Count || clock.Elapsed.TotalSeconds >= profile.FleetCapSeconds) break;
                if (killed.Count < kills && completed >= (killed.Count + 1) * dag.Steps.Count / (kills + 1))
                {
                    double now = FleetEvent.UnixNow;
                    foreach (int slot in Enumerable.Range(0, workers).OrderBy(_ => random.Next()).Where(s => killed.All(k => k.Slot != s)))
                    {
                        var last = pool.ReadEvents(slot).LastOrDefault();
                        if (last is not { Kind: "claim" or "recover", Ok: true, Step: string step } || last.End + work[step] / 1000.0 - now < 0.15) continue;
                        pool.Kill(slot); // mid-work: it holds the claim and sleeps its work
                        var after = pool.ReadEvents(slot).LastOrDefault();
                        if (after != last) context.Log($"fleet: {NativeWorkerPool.Agent(slot)} finished {step} before the kill landed");
                        killed.Add((slot, new FleetKill { Worker = NativeWorkerPool.Agent(slot), Step = step, Token = last.Token ?? 0, KilledAtMs = Time.Round((FleetEvent.UnixNow - startUnix) * 1000) }));
                        context.Log($"fleet: kill -9 {NativeWorkerPool.Agent(slot)} while working on {step} (token {last.Token}); restarted");
                        pool.Start(slot);
                        break;
                    }
                }
            }
            run.Drained = completed >= dag.Steps.Count;
            double endMs = clock.Elapsed.TotalMilliseconds;
            pool.Stop(TimeSpan.FromSeconds(30));
            var all = pool.ReadAllEvents();
            run.MakespanMs = run.Drained ? Time.Round((all.Where(e => e.Kind == "complete" && e.Ok).Max(e => e.End) - startUnix) * 1000) : Time.Round(endMs);
            run.Kills = killed.Select(k => k.Kill).ToList();
            foreach (var kill in run.Kills)
            {
                var back = all.FirstOrDefault(e => e.Kind == "recover" && e.Ok && e.Step == kill.Step && e.Worker == kill.Worker);
                if (back is not null)
                {
                    kill.TakenOverAtMs = Time.Round((back.End - startUnix) * 1000);
                    kill.TakeoverToken = back.Token ?? 0;
                }
            }
            Summarize(run, all);
            await VerifyAsync(backend, project, dag, all, run).ConfigureAwait(false);
            return run;
        }

        /// <summary>The same drain with the command code in this process (a new session per command, as the native host opens), counting every request.</summary>
        private static async Task<FleetRun> InProcessDrainAsync(BenchContext context, BenchBackend backend, FleetDag dag, int workers)
        {
            var profile = context.Profile;
            var (project, config, declareMs) = await PrepareAsync(context, backend, dag, "count").ConfigureAwait(false);
            var run = NewRun(context, backend, dag, "in-process-count", workers, declareMs);
            context.Log($"fleet {backend.Name}: request count drain, {workers} in-process workers");
            string folder = Path.GetDirectoryName(config)!;
            var events = new ConcurrentBag<FleetEvent>();
            var byCommand = new ConcurrentDictionary<string, long[]>();
            var byMethod = new ConcurrentDictionary<string, long>();
            long collisions = 0;
            var completedSteps = new ConcurrentDictionary<string, bool>();
            using var done = new CancellationTokenSource(TimeSpan.FromSeconds(profile.FleetCapSeconds));
            var clock = Stopwatch.StartNew();
            double startUnix = FleetEvent.UnixNow;

            async Task<(int Rc, string Out, string Err)> Command(string agent, string kind, params string[] args)
            {
                var output = new StringWriter();
                var error = new StringWriter();
                long requests = 0;
                bool claimNext = kind.StartsWith("claim", StringComparison.Ordinal);
                string home = Path.Combine(folder, "home", agent);
                var environment = new Dictionary<string, string> { ["TRACECRAFT_CONFIG"] = config, ["TRACECRAFT_AGENT"] = agent, ["TRACECRAFT_HOME"] = home };
                int rc = await TracecraftCli.RunAsync(args, new CliContext
                {
                    Out = output,
                    Error = error,
                    WorkingDirectory = folder,
                    Environment = n => environment.TryGetValue(n, out var v) ? v : null,
                    SessionOptions = new TcSessionOptions
                    {
                        RequestObserver = r =>
                        {
                            Interlocked.Increment(ref requests);
                            byMethod.AddOrUpdate(r.Method, 1, (_, n) => n + 1);
                            if (claimNext && r.Outcome == "412" && r.Method.StartsWith("PUT", StringComparison.Ordinal) && r.Key.EndsWith("/claim.json", StringComparison.Ordinal))
                                Interlocked.Increment(ref collisions);
                        },
                    },
                }).ConfigureAwait(false);
                string key = rc == TracecraftCli.NothingReady ? kind + " (none ready)" : kind;
                var counts = byCommand.GetOrAdd(key, _ => new long[2]);
                Interlocked.Increment(ref counts[0]);
                Interlocked.Add(ref counts[1], requests);
                return (rc, output.ToString(), error.ToString());
            }

            var loops = Enumerable.Range(0, workers).Select(async slot =>
            {
                string agent = NativeWorkerPool.Agent(slot);
                await Task.Yield();
                while (completedSteps.Count < dag.Steps.Count && !done.IsCancellationRequested)
                {
                    double t0 = FleetEvent.UnixNow;
                    var (rc, output, error) = await Command(agent, "claim --next", "claim", "--next", "--lease", profile.FleetLeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
                    double t1 = FleetEvent.UnixNow;
                    if (rc != 0)
                    {
                        events.Add(new FleetEvent(agent, rc == TracecraftCli.NothingReady ? "idle" : "claim", rc, t0, t1, null, null, FirstLine(error)));
                        await Task.Delay(TimeSpan.FromSeconds(profile.FleetIdleSeconds)).ConfigureAwait(false);
                        continue;
                    }
                    string step = output.Substring("Claimed step ".Length).Split(" as ")[0].Trim();
                    long? token = ParseToken(error);
                    events.Add(new FleetEvent(agent, "claim", 0, t0, t1, step, token, null));
                    await Task.Delay(dag.Steps.First(s => s.Id == step).WorkMs).ConfigureAwait(false);
                    t0 = FleetEvent.UnixNow;
                    (rc, _, error) = await Command(agent, "complete", "complete", step, "--token", token?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1").ConfigureAwait(false);
                    events.Add(new FleetEvent(agent, "complete", rc, t0, FleetEvent.UnixNow, step, token, rc == 0 ? null : FirstLine(error)));
                    if (rc == 0) completedSteps[step] = true;
                }
            }).ToList();
            var sampling = Task.Run(async () =>
            {
                while (!loops.All(l => l.IsCompleted))
                {
                    run.Load.Add(new[] { Math.Round(clock.Elapsed.TotalSeconds, 1), MachineProbe.LoadAverage1() });
                    await Task.WhenAny(Task.WhenAll(loops), Task.Delay(5000)).ConfigureAwait(false);
                }
            });
            await Task.WhenAll(loops).ConfigureAwait(false);
            await sampling.ConfigureAwait(false);
            var all = events.ToList();
            run.Drained = completedSteps.Count >= dag.Steps.Count;
            run.MakespanMs = run.Drained ? Time.Round((all.Where(e => e.Kind == "complete" && e.Ok).Max(e => e.End) - startUnix) * 1000) : Time.Round(clock.Elapsed.TotalMilliseconds);
            run.RequestsByCommand = byCommand.ToDictionary(p => p.Key, p => p.Value);
            run.RequestsByMethod = byMethod.ToDictionary(p => p.Key, p => p.Value);
            run.Requests = byCommand.Values.Sum(v => v[1]);
            run.Collisions = Interlocked.Read(ref collisions);
            Summarize(run, all);
            await VerifyAsync(backend, project, dag, all, run).ConfigureAwait(false);
            return run;
        }

        private static async Task<FleetSweepPoint> SweepAsync(BenchContext context, BenchBackend backend, string exe, string script, FleetDag dag, int workers)
        {
            var profile = context.Profile;
            var (_, config, _) = await PrepareAsync(context, backend, dag, $"sweep{workers}").ConfigureAwait(false);
            using var pool = new NativeWorkerPool(exe, script, config, Path.Combine(Path.GetDirectoryName(config)!, "workers"), workers, profile.FleetLeaseSeconds, profile.FleetIdleSeconds);
            var clock = Stopwatch.StartNew();
            double startUnix = FleetEvent.UnixNow;
            pool.StartAll();
            double load = double.NaN;
            while (clock.Elapsed.TotalSeconds < profile.FleetSweepSeconds)
            {
                await Task.Delay(250).ConfigureAwait(false);
                if (double.IsNaN(load) && clock.Elapsed.TotalSeconds > profile.FleetSweepSeconds / 2) load = MachineProbe.LoadAverage1();
                if (pool.ReadAllEvents().Where(e => e.Kind == "complete" && e.Ok).Select(e => e.Step).Distinct().Count() >= dag.Steps.Count) break;
            }
            double windowEnd = startUnix + clock.Elapsed.TotalSeconds;
            pool.Stop(TimeSpan.Zero);
            var events = pool.ReadAllEvents();
            var done = events.Where(e => e.Kind == "complete" && e.Ok && e.End <= windowEnd).ToList();
            bool drained = done.Select(e => e.Step).Distinct().Count() >= dag.Steps.Count;
            return new FleetSweepPoint
            {
                Backend = backend.Name,
                Workers = workers,
                WindowSeconds = profile.FleetSweepSeconds,
                Completed = done.Count,
                ElapsedMs = Time.Round(drained ? (done.Max(e => e.End) - startUnix) * 1000 : (windowEnd - startUnix) * 1000),
                ClaimNextMs = events.Where(e => e.Kind == "claim" && e.Ok).Select(e => Time.Round(e.Ms)).ToArray(),
                IdleCalls = events.Count(e => e.Kind == "idle"),
                LoadAverage = load,
            };
        }

        private static void Summarize(FleetRun run, List<FleetEvent> events)
        {
            run.ClaimNextMs = events.Where(e => e.Kind == "claim" && e.Ok).Select(e => Time.Round(e.Ms)).ToArray();
            run.CompleteMs = events.Where(e => e.Kind == "complete").Select(e => Time.Round(e.Ms)).ToArray();
            run.IdleCalls = events.Count(e => e.Kind == "idle");
            run.IdleMs = events.Where(e => e.Kind == "idle").Select(e => Time.Round(e.Ms)).ToArray();
            run.ClaimErrors = events.Count(e => e.Kind == "claim" && !e.Ok);
            run.RefusedCompletes = events.Count(e => e.Kind == "complete" && !e.Ok);
            run.RecoverAttempts = events.Count(e => e.Kind == "recover");
            run.Errors = events.Where(e => !e.Ok && e.Kind != "idle" && e.Error is not null).Select(e => $"{e.Worker} {e.Kind} {e.Step}: {e.Error}").Distinct().Take(10).ToList();
            run.CompletedSteps = events.Where(e => e.Kind == "complete" && e.Ok).Select(e => e.Step).Distinct().Count();
        }

        /// <summary>
        /// The invariants, from the store: every step sealed complete (none stuck), by the one worker whose complete
        /// succeeded (none twice), with the agent and token of that worker's claim; no two claims with one token; every
        /// killed worker's step taken over (a newer token, taken over from the dead holder).
        /// </summary>
        private static async Task VerifyAsync(BenchBackend backend, string project, FleetDag dag, List<FleetEvent> events, FleetRun run)
        {
            var layout = new ProjectLayout(project);
            using var verifier = backend.NewVerifierStore();
            var seals = new ConcurrentDictionary<string, DurableClaim.Record?>();
            using (var gate = new SemaphoreSlim(8))
                await Task.WhenAll(dag.Steps.Select(async s =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try { seals[s.Id] = await DurableClaim.ReadAsync(verifier, layout, s.Id).ConfigureAwait(false); }
                    finally { gate.Release(); }
                })).ConfigureAwait(false);
            var completes = events.Where(e => e.Kind == "complete" && e.Ok).GroupBy(e => e.Step!).ToDictionary(g => g.Key, g => g.ToList());
            var open = new List<string>();
            foreach (var step in dag.Steps)
            {
                var seal = seals[step.Id];
                if (seal?.State != "complete")
                {
                    open.Add(seal is null ? $"{step.Id} (never claimed)" : $"{step.Id} ({seal.State ?? "held"} by {seal.Agent}, token {seal.Token})");
                    continue;
                }
                if (!completes.TryGetValue(step.Id, out var by))
                {
                    run.Violations.Add($"{step.Id} is sealed complete by {seal.FinishedBy} (token {seal.Token}) but no worker's complete succeeded");
                    continue;
                }
                if (by.Count > 1)
                    run.Violations.Add($"{step.Id} completed {by.Count} times: {string.Join(", ", by.Select(e => $"{e.Worker} token {e.Token}"))}");
                var e = by[0];
                if (by.Count == 1 && (seal.Agent != e.Worker || seal.FinishedBy != e.Worker || seal.Token != e.Token))
                    run.Violations.Add($"{step.Id}: the seal says agent {seal.Agent}, finished by {seal.FinishedBy}, token {seal.Token}; the completing worker was {e.Worker} with token {e.Token}");
            }
            // A drain the cap stopped leaves steps open that live workers were still on: reported (Drained = false, the
            // goal missed), not an invariant failure. A drain that finished with a step open has a stuck step.
            if (open.Count > 0 && run.Drained)
                run.Violations.Add($"{open.Count} step(s) stuck, not complete: {string.Join(", ", open.Take(10))}{(open.Count > 10 ? ", …" : "")}");
            if (open.Count > 0 && !run.Drained)
                run.Errors.Insert(0, $"the {run.CapSeconds:0} s cap stopped the drain with {open.Count} step(s) open: {string.Join(", ", open.Take(5))}{(open.Count > 5 ? ", …" : "")}");
            foreach (var twice in events.Where(e => e.Kind is "claim" or "recover" && e.Ok).GroupBy(e => (e.Step, e.Token)).Where(g => g.Count() > 1))
                run.Violations.Add($"{twice.Key.Step}: {twice.Count()} claims returned token {twice.Key.Token} ({string.Join(", ", twice.Select(e => e.Worker))})");
            foreach (var kill in run.Kills)
            {
                var seal = seals.TryGetValue(kill.Step, out var s) ? s : null;
                kill.SealAgent = seal?.Agent;
                kill.SealToken = seal?.Token ?? 0;
                kill.SealTakenOverFrom = seal?.TakenOverFrom;
                bool hadTime = run.Drained || run.MakespanMs - kill.KilledAtMs > (run.LeaseSeconds + 30) * 1000;
                if (hadTime && (seal is null || seal.Token <= kill.Token || seal.TakenOverFrom != kill.Worker))
                    run.Violations.Add($"{kill.Step}, held by the killed {kill.Worker} with token {kill.Token}, was not taken over: claim.json has token {seal?.Token}, taken over from {seal?.TakenOverFrom ?? "nobody"}");
            }
        }

        private static string? FirstLine(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);

        private static long? ParseToken(string error)
        {
            foreach (var line in error.Split('\n'))
                if (line.StartsWith("Fencing token: ", StringComparison.Ordinal) && long.TryParse(line.Substring("Fencing token: ".Length).Split(' ')[0], out long t))
                    return t;
            return null;
        }
    }
}
