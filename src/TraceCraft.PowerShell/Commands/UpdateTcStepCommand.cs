using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Renews the lease of steps this agent holds (a compare-and-set on the claim: if the lease already expired and
    /// another agent took the step over, this is a ClaimLost error and nothing changes, even when the new holder has the
    /// same agent name).
    /// </summary>
    [Cmdlet(VerbsData.Update, "TcStep")]
    [OutputType(typeof(StepClaim))]
    public sealed class UpdateTcStepCommand : TcCmdlet
    {
        /// <summary>The steps to renew.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Renew the lease (the only update there is today; required so that later updates can be added).</summary>
        [Parameter(Mandatory = true)]
        public SwitchParameter Renew { get; set; }

        /// <summary>The new lease length (default: the claim's current length).</summary>
        [Parameter]
        [ValidateRange(1, 31622400)]
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
                ForItem(() => WriteObject(Run((s, ct) => s.Claims.RenewAsync(id, LeaseSeconds, Token, ct))));
        }
    }
}
