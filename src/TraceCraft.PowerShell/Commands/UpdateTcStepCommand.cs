using System.Management.Automation;
using TraceCraft.PowerShell.Completers;
using TraceCraft.Options;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Renews the lease of steps this agent holds, or (-Release) hands them back. Both are a compare-and-set on the
    /// claim: if the lease already expired and another agent took the step over, this is a ClaimLost error and nothing
    /// changes, even when the new holder has the same agent name.
    /// </summary>
    [Cmdlet(VerbsData.Update, "TcStep", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = RenewSet)]
    [OutputType(typeof(StepClaim), ParameterSetName = new[] { RenewSet })]
    [OutputType(typeof(Step), ParameterSetName = new[] { ReleaseSet })]
    public sealed class UpdateTcStepCommand : TcCmdlet
    {
        private const string RenewSet = "Renew";
        private const string ReleaseSet = "Release";

        /// <summary>The steps to renew.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Renew the lease.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RenewSet)]
        public SwitchParameter Renew { get; set; }

        /// <summary>Hand the step back: it is pending and ready again for the next claimer.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ReleaseSet)]
        public SwitchParameter Release { get; set; }

        /// <summary>With -Release: the attempt failed; it counts against the step's -MaxAttempts (the last allowed one fails the step).</summary>
        [Parameter(ParameterSetName = ReleaseSet)]
        public SwitchParameter Failed { get; set; }

        /// <summary>The new lease length (default: the claim's current length).</summary>
        [Parameter(ParameterSetName = RenewSet)]
        [ValidateRange(TcOptions.MinLeaseSeconds, TcOptions.MaxLeaseSeconds)]
        public double? LeaseSeconds { get; set; }

        /// <summary>
        /// The fencing token of the claim you hold (the Token of Request-TcStep's output; bound from the pipeline). Without
        /// it, a claim made in this session is fenced by the token the session remembers, any other by the agent name.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long? Token { get; set; }

        protected override void ProcessItem()
        {
            foreach (var id in Id)
            {
                if (Release)
                {
                    if (ShouldProcess(id, Failed ? "Release step, counting a failed attempt" : "Release step"))
                        ForItem(() => WriteObject(Run((s, ct) => s.Claims.ReleaseAsync(id, Failed, Token, ct))));
                }
                else ForItem(() => WriteObject(Run((s, ct) => s.Claims.RenewAsync(id, LeaseSeconds, Token, ct))));
            }
        }
    }
}
