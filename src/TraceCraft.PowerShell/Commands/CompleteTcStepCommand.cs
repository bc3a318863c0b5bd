using System.Management.Automation;
using TraceCraft.Git;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Protocol;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Marks a step complete (or blocked, or needing review) and writes its handoff note. The write is conditional
    /// on the claim this agent holds: if its lease was taken over (even by a process with the same agent name), this is
    /// a ClaimLost error and nothing is written. A step another agent holds is refused (StepNotOwned) unless -Force; a
    /// finished step is refused (StepFinished) unless -Force, which also repairs a step whose claim is unreadable.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Complete, "TcStep", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = CompleteSet)]
    [OutputType(typeof(Step))]
    public sealed class CompleteTcStepCommand : TcCmdlet
    {
        private const string CompleteSet = "Complete";
        private const string BlockedSet = "Blocked";
        private const string ReviewSet = "NeedsReview";

        /// <summary>The step.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string Id { get; set; } = "";

        /// <summary>The handoff note for the next agent.</summary>
        [Parameter(Position = 1)]
        public string? Note { get; set; }

        /// <summary>The agent the work is handed to.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(AgentIdCompleter))]
        public string? To { get; set; }

        /// <summary>What the next agent should do.</summary>
        [Parameter]
        public string? NextAction { get; set; }

        /// <summary>Mark the step blocked instead of complete (waiters fail at once).</summary>
        [Parameter(Mandatory = true, ParameterSetName = BlockedSet)]
        public SwitchParameter Blocked { get; set; }

        /// <summary>Mark the step as needing review instead of complete.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ReviewSet)]
        public SwitchParameter NeedsReview { get; set; }

        /// <summary>Record the files git reports as changed in the current folder.</summary>
        [Parameter]
        public SwitchParameter ChangedFilesFromGit { get; set; }

        /// <summary>Complete the step even if another agent holds it (asks for confirmation with -Confirm).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// The fencing token of the claim you hold (the Token of Request-TcStep's output; bound from the pipeline). Without
        /// it, a claim made in this session is fenced by the token the session remembers, any other by the agent name.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long? Token { get; set; }

        protected override void ProcessItem()
        {
            if (!ShouldProcess(Id, Force ? "Complete step, even if another agent holds it" : "Complete step")) return;
            string state = Blocked ? StepStatus.Blocked : NeedsReview ? StepStatus.NeedsReview : StepStatus.Complete;
            var request = new CompletionRequest
            {
                Note = Note,
                To = To,
                NextAction = NextAction,
                State = state,
                ChangedFiles = ChangedFilesFromGit ? GitChangedFiles.ReadOrNone(WorkingDirectory) : null,
                Force = Force,
                Token = Token,
            };
            var step = Run((s, ct) => s.Steps.CompleteAsync(Id, request, ct));
            WriteObject(step);
        }
    }
}
