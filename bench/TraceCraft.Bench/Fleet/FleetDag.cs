using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Protocol;

namespace TraceCraft.Bench.Fleet
{
    /// <summary>One step of the fleet DAG; its work time is part of its id (<c>-w&lt;ms&gt;</c>), so a worker needs nothing else.</summary>
    public sealed record FleetStep(string Id, int Stage, bool IsBarrier, int WorkMs, IReadOnlyList<string> DependsOn);

    /// <summary>
    /// The fleet's queue: <c>stages</c> stages, each <c>width</c> parallel steps and one barrier step. The width steps of
    /// stage k depend on the barrier of stage k-1 (fan-out); the barrier of stage k depends on the width steps of stage k
    /// (fan-in). With 10 stages of 99 + 1 that is 1,000 steps, 10 barriers. Work times are drawn once, uniformly from
    /// [min, max] ms with a fixed seed, so every run (and every worker count of the sweep) drains the same queue.
    /// </summary>
    public sealed class FleetDag
    {
        private FleetDag(IReadOnlyList<FleetStep> steps, int stages, int width)
        {
            Steps = steps;
            Stages = stages;
            Width = width;
        }

        public IReadOnlyList<FleetStep> Steps { get; }
        public int Stages { get; }
        public int Width { get; }

        public static FleetDag Build(int stages, int width, int minMs, int maxMs, int seed)
        {
            var random = new Random(seed);
            var steps = new List<FleetStep>();
            string? previousBarrier = null;
            for (int k = 0; k < stages; k++)
            {
                var stage = new List<string>();
                for (int i = 0; i < width; i++)
                {
                    int ms = random.Next(minMs, maxMs + 1);
                    string id = string.Format(CultureInfo.InvariantCulture, "f{0:00}-{1:000}-w{2}", k, i, ms);
                    steps.Add(new FleetStep(id, k, false, ms, previousBarrier is null ? Array.Empty<string>() : new[] { previousBarrier }));
                    stage.Add(id);
                }
                int barrierMs = random.Next(minMs, maxMs + 1);
                string barrier = string.Format(CultureInfo.InvariantCulture, "f{0:00}-gate-w{1}", k, barrierMs);
                steps.Add(new FleetStep(barrier, k, true, barrierMs, stage));
                previousBarrier = barrier;
            }
            return new FleetDag(steps, stages, width);
        }

        public double TotalWorkMs => Steps.Sum(s => (double)s.WorkMs);

        /// <summary>The ideal makespan: total work ÷ workers (ignores the barriers and every cost of coordination).</summary>
        public double IdealMs(int workers) => TotalWorkMs / workers;

        /// <summary>
        /// A tighter lower bound that respects the DAG (still with free coordination): a stage cannot end before its work
        /// spread over the workers nor before its longest step; its barrier then runs alone.
        /// </summary>
        public double DagBoundMs(int workers) => Enumerable.Range(0, Stages).Sum(k =>
        {
            var stage = Steps.Where(s => s.Stage == k && !s.IsBarrier).ToList();
            return Math.Max(stage.Sum(s => (double)s.WorkMs) / workers, stage.Max(s => s.WorkMs)) + Steps.Single(s => s.Stage == k && s.IsBarrier).WorkMs;
        });

        /// <summary>
        /// Declares every step through the engine (<see cref="StepService.DefineAsync(StepDefinition, CancellationToken)"/>),
        /// last stage first: the cycle check walks the specs reachable from a new step's dependencies, so declaring a step
        /// whose dependencies are not declared yet reads one absent spec per dependency instead of every ancestor.
        /// </summary>
        public async Task DeclareAsync(TcSession session, int parallel, CancellationToken cancellationToken = default)
        {
            using var gate = new SemaphoreSlim(parallel);
            for (int k = Stages - 1; k >= 0; k--)
            {
                var stage = Steps.Where(s => s.Stage == k).OrderByDescending(s => s.IsBarrier).ToList();
                await Define(stage[0]).ConfigureAwait(false); // the barrier first: its dependencies are not declared yet
                await Task.WhenAll(stage.Skip(1).Select(Define)).ConfigureAwait(false);
            }

            async Task Define(FleetStep step)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try { await session.Steps.DefineAsync(new StepDefinition { Id = step.Id, DependsOn = step.DependsOn }, cancellationToken).ConfigureAwait(false); }
                finally { gate.Release(); }
            }
        }

        /// <summary>Declares <paramref name="count"/> independent steps (no dependencies) named <c>prefix-00000</c>…</summary>
        public static async Task DeclareFlatAsync(TcSession session, string prefix, int count, int parallel, CancellationToken cancellationToken = default)
        {
            using var gate = new SemaphoreSlim(parallel);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try { await session.Steps.DefineAsync(new StepDefinition { Id = string.Format(CultureInfo.InvariantCulture, "{0}-{1:00000}", prefix, i) }, cancellationToken).ConfigureAwait(false); }
                finally { gate.Release(); }
            })).ConfigureAwait(false);
        }
    }
}
