using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Shows steps: status (pending, in_progress, complete, blocked, needs_review), agent, times, claim and
    /// dependencies. A claimed step without a status reads as in progress by its claimer, as the original reads it.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "TcStep", DefaultParameterSetName = AllSet)]
    [OutputType(typeof(Step))]
    public sealed class GetTcStepCommand : TcCmdlet
    {
        private const string AllSet = "All";
        private const string IdSet = "Id";
        private const string ReadySet = "Ready";

        /// <summary>The steps to show (all steps of the project when omitted).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Only declared steps (New-TcStep) whose dependencies are complete and that nobody holds.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ReadySet)]
        public SwitchParameter Ready { get; set; }

        /// <summary>Only steps in these states (pending, in_progress, complete, blocked, needs_review, failed): -Status failed is the dead-letter view.</summary>
        [Parameter(ParameterSetName = AllSet)]
        [ValidateSet(StepStatus.Pending, StepStatus.InProgress, StepStatus.Complete, StepStatus.Blocked, StepStatus.NeedsReview, StepStatus.Failed)]
        public string[]? Status { get; set; }

        protected override void ProcessItem()
        {
            switch (ParameterSetName)
            {
                case ReadySet:
                    foreach (var step in Run((s, ct) => s.Steps.GetReadyAsync(ct))) WriteObject(step);
                    break;
                case IdSet:
                    foreach (var id in Id) ForItem(() => WriteObject(Run((s, ct) => s.Steps.GetAsync(id, ct))));
                    break;
                default:
                    foreach (var step in Run((s, ct) => s.Steps.ListAsync(ct)))
                        if (Status is null || System.Array.IndexOf(Status, step.Status) >= 0) WriteObject(step);
                    break;
            }
        }
    }
}
