using System;
using System.Collections.Generic;
using TraceCraft.Bench.Infrastructure;
using TraceCraft.Bench.Results;

namespace TraceCraft.Bench
{
    /// <summary>What every scenario gets: the profile, the backends, the result being filled, a log and a failure sink.</summary>
    public sealed class BenchContext
    {
        public BenchContext(BenchProfile profile, IReadOnlyList<BenchBackend> backends, BenchRun run, string repositoryRoot, string scratch, string runId)
        {
            Profile = profile;
            Backends = backends;
            Run = run;
            RepositoryRoot = repositoryRoot;
            Scratch = scratch;
            RunId = runId;
        }

        public BenchProfile Profile { get; }
        public IReadOnlyList<BenchBackend> Backends { get; }
        public BenchRun Run { get; }
        public string RepositoryRoot { get; }
        public string Scratch { get; }
        /// <summary>Short random id: every project name of this run includes it, so runs never collide in one bucket.</summary>
        public string RunId { get; }

        /// <summary>A project name unique to this run and scenario.</summary>
        public string Project(string stem) => $"bench-{RunId}-{stem}";

        public void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

        /// <summary>Records an invariant violation or error; the run then exits non-zero (after writing its results).</summary>
        public void Fail(string what)
        {
            lock (Run.Failures) Run.Failures.Add(what);
            Log("FAILURE: " + what);
        }
    }

    /// <summary>One benchmark scenario.</summary>
    public interface IScenario
    {
        /// <summary>Short name used in --only and the result file.</summary>
        string Name { get; }

        System.Threading.Tasks.Task RunAsync(BenchContext context);
    }
}
