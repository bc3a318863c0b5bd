using System;
using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>
    /// Everything one benchmark run measured, as written to bench/results/&lt;date&gt;.json: raw samples per scenario (so
    /// every figure of the report can be recomputed), the machine, the server and the invariant failures.
    /// </summary>
    public sealed class BenchRun
    {
        public int Schema { get; set; } = 1;
        /// <summary>"full" or "smoke".</summary>
        public string Profile { get; set; } = "";
        public string Date { get; set; } = "";
        public DateTimeOffset StartedAt { get; set; }
        public DateTimeOffset FinishedAt { get; set; }
        public string CommandLine { get; set; } = "";
        public string? GitCommit { get; set; }
        /// <summary>Free text about the conditions (e.g. a shared machine), from --note.</summary>
        public string? Note { get; set; }
        public MachineInfo Machine { get; set; } = new MachineInfo();
        public ServerInfo Server { get; set; } = new ServerInfo();
        /// <summary>1-minute load average sampled during the run: seconds since start, load.</summary>
        public List<double[]> LoadAverage { get; set; } = new List<double[]>();
        /// <summary>Seconds each scenario took.</summary>
        public Dictionary<string, double> ScenarioSeconds { get; set; } = new Dictionary<string, double>();
        /// <summary>Invariant violations and scenario errors; empty on a clean run.</summary>
        public List<string> Failures { get; set; } = new List<string>();

        public ContentionResult? Contention { get; set; }
        public OverheadResult? Overhead { get; set; }
        public MessagingResult? Messaging { get; set; }
        public InboxScalingResult? Inbox { get; set; }
        public BarrierResult? Barrier { get; set; }
        public LeaseTakeoverResult? Lease { get; set; }
        public FleetResult? Fleet { get; set; }
        public FlatCostResult? Flat { get; set; }
    }

    public sealed class MachineInfo
    {
        public int LogicalCores { get; set; }
        public string? CpuModel { get; set; }
        public long? MemTotalKiB { get; set; }
        public long? MemAvailableKiBAtStart { get; set; }
        public string? Os { get; set; }
        public string? Kernel { get; set; }
        public string? DotnetRuntime { get; set; }
        public string? DotnetSdk { get; set; }
        public string? ProcessArchitecture { get; set; }
    }

    public sealed class ServerInfo
    {
        /// <summary>How the server came to be (started by the benchmark, or given by TRACECRAFT_TEST_S3_ENDPOINT).</summary>
        public string Origin { get; set; } = "";
        public string Endpoint { get; set; } = "";
        public string Version { get; set; } = "";
    }
}
