using System;

namespace TraceCraft
{
    /// <summary>
    /// A claim on a step (<c>steps/&lt;sid&gt;/claim.json</c>). The original writes agent and claimed_at; we add a
    /// fencing token that grows with every new holder and an optional lease.
    /// </summary>
    public sealed record StepClaim
    {
        public string StepId { get; init; } = "";
        public string Agent { get; init; } = "";
        public DateTimeOffset ClaimedAt { get; init; }
        /// <summary>Grows by one with every new holder; a write fenced by an older token is refused.</summary>
        public long Token { get; init; } = 1;
        /// <summary>Lease length; null for a claim that never expires (the original's kind).</summary>
        public double? LeaseSeconds { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        /// <summary>The agent whose expired lease this claim took over, if any.</summary>
        public string? TakenOverFrom { get; init; }
        /// <summary>Set when the holder finished the step (complete, blocked, needs review); the claim is then final.</summary>
        public string? State { get; init; }
        /// <summary>Who finished the step (the holder, or whoever completed it with -Force); set with <see cref="State"/>.</summary>
        public string? FinishedBy { get; init; }
        public DateTimeOffset? FinishedAt { get; init; }
        /// <summary>The handoff recorded in the seal; handoff.json is a copy of it for the original's readers.</summary>
        public Handoff? Handoff { get; init; }
        /// <summary>The claim object's ETag: later writes of the holder are conditional on it.</summary>
        public string? Version { get; init; }

        /// <summary>Attempts that ended in expiry, takeover or release with failure, since the step was last reopened.</summary>
        public int Failures { get; init; }
        /// <summary>Sealed with a final state (complete, blocked, needs review, failed): no holder writes any more.</summary>
        public bool IsFinal => State is not null && State != Released;
        /// <summary>Handed back (release or reopen): the step is free, and the next claim replaces this one.</summary>
        public bool IsReleased => State == Released;
        /// <summary>The state of a claim that was handed back; the step then reads as pending.</summary>
        public const string Released = "released";

        public bool IsExpiredAt(DateTimeOffset now) => !IsFinal && ExpiresAt is DateTimeOffset expires && now >= expires;

        public override string ToString() => $"{StepId} claimed by {Agent} (token {Token})";
    }
}
