using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Reopens steps: a complete, blocked, failed or needs-review step returns to pending with a fresh attempt budget, and
    /// its handoff stays readable (Get-TcHandoff -History). An operator's action. A step that someone holds is refused
    /// unless -Force, which is the way to take back a step whose holder died without a lease.
    /// </summary>
    [Cmdlet(VerbsCommon.Reset, "TcStep", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(Step))]
    public sealed class ResetTcStepCommand : TcCmdlet
    {
        /// <summary>The steps to reopen.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Also take back a step that someone holds (its holder's later writes are refused).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessItem()
        {
            foreach (var id in Id)
            {
                if (!ShouldProcess(id, Force ? "Reopen step, even if someone holds it" : "Reopen step")) continue;
                ForItem(() => WriteObject(Run((s, ct) => s.Claims.ReopenAsync(id, Force, ct))));
            }
        }
    }
}
