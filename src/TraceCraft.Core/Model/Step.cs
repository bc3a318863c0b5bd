using System;

namespace TraceCraft
{
    /// <summary>Step states as the wire writes them.</summary>
    public static class StepStatus
    {
        public const string Pending = "pending";
        public const string InProgress = "in_progress";
        public const string Complete = "complete";
        public const string Blocked = "blocked";
        public const string NeedsReview = "needs_review";
        /// <summary>Ours: the step used up its attempts (New-TcStep -MaxAttempts); claim-next skips it, waiters fail.</summary>
        public const string Failed = "failed";
    }

    /// <summary>What is known of a step: its status, its claim and its spec.</summary>
    public sealed class Step
    {
        public string Id { get; init; } = "";
        public string Status { get; init; } = StepStatus.Pending;
        public string? Agent { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? CompletedAt { get; init; }
        /// <summary>Who holds the claim (may differ from <see cref="Agent"/> after complete -Force).</summary>
        public string? ClaimedBy { get; init; }
        public long? Token { get; init; }
        public DateTimeOffset? LeaseExpiresAt { get; init; }
        public string[] DependsOn { get; init; } = Array.Empty<string>();
        public string? Description { get; init; }
        /// <summary>Claim-next hands out higher priorities first (New-TcStep -Priority; default 0).</summary>
        public int Priority { get; init; }
        /// <summary>Attempts before the step fails (New-TcStep -MaxAttempts); null for no limit.</summary>
        public int? MaxAttempts { get; init; }
        /// <summary>The lease of every claim of the step that gives none (New-TcStep -LeaseSeconds); null: such claims never expire.</summary>
        public double? DefaultLeaseSeconds { get; init; }
        /// <summary>Attempts that ended in expiry, takeover or release with failure, since the step was last reopened.</summary>
        public int Failures { get; init; }
        /// <summary>The handoff written by complete, when this object comes from Complete-TcStep.</summary>
        public Handoff? Handoff { get; init; }

        public bool IsComplete => Status == StepStatus.Complete;

        public override string ToString() => Agent is null ? $"{Id}: {Status}" : $"{Id}: {Status} (agent: {Agent})";
    }
}
