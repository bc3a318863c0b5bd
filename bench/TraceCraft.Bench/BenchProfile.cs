using System;

namespace TraceCraft.Bench
{
    /// <summary>
    /// How big each scenario is. <see cref="Full"/> is the benchmark; <see cref="Smoke"/> runs every scenario with a few
    /// trials and small N (under about a minute) so CI can run the harness and it cannot rot.
    /// </summary>
    public sealed class BenchProfile
    {
        public string Name { get; init; } = "";

        // 1. Claim contention
        public int[] ContentionAgents { get; init; } = Array.Empty<int>();
        public int ContentionTrials { get; init; }
        public int StaggeredTrials { get; init; }
        public int StaggerMs { get; init; } = 25;
        public int ContentionWarmupTrials { get; init; }
        public int FolderContentionTrials { get; init; }

        // 2. Overhead
        public int OverheadSamples { get; init; }
        public int OverheadWarmup { get; init; }
        public int CmdletSamples { get; init; }
        public int CmdletWarmup { get; init; }

        // 3. Messaging integrity
        public int Senders { get; init; }
        public int MessagesPerSender { get; init; }

        // 4. Inbox scaling
        public int[] InboxOldCounts { get; init; } = Array.Empty<int>();
        public int InboxNewCount { get; init; } = 10;

        // 5. Barrier latency
        public int[] BarrierWaiters { get; init; } = Array.Empty<int>();
        public int BarrierTrials { get; init; }
        public int BarrierTrialsAt50 { get; init; }
        public double BarrierMinDelaySeconds { get; init; }
        public double BarrierMaxDelaySeconds { get; init; }

        // 6. Lease takeover
        public int LeaseContenders { get; init; }
        public int LeaseTrials { get; init; }
        public double LeaseSeconds { get; init; }
        public int LeasePollMs { get; init; }

        // 7. Fleet
        public int FleetStages { get; init; }
        /// <summary>Parallel steps per stage; each stage adds one barrier step.</summary>
        public int FleetWidth { get; init; }
        /// <summary>The DAG on the S3 server, when smaller than on the folder store (see the report: claim-next reads every step).</summary>
        public int FleetS3Stages { get; init; }
        public int FleetS3Width { get; init; }
        public int FleetWorkers { get; init; }
        public int FleetKills { get; init; }
        public double FleetLeaseSeconds { get; init; }
        public int FleetWorkMinMs { get; init; } = 50;
        public int FleetWorkMaxMs { get; init; } = 500;
        /// <summary>How long a worker sleeps after claim --next found nothing ready (exit 3).</summary>
        public double FleetIdleSeconds { get; init; } = 0.2;
        /// <summary>A drain that has not finished by then is stopped and reported as not drained (a failure).</summary>
        public double FleetCapSeconds { get; init; }
        public bool FleetCountRun { get; init; }
        public int[] FleetSweepWorkers { get; init; } = Array.Empty<int>();
        public double FleetSweepSeconds { get; init; }

        // 8. Flat costs
        public int FlatBarrierSteps { get; init; }
        public int FlatBarrierTrials { get; init; }
        public double FlatBarrierRateSeconds { get; init; }
        public int[] FlatDeclaredCounts { get; init; } = Array.Empty<int>();
        public int[] FlatS3DeclaredCounts { get; init; } = Array.Empty<int>();
        public int FlatS3BarrierTrials { get; init; }
        public int FlatStepNewSamples { get; init; }
        /// <summary>Agents registered in each flat-cost project (at most one per declared step), for the cost of <c>agents</c>.</summary>
        public int FlatAgents { get; init; }

        public static readonly BenchProfile Full = new BenchProfile
        {
            Name = "full",
            ContentionAgents = new[] { 2, 4, 8, 16, 32, 50 },
            ContentionTrials = 200,
            StaggeredTrials = 50,
            ContentionWarmupTrials = 3,
            FolderContentionTrials = 200,
            OverheadSamples = 300,
            OverheadWarmup = 30,
            CmdletSamples = 200,
            CmdletWarmup = 20,
            Senders = 32,
            MessagesPerSender = 30,
            InboxOldCounts = new[] { 10, 100, 1000, 5000 },
            BarrierWaiters = new[] { 1, 10, 50 },
            BarrierTrials = 30,
            BarrierTrialsAt50 = 20,
            BarrierMinDelaySeconds = 1.0,
            BarrierMaxDelaySeconds = 3.0,
            LeaseContenders = 10,
            LeaseTrials = 20,
            LeaseSeconds = 2,
            LeasePollMs = 250,
            FleetStages = 10,
            FleetWidth = 99,
            FleetS3Stages = 2,
            FleetS3Width = 49,
            FleetWorkers = 16,
            FleetKills = 2,
            FleetLeaseSeconds = 5,
            FleetCapSeconds = 900,
            FleetCountRun = true,
            FleetSweepWorkers = new[] { 1, 2, 4, 8, 16, 32 },
            FleetSweepSeconds = 20,
            FlatBarrierSteps = 1000,
            FlatBarrierTrials = 2,
            FlatS3BarrierTrials = 1,
            FlatBarrierRateSeconds = 10,
            FlatDeclaredCounts = new[] { 0, 1000, 10000 },
            FlatS3DeclaredCounts = new[] { 0, 1000, 10000 },
            FlatStepNewSamples = 5,
            FlatAgents = 1000,
        };

        public static readonly BenchProfile Smoke = new BenchProfile
        {
            Name = "smoke",
            ContentionAgents = new[] { 2, 4 },
            ContentionTrials = 3,
            StaggeredTrials = 2,
            ContentionWarmupTrials = 1,
            FolderContentionTrials = 3,
            OverheadSamples = 10,
            OverheadWarmup = 3,
            CmdletSamples = 5,
            CmdletWarmup = 2,
            Senders = 4,
            MessagesPerSender = 5,
            InboxOldCounts = new[] { 10, 100 },
            BarrierWaiters = new[] { 1, 5 },
            BarrierTrials = 2,
            BarrierTrialsAt50 = 2,
            BarrierMinDelaySeconds = 0.3,
            BarrierMaxDelaySeconds = 0.6,
            LeaseContenders = 3,
            LeaseTrials = 1,
            LeaseSeconds = 1,
            LeasePollMs = 100,
            FleetStages = 3,
            FleetWidth = 19,
            FleetS3Stages = 2,
            FleetS3Width = 9,
            FleetWorkers = 4,
            FleetKills = 1,
            FleetLeaseSeconds = 2,
            FleetCapSeconds = 120,
            FleetCountRun = true,
            FleetSweepWorkers = new[] { 1, 4 },
            FleetSweepSeconds = 3,
            FlatBarrierSteps = 50,
            FlatBarrierTrials = 1,
            FlatS3BarrierTrials = 1,
            FlatBarrierRateSeconds = 2,
            FlatDeclaredCounts = new[] { 0, 100 },
            FlatS3DeclaredCounts = new[] { 0, 100 },
            FlatStepNewSamples = 2,
            FlatAgents = 20,
        };
    }
}
