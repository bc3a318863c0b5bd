using System;

namespace TraceCraft
{
    /// <summary>A handoff note (<c>steps/&lt;sid&gt;/handoff.json</c>, schema 2).</summary>
    public sealed class Handoff
    {
        public string StepId { get; init; } = "";
        public int Schema { get; init; } = 2;
        public string FromAgent { get; init; } = "";
        public string FromStep { get; init; } = "";
        public string? NextAgent { get; init; }
        public string State { get; init; } = StepStatus.Complete;
        public string? NextAction { get; init; }
        public string? Note { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string[]? ChangedFiles { get; init; }

        public override string ToString() => $"{FromStep} -> {NextAgent ?? "(anyone)"}: {Note}";
    }
}
