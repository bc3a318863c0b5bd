using TraceCraft.Errors;
using TraceCraft.Storage;

namespace TraceCraft.Options
{
    /// <summary>
    /// The one definition of every option both hosts share (the cmdlets' parameters and the command line's flags): its
    /// default and the values it allows. The cmdlets name these in their validation attributes, the command line in its
    /// argument checks, the engine in its own checks, so that the two hosts cannot drift.
    /// </summary>
    public static class TcOptions
    {
        /// <summary>Wait-TcStep -Timeout, wait-for --timeout, Get-TcInbox -Wait -Timeout, inbox --wait --timeout (seconds).</summary>
        public const double DefaultTimeoutSeconds = 300;
        public const double MinTimeoutSeconds = 0;
        /// <summary>About 23 days: below the 24.8 days that timers and CancelAfter hold on .NET Framework.</summary>
        public const double MaxTimeoutSeconds = 2_000_000;

        /// <summary>-LeaseSeconds / --lease of a claim, a renewal or a declared step: 1 s to 366 days.</summary>
        public const double MinLeaseSeconds = 1;
        public const double MaxLeaseSeconds = 31_622_400;

        /// <summary>Refuses a lease the engine cannot hold (not over 0, or over <see cref="MaxLeaseSeconds"/>); null is no lease. The hosts also refuse under <see cref="MinLeaseSeconds"/>.</summary>
        public static void CheckLeaseSeconds(double? seconds, string target)
        {
            if (seconds is double s && (double.IsNaN(s) || s <= 0 || s > MaxLeaseSeconds))
                throw new TcException(TcErrorCode.InvalidArgument,
                    $"A lease of {s} seconds is not possible: give a number of seconds from {MinLeaseSeconds} to {MaxLeaseSeconds}.", target);
        }

        /// <summary>Get-TcAgent -StaleAfterSeconds / agents --stale-after: a heartbeat older than this is stale (the original's 5 minutes).</summary>
        public const int DefaultStaleAfterSeconds = 300;
        public const int MinStaleAfterSeconds = 1;
        public const int MaxStaleAfterSeconds = 31_622_400;

        /// <summary>New-TcStep -Priority / step new --priority: claim-next hands out higher values first.</summary>
        public const int MinPriority = -1_000_000;
        public const int MaxPriority = 1_000_000;

        /// <summary>New-TcStep -MaxAttempts / step new --max-attempts.</summary>
        public const int MinMaxAttempts = 1;
        public const int MaxMaxAttempts = 1_000_000;

        /// <summary>Watch-TcProject -IntervalSeconds / watch --interval: seconds between refreshes of the board.</summary>
        public const double MinBoardIntervalSeconds = 0.2;
        public const double MaxBoardIntervalSeconds = 3600;

        /// <summary>Heartbeat interval of Start-TcHeartbeat (seconds).</summary>
        public const int DefaultHeartbeatSeconds = 60;

        /// <summary>
        /// Set-TcMemory -IfAbsent / -IfVersion, memory set --if-absent / --if-version: the write condition, refusing the
        /// pair (one says "no entry may exist", the other "this entry must exist").
        /// </summary>
        public static WriteCondition MemoryCondition(bool ifAbsent, string? ifVersion, string key)
        {
            if (ifAbsent && ifVersion is not null)
                throw new TcException(TcErrorCode.ConflictingConditions,
                    "Use -IfAbsent (--if-absent) or -IfVersion (--if-version), not both: the first writes only a new key, the second only the version you read.", key);
            if (ifVersion is not null)
                return ifVersion.Length > 0 ? WriteCondition.IfMatch(ifVersion)
                    : throw new TcException(TcErrorCode.InvalidArgument, "-IfVersion (--if-version) cannot be empty: pass the Version of the entry you read.", key);
            return ifAbsent ? WriteCondition.IfAbsent : WriteCondition.None;
        }
    }
}
