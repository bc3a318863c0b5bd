using System.Management.Automation;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Protocol;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Declares a step, its dependencies and a description (spec.json beside the claim). A dependency cycle is
    /// refused (DependencyCycle); declaring the same step again with the same spec changes nothing.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "TcStep", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(Step))]
    public sealed class NewTcStepCommand : TcCmdlet
    {
        /// <summary>The step id.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId")]
        public string Id { get; set; } = "";

        /// <summary>Steps that must be complete before this one is ready.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] DependsOn { get; set; } = System.Array.Empty<string>();

        /// <summary>What the step is about.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Description { get; set; }

        /// <summary>Request-TcStep -Next hands out steps of higher priority first (default 0).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(TcOptions.MinPriority, TcOptions.MaxPriority)]
        public int Priority { get; set; }

        /// <summary>After this many attempts that ended in expiry or in Update-TcStep -Release -Failed, the step is failed.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(TcOptions.MinMaxAttempts, TcOptions.MaxMaxAttempts)]
        public int? MaxAttempts { get; set; }

        /// <summary>
        /// The lease of every claim of this step that gives none: a holder that dies mid-step is replaced once it runs out
        /// (without it, such claims never expire, as in the original).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(TcOptions.MinLeaseSeconds, TcOptions.MaxLeaseSeconds)]
        public double? LeaseSeconds { get; set; }

        protected override void ProcessItem()
        {
            if (!ShouldProcess(Id, "Declare step")) return;
            var definition = new StepDefinition { Id = Id, DependsOn = DependsOn, Description = Description, Priority = Priority, MaxAttempts = MaxAttempts, LeaseSeconds = LeaseSeconds };
            WriteObject(Run((s, ct) => s.Steps.DefineAsync(definition, ct)));
        }
    }
}
