using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>
    /// Claims steps. A claim is one atomic conditional create: of many agents claiming at once exactly one wins,
    /// and every loser gets a StepAlreadyClaimed error naming the winner. With -LeaseSeconds the claim expires
    /// unless renewed (Update-TcStep -Renew, or automatically while Wait-TcStep runs); an expired claim may be
    /// taken over by another agent (again exactly one wins) and the old holder's later writes are refused.
    /// Lease times follow the S3 server's clock (its Date header), so agents whose clocks disagree by more than
    /// 2 s still agree on expiry; skew below that shortens or lengthens a lease by at most that much.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Request, "TcStep")]
    [OutputType(typeof(StepClaim))]
    public sealed class RequestTcStepCommand : TcCmdlet
    {
        /// <summary>The steps to claim (e.g. from Get-TcStep -Ready).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("StepId", "Step")]
        [ArgumentCompleter(typeof(StepIdCompleter))]
        public string[] Id { get; set; } = System.Array.Empty<string>();

        /// <summary>Lease length in seconds; without it the claim never expires (the original's behaviour).</summary>
        [Parameter]
        [ValidateRange(1, 31622400)]
        public double? LeaseSeconds { get; set; }

        protected override void ProcessItem()
        {
            foreach (var id in Id)
            {
                ForItem(() =>
                {
                    var claim = Run((s, ct) => s.Claims.ClaimAsync(id, LeaseSeconds, ct));
                    WriteObject(claim);
                });
            }
        }
    }
}
